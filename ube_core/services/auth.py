"""Sign-in support: credentials for the sign-in form, lockout, and the acting user's context.

Five failed attempts lock a username for 15 minutes. A locked or deactivated account is
given to the sign-in form with a password that can never match, so locked, unknown and
wrong-password attempts all look the same to the person signing in (no user enumeration).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ube_core.storage.db import unit_of_work
from ube_core.storage.models import AppUser, AuditEvent

from .context import UserContext, audit
from .users import context_for, hash_password, roles_of

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
_NEVER_MATCHES = hash_password(secrets.token_urlsafe(32))


def is_locked(user: AppUser, now: datetime) -> bool:
    until = user.locked_until
    if until is None:
        return False
    if until.tzinfo is None:
        until = until.replace(tzinfo=now.tzinfo)
    return until > now


def login_credentials(engine: Engine, *, now: datetime) -> dict[str, Any]:
    """The credentials dict streamlit-authenticator expects, built from the users table."""
    with Session(engine) as session:
        users = session.exec(select(AppUser).where(AppUser.active == True)).all()  # noqa: E712
        return {
            "usernames": {
                u.username: {
                    "name": u.name,
                    "email": u.email or "",
                    "password": _NEVER_MATCHES if is_locked(u, now) else u.password_hash,
                    "roles": sorted(roles_of(session, u.id or 0)),
                }
                for u in users
            }
        }


def record_failed_login(engine: Engine, *, username: str, now: datetime) -> None:
    with unit_of_work(engine) as session:
        user = session.exec(select(AppUser).where(AppUser.username == username)).first()
        if user is None:
            return
        actor = UserContext(user.id, user.username, user.name, frozenset())
        if is_locked(user, now):
            audit(session, actor, "login.locked_attempt", entity="app_user", entity_id=user.id)
            return
        user.failed_attempts += 1
        detail = {"failed_attempts": user.failed_attempts}
        audit(session, actor, "login.failed", entity="app_user", entity_id=user.id, detail=detail)
        if user.failed_attempts >= MAX_FAILED_ATTEMPTS:
            user.locked_until = now + LOCKOUT
            user.failed_attempts = 0
            audit(
                session,
                actor,
                "login.locked",
                entity="app_user",
                entity_id=user.id,
                detail={"until": user.locked_until.isoformat()},
            )
        session.add(user)


def record_login(engine: Engine, *, username: str) -> UserContext | None:
    """A successful sign-in: reset the failure count, audit it, return the user's context."""
    with unit_of_work(engine) as session:
        user = session.exec(select(AppUser).where(AppUser.username == username)).first()
        if user is None or not user.active:
            return None
        user.failed_attempts = 0
        session.add(user)
        context = context_for(session, user)
        audit(session, context, "login.success", entity="app_user", entity_id=user.id)
        return context


def user_context(engine: Engine, *, username: str) -> UserContext | None:
    """The signed-in user's context as the database holds it now; None if deactivated."""
    with Session(engine) as session:
        user = session.exec(select(AppUser).where(AppUser.username == username)).first()
        if user is None or not user.active:
            return None
        return context_for(session, user)


def record_logout(engine: Engine, *, user: UserContext, reason: str = "signed out") -> None:
    with unit_of_work(engine) as session:
        audit(
            session, user, "logout", entity="app_user", entity_id=user.id, detail={"reason": reason}
        )


def signed_out_since(engine: Engine, *, username: str, since: datetime) -> bool:
    """Whether ``username`` signed out (or was signed out) at or after ``since``.

    A sign-in cookie issued before the user's last sign-out is no longer honoured: signing
    out ends every session that a cookie could bring back, whatever the browser kept.
    """
    with Session(engine) as session:
        user = session.exec(select(AppUser).where(AppUser.username == username)).first()
        if user is None or user.id is None:
            return False
        found = session.exec(
            select(AuditEvent.id)
            .where(
                AuditEvent.user_id == user.id,
                AuditEvent.action == "logout",
                AuditEvent.at >= since,
            )
            .limit(1)
        ).first()
        return found is not None
