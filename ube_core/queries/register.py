"""The restriction register (§5, §10): every restriction with its status and due dates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Select, and_, case, exists, func, literal, not_, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from ube_core.errors import InvalidInput
from ube_core.procedure import RestrictionType
from ube_core.services.context import READ_ROLES, UserContext, audit, require_roles
from ube_core.storage.db import unit_of_work

from ._sql import (
    APPEAL,
    CASE,
    CUSTOMER,
    RESTRICTION,
    RESTRICTION_TYPE,
    TEAM,
    USER,
    check_choice,
    days_between,
    frame,
    reading,
    search_pattern,
)

STATUSES = ("active", "ended", "lapsed")
MAX_PAGE_SIZE = 500

COLUMNS = (
    "restriction_id",
    "case_id",
    "customer_id",
    "tenancy_ref",
    "customer_name",
    "team",
    "types",
    "allowed_channels",
    "spoc",
    "start_on",
    "end_on",
    "case_review_due",
    "eia_review_due",
    "appeal_status",
    "breaches",
    "status",
    "days_overdue",
)


@dataclass(frozen=True, eq=False)
class RegisterPage:
    """One page of the register and how many rows match the filters in all."""

    rows: pd.DataFrame
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _status(today: date) -> ColumnElement[str]:
    """active: not ended and not past its end; ended: ended by a step (review, appeal,
    reconsideration, replacement); lapsed: not ended but past its end — it ran out without
    the review or lift §10 asks for (docs/PROCEDURE-RULES.md)."""
    r = RESTRICTION.c
    return case(
        (r.ended_on.is_not(None), "ended"),
        (r.end_on < today, "lapsed"),
        else_="active",
    )


def _status_filter(status: str, today: date) -> ColumnElement[bool]:
    r = RESTRICTION.c
    if status == "ended":
        return r.ended_on.is_not(None)
    if status == "lapsed":
        return and_(r.ended_on.is_(None), r.end_on < today)
    return and_(r.ended_on.is_(None), r.end_on >= today)


def _base(
    dialect: str,
    *,
    today: date,
    status: str | None,
    types: Sequence[str],
    spoc: int | None,
    team_id: int | None,
    due_within_days: int | None,
    overdue_only: bool,
    open_appeal: bool | None,
    search: str | None,
) -> tuple[Select[Any], Select[Any], dict[str, ColumnElement[Any]]]:
    """The page's SELECT, a COUNT with the same filters (and only the joins they need), and
    the named columns (for sorting)."""
    r = RESTRICTION.c
    spoc_user = USER.alias("spoc_user")
    latest_appeal = (
        select(
            case(
                (APPEAL.c.decided_on.is_(None), "pending"),
                else_=literal("decided-") + func.coalesce(APPEAL.c.outcome, ""),
            )
        )
        .where(APPEAL.c.restriction_id == r.id, APPEAL.c.kind == "appeal")
        .order_by(APPEAL.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    not_ended = r.ended_on.is_(None)
    overdue = and_(not_ended, r.case_review_due < today)
    days_overdue = case((overdue, days_between(dialect, today, r.case_review_due)), else_=0)
    columns: dict[str, ColumnElement[Any]] = {
        "restriction_id": r.id,
        "case_id": r.case_id,
        "customer_id": r.customer_id,
        "tenancy_ref": CUSTOMER.c.tenancy_ref,
        "customer_name": CUSTOMER.c.name,
        "team": TEAM.c.name,
        "types": r.types,
        "allowed_channels": r.allowed_channels,
        "spoc": func.coalesce(spoc_user.c.name, r.spoc_name),
        "start_on": r.start_on,
        "end_on": r.end_on,
        "case_review_due": r.case_review_due,
        "eia_review_due": CASE.c.eia_review_due,
        "appeal_status": func.coalesce(latest_appeal, "none"),
        "breaches": r.breaches,
        "status": _status(today),
        "days_overdue": days_overdue,
    }
    where: list[ColumnElement[bool]] = []
    if status is not None:
        check_choice("status", status, STATUSES)
        where.append(_status_filter(status, today))
    if types:
        known = {t.value for t in RestrictionType}
        for kind in types:
            check_choice("types", kind, sorted(known))
        where.append(
            r.id.in_(
                select(RESTRICTION_TYPE.c.restriction_id).where(
                    RESTRICTION_TYPE.c.type.in_(sorted(set(types)))
                )
            )
        )
    if spoc is not None:
        where.append(r.spoc_user_id == spoc)
    if team_id is not None:
        where.append(r.team_id == team_id)
    if due_within_days is not None:
        if due_within_days < 0:
            raise InvalidInput("due_within_days", "Choose a number of days from 0 up.")
        where += [not_ended, r.case_review_due <= today + timedelta(days=due_within_days)]
    if overdue_only:
        where.append(overdue)
    if open_appeal is not None:
        pending = exists().where(APPEAL.c.restriction_id == r.id, APPEAL.c.decided_on.is_(None))
        where.append(pending if open_appeal else not_(pending))
    if search and search.strip():
        pattern = search_pattern(search)
        where.append(or_(CUSTOMER.c.name.ilike(pattern), CUSTOMER.c.tenancy_ref.ilike(pattern)))
    rows = (
        select(*(expr.label(name) for name, expr in columns.items()))
        .select_from(RESTRICTION)
        .join(CUSTOMER, CUSTOMER.c.id == r.customer_id)
        .join(CASE, CASE.c.id == r.case_id)
        .outerjoin(TEAM, TEAM.c.id == r.team_id)
        .outerjoin(spoc_user, spoc_user.c.id == r.spoc_user_id)
        .where(*where)
    )
    count = (
        select(func.count())
        .select_from(RESTRICTION)
        .join(CUSTOMER, CUSTOMER.c.id == r.customer_id)
        .where(*where)
    )
    return rows, count, columns


SORTS = (
    "case_review_due",
    "eia_review_due",
    "start_on",
    "end_on",
    "customer_name",
    "tenancy_ref",
    "team",
    "spoc",
    "breaches",
    "status",
    "days_overdue",
    "restriction_id",
    "case_id",
)


def _ordered(
    stmt: Select[Any], columns: dict[str, ColumnElement[Any]], sort: str, descending: bool
) -> Select[Any]:
    check_choice("sort", sort, SORTS)
    key = columns[sort]
    first = key.desc() if descending else key.asc()
    tie = columns["restriction_id"]
    return stmt.order_by(first.nulls_last(), tie.desc() if descending else tie.asc())


def restriction_register(
    engine: Engine,
    *,
    user: UserContext,
    today: date,
    status: str | None = None,
    types: Sequence[str] = (),
    spoc: int | None = None,
    team_id: int | None = None,
    due_within_days: int | None = None,
    overdue_only: bool = False,
    open_appeal: bool | None = None,
    search: str | None = None,
    sort: str = "case_review_due",
    descending: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> RegisterPage:
    """One page of the restriction register, filtered and sorted.

    ``status``: active / ended / lapsed on ``today``. ``types``: restrictions holding any of
    these types. ``spoc``: the SPOC's user id. ``due_within_days``: not-ended restrictions
    whose case review is due on or before ``today`` + N (overdue ones included).
    ``overdue_only``: case review due before ``today``, not ended. ``open_appeal``: True —
    an appeal or reconsideration awaits a decision; False — none does. ``search``: part of
    the customer's name or tenancy reference. ``sort``: one of ``SORTS``.
    """
    if page < 1:
        raise InvalidInput("page", "Pages are numbered from 1.")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput("page_size", f"Show between 1 and {MAX_PAGE_SIZE} rows a page.")
    with reading(engine, user, "the restriction register") as session:
        stmt, count, columns = _base(
            engine.dialect.name,
            today=today,
            status=status,
            types=types,
            spoc=spoc,
            team_id=team_id,
            due_within_days=due_within_days,
            overdue_only=overdue_only,
            open_appeal=open_appeal,
            search=search,
        )
        ordered = _ordered(stmt, columns, sort, descending)
        total = session.execute(count).scalar_one()
        rows = session.execute(ordered.limit(page_size).offset((page - 1) * page_size)).all()
    return RegisterPage(frame(rows, COLUMNS), int(total), page, page_size)


def register_export(
    engine: Engine,
    *,
    user: UserContext,
    today: date,
    status: str | None = None,
    types: Sequence[str] = (),
    spoc: int | None = None,
    team_id: int | None = None,
    due_within_days: int | None = None,
    overdue_only: bool = False,
    open_appeal: bool | None = None,
    search: str | None = None,
    sort: str = "case_review_due",
    descending: bool = False,
) -> pd.DataFrame:
    """Every row of the register the filters match (for CSV / Excel), in the same order.

    An export takes data out of the system, so it is written to the audit log."""
    with unit_of_work(engine) as session:
        require_roles(session, user, READ_ROLES, "exporting the restriction register")
        stmt, _count, columns = _base(
            engine.dialect.name,
            today=today,
            status=status,
            types=types,
            spoc=spoc,
            team_id=team_id,
            due_within_days=due_within_days,
            overdue_only=overdue_only,
            open_appeal=open_appeal,
            search=search,
        )
        rows = session.execute(_ordered(stmt, columns, sort, descending)).all()
        audit(
            session,
            user,
            "register.export",
            detail={
                "rows": len(rows),
                "filters": {
                    "status": status,
                    "types": sorted(types),
                    "spoc": spoc,
                    "team_id": team_id,
                    "due_within_days": due_within_days,
                    "overdue_only": overdue_only,
                    "open_appeal": open_appeal,
                    "search": search,
                },
            },
        )
    return frame(rows, COLUMNS)
