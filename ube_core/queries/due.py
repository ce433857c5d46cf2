"""What is due: the calendar, my work and the senior officer's decision queue (§2, §6, §10, §11).

One SQL UNION lists every dated item the procedure creates — case reviews, SPOC reviews and
ends of active restrictions, EIA reviews, pending appeal and reconsideration decisions, the
customer's appeal deadline and open SPOC-review recommendations — with who owns it. The
calendar and "my work" are filters on that list.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import pandas as pd
from sqlalchemy import (
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery
from sqlmodel import Session

from ube_core.errors import InvalidInput
from ube_core.procedure import Role
from ube_core.procedure.deadlines import CUSTOMER_DEADLINES, Due
from ube_core.services.context import READ_ROLES, UserContext, current_roles

from ._sql import (
    APPEAL,
    CASE,
    CUSTOMER,
    RECOMMENDATION,
    RESTRICTION,
    USER,
    frame,
    null_int,
    null_text,
    reading,
    restriction_active,
    text_const,
)

# A day: a date, or a bound parameter standing for one (statements built once, run often).
Day = date | ColumnElement[Any]

RECOMMENDATION_KIND = "recommendation"
KINDS: tuple[str, ...] = (*(d.value for d in Due), RECOMMENDATION_KIND)
# The customer's own deadlines are dates to know, never our overdue tasks.
NEVER_OVERDUE = frozenset(d.value for d in CUSTOMER_DEADLINES)
DECISIONS = frozenset({Due.APPEAL_DECISION.value, Due.RECONSIDERATION_DECISION.value})

CALENDAR_COLUMNS = (
    "uid",
    "kind",
    "due_on",
    "overdue",
    "case_id",
    "restriction_id",
    "customer_name",
    "title",
    "owner_id",
    "owner_name",
)
CALENDAR_COUNT_COLUMNS = ("due_on", "kind", "overdue", "items")
# Up to CALENDAR_FULL_LIST items the calendar names every one; above it (a large book has
# thousands a month) it counts them per day and kind and lists the first CALENDAR_FIRST_ITEMS.
CALENDAR_FULL_LIST = 1000
CALENDAR_FIRST_ITEMS = 100
WORK_COLUMNS = (
    "kind",
    "due_on",
    "overdue",
    "days_overdue",
    "case_id",
    "restriction_id",
    "customer_name",
    "title",
    "why",
    "uid",
)


def _restriction_items(kind: Due, due: ColumnElement[Any], today: Day, lean: bool) -> Select[Any]:
    """One item per active restriction: its case review, SPOC review or end. ``lean``: from
    the restriction alone (no name, owner or case officer) — for counting."""
    r = RESTRICTION.c
    if lean:
        owner: ColumnElement[Any] = r.spoc_user_id if kind is Due.SPOC_REVIEW else null_int()
        return select(
            text_const(kind.value).label("kind"),
            due.label("due_on"),
            r.case_id.label("case_id"),
            r.id.label("restriction_id"),
            null_text().label("customer_name"),
            text_const(kind.label).label("title"),
            owner.label("owner_id"),
            text_const("restriction").label("entity"),
            r.id.label("entity_id"),
            r.team_id.label("team_id"),
            null_int().label("case_officer_id"),
            r.spoc_user_id.label("spoc_user_id"),
            null_int().label("spoc_manager_id"),
        ).where(restriction_active(today), due.is_not(None))
    spoc_manager = (
        select(USER.c.line_manager_id).where(USER.c.id == r.spoc_user_id).scalar_subquery()
    )
    owner = r.spoc_user_id if kind is Due.SPOC_REVIEW else CASE.c.case_officer_id
    return (
        select(
            text_const(kind.value).label("kind"),
            due.label("due_on"),
            CASE.c.id.label("case_id"),
            r.id.label("restriction_id"),
            CUSTOMER.c.name.label("customer_name"),
            text_const(kind.label).label("title"),
            owner.label("owner_id"),
            text_const("restriction").label("entity"),
            r.id.label("entity_id"),
            CASE.c.team_id.label("team_id"),
            CASE.c.case_officer_id.label("case_officer_id"),
            r.spoc_user_id.label("spoc_user_id"),
            (spoc_manager if kind is Due.SPOC_REVIEW else null_int()).label("spoc_manager_id"),
        )
        .select_from(RESTRICTION)
        .join(CASE, CASE.c.id == r.case_id)
        .join(CUSTOMER, CUSTOMER.c.id == CASE.c.customer_id)
        .where(restriction_active(today), due.is_not(None))
    )


def _case_items(
    kind: str,
    title: ColumnElement[str],
    due: ColumnElement[Any],
    owner: ColumnElement[Any],
    entity: str,
    entity_id: ColumnElement[Any],
    restriction_id: ColumnElement[Any],
    lean: bool = False,
    case_id: ColumnElement[Any] | None = None,
) -> Select[Any]:
    """One part of ``due_items``. ``case_id``: read from the item's own table instead of
    ``ube_case`` (lean parts: team and case officer are NULL, no join to the case)."""
    on_case = case_id is None
    return select(
        text_const(kind).label("kind"),
        due.label("due_on"),
        (CASE.c.id if case_id is None else case_id).label("case_id"),
        restriction_id.label("restriction_id"),
        (null_text() if lean else CUSTOMER.c.name).label("customer_name"),
        title.label("title"),
        owner.label("owner_id"),
        text_const(entity).label("entity"),
        entity_id.label("entity_id"),
        (CASE.c.team_id if on_case else null_int()).label("team_id"),
        (CASE.c.case_officer_id if on_case else null_int()).label("case_officer_id"),
        null_int().label("spoc_user_id"),
        null_int().label("spoc_manager_id"),
    )


def due_items(today: Day, kinds: Iterable[str] | None = None) -> Subquery:
    """Every pending dated item on ``today`` (all dates; callers filter), as a subquery:
    kind, due_on, case_id, restriction_id, customer_name, title, owner_id, entity, entity_id,
    team_id, case_officer_id, spoc_user_id, spoc_manager_id."""
    return _union(_due_parts(today, kinds))


def _union(parts: list[Select[Any]]) -> Subquery:
    if len(parts) == 1:
        return parts[0].subquery("due_items")
    return parts[0].union_all(*parts[1:]).subquery("due_items")


def _due_parts(
    today: Day, kinds: Iterable[str] | None = None, *, lean: bool = False
) -> list[Select[Any]]:
    """The SELECTs that ``due_items`` unites, one per kind of item. ``lean``: no customer
    name, owner of restriction items or case officer (NULL), so that the big parts read
    only their own table's indexes — for counting the whole organisation's items."""
    wanted = set(KINDS if kinds is None else kinds)
    unknown = wanted - set(KINDS)
    if unknown:
        raise InvalidInput("kinds", f"Unknown kind of due item: {sorted(unknown)[0]}")
    r = RESTRICTION.c
    parts: list[Select[Any]] = []
    if Due.CASE_REVIEW in wanted:
        parts.append(_restriction_items(Due.CASE_REVIEW, r.case_review_due, today, lean))
    if Due.SPOC_REVIEW in wanted:
        parts.append(_restriction_items(Due.SPOC_REVIEW, r.spoc_review_due, today, lean))
    if Due.RESTRICTION_END in wanted:
        parts.append(_restriction_items(Due.RESTRICTION_END, r.end_on, today, lean))
    base = CASE if lean else CASE.join(CUSTOMER, CUSTOMER.c.id == CASE.c.customer_id)
    if Due.EIA_REVIEW in wanted:
        restricted_now = exists().where(
            RESTRICTION.c.case_id == CASE.c.id, restriction_active(today)
        )
        parts.append(
            _case_items(
                Due.EIA_REVIEW,
                text_const(Due.EIA_REVIEW.label),
                CASE.c.eia_review_due,
                CASE.c.case_officer_id,
                "case",
                CASE.c.id,
                null_int(),
                lean=lean,
            )
            .select_from(base)
            .where(
                CASE.c.eia_review_due.is_not(None),
                or_(CASE.c.closed_on.is_(None), restricted_now),
            )
        )
    decisions = [k for k in (Due.APPEAL_DECISION, Due.RECONSIDERATION_DECISION) if k in wanted]
    for kind in decisions:
        source = "appeal" if kind is Due.APPEAL_DECISION else "reconsideration"
        parts.append(
            _case_items(
                kind,
                text_const(kind.label),
                APPEAL.c.decision_due,
                null_int() if lean else CASE.c.case_officer_id,
                "appeal",
                APPEAL.c.id,
                APPEAL.c.restriction_id,
                lean=lean,
                case_id=APPEAL.c.case_id if lean else None,
            )
            .select_from(APPEAL if lean else base.join(APPEAL, APPEAL.c.case_id == CASE.c.id))
            .where(APPEAL.c.kind == source, APPEAL.c.decided_on.is_(None))
        )
    if Due.APPEAL_DEADLINE in wanted:
        later = RESTRICTION.alias("later")
        parts.append(
            _case_items(
                Due.APPEAL_DEADLINE,
                text_const(Due.APPEAL_DEADLINE.label),
                r.appeal_deadline,
                null_int() if lean else CASE.c.case_officer_id,
                "restriction",
                r.id,
                r.id,
                lean=lean,
                case_id=r.case_id if lean else None,
            )
            .select_from(
                RESTRICTION if lean else base.join(RESTRICTION, RESTRICTION.c.case_id == CASE.c.id)
            )
            .where(
                # the latest restriction on the case, no appeal received against it yet
                not_(exists().where(later.c.case_id == r.case_id, later.c.number > r.number)),
                not_(exists().where(APPEAL.c.restriction_id == r.id, APPEAL.c.kind == "appeal")),
            )
        )
    if RECOMMENDATION_KIND in wanted:
        rec = RECOMMENDATION.c
        parts.append(
            _case_items(
                RECOMMENDATION_KIND,
                literal("SPOC review recommendation: ") + func.substr(rec.text, 1, 80),
                rec.due_on,
                rec.owner_id,
                "recommendation",
                rec.id,
                null_int(),
                lean=lean,
                case_id=rec.case_id if lean else None,
            )
            .select_from(
                RECOMMENDATION if lean else base.join(RECOMMENDATION, rec.case_id == CASE.c.id)
            )
            .where(rec.done_on.is_(None))
        )
    if not parts:
        parts.append(
            _case_items(
                "none", text_const(""), CASE.c.opened_on, null_int(), "", CASE.c.id, null_int()
            )
            .select_from(base)
            .where(false())
        )
    return parts


def _overdue(items: Subquery, today: Day) -> ColumnElement[bool]:
    return and_(items.c.due_on < today, items.c.kind.not_in(sorted(NEVER_OVERDUE)))


def _key(row: Any) -> tuple[str, str, int]:
    return (row.kind, row.entity, row.entity_id)


def _uid(kind: str, entity: str, entity_id: int) -> str:
    """Stable across date changes (a moved review keeps its uid), for iCalendar UID."""
    return f"ube-{kind}-{entity}-{entity_id}@ube"


def _calendar_filters(items: Subquery, team: bool, owner: bool) -> list[ColumnElement[bool]]:
    """``team_id`` and ``owner_id`` filters, as bound parameters of those names."""
    where: list[ColumnElement[bool]] = []
    if team:
        where.append(items.c.team_id == bindparam("team_id", type_=Integer))
    if owner:
        where.append(items.c.owner_id == bindparam("owner_id", type_=Integer))
    return where


def _days() -> tuple[ColumnElement[Any], ColumnElement[Any], ColumnElement[Any]]:
    """``today``, ``start`` and ``end`` as bound parameters."""
    return (
        bindparam("today", type_=Date),
        bindparam("start", type_=Date),
        bindparam("end", type_=Date),
    )


def _kinds_key(kinds: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if kinds is None else tuple(sorted(set(kinds)))


@lru_cache(maxsize=128)
def _counts_statement(kinds: tuple[str, ...] | None, team: bool, owner: bool) -> Select[Any]:
    """Built once per shape (building the union costs more than running it on SQLite); the
    days and filters are bound parameters."""
    today, start, end = _days()
    counted: list[Select[Any]] = []
    # Each part is one kind: counted on its own, from its own indexes.
    for part in _due_parts(today, kinds, lean=not (team or owner)):
        items = part.subquery()
        overdue = _overdue(items, today)
        counted.append(
            select(
                items.c.due_on,
                items.c.kind,
                overdue.label("overdue"),
                func.count().label("items"),
            )
            .where(
                items.c.due_on <= end,
                or_(items.c.due_on >= start, overdue),
                *_calendar_filters(items, team, owner),
            )
            .group_by(items.c.due_on, items.c.kind, overdue)
        )
    counts = _union(counted)
    return select(counts).order_by(counts.c.due_on, counts.c.kind)


def calendar_counts(
    engine: Engine,
    *,
    user: UserContext,
    start: date,
    end: date,
    kinds: Iterable[str] | None = None,
    team_id: int | None = None,
    owner_id: int | None = None,
    today: date,
) -> pd.DataFrame:
    """How many items ``calendar_items`` holds, counted in the database: per day due (from
    ``start`` to ``end``, and before ``start`` the days with items overdue on ``today``),
    per kind and overdue or not. Columns: due_on, kind, overdue, items.

    A large book has thousands of items a month; the calendar shows these counts and lists
    the first items only (``calendar_items(limit=...)``)."""
    if end < start:
        raise InvalidInput("end", "The end of the range can't be before its start.")
    stmt = _counts_statement(_kinds_key(kinds), team_id is not None, owner_id is not None)
    params = {"today": today, "start": start, "end": end, "team_id": team_id, "owner_id": owner_id}
    with reading(engine, user, "the calendar") as session:
        rows = session.execute(stmt, params).all()
    return frame(
        [(due_on, kind, bool(late), int(n)) for due_on, kind, late, n in rows],
        CALENDAR_COUNT_COLUMNS,
    )


def _calendar_select(items: Subquery, today: Day) -> Select[Any]:
    """The calendar's columns and order over ``items``: overdue first, then by date."""
    owner = USER.alias("owner")
    overdue = _overdue(items, today)
    return (
        select(
            items.c.kind,
            items.c.due_on,
            overdue.label("overdue"),
            items.c.case_id,
            items.c.restriction_id,
            items.c.customer_name,
            items.c.title,
            items.c.owner_id,
            owner.c.name.label("owner_name"),
            items.c.entity,
            items.c.entity_id,
        )
        .select_from(items.outerjoin(owner, owner.c.id == items.c.owner_id))
        .order_by(
            case((overdue, 0), else_=1),
            items.c.due_on,
            items.c.kind,
            items.c.case_id,
            items.c.entity_id,
        )
    )


@lru_cache(maxsize=128)
def _first_items_statement(kinds: tuple[str, ...] | None, team: bool, owner: bool) -> Select[Any]:
    """At most ``limit`` items of each kind overdue by ``today`` (oldest first) and in the
    period (earliest first): each kind's part reads its due-date index in order and stops.
    Built once per shape; days, filters and ``limit`` are bound parameters."""
    today, start, end = _days()
    limit = bindparam("limit", type_=Integer)
    firsts: list[Select[Any]] = []
    for part in _due_parts(today, kinds):
        items = part.subquery()
        filters = _calendar_filters(items, team, owner)
        for window in (
            and_(items.c.due_on <= end, _overdue(items, today)),
            and_(items.c.due_on >= start, items.c.due_on <= end),
        ):
            first = (
                select(items)
                .where(window, *filters)
                .order_by(items.c.due_on, items.c.case_id, items.c.entity_id)
                .limit(limit)
                .subquery()
            )
            firsts.append(select(first))
    return _calendar_select(_union(firsts), today)


@lru_cache(maxsize=128)
def _all_items_statement(kinds: tuple[str, ...] | None, team: bool, owner: bool) -> Select[Any]:
    """Every item due from ``start`` to ``end`` and every one overdue before ``start``.
    Built once per shape; days and filters are bound parameters."""
    today, start, end = _days()
    items = due_items(today, kinds)
    return _calendar_select(items, today).where(
        or_(
            and_(items.c.due_on >= start, items.c.due_on <= end),
            and_(items.c.due_on < start, _overdue(items, today)),
        ),
        *_calendar_filters(items, team, owner),
    )


def calendar_items(
    engine: Engine,
    *,
    user: UserContext,
    start: date,
    end: date,
    kinds: Iterable[str] | None = None,
    team_id: int | None = None,
    owner_id: int | None = None,
    today: date,
    limit: int | None = None,
) -> pd.DataFrame:
    """Items due from ``start`` to ``end`` (inclusive), and before them every item already
    overdue on ``today`` (``overdue`` True), overdue first then by date.

    ``kinds``: any of ``KINDS`` (default all). Owners: the case officer for case reviews, EIA
    reviews, restriction ends, appeal deadlines and decisions; the SPOC for SPOC reviews;
    the owner for recommendations. The customer's appeal deadline is never overdue.

    ``limit``: only the first ``limit`` overdue items and the first ``limit`` items of the
    period (an overdue item of the period may be both), in the same order;
    ``calendar_counts`` tells how many there are in all.
    """
    if end < start:
        raise InvalidInput("end", "The end of the range can't be before its start.")
    if limit is not None and limit < 1:
        raise InvalidInput("limit", "Show at least one item.")
    shape = (_kinds_key(kinds), team_id is not None, owner_id is not None)
    params: dict[str, Any] = {
        "today": today,
        "start": start,
        "end": end,
        "team_id": team_id,
        "owner_id": owner_id,
    }
    if limit is None:
        stmt = _all_items_statement(*shape)
    else:
        stmt = _first_items_statement(*shape)
        params["limit"] = limit
    with reading(engine, user, "the calendar") as session:
        rows = session.execute(stmt, params).all()
    if limit is not None:  # the first ``limit`` overdue items and the first of the period
        wanted = {_key(row) for row in [row for row in rows if row.overdue][:limit]}
        wanted |= {_key(row) for row in [row for row in rows if row.due_on >= start][:limit]}
        # An overdue item of the period comes from both windows: kept once, in order.
        rows = list({_key(row): row for row in rows if _key(row) in wanted}.values())
    records = [
        (
            _uid(row.kind, row.entity, row.entity_id),
            row.kind,
            row.due_on,
            bool(row.overdue),
            row.case_id,
            row.restriction_id,
            row.customer_name,
            row.title,
            row.owner_id,
            row.owner_name,
        )
        for row in rows
    ]
    return frame(records, CALENDAR_COLUMNS)


def my_work(
    engine: Engine, *, user: UserContext, today: date, horizon_days: int = 14
) -> pd.DataFrame:
    """What ``user`` owns that is overdue or due within ``horizon_days``, oldest first.

    Case reviews and restriction ends of their cases (case officer) or restrictions (SPOC);
    EIA reviews of their cases; SPOC reviews where they are the SPOC or its line manager;
    recommendations they own; every pending appeal and reconsideration decision for senior
    officers. Somebody without a read role (an administrator) owns nothing here.
    """
    if horizon_days < 0:
        raise InvalidInput("horizon_days", "Choose a number of days from 0 up.")
    with Session(engine) as session:
        roles = current_roles(session, user)
        if user.id is None or not roles & READ_ROLES:
            return frame([], WORK_COLUMNS)
        me = user.id
        senior = true() if Role.SENIOR_OFFICER in roles else false()
        items = due_items(today)
        k = items.c.kind
        officer_of = items.c.case_officer_id == me
        spoc_of = items.c.spoc_user_id == me
        why = case(
            (and_(k == RECOMMENDATION_KIND, items.c.owner_id == me), "Recommendation owner"),
            (and_(k.in_(sorted(DECISIONS)), senior), "Senior officer"),
            (and_(k == Due.SPOC_REVIEW, spoc_of), "SPOC"),
            (and_(k == Due.SPOC_REVIEW, items.c.spoc_manager_id == me), "SPOC's line manager"),
            (
                and_(k.in_([Due.CASE_REVIEW, Due.RESTRICTION_END, Due.EIA_REVIEW]), officer_of),
                "Case officer",
            ),
            (and_(k.in_([Due.CASE_REVIEW, Due.RESTRICTION_END]), spoc_of), "SPOC"),
            else_=None,
        )
        overdue = _overdue(items, today)
        stmt = (
            select(
                items.c.kind,
                items.c.due_on,
                overdue.label("overdue"),
                items.c.case_id,
                items.c.restriction_id,
                items.c.customer_name,
                items.c.title,
                why.label("why"),
                items.c.entity,
                items.c.entity_id,
            )
            .where(
                why.is_not(None),
                items.c.due_on <= today + timedelta(days=horizon_days),
                k != Due.APPEAL_DEADLINE,
            )
            .order_by(items.c.due_on, items.c.kind, items.c.case_id, items.c.entity_id)
        )
        rows = session.execute(stmt).all()
    records = [
        (
            row.kind,
            row.due_on,
            bool(row.overdue),
            max(0, (today - row.due_on).days),
            row.case_id,
            row.restriction_id,
            row.customer_name,
            row.title,
            row.why,
            _uid(row.kind, row.entity, row.entity_id),
        )
        for row in rows
    ]
    return frame(records, WORK_COLUMNS)


PENDING_COLUMNS = (
    "appeal_id",
    "kind",
    "case_id",
    "restriction_id",
    "customer_name",
    "tenancy_ref",
    "received_on",
    "letter_date",
    "in_time",
    "decision_due",
    "days_left",
    "restriction_made_by_id",
    "restriction_made_by",
)


def pending_decisions(
    engine: Engine, *, user: UserContext, today: date, team_id: int | None = None
) -> pd.DataFrame:
    """The senior officer's queue: appeals and reconsiderations awaiting a decision, the most
    urgent first; ``days_left`` until the decision is due (negative: overdue by that many).
    Who made the restriction is shown: on appeal they may not decide it (rule 8)."""
    a = APPEAL.c
    maker = USER.alias("maker")
    stmt = (
        select(
            a.id,
            a.kind,
            a.case_id,
            a.restriction_id,
            CUSTOMER.c.name,
            CUSTOMER.c.tenancy_ref,
            a.received_on,
            a.letter_date,
            a.in_time,
            a.decision_due,
            RESTRICTION.c.made_by_id,
            maker.c.name.label("made_by"),
        )
        .select_from(APPEAL)
        .join(CASE, CASE.c.id == a.case_id)
        .join(CUSTOMER, CUSTOMER.c.id == CASE.c.customer_id)
        .join(RESTRICTION, RESTRICTION.c.id == a.restriction_id)
        .outerjoin(maker, maker.c.id == RESTRICTION.c.made_by_id)
        .where(a.decided_on.is_(None))
        .order_by(a.decision_due, a.id)
    )
    if team_id is not None:
        stmt = stmt.where(CASE.c.team_id == team_id)
    with reading(engine, user, "the decisions queue") as session:
        rows = session.execute(stmt).all()
    records = [
        (*row[:10], (row.decision_due - today).days, row.made_by_id, row.made_by) for row in rows
    ]
    return frame(records, PENDING_COLUMNS)
