"""One function per case use case (§2–§11). Keyword-only; ``today`` comes from the edge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ube_core import procedure as p
from ube_core.errors import InvalidInput, NotFound
from ube_core.storage.db import unit_of_work
from ube_core.storage.models import (
    AppealRequest,
    AppUser,
    Case,
    CaseReview,
    CircumstancesChange,
    Contact,
    Customer,
    Eia,
    Incident,
    IncidentCreate,
    IncidentPublic,
    InformalStep,
    LegalStep,
    Recommendation,
    Restriction,
    RestrictionType,
    SpocHandover,
    SpocReview,
    Warning,
)

from .context import UserContext, audit, require_roles, validated
from .steps import (
    Applied,
    apply_step,
    check_date,
    latest_restriction_row,
    load_engine_case,
    sync_restrictions,
)

# Who may screen an inbound contact: those who may record one (rule 11).
CONTACT_ROLES = frozenset(role for role in p.Role if p.may([role], p.Action.CONTACT))


def _text(value: str | None, field: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(field, f"{field.replace('_', ' ').capitalize()} is required.")
    if len(value) > limit:
        raise InvalidInput(
            field,
            f"{field.replace('_', ' ').capitalize()} is too long (at most {limit} characters).",
        )
    return value


def open_case_for(session: Session, customer: Customer, today: date) -> Case:
    """The customer's open case, or a new one (one case per customer episode)."""
    assert customer.id is not None
    case = _open_case(session, customer.id)
    if case is None:
        case = Case(customer_id=customer.id, team_id=customer.team_id, opened_on=today)
        session.add(case)
        session.flush()
    return case


# -- incidents (§3, §4) ------------------------------------------------------------------
def record_incident(
    engine: Engine, *, user: UserContext, data: IncidentCreate, today: date
) -> IncidentPublic:
    data = validated(IncidentCreate, **data.model_dump())
    occurred_on = data.occurred_at.date()
    check_date(occurred_on, today, "Date of incident")
    category = _enum(p.Category, data.category, "category")
    severity = _enum(p.Severity, data.severity, "severity")
    channel = _enum(p.Channel, data.channel, "channel")
    behaviour = _enum(p.Behaviour, data.behaviour, "behaviour") if data.behaviour else None
    if behaviour is not None and behaviour not in p.BEHAVIOURS[category]:
        raise InvalidInput("behaviour", "That behaviour is not listed under the category chosen.")
    if not data.narrative.strip():
        raise InvalidInput("narrative", "Say what happened.")
    with unit_of_work(engine) as session:
        customer = _lock_customer(session, data.customer_id)
        if customer is None:
            raise NotFound("That customer does not exist.")
        case = open_case_for(session, customer, today)
        assert case.id is not None
        step = p.Incident(
            date=occurred_on,
            by=user.username,
            category=category,
            severity=severity,
            channel=channel,
            behaviour=behaviour,
        )
        applied = apply_step(
            session,
            user=user,
            case_id=case.id,
            step=step,
            today=today,
            summary=f"{severity.label} incident: {category.label} by {channel.label.lower()}",
        )
        row = Incident(
            **data.model_dump(exclude={"customer_id", "occurred_at"}),
            occurred_at=_aware(data.occurred_at),
            event_id=_id(applied.event.id),
            case_id=case.id,
            customer_id=data.customer_id,
            team_id=customer.team_id,
            occurred_on=occurred_on,
            recorded_by_id=user.id,
        )
        session.add(row)
        session.flush()
        return IncidentPublic.model_validate(row, from_attributes=True)


# -- informal steps, EIA, circumstances (§2, §4) ---------------------------------------------
def record_informal_step(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    kind: p.InformalKind,
    on: date,
    note: str = "",
    today: date,
    expected_version: int | None = None,
) -> int:
    note = _text(note, "note", 4000)
    kind = _enum(p.InformalKind, kind, "kind")
    with unit_of_work(engine) as session:
        applied = _apply(
            session,
            user,
            case_id,
            p.InformalStep(date=on, by=user.username, kind=kind),
            today,
            expected_version,
        )
        session.add(
            InformalStep(
                event_id=_id(applied.event.id),
                case_id=case_id,
                kind=kind.value,
                taken_on=on,
                note=note,
            )
        )
        return _id(applied.event.id)


def record_eia(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date,
    proportionate: bool,
    needs_considered: str,
    adjustments: str = "",
    alternatives: str = "",
    conclusion: str = "",
    today: date,
    expected_version: int | None = None,
) -> int:
    """Equality impact assessment (§2, Appendix 5)."""
    needs_considered = _text(needs_considered, "needs_considered", 4000, required=True)
    adjustments = _text(adjustments, "adjustments", 4000)
    alternatives = _text(alternatives, "alternatives", 4000)
    conclusion = _text(conclusion, "conclusion", 4000)
    with unit_of_work(engine) as session:
        step = p.Eia(date=on, by=user.username, proportionate=proportionate)
        applied = _apply(session, user, case_id, step, today, expected_version)
        session.add(
            Eia(
                event_id=_id(applied.event.id),
                case_id=case_id,
                assessed_on=on,
                assessor_id=user.id,
                needs_considered=needs_considered,
                proportionate=proportionate,
                review_due=p.six_months_after(on),
                adjustments=adjustments,
                alternatives=alternatives,
                conclusion=conclusion,
            )
        )
        return _id(applied.event.id)


def record_circumstances_change(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date,
    note: str,
    today: date,
    expected_version: int | None = None,
) -> int:
    note = _text(note, "note", 4000, required=True)
    with unit_of_work(engine) as session:
        return _circumstances(session, user, case_id, on, note, today, expected_version)


def _circumstances(
    session: Session,
    user: UserContext,
    case_id: int,
    on: date,
    note: str,
    today: date,
    expected_version: int | None,
) -> int:
    step = p.CircumstancesChange(date=on, by=user.username, note=note)
    applied = _apply(session, user, case_id, step, today, expected_version)
    session.add(
        CircumstancesChange(event_id=_id(applied.event.id), case_id=case_id, noted_on=on, note=note)
    )
    return _id(applied.event.id)


# -- warnings (§4, §8) ------------------------------------------------------------------------
def give_formal_warning(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date,
    behaviour: str,
    override_reason: str | None = None,
    today: date,
    expected_version: int | None = None,
) -> int:
    behaviour = _text(behaviour, "behaviour", 4000, required=True)
    override_reason = _bounded(override_reason, "override_reason", 4000)
    with unit_of_work(engine) as session:
        step = p.FormalWarning(date=on, by=user.username, override_reason=override_reason)
        applied = _apply(session, user, case_id, step, today, expected_version)
        session.add(
            Warning(
                event_id=_id(applied.event.id),
                case_id=case_id,
                kind="formal",
                given_on=on,
                behaviour=behaviour,
                override_reason=override_reason,
            )
        )
        return _id(applied.event.id)


def give_breach_warning(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date,
    behaviour: str = "",
    today: date,
    expected_version: int | None = None,
) -> int:
    behaviour = _text(behaviour, "behaviour", 4000)
    with unit_of_work(engine) as session:
        applied = _apply(
            session,
            user,
            case_id,
            p.BreachWarning(date=on, by=user.username),
            today,
            expected_version,
        )
        session.add(
            Warning(
                event_id=_id(applied.event.id),
                case_id=case_id,
                kind="breach",
                given_on=on,
                behaviour=behaviour,
            )
        )
        sync_restrictions(session, applied)
        return _id(applied.event.id)


# -- restrictions (§5, §6) -----------------------------------------------------------------------
def restrict_contact(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date,
    types: Sequence[p.RestrictionType],
    months: int,
    reasons: str,
    allowed_channels: Sequence[p.Channel] = (),
    spoc_user_id: int | None = None,
    informed: str = "",
    override_reason: str | None = None,
    today: date,
    expected_version: int | None = None,
) -> int:
    reasons = _text(reasons, "reasons", 8000)
    informed = _text(informed, "informed", 2000)
    override_reason = _bounded(override_reason, "override_reason", 4000)
    types = [_enum(p.RestrictionType, t, "types") for t in types]
    allowed_channels = [_enum(p.Channel, c, "allowed_channels") for c in allowed_channels]
    if isinstance(months, bool) or not isinstance(months, int):
        raise InvalidInput("months", "Months: give a whole number of months.")
    with unit_of_work(engine) as session:
        spoc = session.get(AppUser, spoc_user_id) if spoc_user_id is not None else None
        if spoc_user_id is not None and (spoc is None or not spoc.active):
            raise InvalidInput("spoc", "Choose an active colleague as SPOC.")
        step = p.Restrict(
            date=on,
            by=user.username,
            types=tuple(types),
            months=months,
            reasons=reasons,
            allowed_channels=tuple(allowed_channels),
            spoc=spoc.username if spoc is not None else None,
            override_reason=override_reason,
        )
        applied = _apply(session, user, case_id, step, today, expected_version)
        state = applied.engine_case.state.restrictions[-1]
        row = Restriction(
            event_id=_id(applied.event.id),
            case_id=case_id,
            customer_id=applied.case.customer_id,
            team_id=applied.case.team_id,
            number=state.number,
            start_on=on,
            end_on=state.end,
            months=months,
            types=",".join(sorted(t.value for t in types)),
            allowed_channels=",".join(sorted(c.value for c in allowed_channels)),
            reasons=reasons,
            spoc_name=state.spoc,
            spoc_user_id=spoc.id if spoc is not None and state.spoc else None,
            informed=informed,
            made_by_id=user.id,
            case_review_due=state.case_review_due,
            spoc_review_due=state.spoc_review_due,
            appeal_deadline=state.appeal_deadline,
        )
        session.add(row)
        session.flush()
        for kind in sorted(set(types)):
            session.add(RestrictionType(restriction_id=_id(row.id), type=kind.value))
        sync_restrictions(session, applied)
        return _id(row.id)


# -- contacts (§5, §7, §8) ---------------------------------------------------------------------
@dataclass(frozen=True)
class Screening:
    screen: p.Screen
    why: str
    marker: p.Marker
    contact_id: int | None = None


def screen_contact(
    engine: Engine,
    *,
    user: UserContext,
    customer_id: int,
    channel: p.Channel,
    topic: str | None = None,
    via_spoc: bool = False,
    today: date,
) -> Screening:
    """What to do with this contact now, without recording it ("may I take this call?")."""
    channel = _enum(p.Channel, channel, "channel")
    with Session(engine) as session:
        require_roles(session, user, CONTACT_ROLES, "screening contacts")
        case = _open_case(session, customer_id)
        engine_case = load_engine_case(session, _id(case.id)) if case else p.Case()
    decision = engine_case.decide(
        p.Contact(date=today, by=user.username, channel=channel, topic=topic, via_spoc=via_spoc)
    )
    assert decision.screen is not None
    return Screening(decision.screen, decision.screen_why, engine_case.marker(today))


def record_contact(
    engine: Engine,
    *,
    user: UserContext,
    customer_id: int,
    on: date,
    channel: p.Channel,
    topic: str | None = None,
    via_spoc: bool = False,
    note: str = "",
    today: date,
) -> Screening:
    """Record an inbound contact, screened against the restriction; a breach is recorded."""
    note = _text(note, "note", 4000)
    topic = _text(topic, "topic", 200) or None
    channel = _enum(p.Channel, channel, "channel")
    with unit_of_work(engine) as session:
        customer = _lock_customer(session, customer_id)
        if customer is None:
            raise NotFound("That customer does not exist.")
        case = open_case_for(session, customer, today)
        step = p.Contact(date=on, by=user.username, channel=channel, topic=topic, via_spoc=via_spoc)
        applied = _apply(session, user, _id(case.id), step, today, None)
        screen = applied.decision.screen
        assert screen is not None
        current = applied.engine_case.state.active_restriction(on)
        restriction = latest_restriction_row(session, _id(case.id)) if current else None
        row = Contact(
            event_id=_id(applied.event.id),
            case_id=_id(case.id),
            customer_id=customer_id,
            team_id=customer.team_id,
            restriction_id=restriction.id if restriction else None,
            occurred_on=on,
            channel=channel.value,
            topic=topic or "",
            via_spoc=via_spoc,
            screen=screen.value,
            note=note,
        )
        session.add(row)
        sync_restrictions(session, applied)
        session.flush()
        return Screening(
            screen, applied.decision.screen_why, applied.engine_case.marker(on), row.id
        )


# -- legal steps (§8) --------------------------------------------------------------------------
def record_legal_step(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    action: p.Action,
    on: date,
    note: str = "",
    today: date,
    expected_version: int | None = None,
) -> int:
    note = _text(note, "note", 4000)
    action = _enum(p.Action, action, "action")
    if action is p.Action.LEGAL_ADVICE:
        step: p.Event = p.LegalAdvice(date=on, by=user.username)
    elif action in p.LEGAL_ACTIONS:
        step = p.LegalStep(date=on, by=user.username, kind=p.LEGAL_ACTIONS[action])
    else:
        raise InvalidInput("action", "Choose legal advice or a legal step.")
    with unit_of_work(engine) as session:
        applied = _apply(session, user, case_id, step, today, expected_version)
        session.add(
            LegalStep(
                event_id=_id(applied.event.id),
                case_id=case_id,
                kind=action.value,
                taken_on=on,
                note=note,
            )
        )
        return _id(applied.event.id)


# -- reviews (§10) -----------------------------------------------------------------------------
def review_restriction(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date,
    outcome: p.ReviewOutcome,
    customer_letter: bool,
    notes: str = "",
    today: date,
    expected_version: int | None = None,
) -> int:
    notes = _text(notes, "notes", 8000)
    outcome = _enum(p.ReviewOutcome, outcome, "outcome")
    with unit_of_work(engine) as session:
        step = p.Review(date=on, by=user.username, outcome=outcome, customer_letter=customer_letter)
        restriction = latest_restriction_row(session, case_id)
        applied = _apply(session, user, case_id, step, today, expected_version)
        assert restriction is not None
        session.add(
            CaseReview(
                event_id=_id(applied.event.id),
                case_id=case_id,
                restriction_id=_id(restriction.id),
                reviewed_on=on,
                outcome=outcome.value,
                customer_letter=customer_letter,
                notes=notes,
                reviewer_id=user.id,
            )
        )
        sync_restrictions(session, applied)
        return _id(applied.event.id)


# -- appeals and reconsiderations (§11) -----------------------------------------------------
def receive_appeal(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    received_on: date,
    letter_date: date,
    today: date,
    expected_version: int | None = None,
) -> int:
    if letter_date > received_on:
        raise InvalidInput("letter_date", "The decision letter can't be dated after the appeal.")
    with unit_of_work(engine) as session:
        step = p.Appeal(date=received_on, by=user.username, letter_date=letter_date)
        restriction = latest_restriction_row(session, case_id)
        applied = _apply(session, user, case_id, step, today, expected_version)
        assert restriction is not None
        pending = _pending_request(session, case_id, "appeal")
        if pending is not None:  # a further letter joins the appeal already waiting
            return _id(pending.id)
        row = AppealRequest(
            event_id=_id(applied.event.id),
            case_id=case_id,
            restriction_id=_id(restriction.id),
            kind="appeal",
            received_on=received_on,
            letter_date=letter_date,
            in_time=True,
            decision_due=p.decision_due(received_on),
        )
        session.add(row)
        session.flush()
        return _id(row.id)


def receive_reconsideration(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    received_on: date,
    today: date,
    expected_version: int | None = None,
) -> int:
    with unit_of_work(engine) as session:
        restriction = latest_restriction_row(session, case_id)
        step = p.Reconsideration(date=received_on, by=user.username)
        applied = _apply(session, user, case_id, step, today, expected_version)
        assert restriction is not None
        pending = _pending_request(session, case_id, "reconsideration")
        if pending is not None:  # a further request joins the one already waiting
            return _id(pending.id)
        row = AppealRequest(
            event_id=_id(applied.event.id),
            case_id=case_id,
            restriction_id=_id(restriction.id),
            kind="reconsideration",
            received_on=received_on,
            decision_due=p.decision_due(received_on),
        )
        session.add(row)
        session.flush()
        return _id(row.id)


def decide_appeal(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date,
    outcome: p.AppealOutcome,
    reasons: str,
    fact_sheet_sent: bool,
    today: date,
    expected_version: int | None = None,
) -> int:
    reasons = _text(reasons, "reasons", 8000, required=True)
    outcome = _enum(p.AppealOutcome, outcome, "outcome")
    if not fact_sheet_sent:
        raise InvalidInput(
            "fact_sheet_sent", "On appeal, the fact sheet must be sent with the letter (§11)."
        )
    step = p.AppealDecision(date=on, by=user.username, outcome=outcome)
    return _decide(
        engine,
        user,
        case_id,
        "appeal",
        step,
        outcome.value,
        reasons,
        fact_sheet_sent,
        today,
        expected_version,
    )


def decide_reconsideration(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date,
    outcome: p.ReconsiderationOutcome,
    reasons: str,
    today: date,
    expected_version: int | None = None,
) -> int:
    reasons = _text(reasons, "reasons", 8000, required=True)
    outcome = _enum(p.ReconsiderationOutcome, outcome, "outcome")
    step = p.ReconsiderationDecision(date=on, by=user.username, outcome=outcome)
    return _decide(
        engine,
        user,
        case_id,
        "reconsideration",
        step,
        outcome.value,
        reasons,
        False,
        today,
        expected_version,
    )


def _decide(
    engine: Engine,
    user: UserContext,
    case_id: int,
    kind: str,
    step: p.Event,
    outcome: str,
    reasons: str,
    fact_sheet_sent: bool,
    today: date,
    expected_version: int | None,
) -> int:
    with unit_of_work(engine) as session:
        applied = _apply(session, user, case_id, step, today, expected_version)
        row = session.exec(
            select(AppealRequest)
            .where(
                AppealRequest.case_id == case_id,
                AppealRequest.kind == kind,
                col(AppealRequest.decided_on).is_(None),
            )
            .order_by(col(AppealRequest.id).desc())
        ).first()
        assert row is not None
        row.decided_on = step.date
        row.decided_by_id = user.id
        row.outcome = outcome
        row.reasons = reasons
        row.fact_sheet_sent = fact_sheet_sent
        session.add(row)
        sync_restrictions(session, applied)
        return _id(row.id)


# -- SPOC (§6) ---------------------------------------------------------------------------------
def hand_over_spoc(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date,
    to_user_id: int,
    customer_informed: bool,
    temporary: bool = False,
    today: date,
    expected_version: int | None = None,
) -> int:
    with unit_of_work(engine) as session:
        to = session.get(AppUser, to_user_id)
        if to is None or not to.active:
            raise InvalidInput("to", "Choose an active colleague to hand over to.")
        restriction = latest_restriction_row(session, case_id)
        step = p.SpocHandover(
            date=on,
            by=user.username,
            to=to.username,
            customer_informed=customer_informed,
            temporary=temporary,
        )
        applied = _apply(session, user, case_id, step, today, expected_version)
        assert restriction is not None
        session.add(
            SpocHandover(
                event_id=_id(applied.event.id),
                case_id=case_id,
                restriction_id=_id(restriction.id),
                handed_on=on,
                from_name=restriction.spoc_name,
                to_name=to.username,
                to_user_id=to.id,
                temporary=temporary,
                customer_informed=customer_informed,
            )
        )
        restriction.spoc_user_id = to.id
        sync_restrictions(session, applied)
        return _id(applied.event.id)


@dataclass(frozen=True)
class RecommendationIn:
    text: str
    owner_id: int | None
    due_on: date


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def review_spoc(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date,
    findings: str = "",
    checklist: dict[str, bool] | None = None,
    recommendations: Sequence[RecommendationIn] = (),
    today: date,
    expected_version: int | None = None,
) -> int:
    """The quarterly sign-off of a SPOC's correspondence and decisions (§6)."""
    findings = _text(findings, "findings", 8000)
    for rec in recommendations:
        _text(rec.text, "recommendation", 2000, required=True)
        if rec.due_on < on:
            raise InvalidInput(
                "recommendation_due", "A recommendation can't be due before the review."
            )
    allowed = {
        "correspondence_reviewed",
        "decisions_reviewed",
        "customer_informed_of_changes",
        "still_proportionate",
        "eia_current",
        "replies_timely",
    }
    checks = dict(checklist or {})
    if set(checks) - allowed:
        raise InvalidInput(
            "checklist", f"Unknown checklist item: {sorted(set(checks) - allowed)[0]}"
        )
    with unit_of_work(engine) as session:
        restriction = latest_restriction_row(session, case_id)
        step = p.SpocReview(
            date=on, by=user.username, recommendations=tuple(r.text for r in recommendations)
        )
        applied = _apply(session, user, case_id, step, today, expected_version)
        assert restriction is not None
        review = SpocReview(
            event_id=_id(applied.event.id),
            case_id=case_id,
            restriction_id=_id(restriction.id),
            reviewed_on=on,
            quarter=quarter_of(on),
            reviewer_id=user.id,
            spoc_name=restriction.spoc_name,
            findings=findings,
            **checks,
        )
        session.add(review)
        session.flush()
        for rec in recommendations:
            session.add(
                Recommendation(
                    spoc_review_id=_id(review.id),
                    case_id=case_id,
                    text=rec.text.strip(),
                    owner_id=rec.owner_id,
                    due_on=rec.due_on,
                )
            )
        sync_restrictions(session, applied)
        return _id(review.id)


def complete_recommendation(
    engine: Engine, *, user: UserContext, recommendation_id: int, note: str, today: date
) -> None:

    note = _text(note, "note", 2000, required=True)
    with unit_of_work(engine) as session:
        require_roles(
            session,
            user,
            [p.Role.CASE_MANAGER, p.Role.LINE_MANAGER, p.Role.SENIOR_OFFICER, p.Role.OFFICER],
            "completing recommendations",
        )
        rec = session.get(Recommendation, recommendation_id)
        if rec is None:
            raise NotFound("That recommendation does not exist.")
        if rec.done_on is not None:
            raise InvalidInput("recommendation", "That recommendation is already done.")
        rec.done_on = today
        rec.done_note = note
        session.add(rec)
        case = session.get(Case, rec.case_id)
        audit(
            session,
            user,
            "recommendation.done",
            entity="recommendation",
            entity_id=rec.id,
            customer_id=case.customer_id if case else None,
            detail={"note": note},
        )


E = TypeVar("E", bound=p.vocabulary.Labelled)


# -- helpers --------------------------------------------------------------------------------------
def _apply(
    session: Session,
    user: UserContext,
    case_id: int,
    step: p.Event,
    today: date,
    expected_version: int | None,
) -> Applied:
    return apply_step(
        session,
        user=user,
        case_id=case_id,
        step=step,
        today=today,
        expected_version=expected_version,
    )


def _pending_request(session: Session, case_id: int, kind: str) -> AppealRequest | None:
    return session.exec(
        select(AppealRequest).where(
            AppealRequest.case_id == case_id,
            AppealRequest.kind == kind,
            col(AppealRequest.decided_on).is_(None),
        )
    ).first()


def _open_case(session: Session, customer_id: int) -> Case | None:
    return session.exec(
        select(Case)
        .where(Case.customer_id == customer_id, col(Case.closed_on).is_(None))
        .order_by(col(Case.id).desc())
    ).first()


def _lock_customer(session: Session, customer_id: int) -> Customer | None:
    """The customer row, locked until commit (PostgreSQL ``FOR UPDATE``; SQLite's
    ``BEGIN IMMEDIATE`` serialises writers anyway), so that two people recording the first
    step for a customer at once cannot open two cases."""
    return session.get(Customer, customer_id, with_for_update=True)


def _bounded(value: str | None, field: str, limit: int) -> str | None:
    """An optional text kept as given (None stays None), refused when longer than ``limit``."""
    if value is not None and len(value) > limit:
        raise InvalidInput(
            field,
            f"{field.replace('_', ' ').capitalize()} is too long (at most {limit} characters).",
        )
    return value


def _id(value: int | None) -> int:
    assert value is not None
    return value


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _enum(kind: type[E], value: object, field: str) -> E:
    try:
        return kind(str(value))
    except ValueError:
        label = field.replace("_", " ").capitalize()
        raise InvalidInput(field, f"{label}: choose one of the options.") from None
