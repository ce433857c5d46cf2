"""Users, roles and teams (admins only); passwords hashed with bcrypt."""

from __future__ import annotations

from collections.abc import Iterable

import bcrypt
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from ube_core.errors import InvalidInput, NotFound
from ube_core.procedure import Role
from ube_core.storage.db import unit_of_work
from ube_core.storage.models import AppUser, Team, UserCreate, UserPublic, UserRole

from .context import UserContext, audit, require_roles, validated

MIN_PASSWORD = 12
COMMON_PASSWORDS = frozenset(
    {
        "password1234",
        "password12345",
        "123456789012",
        "qwertyuiop12",
        "letmein12345",
        "welcome12345",
        "iloveyou1234",
        "administrator",
        "passw0rd1234",
        "changeme1234",
        "qwerty123456",
        "111111111111",
        "abcdefghijkl",
        "password123!",
        "football1234",
        "monkey123456",
        "sunshine1234",
        "trustno11234",
    }
)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("password", f"Password must be at least {MIN_PASSWORD} characters.")
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        raise InvalidInput("password", "That password is too common; choose another.")


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def verify_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), hashed.encode())
    except ValueError:
        return False


def roles_of(session: Session, user_id: int) -> frozenset[Role]:
    rows = session.exec(select(UserRole.role).where(UserRole.user_id == user_id)).all()
    return frozenset(Role(r) for r in rows)


def context_for(session: Session, user: AppUser) -> UserContext:
    assert user.id is not None
    return UserContext(user.id, user.username, user.name, roles_of(session, user.id))


def user_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(AppUser)).one())


def _parse_roles(roles: Iterable[str]) -> frozenset[Role]:
    try:
        return frozenset(Role(r) for r in roles)
    except ValueError:
        raise InvalidInput("roles", "Unknown role.") from None


def _insert_user(session: Session, data: UserCreate) -> AppUser:
    check_password(data.password)
    roles = _parse_roles(data.roles)
    username = data.username.strip().lower()
    if session.exec(select(AppUser).where(AppUser.username == username)).first():
        raise InvalidInput("username", "That username is taken.")
    user = AppUser(
        username=username,
        name=data.name.strip(),
        email=data.email,
        team_id=data.team_id,
        line_manager_id=data.line_manager_id,
        password_hash=hash_password(data.password),
    )
    session.add(user)
    session.flush()
    for role in sorted(roles):
        session.add(UserRole(user_id=user.id or 0, role=role.value))
    return user


def _public(session: Session, user: AppUser) -> UserPublic:
    assert user.id is not None
    return UserPublic(
        id=user.id,
        username=user.username,
        name=user.name,
        email=user.email,
        team_id=user.team_id,
        line_manager_id=user.line_manager_id,
        active=user.active,
        roles=sorted(roles_of(session, user.id)),
    )


def create_first_admin(engine: Engine, *, data: UserCreate) -> UserPublic:
    """The setup screen's account; refused once any user exists."""
    data = validated(UserCreate, **{**data.model_dump(), "username": data.username.lower()})
    with unit_of_work(engine) as session:
        if session.exec(select(func.count()).select_from(AppUser)).one():
            raise InvalidInput("username", "Setup is already complete: sign in instead.")
        data.roles = sorted({*data.roles, Role.ADMIN.value})
        user = _insert_user(session, data)
        actor = UserContext(user.id, user.username, user.name, frozenset({Role.ADMIN}))
        audit(session, actor, "user.first_admin", entity="app_user", entity_id=user.id)
        return _public(session, user)


def create_user(engine: Engine, *, user: UserContext, data: UserCreate) -> UserPublic:
    data = validated(UserCreate, **{**data.model_dump(), "username": data.username.lower()})
    with unit_of_work(engine) as session:
        require_roles(session, user, [Role.ADMIN], "managing users")
        created = _insert_user(session, data)
        audit(
            session,
            user,
            "user.create",
            entity="app_user",
            entity_id=created.id,
            detail={"username": created.username, "roles": sorted(data.roles)},
        )
        return _public(session, created)


def set_roles(engine: Engine, *, user: UserContext, user_id: int, roles: Iterable[str]) -> None:
    new = _parse_roles(roles)
    with unit_of_work(engine) as session:
        require_roles(session, user, [Role.ADMIN], "managing users")
        target = session.get(AppUser, user_id)
        if target is None:
            raise NotFound("That user does not exist.")
        old = roles_of(session, user_id)
        if user_id == user.id and Role.ADMIN in old and Role.ADMIN not in new:
            raise InvalidInput("roles", "You can't remove your own admin role.")
        for row in session.exec(select(UserRole).where(UserRole.user_id == user_id)).all():
            session.delete(row)
        session.flush()
        for role in sorted(new):
            session.add(UserRole(user_id=user_id, role=role.value))
        audit(
            session,
            user,
            "user.roles",
            entity="app_user",
            entity_id=user_id,
            detail={"before": sorted(old), "after": sorted(new)},
        )


def set_active(engine: Engine, *, user: UserContext, user_id: int, active: bool) -> None:
    """Deactivate (never delete: history keeps the name) or reactivate a user."""
    with unit_of_work(engine) as session:
        require_roles(session, user, [Role.ADMIN], "managing users")
        target = session.get(AppUser, user_id)
        if target is None:
            raise NotFound("That user does not exist.")
        if user_id == user.id and not active:
            raise InvalidInput("active", "You can't deactivate yourself.")
        target.active = active
        session.add(target)
        audit(
            session,
            user,
            "user.activate" if active else "user.deactivate",
            entity="app_user",
            entity_id=user_id,
        )


def reset_password(engine: Engine, *, user: UserContext, user_id: int, password: str) -> None:
    check_password(password)
    with unit_of_work(engine) as session:
        if user.id != user_id:
            require_roles(session, user, [Role.ADMIN], "resetting passwords")
        target = session.get(AppUser, user_id)
        if target is None:
            raise NotFound("That user does not exist.")
        target.password_hash = hash_password(password)
        target.failed_attempts = 0
        target.locked_until = None
        session.add(target)
        audit(session, user, "user.password_reset", entity="app_user", entity_id=user_id)


def list_users(engine: Engine, *, user: UserContext) -> list[UserPublic]:
    with Session(engine) as session:
        require_roles(session, user, [Role.ADMIN], "managing users")
        rows = session.exec(select(AppUser).order_by(col(AppUser.username))).all()
        return [_public(session, row) for row in rows]


def ensure_team(engine: Engine, *, name: str) -> int:
    with unit_of_work(engine) as session:
        team = session.exec(select(Team).where(Team.name == name)).first()
        if team is None:
            team = Team(name=name)
            session.add(team)
            session.flush()
        assert team.id is not None
        return team.id
