"""The manager's dashboard: counts for a period, every one aggregated in SQL.

Special-category data (customers' recorded needs) appears only as counts per needs group in
``equality``; no name or case sits beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from ube_core.errors import InvalidInput
from ube_core.procedure import add_months
from ube_core.services.cases import quarter_of
from ube_core.services.context import UserContext

from ._sql import (
    APPEAL,
    CASE,
    CONTACT,
    CUSTOMER,
    EIA,
    HANDOVER,
    INCIDENT_DAILY,
    INCIDENT_NEED_DAILY,
    RESTRICTION,
    RESTRICTION_TYPE,
    SPOC_REVIEW,
    frame,
    month_of,
    plus_days,
    quarter_bounds,
    reading,
    restriction_active,
    text_const,
)

WINDOW_DAYS = 90
DUE_SOON_DAYS = 30

DURATION_BUCKETS = ("under 3 months", "3 to 6 months", "6 to 9 months", "9 to 12 months")

# Recorded-needs groups for the equality view: the first that matches wins (lower-cased text).
NEEDS_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Mental health", ("%mental%", "%anxiety%", "%depress%", "%bipolar%", "%ptsd%", "%psych%")),
    (
        "Neurodivergence",
        ("%autis%", "%adhd%", "%neurodiverg%", "%asperger%", "%dyslex%", "%tourette%"),
    ),
    ("Learning disability", ("%learning%",)),
    ("Dementia or memory", ("%dementia%", "%memory%")),
    (
        "Sensory or physical",
        ("%hearing%", "%deaf%", "%sight%", "%blind%", "%visual%", "%mobility%", "%wheelchair%"),
    ),
)
NO_NEEDS = "No needs recorded"
OTHER_NEEDS = "Other needs recorded"
NEEDS_GROUP_NAMES = (NO_NEEDS, *(name for name, _ in NEEDS_GROUPS), OTHER_NEEDS)

EXCEPTION_LABELS = {
    "no_eia_before_restriction": "Restriction made without an EIA before it (§2)",
    "case_review_overdue": "Six-monthly case review overdue (§10)",
    "lapsed_without_review": "Restriction ran past its end without a review or lift (§10)",
    "eia_review_overdue": "EIA review overdue while restricted (§2)",
    "spoc_review_overdue": "Quarterly SPOC review overdue (§6)",
    "decision_late": "Decision made after its due date (§11)",
    "decision_overdue": "Decision overdue (§11)",
    "handover_not_informed": "SPOC handed over without informing the customer (§6)",
}


@dataclass(frozen=True, eq=False)
class Dashboard:
    """Frames for the dashboard page; each is small and ready to chart or tabulate."""

    start: date
    end: date
    today: date
    incidents_by_category: pd.DataFrame  # month, category, incidents
    incidents_by_channel: pd.DataFrame  # month, channel, incidents
    cases_by_stage: pd.DataFrame  # stage, cases (open cases)
    restrictions_by_type: pd.DataFrame  # type, restrictions (active on today)
    restrictions_by_duration: pd.DataFrame  # running_for, restrictions (active on today)
    reviews: pd.DataFrame  # review, overdue, due_soon (next 30 days)
    appeals: (
        pd.DataFrame
    )  # kind, received, in_time, decided, decided_on_time, decided_late, pending, pending_overdue
    appeal_outcomes: pd.DataFrame  # kind, outcome, decisions
    spoc_compliance: pd.DataFrame  # quarter, required, signed_off, compliance (0-1 or None)
    breaches: pd.DataFrame  # breaches, restrictions
    contacts_before_after: pd.DataFrame  # window, restrictions, contacts, average_per_customer
    equality: pd.DataFrame  # needs_group, restrictions, incidents
    exceptions: pd.DataFrame  # kind, label, case_id, restriction_id, customer_name, on


def _team(column: ColumnElement[Any], team_id: int | None) -> list[ColumnElement[bool]]:
    return [] if team_id is None else [column == team_id]


def _overlaps(start: date, end: date) -> ColumnElement[bool]:
    """The restriction was in force at some point from ``start`` to ``end``."""
    r = RESTRICTION.c
    return and_(
        r.start_on <= end,
        r.end_on >= start,
        or_(r.ended_on.is_(None), r.ended_on > start),
    )


def _incidents(
    session: Session, dialect: str, start: date, end: date, team_id: int | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Incidents per month by category and by channel, from the per-day counts that the
    database keeps (``incident_daily``: a few rows a day, not every incident)."""
    d = INCIDENT_DAILY.c
    month = month_of(dialect, d.day).label("month")
    rows = session.execute(
        select(month, d.category, d.channel, func.sum(d.n).label("incidents"))
        .where(d.day >= start, d.day <= end, *_team(d.team_key, team_id))
        .group_by(month, d.category, d.channel)
    ).all()
    both = frame(rows, ("month", "category", "channel", "incidents"))

    def by(name: str) -> pd.DataFrame:
        summed = both.groupby(["month", name], as_index=False)["incidents"].sum()
        summed = summed[summed["incidents"] != 0].sort_values(["month", name])
        return frame(
            [(m, v, int(n)) for m, v, n in summed.itertuples(index=False)],
            ("month", name, "incidents"),
        )

    return by("category"), by("channel")


def _quarters(start: date, end: date, today: date) -> list[tuple[str, date, date]]:
    """(label, first day, day to judge on) for each quarter from ``start`` to ``end`` that
    has begun by ``today``; the current quarter is judged on ``today``."""
    out = []
    q_start, q_end = quarter_bounds(start)
    while q_start <= min(end, today):
        out.append((quarter_of(q_start), q_start, min(q_end, today)))
        q_start, q_end = quarter_bounds(q_end + timedelta(days=1))
    return out


def _spoc_compliance(
    session: Session, start: date, end: date, today: date, team_id: int | None
) -> pd.DataFrame:
    """Per quarter: SPOC restrictions that needed a sign-off, and how many had one.

    A restriction with a SPOC needs a sign-off in a quarter when it began before that quarter
    (its first review falls a quarter after it starts) and was still in force at the quarter's
    end — or on ``today`` for the current quarter. It is signed off when a SPOC review of it is
    recorded in that quarter.
    """
    quarters = _quarters(start, end, today)
    if not quarters:
        return frame([], ("quarter", "required", "signed_off", "compliance"))
    selects = [
        select(
            text_const(label).label("quarter"),
            literal(first).label("q_start"),
            literal(as_of).label("as_of"),
        )
        for label, first, as_of in quarters
    ]
    q = (selects[0] if len(selects) == 1 else union_all(*selects)).subquery("q")
    r = RESTRICTION.c
    needs = and_(
        r.spoc_name.is_not(None),
        r.start_on < q.c.q_start,
        r.end_on >= q.c.as_of,
        or_(r.ended_on.is_(None), r.ended_on > q.c.as_of),
        *_team(r.team_id, team_id),
    )
    signed = exists().where(
        SPOC_REVIEW.c.restriction_id == r.id, SPOC_REVIEW.c.quarter == q.c.quarter
    )
    stmt = (
        select(
            q.c.quarter,
            func.count(r.id).label("required"),
            func.count(r.id).filter(signed).label("signed_off"),
        )
        .select_from(q.outerjoin(RESTRICTION, needs))
        .group_by(q.c.quarter)
        .order_by(q.c.quarter)
    )
    rows = session.execute(stmt).all()
    return frame(
        [(qr, req, done, (done / req) if req else None) for qr, req, done in rows],
        ("quarter", "required", "signed_off", "compliance"),
    )


def _contacts_before_after(
    session: Session, dialect: str, start: date, end: date, today: date, team_id: int | None
) -> pd.DataFrame:
    """Contacts by restricted customers in the 90 days before a restriction began and the 90
    days from its start, averaged over restrictions begun in the period. Only restrictions
    begun at least 90 days before ``today`` count, so that both windows are complete."""
    r = RESTRICTION.c
    last_start = min(end, today - timedelta(days=WINDOW_DAYS))

    def window(first: ColumnElement[Any], after: ColumnElement[Any]) -> Any:
        return (
            select(func.count())
            .where(
                CONTACT.c.customer_id == r.customer_id,
                CONTACT.c.occurred_on >= first,
                CONTACT.c.occurred_on < after,
            )
            .scalar_subquery()
        )

    per = (
        select(
            window(plus_days(dialect, r.start_on, -WINDOW_DAYS), r.start_on).label("before"),
            window(r.start_on, plus_days(dialect, r.start_on, WINDOW_DAYS)).label("after"),
        )
        .where(r.start_on >= start, r.start_on <= last_start, *_team(r.team_id, team_id))
        .subquery("per_restriction")
    )
    n, before, after = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(per.c.before), 0),
            func.coalesce(func.sum(per.c.after), 0),
        ).select_from(per)
    ).one()
    n, before, after = int(n), int(before), int(after)
    return frame(
        [
            ("90 days before", n, before, before / n if n else None),
            ("90 days after", n, after, after / n if n else None),
        ],
        ("window", "restrictions", "contacts", "average_per_customer"),
    )


def _exceptions(
    session: Session, start: date, end: date, today: date, team_id: int | None
) -> pd.DataFrame:
    """Where the procedure's safeguards were missed. Standing failures (overdue reviews and
    decisions) are judged on ``today``; events (a restriction begun, a late decision, a
    handover, a lapse) count when they fall in the period."""
    r = RESTRICTION.c
    a = APPEAL.c
    active = restriction_active(today)

    def on_restriction(kind: str, on: ColumnElement[Any], *where: Any) -> Select[Any]:
        stmt = (
            select(
                text_const(kind).label("kind"),
                r.case_id.label("case_id"),
                r.id.label("restriction_id"),
                CUSTOMER.c.name.label("customer_name"),
                on.label("on"),
            )
            .select_from(RESTRICTION)
            .join(CUSTOMER, CUSTOMER.c.id == r.customer_id)
            .where(*where, *_team(r.team_id, team_id))
        )
        return stmt.join(CASE, CASE.c.id == r.case_id) if on is CASE.c.eia_review_due else stmt

    no_eia = not_(exists().where(EIA.c.case_id == r.case_id, EIA.c.assessed_on <= r.start_on))
    decided_late = and_(a.decided_on > a.decision_due, a.decided_on >= start, a.decided_on <= end)
    pending_late = and_(a.decided_on.is_(None), a.decision_due < today)
    parts = [
        on_restriction(
            "no_eia_before_restriction", r.start_on, r.start_on >= start, r.start_on <= end, no_eia
        ),
        on_restriction("case_review_overdue", r.case_review_due, active, r.case_review_due < today),
        on_restriction(
            "lapsed_without_review",
            r.end_on,
            r.ended_on.is_(None),
            r.end_on < today,
            r.end_on >= start,
            r.end_on <= end,
        ),
        on_restriction(
            "eia_review_overdue", CASE.c.eia_review_due, active, CASE.c.eia_review_due < today
        ),
        on_restriction("spoc_review_overdue", r.spoc_review_due, active, r.spoc_review_due < today),
        select(
            case((decided_late, "decision_late"), else_="decision_overdue").label("kind"),
            a.case_id,
            a.restriction_id,
            CUSTOMER.c.name,
            case((decided_late, a.decided_on), else_=a.decision_due),
        )
        .select_from(APPEAL)
        .join(CASE, CASE.c.id == a.case_id)
        .join(CUSTOMER, CUSTOMER.c.id == CASE.c.customer_id)
        .where(or_(decided_late, pending_late), *_team(CASE.c.team_id, team_id)),
        select(
            text_const("handover_not_informed"),
            HANDOVER.c.case_id,
            HANDOVER.c.restriction_id,
            CUSTOMER.c.name,
            HANDOVER.c.handed_on,
        )
        .select_from(HANDOVER)
        .join(CASE, CASE.c.id == HANDOVER.c.case_id)
        .join(CUSTOMER, CUSTOMER.c.id == CASE.c.customer_id)
        .where(
            HANDOVER.c.customer_informed.is_(False),
            HANDOVER.c.handed_on >= start,
            HANDOVER.c.handed_on <= end,
            *_team(CASE.c.team_id, team_id),
        ),
    ]
    u = union_all(*parts).subquery("exceptions")
    rows = session.execute(
        select(u.c.kind, u.c.case_id, u.c.restriction_id, u.c.customer_name, u.c.on).order_by(
            u.c.on, u.c.kind, u.c.case_id, u.c.restriction_id
        )
    ).all()
    return frame(
        [(k, EXCEPTION_LABELS[k], c, rid, name, on) for k, c, rid, name, on in rows],
        ("kind", "label", "case_id", "restriction_id", "customer_name", "on"),
    )


def dashboard(
    engine: Engine,
    *,
    user: UserContext,
    start: date,
    end: date,
    team_id: int | None = None,
    today: date,
) -> Dashboard:
    """Everything the dashboard shows for the period ``start``–``end`` (inclusive).

    Flows (incidents, appeals received, breaches of restrictions in force, contacts around
    restrictions begun, the equality view) are counted over the period; the state of things
    (open cases by stage, active restrictions, reviews overdue or due in the next 30 days) is
    taken on ``today``.
    """
    if end < start:
        raise InvalidInput("end", "The end of the period can't be before its start.")
    dialect = engine.dialect.name
    r = RESTRICTION.c
    active = restriction_active(today)
    soon = today + timedelta(days=DUE_SOON_DAYS)
    with reading(engine, user, "the dashboard") as session:
        by_category, by_channel = _incidents(session, dialect, start, end, team_id)

        stages = session.execute(
            select(CASE.c.stage, func.count())
            .where(CASE.c.closed_on.is_(None), *_team(CASE.c.team_id, team_id))
            .group_by(CASE.c.stage)
            .order_by(func.count().desc(), CASE.c.stage)
        ).all()

        types = session.execute(
            select(RESTRICTION_TYPE.c.type, func.count())
            .join(RESTRICTION, RESTRICTION.c.id == RESTRICTION_TYPE.c.restriction_id)
            .where(active, *_team(r.team_id, team_id))
            .group_by(RESTRICTION_TYPE.c.type)
            .order_by(func.count().desc(), RESTRICTION_TYPE.c.type)
        ).all()

        bucket = case(
            (r.start_on > add_months(today, -3), DURATION_BUCKETS[0]),
            (r.start_on > add_months(today, -6), DURATION_BUCKETS[1]),
            (r.start_on > add_months(today, -9), DURATION_BUCKETS[2]),
            else_=DURATION_BUCKETS[3],
        )
        running = {
            key: count
            for key, count in session.execute(
                select(bucket, func.count())
                .where(active, *_team(r.team_id, team_id))
                .group_by(bucket)
            )
        }

        def due_counts(column: ColumnElement[Any]) -> list[Any]:
            return [
                func.count().filter(column < today),
                func.count().filter(column >= today, column <= soon),
            ]

        case_review, spoc_review = (
            session.execute(
                select(*due_counts(column)).where(active, *_team(r.team_id, team_id))
            ).one()
            for column in (r.case_review_due, r.spoc_review_due)
        )
        restricted_now = exists().where(r.case_id == CASE.c.id, active)
        eia_review = session.execute(
            select(*due_counts(CASE.c.eia_review_due)).where(
                or_(CASE.c.closed_on.is_(None), restricted_now), *_team(CASE.c.team_id, team_id)
            )
        ).one()

        a = APPEAL.c
        received = and_(
            a.received_on >= start,
            a.received_on <= end,
            *(
                []
                if team_id is None
                else [a.case_id.in_(select(CASE.c.id).where(CASE.c.team_id == team_id))]
            ),
        )
        appeal_counts = {
            row[0]: tuple(row[1:])
            for row in session.execute(
                select(
                    a.kind,
                    func.count(),
                    func.count().filter(a.in_time.is_(True)),
                    func.count().filter(a.decided_on.is_not(None)),
                    func.count().filter(a.decided_on <= a.decision_due),
                    func.count().filter(a.decided_on > a.decision_due),
                    func.count().filter(a.decided_on.is_(None)),
                    func.count().filter(a.decided_on.is_(None), a.decision_due < today),
                )
                .where(received)
                .group_by(a.kind)
            ).all()
        }
        outcomes = session.execute(
            select(a.kind, a.outcome, func.count())
            .where(received, a.decided_on.is_not(None))
            .group_by(a.kind, a.outcome)
            .order_by(a.kind, a.outcome)
        ).all()

        spoc = _spoc_compliance(session, start, end, today, team_id)

        breaches = session.execute(
            select(r.breaches, func.count())
            .where(_overlaps(start, end), *_team(r.team_id, team_id))
            .group_by(r.breaches)
            .order_by(r.breaches)
        ).all()

        contacts = _contacts_before_after(session, dialect, start, end, today, team_id)

        restricted_by_need = {
            key: count
            for key, count in session.execute(
                select(CUSTOMER.c.needs_group, func.count(r.id))
                .select_from(RESTRICTION)
                .join(CUSTOMER, CUSTOMER.c.id == r.customer_id)
                .where(_overlaps(start, end), *_team(r.team_id, team_id))
                .group_by(CUSTOMER.c.needs_group)
            )
        }
        need = INCIDENT_NEED_DAILY.c
        incidents_by_need = {
            key: count
            for key, count in session.execute(
                select(need.needs_group, func.sum(need.n))
                .where(need.day >= start, need.day <= end, *_team(need.team_key, team_id))
                .group_by(need.needs_group)
            )
        }

        exceptions = _exceptions(session, start, end, today, team_id)

    zero = (0,) * 7
    return Dashboard(
        start=start,
        end=end,
        today=today,
        incidents_by_category=by_category,
        incidents_by_channel=by_channel,
        cases_by_stage=frame(stages, ("stage", "cases")),
        restrictions_by_type=frame(types, ("type", "restrictions")),
        restrictions_by_duration=frame(
            [(b, int(running.get(b, 0))) for b in DURATION_BUCKETS],
            ("running_for", "restrictions"),
        ),
        reviews=frame(
            [
                ("case_review", *case_review),
                ("spoc_review", *spoc_review),
                ("eia_review", *eia_review),
            ],
            ("review", "overdue", "due_soon"),
        ),
        appeals=frame(
            [(k, *appeal_counts.get(k, zero)) for k in ("appeal", "reconsideration")],
            (
                "kind",
                "received",
                "in_time",
                "decided",
                "decided_on_time",
                "decided_late",
                "pending",
                "pending_overdue",
            ),
        ),
        appeal_outcomes=frame(outcomes, ("kind", "outcome", "decisions")),
        spoc_compliance=spoc,
        breaches=frame(breaches, ("breaches", "restrictions")),
        contacts_before_after=contacts,
        equality=frame(
            [
                (g, int(restricted_by_need.get(g, 0)), int(incidents_by_need.get(g, 0)))
                for g in NEEDS_GROUP_NAMES
            ],
            ("needs_group", "restrictions", "incidents"),
        ),
        exceptions=exceptions,
    )


__all__ = ["DURATION_BUCKETS", "EXCEPTION_LABELS", "NEEDS_GROUP_NAMES", "Dashboard", "dashboard"]
