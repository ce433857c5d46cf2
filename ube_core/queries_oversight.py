"""Read-side queries the oversight pages need beside ``ube_core.queries``.

Filter choices (teams, SPOCs, colleagues), the temporary SPOC of the restrictions on one page
of the register, a SPOC's correspondence in a quarter, open recommendations, each team's
totals of work due, the customer behind a case, and the audited calendar export. Every one
aggregates in SQL, returns a small result and checks the acting user's roles as the database
holds them now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.engine import Engine

from ube_core.errors import InvalidInput, NotAuthorised, NotFound
from ube_core.procedure import Role
from ube_core.queries import calendar_items
from ube_core.queries._sql import (
    CASE,
    CONTACT,
    CUSTOMER,
    EVENT,
    HANDOVER,
    LETTER,
    RECOMMENDATION,
    RESTRICTION,
    SPOC_REVIEW,
    TEAM,
    USER,
    days_between,
    frame,
    quarter_bounds,
    reading,
)
from ube_core.queries.due import NEVER_OVERDUE, due_items
from ube_core.services.context import (
    READ_ROLES,
    UserContext,
    audit,
    current_roles,
    require_roles,
)
from ube_core.storage.db import unit_of_work

USER_ROLE = USER.metadata.tables["user_role"]

# Who sees each team's totals on "My work": managers and senior officers see every team;
# line managers their own team and the teams of the people they line-manage.
ALL_TEAMS_ROLES = frozenset({Role.MANAGER, Role.SENIOR_OFFICER})
TEAM_TOTALS_ROLES = ALL_TEAMS_ROLES | {Role.LINE_MANAGER}
NO_TEAM = "No team recorded"
ID_BATCH = 900


# -- filter choices ------------------------------------------------------------------------
@dataclass(frozen=True)
class FilterOptions:
    """Small (id, name) lists for the oversight pages' filters and forms."""

    teams: tuple[tuple[int, str], ...]
    spocs: tuple[tuple[int, str], ...]  # everyone who is or was a SPOC of a restriction
    colleagues: tuple[tuple[int, str], ...]  # active users with a case role (owners)
    line_managers: tuple[tuple[int, str], ...]  # active users who line-manage someone


def filter_options(engine: Engine, *, user: UserContext) -> FilterOptions:
    report = USER.alias("report")
    with reading(engine, user, "the oversight pages") as session:
        teams = session.execute(select(TEAM.c.id, TEAM.c.name).order_by(TEAM.c.name)).all()
        spoc_ids = (
            select(RESTRICTION.c.spoc_user_id)
            .where(RESTRICTION.c.spoc_user_id.is_not(None))
            .union(
                select(HANDOVER.c.to_user_id).where(HANDOVER.c.to_user_id.is_not(None)),
            )
            .subquery("spoc_ids")
        )
        spocs = session.execute(
            select(USER.c.id, USER.c.name)
            .where(USER.c.id.in_(select(spoc_ids.c[0])))
            .order_by(USER.c.name, USER.c.id)
        ).all()
        colleagues = session.execute(
            select(USER.c.id, USER.c.name)
            .where(
                USER.c.active.is_(True),
                USER.c.id.in_(
                    select(USER_ROLE.c.user_id).where(
                        USER_ROLE.c.role.in_(
                            [
                                Role.OFFICER.value,
                                Role.CASE_MANAGER.value,
                                Role.LINE_MANAGER.value,
                                Role.SENIOR_OFFICER.value,
                            ]
                        )
                    )
                ),
            )
            .order_by(USER.c.name, USER.c.id)
        ).all()
        managers = session.execute(
            select(USER.c.id, USER.c.name)
            .where(
                USER.c.active.is_(True),
                USER.c.id.in_(select(report.c.line_manager_id).where(report.c.active.is_(True))),
            )
            .order_by(USER.c.name, USER.c.id)
        ).all()
    return FilterOptions(
        teams=tuple((int(i), str(n)) for i, n in teams),
        spocs=tuple((int(i), str(n)) for i, n in spocs),
        colleagues=tuple((int(i), str(n)) for i, n in colleagues),
        line_managers=tuple((int(i), str(n)) for i, n in managers),
    )


# -- the register's SPOC and temporary SPOC ------------------------------------------------
SPOC_COLUMNS = ("restriction_id", "spoc", "temporary_spoc", "temporary_since")


def spoc_cover(
    engine: Engine, *, user: UserContext, restriction_ids: Sequence[int]
) -> pd.DataFrame:
    """For the restrictions given (one page of the register): the SPOC and, when the latest
    handover was temporary (§6: cover for leave), the colleague covering and since when.

    ``spoc`` is then the SPOC who handed over; otherwise the current SPOC."""
    ids = sorted({int(i) for i in restriction_ids})
    if not ids:
        return frame([], SPOC_COLUMNS)
    h = HANDOVER.c
    latest = (
        select(h.restriction_id, func.max(h.id).label("handover_id"))
        .where(h.restriction_id.in_(ids))
        .group_by(h.restriction_id)
        .subquery("latest_handover")
    )
    last = HANDOVER.alias("last_handover")
    current = USER.alias("current_spoc")
    handed_from = USER.alias("handed_from")
    temporary = and_(last.c.id.is_not(None), last.c.temporary.is_(True))
    current_name = func.coalesce(current.c.name, RESTRICTION.c.spoc_name)
    stmt = (
        select(
            RESTRICTION.c.id,
            case(
                (temporary, func.coalesce(handed_from.c.name, last.c.from_name)),
                else_=current_name,
            ),
            case((temporary, current_name), else_=None),
            case((temporary, last.c.handed_on), else_=None),
        )
        .select_from(RESTRICTION)
        .outerjoin(current, current.c.id == RESTRICTION.c.spoc_user_id)
        .outerjoin(latest, latest.c.restriction_id == RESTRICTION.c.id)
        .outerjoin(last, last.c.id == latest.c.handover_id)
        .outerjoin(handed_from, handed_from.c.username == last.c.from_name)
        .where(RESTRICTION.c.id.in_(ids))
        .order_by(RESTRICTION.c.id)
    )
    with reading(engine, user, "the restriction register") as session:
        rows = session.execute(stmt).all()
    return frame(rows, SPOC_COLUMNS)


# -- a SPOC's quarter: correspondence and decisions (§6) ------------------------------------
@dataclass(frozen=True, eq=False)
class Correspondence:
    """What the reviewer checks for one restriction's quarter."""

    quarter_start: date
    quarter_end: date
    letters: pd.DataFrame  # letter_id, dated, kind, channel, sent_by
    contacts: pd.DataFrame  # contact_id, occurred_on, channel, topic, via_spoc, screen
    decisions: pd.DataFrame  # seq, occurred_on, action, summary, by


def spoc_quarter_correspondence(
    engine: Engine, *, user: UserContext, restriction_id: int, today: date
) -> Correspondence:
    """Letters on the case, contacts screened against this restriction and the case's
    recorded steps (other than contacts), in the quarter holding ``today``."""
    start, end = quarter_bounds(today)
    sent_by = USER.alias("sent_by")
    with reading(engine, user, "SPOC correspondence") as session:
        case_id = session.execute(
            select(RESTRICTION.c.case_id).where(RESTRICTION.c.id == restriction_id)
        ).scalar_one_or_none()
        if case_id is None:
            raise NotFound("That restriction does not exist.")
        letters = session.execute(
            select(LETTER.c.id, LETTER.c.dated, LETTER.c.kind, LETTER.c.channel, sent_by.c.name)
            .select_from(LETTER)
            .outerjoin(sent_by, sent_by.c.id == LETTER.c.sent_by_id)
            .where(LETTER.c.case_id == case_id, LETTER.c.dated >= start, LETTER.c.dated <= end)
            .order_by(LETTER.c.dated, LETTER.c.id)
        ).all()
        contacts = session.execute(
            select(
                CONTACT.c.id,
                CONTACT.c.occurred_on,
                CONTACT.c.channel,
                CONTACT.c.topic,
                CONTACT.c.via_spoc,
                CONTACT.c.screen,
            )
            .where(
                CONTACT.c.restriction_id == restriction_id,
                CONTACT.c.occurred_on >= start,
                CONTACT.c.occurred_on <= end,
            )
            .order_by(CONTACT.c.occurred_on, CONTACT.c.id)
        ).all()
        decisions = session.execute(
            select(
                EVENT.c.seq, EVENT.c.occurred_on, EVENT.c.action, EVENT.c.summary, EVENT.c.by_name
            )
            .where(
                EVENT.c.case_id == case_id,
                EVENT.c.occurred_on >= start,
                EVENT.c.occurred_on <= end,
                EVENT.c.action != "contact",
            )
            .order_by(EVENT.c.seq)
        ).all()
    return Correspondence(
        quarter_start=start,
        quarter_end=end,
        letters=frame(letters, ("letter_id", "dated", "kind", "channel", "sent_by")),
        contacts=frame(
            contacts, ("contact_id", "occurred_on", "channel", "topic", "via_spoc", "screen")
        ),
        decisions=frame(decisions, ("seq", "occurred_on", "action", "summary", "by")),
    )


# -- recommendations from SPOC reviews (§6: "followed up to ensure they are completed") --------
RECOMMENDATION_COLUMNS = (
    "recommendation_id",
    "case_id",
    "customer_id",
    "customer_name",
    "text",
    "owner_id",
    "owner_name",
    "due_on",
    "overdue",
    "days_overdue",
    "raised_on",
    "raised_by_id",
    "raised_by",
)
MAX_RECOMMENDATIONS = 500


def open_recommendations(
    engine: Engine,
    *,
    user: UserContext,
    today: date,
    mine_only: bool = False,
    overdue_only: bool = False,
    team_id: int | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """Recommendations not yet done, the oldest due first.

    ``mine_only``: those the user owns or raised in a SPOC review. ``overdue_only``: due
    before ``today``. ``days_overdue`` is 0 when not overdue."""
    if not 1 <= limit <= MAX_RECOMMENDATIONS:
        raise InvalidInput("limit", f"Show between 1 and {MAX_RECOMMENDATIONS} rows.")
    rec = RECOMMENDATION.c
    owner = USER.alias("owner")
    raiser = USER.alias("raiser")
    overdue = rec.due_on < today
    stmt = (
        select(
            rec.id,
            rec.case_id,
            CASE.c.customer_id,
            CUSTOMER.c.name,
            rec.text,
            rec.owner_id,
            owner.c.name,
            rec.due_on,
            overdue,
            case((overdue, days_between(engine.dialect.name, today, rec.due_on)), else_=0),
            SPOC_REVIEW.c.reviewed_on,
            SPOC_REVIEW.c.reviewer_id,
            raiser.c.name,
        )
        .select_from(RECOMMENDATION)
        .join(CASE, CASE.c.id == rec.case_id)
        .join(CUSTOMER, CUSTOMER.c.id == CASE.c.customer_id)
        .join(SPOC_REVIEW, SPOC_REVIEW.c.id == rec.spoc_review_id)
        .outerjoin(owner, owner.c.id == rec.owner_id)
        .outerjoin(raiser, raiser.c.id == SPOC_REVIEW.c.reviewer_id)
        .where(rec.done_on.is_(None))
        .order_by(rec.due_on, rec.id)
        .limit(limit)
    )
    if mine_only:
        stmt = stmt.where(or_(rec.owner_id == user.id, SPOC_REVIEW.c.reviewer_id == user.id))
    if overdue_only:
        stmt = stmt.where(overdue)
    if team_id is not None:
        stmt = stmt.where(CASE.c.team_id == team_id)
    with reading(engine, user, "SPOC review recommendations") as session:
        rows = session.execute(stmt).all()
    records = [(*row[:8], bool(row[8]), int(row[9] or 0), *row[10:]) for row in rows]
    return frame(records, RECOMMENDATION_COLUMNS)


def recommendation_counts(
    engine: Engine, *, user: UserContext, today: date, team_id: int | None = None
) -> tuple[int, int]:
    """(open, overdue) recommendations, for the dashboard's headline figures."""
    rec = RECOMMENDATION.c
    stmt = (
        select(func.count(), func.count().filter(rec.due_on < today))
        .select_from(RECOMMENDATION)
        .join(CASE, CASE.c.id == rec.case_id)
        .where(rec.done_on.is_(None))
    )
    if team_id is not None:
        stmt = stmt.where(CASE.c.team_id == team_id)
    with reading(engine, user, "SPOC review recommendations") as session:
        total, late = session.execute(stmt).one()
    return int(total), int(late)


# -- each team's totals of work due ("My work", managers) -----------------------------------
TEAM_TOTAL_COLUMNS = ("team_id", "team", "kind", "overdue", "due_soon")


def team_work_totals(
    engine: Engine, *, user: UserContext, today: date, horizon_days: int = 14
) -> pd.DataFrame:
    """For each team the user oversees and each kind of item: how many are overdue and how
    many fall due from ``today`` to ``today + horizon_days``. Managers and senior officers
    see every team; line managers their own team and those of the people they manage."""
    if horizon_days < 0:
        raise InvalidInput("horizon_days", "Choose a number of days from 0 up.")
    items = due_items(today)
    k = items.c.kind
    late = and_(items.c.due_on < today, k.not_in(sorted(NEVER_OVERDUE)))
    soon = and_(items.c.due_on >= today, items.c.due_on <= today + timedelta(days=horizon_days))
    team_name = func.coalesce(TEAM.c.name, NO_TEAM)
    stmt = (
        select(
            items.c.team_id,
            team_name,
            k,
            func.count().filter(late),
            func.count().filter(soon),
        )
        .select_from(items.outerjoin(TEAM, TEAM.c.id == items.c.team_id))
        .where(or_(late, soon), k != "appeal_deadline")
        .group_by(items.c.team_id, team_name, k)
        .order_by(team_name, k)
    )
    with reading(engine, user, "team totals") as session:
        roles = current_roles(session, user)
        if not roles & TEAM_TOTALS_ROLES:
            raise NotAuthorised("team totals")
        if not roles & ALL_TEAMS_ROLES:
            report = USER.alias("report")
            own = select(USER.c.team_id).where(USER.c.id == user.id)
            managed = select(report.c.team_id).where(report.c.line_manager_id == user.id)
            stmt = stmt.where(or_(items.c.team_id.in_(own), items.c.team_id.in_(managed)))
        rows = session.execute(stmt).all()
    return frame(rows, TEAM_TOTAL_COLUMNS)


# -- links to the case page ------------------------------------------------------------------
def customers_of_cases(
    engine: Engine, *, user: UserContext, case_ids: Iterable[int]
) -> dict[int, int]:
    """case id -> customer id, for linking rows that carry only the case (asked in batches,
    so that a long calendar stays within the databases' limits on bound values)."""
    ids = sorted({int(i) for i in case_ids})
    found: dict[int, int] = {}
    if not ids:
        return found
    with reading(engine, user, "cases") as session:
        for first in range(0, len(ids), ID_BATCH):
            batch = ids[first : first + ID_BATCH]
            rows = session.execute(
                select(CASE.c.id, CASE.c.customer_id).where(CASE.c.id.in_(batch))
            ).all()
            found.update({int(c): int(cu) for c, cu in rows})
    return found


# -- the calendar's iCalendar export (audited: data leaves the system) ---------------------
def calendar_export(
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
    """The calendar items exactly as ``calendar_items`` gives them, with the export written
    to the audit log in its own transaction (like the register's export)."""
    wanted = None if kinds is None else sorted(set(kinds))
    items = calendar_items(
        engine,
        user=user,
        start=start,
        end=end,
        kinds=wanted,
        team_id=team_id,
        owner_id=owner_id,
        today=today,
    )
    with unit_of_work(engine) as session:
        require_roles(session, user, READ_ROLES, "exporting the calendar")
        audit(
            session,
            user,
            "calendar.export",
            detail={
                "rows": len(items),
                "filters": {
                    "start": start,
                    "end": end,
                    "kinds": wanted,
                    "team_id": team_id,
                    "owner_id": owner_id,
                },
            },
        )
    return items


__all__ = [
    "FilterOptions",
    "calendar_export",
    "customers_of_cases",
    "filter_options",
    "open_recommendations",
    "recommendation_counts",
    "spoc_cover",
    "spoc_quarter_correspondence",
    "team_work_totals",
]
