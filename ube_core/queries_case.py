"""Reads for the case-work pages: a customer's case as the rules engine sees it today.

``case_view`` folds the case's recorded steps through the rules engine and returns what the
customer and case pages draw: the warning marker, the latest restriction, what is due, and
every action with the engine's reasons it is not available to this user today. The other
reads are small look-ups (colleagues, teams, incidents) aggregated and limited in SQL.
Every read checks that the user holds a read role as the database has it now.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col
from sqlmodel import select as select_rows

from ube_core import procedure as p
from ube_core.errors import NotFound
from ube_core.procedure.deadlines import CUSTOMER_DEADLINES, Due
from ube_core.services.context import (
    CASE_ROLES,
    READ_ROLES,
    UserContext,
    current_roles,
    require_roles,
)
from ube_core.services.steps import load_engine_case
from ube_core.storage.models import (
    AppUser,
    Case,
    Customer,
    CustomerPublic,
    Incident,
    Restriction,
    Team,
    UserRole,
)


@contextmanager
def _reading(engine: Engine, user: UserContext, what: str) -> Iterator[Session]:
    with Session(engine) as session:
        require_roles(session, user, READ_ROLES, what)
        yield session


# -- the case as the engine sees it ---------------------------------------------------------
# Reasons a form can answer itself: the date an appeal arrived may be earlier than today.
_FORM_ANSWERS: dict[p.Action, frozenset[p.Reason]] = {
    p.Action.APPEAL: frozenset({p.Reason.APPEAL_OUT_OF_TIME}),
}
# Missing warning steps that a seriousness override may waive (§4, rules 3 and 4).
_OVERRIDABLE = frozenset(
    {p.Reason.NO_INFORMAL_STEP, p.Reason.NO_FORMAL_WARNING, p.Reason.NO_INCIDENT_SINCE_WARNING}
)


@dataclass(frozen=True)
class ActionOption:
    """One action on the case for this user today.

    ``reasons`` are why it is not available (empty: available). ``form`` says whether to
    offer its form anyway: the form itself can supply what is missing (an earlier date
    received; a seriousness override, ``override``)."""

    action: p.Action
    reasons: tuple[p.Reason, ...]
    form: bool
    override: bool = False

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @property
    def explanations(self) -> list[str]:
        return [reason.explanation for reason in self.reasons]


@dataclass(frozen=True)
class RestrictionInfo:
    id: int
    number: int
    start: date
    end: date
    active: bool
    ended_on: date | None
    types: tuple[p.RestrictionType, ...]
    allowed_channels: tuple[p.Channel, ...]
    spoc_username: str | None
    spoc_name: str | None
    made_by_id: int | None
    made_by_name: str | None
    letter_date: date
    appeal_deadline: date
    breaches: int
    reasons: str
    informed: str


@dataclass(frozen=True)
class DueItem:
    what: str
    on: date
    overdue_days: int  # 0 when not overdue (or the customer's own deadline)
    passed: bool  # the day has gone


@dataclass(frozen=True)
class Pending:
    kind: str  # appeal | reconsideration
    received: date
    decision_due: date


@dataclass(frozen=True)
class CaseView:
    customer: CustomerPublic
    team_name: str | None
    case_id: int | None
    version: int | None
    opened_on: date | None
    marker: p.Marker
    restriction: RestrictionInfo | None
    due: tuple[DueItem, ...]
    pending: tuple[Pending, ...]
    actions: tuple[ActionOption, ...]
    advice: str

    def option(self, action: p.Action) -> ActionOption | None:
        return next((o for o in self.actions if o.action is action), None)


def customer_public(engine: Engine, *, user: UserContext, customer_id: int) -> CustomerPublic:
    """A customer without special-category data (no audit needed)."""
    with _reading(engine, user, "viewing customers") as session:
        row = session.get(Customer, customer_id)
        if row is None:
            raise NotFound("That customer does not exist.")
        return CustomerPublic.model_validate(row, from_attributes=True)


def case_view(
    engine: Engine,
    *,
    user: UserContext,
    today: date,
    customer_id: int | None = None,
    case_id: int | None = None,
) -> CaseView:
    """The customer's case (open one first, else the latest) — or the case ``case_id``."""
    with _reading(engine, user, "viewing cases") as session:
        if case_id is not None:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFound("That case does not exist.")
            customer_id = case.customer_id
        else:
            case = session.exec(
                select_rows(Case)
                .where(col(Case.customer_id) == customer_id)
                .order_by(col(Case.closed_on).is_not(None), col(Case.id).desc())
                .limit(1)
            ).first()
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound("That customer does not exist.")
        team = session.get(Team, customer.team_id) if customer.team_id is not None else None
        roles = current_roles(session, user)
        actor = p.Actor(user.username, roles)
        engine_case = load_engine_case(session, case.id) if case and case.id else p.Case()
        restriction = _restriction(session, case.id, today) if case and case.id else None
    due = tuple(
        DueItem(
            Due(key).label,
            when,
            max(0, (today - when).days) if key not in CUSTOMER_DEADLINES else 0,
            when < today,
        )
        for key, when in sorted(engine_case.due(today).items(), key=lambda kv: kv[1] or today)
        if when is not None
    )
    state = engine_case.state
    pending = tuple(
        Pending(kind, request.received, request.decision_due)
        for kind, request in (
            ("appeal", state.pending_appeal),
            ("reconsideration", state.pending_reconsideration),
        )
        if request is not None
    )
    actions = _actions(engine_case, today, actor) if case is not None else ()
    marker = engine_case.marker(today)
    advice = marker.advice
    if restriction is not None and restriction.spoc_username and restriction.spoc_name:
        # the engine knows people by username; colleagues read their name
        advice = advice.replace(
            f"the SPOC, {restriction.spoc_username}", f"the SPOC, {restriction.spoc_name}"
        )
    return CaseView(
        customer=CustomerPublic.model_validate(customer, from_attributes=True),
        team_name=team.name if team else None,
        case_id=case.id if case else None,
        version=case.version if case else None,
        opened_on=case.opened_on if case else None,
        marker=marker,
        restriction=restriction,
        due=due,
        pending=pending,
        actions=actions,
        advice=advice,
    )


def _actions(engine_case: p.Case, today: date, actor: p.Actor) -> tuple[ActionOption, ...]:
    """Every action the user's roles allow, with the engine's reasons it is not open today."""
    options = []
    for step in engine_case.next_steps(today, actor):
        if p.Reason.NOT_AUTHORISED in step.reasons:
            continue  # not this user's to take: not shown at all
        reasons = step.reasons
        form = not reasons or set(reasons) <= _FORM_ANSWERS.get(step.action, frozenset())
        override = False
        if reasons and set(reasons) <= _OVERRIDABLE:
            probe: p.Event | None = None
            if step.action is p.Action.FORMAL_WARNING:
                probe = p.FormalWarning(date=today, by=actor.name, override_reason="serious")
            elif step.action is p.Action.RESTRICT:
                probe = p.Restrict(
                    date=today,
                    by=actor.name,
                    types=(p.RestrictionType.WRITTEN_ONLY,),
                    months=6,
                    reasons="serious",
                    override_reason="serious",
                )
            if probe is not None and engine_case.decide(probe, actor).allowed:
                form = override = True
        options.append(ActionOption(step.action, reasons, form, override))
    return tuple(options)


def _restriction(session: Session, case_id: int, today: date) -> RestrictionInfo | None:
    r = session.exec(
        select_rows(Restriction)
        .where(col(Restriction.case_id) == case_id)
        .order_by(col(Restriction.number).desc())
        .limit(1)
    ).first()
    if r is None:
        return None
    names = {
        u.id: u
        for u in session.exec(
            select_rows(AppUser).where(col(AppUser.id).in_([r.spoc_user_id, r.made_by_id]))
        ).all()
    }
    spoc = names.get(r.spoc_user_id) if r.spoc_user_id is not None else None
    maker = names.get(r.made_by_id) if r.made_by_id is not None else None
    active = r.ended_on is None and r.start_on <= today <= r.end_on
    return RestrictionInfo(
        id=r.id or 0,
        number=r.number,
        start=r.start_on,
        end=r.end_on,
        active=active,
        ended_on=r.ended_on,
        types=tuple(p.RestrictionType(t) for t in r.types.split(",") if t),
        allowed_channels=tuple(p.Channel(c) for c in r.allowed_channels.split(",") if c),
        spoc_username=r.spoc_name,
        spoc_name=spoc.name if spoc is not None and r.spoc_name else r.spoc_name,
        made_by_id=r.made_by_id,
        made_by_name=maker.name if maker is not None else None,
        letter_date=r.start_on,
        appeal_deadline=r.appeal_deadline,
        breaches=r.breaches,
        reasons=r.reasons,
        informed=r.informed,
    )


# -- look-ups for the forms ----------------------------------------------------------------
@dataclass(frozen=True)
class Colleague:
    id: int
    username: str
    name: str


def colleagues(engine: Engine, *, user: UserContext) -> list[Colleague]:
    """Active colleagues holding a case role (SPOCs, people informed), by name."""
    with _reading(engine, user, "listing colleagues") as session:
        rows = session.execute(
            select(col(AppUser.id), col(AppUser.username), col(AppUser.name))
            .where(
                col(AppUser.active).is_(True),
                col(AppUser.id).in_(
                    select(col(UserRole.user_id)).where(
                        col(UserRole.role).in_(sorted(r.value for r in CASE_ROLES))
                    )
                ),
            )
            .order_by(col(AppUser.name))
            .limit(2000)
        ).all()
    return [Colleague(int(i), str(u), str(n)) for i, u, n in rows]


@dataclass(frozen=True)
class TeamChoices:
    teams: list[tuple[int, str]]
    mine: int | None


def team_choices(engine: Engine, *, user: UserContext) -> TeamChoices:
    with _reading(engine, user, "listing teams") as session:
        teams = session.execute(select(col(Team.id), col(Team.name)).order_by(col(Team.name))).all()
        me = session.get(AppUser, user.id) if user.id is not None else None
    return TeamChoices([(int(i), str(n)) for i, n in teams], me.team_id if me else None)


INCIDENT_COLUMNS = (
    "customer_id",
    "customer_name",
    "tenancy_ref",
    "occurred_at",
    "category",
    "severity",
    "channel",
    "reported_by",
    "follow_up",
    "colleague_ended_contact",
)


def reported_incidents(
    engine: Engine, *, user: UserContext, since: date, limit: int = 50
) -> pd.DataFrame:
    """Incidents recorded since ``since`` by colleagues whose line manager is ``user`` (§4:
    the colleague records the incident and reports it to their line manager), newest first."""
    reporter = AppUser.__table__.alias("reporter")  # type: ignore[attr-defined]
    i = Incident.__table__.c  # type: ignore[attr-defined]
    c = Customer.__table__.c  # type: ignore[attr-defined]
    stmt = (
        select(
            i.customer_id,
            c.name,
            c.tenancy_ref,
            i.occurred_at,
            i.category,
            i.severity,
            i.channel,
            reporter.c.name,
            i.follow_up,
            i.colleague_ended_contact,
        )
        .select_from(Incident.__table__)  # type: ignore[attr-defined]
        .join(Customer.__table__, c.id == i.customer_id)  # type: ignore[attr-defined]
        .join(reporter, reporter.c.id == i.recorded_by_id)
        .where(reporter.c.line_manager_id == user.id, i.occurred_on >= since)
        .order_by(i.occurred_at.desc(), i.id.desc())
        .limit(max(1, min(limit, 200)))
    )
    with _reading(engine, user, "reported incidents") as session:
        rows = session.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(INCIDENT_COLUMNS))


def manages_anyone(engine: Engine, *, user: UserContext) -> bool:
    with _reading(engine, user, "reported incidents") as session:
        count = session.execute(
            select(func.count()).select_from(AppUser).where(col(AppUser.line_manager_id) == user.id)
        ).scalar_one()
    return bool(count)


CASE_INCIDENT_COLUMNS = (
    "occurred_at",
    "category",
    "behaviour",
    "severity",
    "channel",
    "colleague",
    "colleague_ended_contact",
    "police_ref",
    "witnesses",
    "follow_up",
    "narrative",
    "action_taken",
)


def case_incidents(engine: Engine, *, user: UserContext, case_id: int) -> pd.DataFrame:
    """The incidents on a case, newest first, with what happened."""
    i = Incident.__table__.c  # type: ignore[attr-defined]
    stmt = (
        select(*(i[name] for name in CASE_INCIDENT_COLUMNS))
        .where(i.case_id == case_id)
        .order_by(i.occurred_at.desc(), i.id.desc())
        .limit(500)
    )
    with _reading(engine, user, "case incidents") as session:
        rows = session.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(CASE_INCIDENT_COLUMNS))
