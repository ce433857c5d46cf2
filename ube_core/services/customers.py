"""Customers: create, find, read (special-category reads audited) and update their needs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from ube_core.errors import InvalidInput, NotFound
from ube_core.procedure import Role
from ube_core.storage.db import unit_of_work
from ube_core.storage.models import Customer, CustomerCreate, CustomerPublic

from .cases import _circumstances, _open_case
from .context import (
    CASE_ROLES,
    READ_ROLES,
    UserContext,
    audit,
    current_roles,
    require_roles,
    validated,
)

# NUL and other control characters: PostgreSQL refuses NUL in text, and none belong in a record.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

SEARCH_MAX = 200
EDIT_ROLES = [Role.CASE_MANAGER, Role.SENIOR_OFFICER]


def _bounded(value: str, field: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(field, f"{field.capitalize()} is too long (at most {limit} characters).")
    return value


@dataclass(frozen=True)
class CustomerRecord:
    customer: CustomerPublic
    needs: str | None
    adjustments: str | None
    version: int


def create_customer(engine: Engine, *, user: UserContext, data: CustomerCreate) -> CustomerPublic:
    fields = {
        k: _CONTROL.sub("", v) if isinstance(v, str) else v for k, v in data.model_dump().items()
    }
    data = validated(CustomerCreate, **fields)
    with unit_of_work(engine) as session:
        require_roles(session, user, CASE_ROLES, "adding customers")
        ref = data.tenancy_ref.strip().upper()
        if session.exec(select(Customer.id).where(Customer.tenancy_ref == ref)).first():
            raise InvalidInput("tenancy_ref", "A customer with that tenancy reference exists.")
        row = Customer(**{**data.model_dump(), "tenancy_ref": ref})
        session.add(row)
        session.flush()
        audit(
            session,
            user,
            "customer.create",
            entity="customer",
            entity_id=row.id,
            customer_id=row.id,
        )
        return CustomerPublic.model_validate(row, from_attributes=True)


def find_customers(
    engine: Engine, *, user: UserContext, text: str, limit: int = 20
) -> list[CustomerPublic]:
    """Type-ahead by name, tenancy reference or address (prefix/contains), at most ``limit``.
    A whole tenancy reference returns just that customer.

    The search text is cut to 200 characters: no name or address is longer, and SQLite
    refuses a LIKE pattern of about 50,000 characters ("pattern too complex")."""
    text = text.strip()[:SEARCH_MAX]
    if not text:
        return []
    with Session(engine) as session:
        require_roles(session, user, READ_ROLES, "finding customers")
        # The phone-call case: a whole tenancy reference names one customer. The unique
        # index answers it at once, without scanning every name and address.
        exact = session.exec(
            select(Customer).where(col(Customer.tenancy_ref) == text.upper())
        ).first()
        if exact is not None:
            return [CustomerPublic.model_validate(exact, from_attributes=True)]
        pattern = f"%{text.replace('%', '').replace('_', '')}%"
        rows = session.exec(
            select(Customer)
            .where(
                or_(
                    col(Customer.tenancy_ref).like(text.upper() + "%"),
                    col(Customer.name).ilike(pattern),
                    col(Customer.address).ilike(pattern),
                )
            )
            .order_by(col(Customer.name))
            .limit(min(limit, 100))
        ).all()
        return [CustomerPublic.model_validate(r, from_attributes=True) for r in rows]


def get_customer(engine: Engine, *, user: UserContext, customer_id: int) -> CustomerRecord:
    """A customer; health and needs only for case roles, and that read is audited."""
    with unit_of_work(engine) as session:
        require_roles(session, user, READ_ROLES, "viewing customers")
        row = session.get(Customer, customer_id)
        if row is None:
            raise NotFound("That customer does not exist.")
        public = CustomerPublic.model_validate(row, from_attributes=True)
        # The roles the database holds now, not the ones the session was signed in with.
        if not current_roles(session, user) & CASE_ROLES:
            return CustomerRecord(public, None, None, row.version)
        audit(
            session,
            user,
            "customer.view_special_category",
            entity="customer",
            entity_id=row.id,
            customer_id=row.id,
        )
        return CustomerRecord(public, row.needs, row.adjustments, row.version)


def update_needs(
    engine: Engine,
    *,
    user: UserContext,
    customer_id: int,
    needs: str,
    adjustments: str,
    note: str,
    today: date,
    expected_version: int,
) -> None:
    """Change recorded needs; a change to them is a change of circumstances (§2, rule 2)."""

    needs = _bounded(needs, "needs", 2000)
    adjustments = _bounded(adjustments, "adjustments", 4000)
    note = _bounded(note, "note", 4000)
    with unit_of_work(engine) as session:
        require_roles(session, user, EDIT_ROLES, "editing needs")
        # Locked until commit, so a second editor waits and then sees the new version.
        row = session.get(Customer, customer_id, with_for_update=True)
        if row is None:
            raise NotFound("That customer does not exist.")
        if row.version != expected_version:
            from ube_core.errors import ConcurrentChange

            raise ConcurrentChange()
        before = {"needs": row.needs, "adjustments": row.adjustments}
        row.needs, row.adjustments = needs, adjustments
        row.version += 1
        session.add(row)
        audit(
            session,
            user,
            "customer.update_needs",
            entity="customer",
            entity_id=row.id,
            customer_id=row.id,
            detail={
                "before": before,
                "after": {"needs": row.needs, "adjustments": row.adjustments},
            },
        )
        case = _open_case(session, customer_id)
        if case is not None and before["needs"] != row.needs:
            _circumstances(
                session, user, case.id or 0, today, note or "Recorded needs changed", today, None
            )
