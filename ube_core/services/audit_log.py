"""Searching the audit log (admins); the search itself is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from ube_core.procedure import Role
from ube_core.storage.db import unit_of_work
from ube_core.storage.models import AuditEvent, Customer

from .context import UserContext, audit, require_roles


@dataclass(frozen=True)
class AuditPage:
    rows: pd.DataFrame
    total: int


def search_audit(
    engine: Engine,
    *,
    user: UserContext,
    person: str = "",
    customer_ref: str = "",
    action: str = "",
    start: date | None = None,
    end: date | None = None,
    page: int = 1,
    page_size: int = 50,
) -> AuditPage:
    page_size = max(1, min(page_size, 10_000))
    with unit_of_work(engine) as session:
        require_roles(session, user, [Role.ADMIN], "viewing the audit log")
        query = select(  # type: ignore[call-overload]
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.username,
            AuditEvent.action,
            AuditEvent.entity,
            AuditEvent.entity_id,
            Customer.tenancy_ref,
            AuditEvent.detail,
        ).join(Customer, col(Customer.id) == col(AuditEvent.customer_id), isouter=True)
        conditions = []
        if person.strip():
            conditions.append(col(AuditEvent.username) == person.strip().lower())
        if customer_ref.strip():
            conditions.append(col(Customer.tenancy_ref) == customer_ref.strip().upper())
        if action.strip():
            conditions.append(col(AuditEvent.action).startswith(action.strip()))
        if start is not None:
            conditions.append(col(AuditEvent.at) >= datetime.combine(start, time(), UTC))
        if end is not None:
            next_day = datetime.combine(end + timedelta(days=1), time(), UTC)
            conditions.append(col(AuditEvent.at) < next_day)
        query = query.where(*conditions)
        total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = session.execute(
            query.order_by(col(AuditEvent.id).desc())
            .offset((max(page, 1) - 1) * page_size)
            .limit(page_size)
        ).all()
        audit(
            session,
            user,
            "audit.view",
            detail={
                "person": person,
                "customer": customer_ref,
                "action": action,
                "start": start,
                "end": end,
                "page": page,
            },
        )
    frame = pd.DataFrame(
        [tuple(r) for r in rows],
        columns=["id", "at", "user", "action", "entity", "entity_id", "tenancy_ref", "detail"],
    )
    return AuditPage(frame, int(total))
