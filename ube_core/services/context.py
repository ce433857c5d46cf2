"""The acting user, passed explicitly to every service, and the checks on it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlmodel import Session, select

from ube_core.errors import InvalidInput, NotAuthorised
from ube_core.procedure import Role
from ube_core.storage.models import AppUser, AuditEvent, UserRole

CASE_ROLES = frozenset({Role.OFFICER, Role.CASE_MANAGER, Role.LINE_MANAGER, Role.SENIOR_OFFICER})
READ_ROLES = CASE_ROLES | {Role.MANAGER}


@dataclass(frozen=True)
class UserContext:
    """Who is acting. Services trust only ``id``: roles are checked again in the database."""

    id: int | None
    username: str
    name: str
    roles: frozenset[Role]

    def has_any(self, roles: Iterable[Role]) -> bool:
        return bool(self.roles & frozenset(roles))

    @property
    def sees_special_category(self) -> bool:
        """Health, disability and needs are for officer and case roles only."""
        return self.has_any(CASE_ROLES)


SYSTEM = UserContext(id=None, username="system", name="System", roles=frozenset(Role))


def current_roles(session: Session, user: UserContext) -> frozenset[Role]:
    """The user's roles as the database holds them now (a deactivated user has none)."""
    if user.id is None:
        return user.roles
    row = session.get(AppUser, user.id)
    if row is None or not row.active:
        return frozenset()
    roles = session.exec(select(UserRole.role).where(UserRole.user_id == user.id)).all()
    return frozenset(Role(r) for r in roles)


def require_roles(session: Session, user: UserContext, roles: Iterable[Role], what: str) -> None:
    if not current_roles(session, user) & frozenset(roles):
        raise NotAuthorised(what)


def audit(
    session: Session,
    user: UserContext,
    action: str,
    *,
    entity: str = "",
    entity_id: int | None = None,
    customer_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            user_id=user.id,
            username=user.username,
            action=action,
            entity=entity,
            entity_id=entity_id,
            customer_id=customer_id,
            detail=json.dumps(detail or {}, default=str, ensure_ascii=False),
        )
    )


M = TypeVar("M")


def validated(model: type[M], **data: Any) -> M:
    """Build a pydantic/SQLModel model, turning a validation error into ``InvalidInput``."""
    try:
        return model.model_validate(data)  # type: ignore[attr-defined, no-any-return]
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "input"
        raise InvalidInput(
            field, f"{field.replace('_', ' ').capitalize()}: {first['msg']}"
        ) from None
