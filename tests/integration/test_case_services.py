"""Every case service end to end, on SQLite and PostgreSQL: the typed rows, the chronology
event and the audit event each writes; refusals and crashes write nothing; bad input is
refused at the boundary with the field named."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ube_core import procedure as p
from ube_core.errors import InvalidInput, NotFound, StepRefused
from ube_core.services import cases, customers, steps, users
from ube_core.services.cases import RecommendationIn
from ube_core.storage.codec import from_payload
from ube_core.storage.models import (
    AppealRequest,
    AppUser,
    Case,
    CaseEvent,
    CaseReview,
    CircumstancesChange,
    Contact,
    Customer,
    CustomerCreate,
    Eia,
    Incident,
    IncidentCreate,
    InformalStep,
    LegalStep,
    Recommendation,
    Restriction,
    RestrictionType,
    SpocHandover,
    SpocReview,
    UserCreate,
    Warning,
)

from .conftest import (
    EIA_ON,
    INCIDENT_1,
    PASSWORD,
    RESTRICT_ON,
    TODAY,
    World,
    audit_events,
    build_case_ready_to_restrict,
    build_restricted_case,
    case_row,
    engine_case,
    event_actions,
    incident_data,
    one,
    rows,
    snapshot,
)

R = p.Reason


def d(text: str) -> date:
    return date.fromisoformat(text)


def refused(world: World, call: Callable[[], object]) -> tuple[p.Reason, ...]:
    """The reasons ``call`` is refused for, after checking it wrote nothing at all."""
    before = snapshot(world.engine)
    with pytest.raises(StepRefused) as info:
        call()
    assert snapshot(world.engine) == before, "a refused step wrote something"
    return info.value.reasons


def last_audit(world: World) -> Any:
    return audit_events(world.engine)[-1]


# -- incidents ---------------------------------------------------------------------------------
def test_record_incident_writes_incident_event_and_audit(world: World) -> None:
    e = world.engine
    out = cases.record_incident(
        e,
        user=world.officer,
        data=incident_data(
            world.customer_id,
            INCIDENT_1,
            severity="serious",
            behaviour="threats_of_violence",
            narrative="Threatened to come to the office and hurt someone.",
        ),
        today=TODAY,
    )
    assert out.customer_id == world.customer_id
    assert out.severity == "serious"

    case = case_row(e, out.case_id)
    assert case.customer_id == world.customer_id
    assert case.team_id == world.team_id
    assert case.opened_on == TODAY
    assert case.stage == "Incident logged"
    assert case.version == 2

    event = one(e, CaseEvent, case_id=out.case_id)
    assert (event.seq, event.action, event.occurred_on) == (1, "incident", INCIDENT_1)
    assert (event.by_user_id, event.by_name) == (world.officer.id, world.officer.name)
    assert event.summary == "Serious incident: Aggressive or abusive behaviour by telephone"
    step = from_payload(event.payload)
    assert step == p.Incident(
        date=INCIDENT_1,
        by="olu.officer",
        category=p.Category.AGGRESSIVE_ABUSIVE,
        severity=p.Severity.SERIOUS,
        channel=p.Channel.PHONE,
        behaviour=p.Behaviour.THREATS_OF_VIOLENCE,
    )

    incident = one(e, Incident, id=out.id)
    assert incident.event_id == event.id
    assert incident.case_id == out.case_id
    assert incident.team_id == world.team_id
    assert incident.occurred_on == INCIDENT_1
    assert incident.occurred_at == datetime(2025, 1, 6, 10, 30, tzinfo=UTC)
    assert incident.recorded_by_id == world.officer.id
    assert incident.narrative == "Threatened to come to the office and hurt someone."

    audit = last_audit(world)
    assert audit.action == "case.incident"
    assert (audit.user_id, audit.username) == (world.officer.id, "olu.officer")
    assert (audit.entity, audit.entity_id, audit.customer_id) == (
        "case_event",
        event.id,
        world.customer_id,
    )
    assert json.loads(audit.detail)["case_id"] == out.case_id

    # A second incident belongs to the same open case (one case per customer episode).
    again = cases.record_incident(
        e, user=world.officer, data=incident_data(world.customer_id, d("2025-01-07")), today=TODAY
    )
    assert again.case_id == out.case_id
    assert len(rows(e, Case, customer_id=world.customer_id)) == 1
    assert event_actions(e, out.case_id) == ["incident", "incident"]
    assert case_row(e, out.case_id).version == 3
    assert len(audit_events(e, action="case.incident")) == 2


def test_incident_today_is_allowed_and_missing_customer_is_not_found(world: World) -> None:
    out = cases.record_incident(
        world.engine, user=world.officer, data=incident_data(world.customer_id, TODAY), today=TODAY
    )
    assert out.case_id
    before = snapshot(world.engine)
    with pytest.raises(NotFound):
        cases.record_incident(
            world.engine, user=world.officer, data=incident_data(99_999, TODAY), today=TODAY
        )
    assert snapshot(world.engine) == before


# -- informal steps, EIA, circumstances ---------------------------------------------------------
def test_informal_step_eia_and_circumstances_change(world: World) -> None:
    e = world.engine
    case_id = cases.record_incident(
        e, user=world.officer, data=incident_data(world.customer_id, INCIDENT_1), today=TODAY
    ).case_id

    event_id = cases.record_informal_step(
        e,
        user=world.officer,
        case_id=case_id,
        kind=p.InformalKind.SUPPORT,
        on=d("2025-01-08"),
        note="Offered a named contact and a weekly call.",
        today=TODAY,
    )
    step = one(e, InformalStep, case_id=case_id)
    assert (step.event_id, step.kind, step.taken_on) == (event_id, "support", d("2025-01-08"))
    assert step.note == "Offered a named contact and a weekly call."
    assert case_row(e, case_id).stage == "Informal action"
    assert last_audit(world).action == "case.support"

    cases.record_eia(
        e,
        user=world.case_manager,
        case_id=case_id,
        on=EIA_ON,
        proportionate=True,
        needs_considered="Anxiety disorder; prefers written contact.",
        adjustments="Written summaries after every call.",
        alternatives="Support plan tried first.",
        conclusion="A restriction would be proportionate.",
        today=TODAY,
    )
    eia = one(e, Eia, case_id=case_id)
    assert (eia.assessed_on, eia.assessor_id, eia.proportionate) == (
        EIA_ON,
        world.case_manager.id,
        True,
    )
    assert eia.review_due == d("2025-07-15") == p.six_months_after(EIA_ON)
    assert eia.needs_considered == "Anxiety disorder; prefers written contact."
    assert eia.adjustments == "Written summaries after every call."
    assert case_row(e, case_id).eia_review_due == d("2025-07-15")

    cases.record_circumstances_change(
        e,
        user=world.officer,
        case_id=case_id,
        on=d("2025-03-01"),
        note="Customer was admitted to hospital.",
        today=TODAY,
    )
    change = one(e, CircumstancesChange, case_id=case_id)
    assert (change.noted_on, change.note) == (d("2025-03-01"), "Customer was admitted to hospital.")
    # The EIA is due for review on the day of the change (rule 2), so it is no longer current.
    assert case_row(e, case_id).eia_review_due == d("2025-03-01")
    assert engine_case(e, case_id).state.eia_review_due == d("2025-03-01")
    reasons = refused(
        world,
        lambda: cases.give_formal_warning(
            e,
            user=world.case_manager,
            case_id=case_id,
            on=d("2025-03-02"),
            behaviour="Shouting.",
            today=TODAY,
        ),
    )
    assert reasons == (R.EIA_STALE,)
    assert event_actions(e, case_id) == ["incident", "support", "eia", "circumstances_change"]


def test_informal_step_needs_an_incident(world: World) -> None:
    e = world.engine
    # A contact opens a case with no incident on it.
    cases.record_contact(
        e,
        user=world.officer,
        customer_id=world.customer_id,
        on=TODAY,
        channel=p.Channel.PHONE,
        today=TODAY,
    )
    case_id = one(e, Case, customer_id=world.customer_id).id
    assert case_id is not None
    reasons = refused(
        world,
        lambda: cases.record_informal_step(
            e,
            user=world.officer,
            case_id=case_id,
            kind=p.InformalKind.INITIAL_WARNING,
            on=TODAY,
            today=TODAY,
        ),
    )
    assert reasons == (R.NO_INCIDENT,)


# -- warnings --------------------------------------------------------------------------------
def test_formal_warning_row_and_seriousness_override(world: World) -> None:
    e = world.engine
    case_id = build_case_ready_to_restrict(world)
    warning = one(e, Warning, case_id=case_id)
    assert (warning.kind, warning.given_on, warning.behaviour) == (
        "formal",
        d("2025-01-20"),
        "Swearing at colleagues.",
    )
    assert warning.override_reason is None
    assert last_audit(world).action == "case.incident"  # the incident after the warning

    # A serious incident and a written reason may skip the informal step (§4).
    other = world.new_customer("T-0002")
    other_case = cases.record_incident(
        e,
        user=world.officer,
        data=incident_data(other, INCIDENT_1, severity="serious"),
        today=TODAY,
    ).case_id
    cases.record_eia(
        e,
        user=world.case_manager,
        case_id=other_case,
        on=EIA_ON,
        proportionate=True,
        needs_considered="None recorded.",
        today=TODAY,
    )
    reasons = refused(
        world,
        lambda: cases.give_formal_warning(
            e,
            user=world.case_manager,
            case_id=other_case,
            on=d("2025-01-20"),
            behaviour="Threats.",
            override_reason="   ",
            today=TODAY,
        ),
    )
    assert reasons == (R.NO_INFORMAL_STEP, R.JUSTIFICATION_REQUIRED)
    cases.give_formal_warning(
        e,
        user=world.case_manager,
        case_id=other_case,
        on=d("2025-01-20"),
        behaviour="Threats.",
        override_reason="Threats of violence: an informal step would put staff at risk.",
        today=TODAY,
    )
    overridden = one(e, Warning, case_id=other_case)
    assert overridden.override_reason == (
        "Threats of violence: an informal step would put staff at risk."
    )
    assert case_row(e, other_case).stage == "Formal warning"


# -- restrictions ------------------------------------------------------------------------------
def test_restriction_row_due_dates_equal_the_engines(world: World) -> None:
    e = world.engine
    built = build_restricted_case(world)
    row = one(e, Restriction, id=built.restriction_id)
    state = engine_case(e, built.case_id).state.restrictions[-1]

    assert row.number == state.number == 1
    assert row.start_on == state.start == RESTRICT_ON
    assert row.end_on == state.end == d("2025-08-10")
    assert row.case_review_due == state.case_review_due == d("2025-08-10")
    assert row.spoc_review_due == state.spoc_review_due == d("2025-05-10")
    assert row.appeal_deadline == state.appeal_deadline == d("2025-02-24")
    due = p.due_dates(engine_case(e, built.case_id).state, TODAY)
    assert due[p.Due.CASE_REVIEW] == row.case_review_due
    assert due[p.Due.SPOC_REVIEW] == row.spoc_review_due
    assert due[p.Due.RESTRICTION_END] == row.end_on

    assert (row.months, row.types, row.allowed_channels) == (6, "spoc", "")
    assert (row.spoc_name, row.spoc_user_id) == ("spike.spoc", world.spoc.id)
    assert row.made_by_id == world.case_manager.id
    assert row.reasons == "Repeated abuse of colleagues after a formal warning."
    assert row.informed == "Repairs contractor, contact centre"
    assert (row.ended_on, row.end_reason, row.breaches) == (None, None, 0)
    assert row.customer_id == world.customer_id and row.team_id == world.team_id
    assert [t.type for t in rows(e, RestrictionType, restriction_id=row.id)] == ["spoc"]
    event = one(e, CaseEvent, id=row.event_id)
    assert event.action == "restrict"
    assert case_row(e, built.case_id).stage == "Contact restricted"
    assert last_audit(world).action == "case.restrict"

    # A new restriction replaces the active one, which ends that day (rule 4).
    second_id = cases.restrict_contact(
        e,
        user=world.senior_officer,
        case_id=built.case_id,
        on=d("2025-02-20"),
        types=[p.RestrictionType.SINGLE_CHANNEL, p.RestrictionType.WRITTEN_ONLY],
        months=12,
        reasons="Abuse continued by phone.",
        allowed_channels=[p.Channel.EMAIL],
        today=TODAY,
    )
    first = one(e, Restriction, id=built.restriction_id)
    assert (first.ended_on, first.end_reason) == (d("2025-02-20"), "restrict")
    second = one(e, Restriction, id=second_id)
    state = engine_case(e, built.case_id).state.restrictions[-1]
    assert second.number == 2
    assert second.end_on == state.end == d("2026-02-20")
    assert second.case_review_due == state.case_review_due == d("2025-08-20")
    assert second.spoc_review_due is None and state.spoc_review_due is None
    assert (second.spoc_name, second.spoc_user_id) == (None, None)
    assert (second.types, second.allowed_channels) == ("single_channel,written_only", "email")
    assert sorted(t.type for t in rows(e, RestrictionType, restriction_id=second_id)) == [
        "single_channel",
        "written_only",
    ]


def test_refused_restriction_leaves_no_row_and_no_audit_event(world: World) -> None:
    e = world.engine
    case_id = cases.record_incident(
        e, user=world.officer, data=incident_data(world.customer_id, INCIDENT_1), today=TODAY
    ).case_id
    cases.record_eia(
        e,
        user=world.case_manager,
        case_id=case_id,
        on=EIA_ON,
        proportionate=True,
        needs_considered="None.",
        today=TODAY,
    )
    before = snapshot(e)
    audit_count = len(audit_events(e))
    with pytest.raises(StepRefused) as info:
        cases.restrict_contact(
            e,
            user=world.case_manager,
            case_id=case_id,
            on=d("2025-02-01"),
            types=[p.RestrictionType.SPOC],
            months=6,
            reasons="Abuse.",
            spoc_user_id=world.spoc.id,
            today=TODAY,
        )
    assert info.value.action is p.Action.RESTRICT
    assert info.value.reasons == (R.NO_FORMAL_WARNING,)
    assert info.value.messages == [R.NO_FORMAL_WARNING.explanation]
    after = snapshot(e)
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}
    assert after == before
    assert len(audit_events(e)) == audit_count
    assert case_row(e, case_id).version == 3

    # Every reason is given at once.
    bare_case = cases.record_incident(
        e,
        user=world.officer,
        data=incident_data(world.new_customer("T-0003"), INCIDENT_1),
        today=TODAY,
    ).case_id
    reasons = refused(
        world,
        lambda: cases.restrict_contact(
            e,
            user=world.case_manager,
            case_id=bare_case,
            on=d("2025-02-01"),
            types=[],
            months=13,
            reasons="",
            today=TODAY,
        ),
    )
    assert reasons == (R.EIA_MISSING, R.NO_FORMAL_WARNING, R.DETAILS_MISSING)


def test_refused_incident_does_not_even_open_a_case(world: World) -> None:
    reasons = refused(
        world,
        lambda: cases.record_incident(
            world.engine,
            user=world.manager,
            data=incident_data(world.customer_id, INCIDENT_1),
            today=TODAY,
        ),
    )
    assert reasons == (R.NOT_AUTHORISED,)
    assert rows(world.engine, Case) == []


# -- contacts --------------------------------------------------------------------------------
def test_contact_screened_stored_and_breach_counted(world: World) -> None:
    e = world.engine
    built = build_restricted_case(world)

    before = snapshot(e)
    screening = cases.screen_contact(
        e, user=world.officer, customer_id=world.customer_id, channel=p.Channel.PHONE, today=TODAY
    )
    assert screening.screen is p.Screen.BREACH
    assert "single point of contact" in screening.why
    assert screening.marker.restricted and screening.marker.spoc == "spike.spoc"
    assert screening.contact_id is None
    assert snapshot(e) == before, "screening alone must not write"

    breach = cases.record_contact(
        e,
        user=world.officer,
        customer_id=world.customer_id,
        on=d("2025-02-14"),
        channel=p.Channel.PHONE,
        note="Rang the contact centre directly.",
        today=TODAY,
    )
    assert breach.screen is p.Screen.BREACH
    row = one(e, Contact, id=breach.contact_id)
    assert (row.screen, row.channel, row.via_spoc, row.topic) == ("breach", "phone", False, "")
    assert (row.restriction_id, row.case_id) == (built.restriction_id, built.case_id)
    assert row.note == "Rang the contact centre directly."
    assert one(e, CaseEvent, id=row.event_id).action == "contact"
    assert one(e, Restriction, id=built.restriction_id).breaches == 1

    allowed = cases.record_contact(
        e,
        user=world.spoc,
        customer_id=world.customer_id,
        on=d("2025-02-15"),
        channel=p.Channel.EMAIL,
        via_spoc=True,
        today=TODAY,
    )
    assert allowed.screen is p.Screen.ALLOWED
    assert one(e, Contact, id=allowed.contact_id).screen == "allowed"

    exclusion = cases.record_contact(
        e,
        user=world.officer,
        customer_id=world.customer_id,
        on=d("2025-02-16"),
        channel=p.Channel.PHONE,
        topic="urgent_repair",
        today=TODAY,
    )
    assert exclusion.screen is p.Screen.EXCLUSION
    assert one(e, Contact, id=exclusion.contact_id).topic == "urgent_repair"
    assert one(e, Restriction, id=built.restriction_id).breaches == 1
    assert engine_case(e, built.case_id).state.restriction.breaches == 1
    assert len(audit_events(e, action="case.contact")) == 3

    # Another customer, no restriction: allowed, tied to no restriction.
    other = cases.record_contact(
        e,
        user=world.officer,
        customer_id=world.new_customer("T-0009"),
        on=TODAY,
        channel=p.Channel.PHONE,
        today=TODAY,
    )
    assert other.screen is p.Screen.ALLOWED
    assert one(e, Contact, id=other.contact_id).restriction_id is None


# -- breaches and the legal ladder (§8) ----------------------------------------------------------
def _breach(world: World, on: str) -> None:
    cases.record_contact(
        world.engine,
        user=world.officer,
        customer_id=world.customer_id,
        on=d(on),
        channel=p.Channel.PHONE,
        today=TODAY,
    )


def _legal(world: World, case_id: int, action: p.Action, on: str) -> int:
    return cases.record_legal_step(
        world.engine,
        user=world.case_manager,
        case_id=case_id,
        action=action,
        on=d(on),
        note=f"{action.label} on file.",
        today=TODAY,
    )


def test_breach_warning_and_legal_ladder(world: World) -> None:
    e = world.engine
    built = build_restricted_case(world)
    case_id = built.case_id

    def breach_warning(on: str) -> int:
        return cases.give_breach_warning(
            e,
            user=world.case_manager,
            case_id=case_id,
            on=d(on),
            behaviour="Kept phoning.",
            today=TODAY,
        )

    assert refused(world, lambda: breach_warning("2025-02-13")) == (R.NO_BREACH,)
    _breach(world, "2025-02-14")
    breach_warning("2025-02-15")
    warning = one(e, Warning, case_id=case_id, kind="breach")
    assert (warning.given_on, warning.behaviour) == (d("2025-02-15"), "Kept phoning.")

    advice = p.Action.LEGAL_ADVICE
    assert refused(world, lambda: _legal(world, case_id, advice, "2025-02-16")) == (
        R.NO_BREACH_SINCE_WARNING,
    )
    assert refused(world, lambda: _legal(world, case_id, p.Action.INJUNCTION, "2025-02-16")) == (
        R.NO_LEGAL_ADVICE,
    )
    _breach(world, "2025-02-17")
    assert one(e, Restriction, id=built.restriction_id).breaches == 2
    _legal(world, case_id, advice, "2025-02-18")
    assert refused(world, lambda: _legal(world, case_id, p.Action.NOSP, "2025-02-19")) == (
        R.NO_PRIOR_LEGAL_STEP,
    )
    _legal(world, case_id, p.Action.LEGAL_WARNING_LETTER, "2025-02-19")
    _legal(world, case_id, p.Action.INJUNCTION, "2025-02-20")
    _legal(world, case_id, p.Action.CIVIL_RESTRAINT_ORDER, "2025-02-21")
    _legal(world, case_id, p.Action.NOSP, "2025-02-22")

    steps = rows(e, LegalStep, case_id=case_id)
    assert [(s.kind, s.taken_on) for s in steps] == [
        ("legal_advice", d("2025-02-18")),
        ("legal_warning_letter", d("2025-02-19")),
        ("injunction", d("2025-02-20")),
        ("civil_restraint_order", d("2025-02-21")),
        ("nosp", d("2025-02-22")),
    ]
    assert steps[-1].note == "Notice of Seeking Possession on file."
    assert case_row(e, case_id).stage == "Legal action"
    assert [a.action for a in audit_events(e)][-5:] == [
        "case.legal_advice",
        "case.legal_warning_letter",
        "case.injunction",
        "case.civil_restraint_order",
        "case.nosp",
    ]


# -- reviews (§10) -------------------------------------------------------------------------------
def test_review_remain_then_remove_ends_the_restriction(world: World) -> None:
    e = world.engine
    built = build_restricted_case(world, months=12)
    assert one(e, Restriction, id=built.restriction_id).case_review_due == d("2025-08-10")

    def review(on: str, outcome: p.ReviewOutcome, letter: bool = True) -> int:
        return cases.review_restriction(
            e,
            user=world.case_manager,
            case_id=built.case_id,
            on=d(on),
            outcome=outcome,
            customer_letter=letter,
            notes=f"Review: {outcome.value}.",
            today=TODAY,
        )

    assert refused(world, lambda: review("2025-04-01", p.ReviewOutcome.REMAIN, letter=False)) == (
        R.CUSTOMER_NOT_INFORMED,
    )
    review("2025-04-01", p.ReviewOutcome.REMAIN)
    row = one(e, CaseReview, case_id=built.case_id)
    assert (row.restriction_id, row.reviewed_on, row.outcome, row.customer_letter) == (
        built.restriction_id,
        d("2025-04-01"),
        "remain",
        True,
    )
    assert (row.reviewer_id, row.notes) == (world.case_manager.id, "Review: remain.")
    restriction = one(e, Restriction, id=built.restriction_id)
    assert restriction.case_review_due == d("2025-10-01")
    assert restriction.ended_on is None

    review("2025-04-15", p.ReviewOutcome.REMOVE)
    restriction = one(e, Restriction, id=built.restriction_id)
    assert (restriction.ended_on, restriction.end_reason) == (d("2025-04-15"), "review")
    assert case_row(e, built.case_id).stage == "Restriction ended"
    # It no longer applies, even on the same day.
    after = cases.record_contact(
        e,
        user=world.officer,
        customer_id=world.customer_id,
        on=d("2025-04-15"),
        channel=p.Channel.PHONE,
        today=TODAY,
    )
    assert after.screen is p.Screen.ALLOWED
    assert one(e, Contact, id=after.contact_id).restriction_id is None
    assert refused(world, lambda: review("2025-04-16", p.ReviewOutcome.REMAIN)) == (
        R.NOT_RESTRICTED,
    )


# -- appeals and reconsiderations (§11) ---------------------------------------------------------
def test_appeal_received_and_decided_with_decision_due(world: World) -> None:
    e = world.engine
    built = build_restricted_case(world)
    appeal_id = cases.receive_appeal(
        e,
        user=world.officer,
        case_id=built.case_id,
        received_on=d("2025-02-20"),
        letter_date=RESTRICT_ON,
        today=TODAY,
    )
    row = one(e, AppealRequest, id=appeal_id)
    assert (row.kind, row.received_on, row.letter_date, row.in_time) == (
        "appeal",
        d("2025-02-20"),
        RESTRICT_ON,
        True,
    )
    assert row.decision_due == d("2025-03-20") == p.decision_due(d("2025-02-20"))
    assert row.restriction_id == built.restriction_id
    assert row.decided_on is None
    assert p.due_dates(engine_case(e, built.case_id).state, TODAY)[p.Due.APPEAL_DECISION] == (
        row.decision_due
    )
    assert last_audit(world).action == "case.appeal"

    decided = cases.decide_appeal(
        e,
        user=world.senior_officer,
        case_id=built.case_id,
        on=d("2025-03-10"),
        outcome=p.AppealOutcome.UPHELD,
        reasons="The restriction is proportionate.",
        fact_sheet_sent=True,
        today=TODAY,
    )
    assert decided == appeal_id
    row = one(e, AppealRequest, id=appeal_id)
    assert (row.decided_on, row.decided_by_id, row.outcome) == (
        d("2025-03-10"),
        world.senior_officer.id,
        "upheld",
    )
    assert (row.reasons, row.fact_sheet_sent) == ("The restriction is proportionate.", True)
    assert one(e, Restriction, id=built.restriction_id).ended_on is None
    assert last_audit(world).action == "case.appeal_decision"

    # The decision is final, and a late appeal is out of time anyway.
    reasons = refused(
        world,
        lambda: cases.receive_appeal(
            e,
            user=world.officer,
            case_id=built.case_id,
            received_on=d("2025-03-11"),
            letter_date=RESTRICT_ON,
            today=TODAY,
        ),
    )
    assert reasons == (R.APPEAL_OUT_OF_TIME, R.DECISION_FINAL)
    assert refused(
        world,
        lambda: cases.decide_appeal(
            e,
            user=world.senior_officer,
            case_id=built.case_id,
            on=d("2025-03-12"),
            outcome=p.AppealOutcome.OVERTURNED,
            reasons="Again.",
            fact_sheet_sent=True,
            today=TODAY,
        ),
    ) == (R.NO_PENDING_APPEAL,)


def test_appeal_overturned_by_an_uninvolved_senior_officer_ends_restriction(world: World) -> None:
    e = world.engine
    built = build_restricted_case(world, by=world.senior_officer)
    cases.receive_appeal(
        e,
        user=world.officer,
        case_id=built.case_id,
        received_on=d("2025-02-24"),
        letter_date=RESTRICT_ON,
        today=TODAY,
    )

    def decide(user: Any) -> int:
        return cases.decide_appeal(
            e,
            user=user,
            case_id=built.case_id,
            on=d("2025-03-01"),
            outcome=p.AppealOutcome.OVERTURNED,
            reasons="Not enough was done to support the customer first.",
            fact_sheet_sent=True,
            today=TODAY,
        )

    assert refused(world, lambda: decide(world.senior_officer)) == (R.REVIEWER_INVOLVED,)
    assert refused(world, lambda: decide(world.case_manager)) == (R.NOT_AUTHORISED,)
    decide(world.senior_officer_2)
    row = one(e, AppealRequest, case_id=built.case_id)
    assert (row.outcome, row.decided_by_id) == ("overturned", world.senior_officer_2.id)
    restriction = one(e, Restriction, id=built.restriction_id)
    assert (restriction.ended_on, restriction.end_reason) == (d("2025-03-01"), "appeal_decision")
    assert case_row(e, built.case_id).stage == "Restriction ended"


def test_a_second_pending_appeal_leaves_no_undecided_row_behind(world: World) -> None:
    e = world.engine
    built = build_restricted_case(world)
    for received in ("2025-02-12", "2025-02-20"):
        cases.receive_appeal(
            e,
            user=world.officer,
            case_id=built.case_id,
            received_on=d(received),
            letter_date=RESTRICT_ON,
            today=TODAY,
        )
    cases.decide_appeal(
        e,
        user=world.senior_officer,
        case_id=built.case_id,
        on=d("2025-03-01"),
        outcome=p.AppealOutcome.UPHELD,
        reasons="Proportionate.",
        fact_sheet_sent=True,
        today=TODAY,
    )
    assert engine_case(e, built.case_id).state.pending_appeal is None
    appeals = rows(e, AppealRequest, case_id=built.case_id)
    assert [r.decided_on for r in appeals] == [d("2025-03-01")]
    # the decision is due 28 days after the first letter, not the second
    assert appeals[0].decision_due == d("2025-03-12")


def test_reconsideration_lift_ends_the_restriction(world: World) -> None:
    e = world.engine
    built = build_restricted_case(world)
    request_id = cases.receive_reconsideration(
        e, user=world.officer, case_id=built.case_id, received_on=d("2025-03-01"), today=TODAY
    )
    row = one(e, AppealRequest, id=request_id)
    assert (row.kind, row.received_on, row.letter_date) == (
        "reconsideration",
        d("2025-03-01"),
        None,
    )
    assert row.decision_due == d("2025-03-29")

    def decide() -> int:
        return cases.decide_reconsideration(
            e,
            user=world.senior_officer,
            case_id=built.case_id,
            on=d("2025-03-15"),
            outcome=p.ReconsiderationOutcome.LIFT,
            reasons="The customer has engaged with support.",
            today=TODAY,
        )

    assert decide() == request_id
    row = one(e, AppealRequest, id=request_id)
    assert (row.decided_on, row.decided_by_id, row.outcome, row.fact_sheet_sent) == (
        d("2025-03-15"),
        world.senior_officer.id,
        "lift",
        False,
    )
    restriction = one(e, Restriction, id=built.restriction_id)
    assert (restriction.ended_on, restriction.end_reason) == (
        d("2025-03-15"),
        "reconsideration_decision",
    )
    assert refused(world, decide) == (R.NO_PENDING_RECONSIDERATION,)


# -- SPOC (§6) -------------------------------------------------------------------------------
def test_spoc_handover_changes_the_spoc(world: World) -> None:
    e = world.engine
    built = build_restricted_case(world)

    def hand_over(
        to: int, informed: bool = True, temporary: bool = False, on: str = "2025-03-01"
    ) -> int:
        return cases.hand_over_spoc(
            e,
            user=world.case_manager,
            case_id=built.case_id,
            on=d(on),
            to_user_id=to,
            customer_informed=informed,
            temporary=temporary,
            today=TODAY,
        )

    assert world.officer.id is not None and world.line_manager.id is not None
    assert refused(world, lambda: hand_over(world.officer.id, informed=False)) == (
        R.CUSTOMER_NOT_INFORMED,
    )
    hand_over(world.officer.id)
    row = one(e, SpocHandover, case_id=built.case_id)
    assert (row.from_name, row.to_name, row.to_user_id) == (
        "spike.spoc",
        "olu.officer",
        world.officer.id,
    )
    assert (row.handed_on, row.temporary, row.customer_informed) == (d("2025-03-01"), False, True)
    assert row.restriction_id == built.restriction_id
    restriction = one(e, Restriction, id=built.restriction_id)
    assert (restriction.spoc_name, restriction.spoc_user_id) == ("olu.officer", world.officer.id)
    assert engine_case(e, built.case_id).marker(TODAY).spoc == "olu.officer"

    hand_over(world.line_manager.id, temporary=True, on="2025-03-05")
    temp = rows(e, SpocHandover, case_id=built.case_id)[-1]
    assert (temp.from_name, temp.to_name, temp.temporary) == ("olu.officer", "lee.lm", True)
    assert one(e, Restriction, id=built.restriction_id).spoc_name == "lee.lm"

    # Only an active colleague can take over.
    assert world.manager.id is not None
    users.set_active(e, user=world.admin, user_id=world.manager.id, active=False)
    before = snapshot(e)
    with pytest.raises(InvalidInput) as info:
        hand_over(world.manager.id)
    assert info.value.field == "to"
    assert snapshot(e) == before


def test_spoc_review_with_recommendations_and_follow_up(world: World) -> None:
    e = world.engine
    built = build_restricted_case(world)
    assert world.spoc.id is not None and world.case_manager.id is not None
    review_id = cases.review_spoc(
        e,
        user=world.line_manager,
        case_id=built.case_id,
        on=d("2025-04-01"),
        findings="Two replies were late.",
        checklist={"replies_timely": False},
        recommendations=[
            RecommendationIn("Reply within 5 working days.", world.spoc.id, d("2025-04-30")),
            RecommendationIn("Refresh the EIA.", world.case_manager.id, d("2025-05-15")),
        ],
        today=TODAY,
    )
    review = one(e, SpocReview, id=review_id)
    assert (review.case_id, review.restriction_id, review.reviewed_on) == (
        built.case_id,
        built.restriction_id,
        d("2025-04-01"),
    )
    assert (review.quarter, review.reviewer_id, review.spoc_name) == (
        "2025-Q2",
        world.line_manager.id,
        "spike.spoc",
    )
    assert review.replies_timely is False
    assert review.correspondence_reviewed and review.still_proportionate
    assert review.findings == "Two replies were late."
    recs = rows(e, Recommendation, spoc_review_id=review_id)
    assert [(r.text, r.owner_id, r.due_on, r.done_on) for r in recs] == [
        ("Reply within 5 working days.", world.spoc.id, d("2025-04-30"), None),
        ("Refresh the EIA.", world.case_manager.id, d("2025-05-15"), None),
    ]
    restriction = one(e, Restriction, id=built.restriction_id)
    assert restriction.spoc_review_due == d("2025-07-01") == p.quarter_after(d("2025-04-01"))
    assert last_audit(world).action == "case.spoc_review"

    first = recs[0].id
    assert first is not None
    cases.complete_recommendation(
        e, user=world.spoc, recommendation_id=first, note="Now replying same week.", today=TODAY
    )
    done = one(e, Recommendation, id=first)
    assert (done.done_on, done.done_note) == (TODAY, "Now replying same week.")
    audit = last_audit(world)
    assert (audit.action, audit.entity_id, audit.customer_id, audit.user_id) == (
        "recommendation.done",
        first,
        world.customer_id,
        world.spoc.id,
    )
    before = snapshot(e)
    with pytest.raises(InvalidInput) as info:
        cases.complete_recommendation(
            e, user=world.spoc, recommendation_id=first, note="Again.", today=TODAY
        )
    assert info.value.field == "recommendation"
    with pytest.raises(NotFound):
        cases.complete_recommendation(
            e, user=world.spoc, recommendation_id=99_999, note="Nope.", today=TODAY
        )
    assert snapshot(e) == before


def test_spoc_cannot_review_themselves(world: World) -> None:
    e = world.engine
    built = build_restricted_case(world)
    assert world.line_manager.id is not None
    cases.hand_over_spoc(
        e,
        user=world.case_manager,
        case_id=built.case_id,
        on=d("2025-03-01"),
        to_user_id=world.line_manager.id,
        customer_informed=True,
        today=TODAY,
    )
    reasons = refused(
        world,
        lambda: cases.review_spoc(
            e, user=world.line_manager, case_id=built.case_id, on=d("2025-04-01"), today=TODAY
        ),
    )
    assert reasons == (R.REVIEWER_IS_SPOC,)


# -- a crash mid-service leaves nothing ----------------------------------------------------------
class Injected(RuntimeError):
    pass


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise Injected("injected failure")


class _ExplodingModel:
    """Stands in for a model class; building or validating it fails."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise Injected("injected failure")

    model_validate = staticmethod(_boom)


def test_crash_mid_service_leaves_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    e = world.engine
    case_id = build_case_ready_to_restrict(world)
    new_customer = world.new_customer("T-0004")

    def restrict() -> int:
        return cases.restrict_contact(
            e,
            user=world.case_manager,
            case_id=case_id,
            on=RESTRICT_ON,
            types=[p.RestrictionType.SPOC],
            months=6,
            reasons="Abuse.",
            spoc_user_id=world.spoc.id,
            today=TODAY,
        )

    def first_incident() -> object:
        return cases.record_incident(
            e, user=world.officer, data=incident_data(new_customer, INCIDENT_1), today=TODAY
        )

    def spoc_review() -> int:
        assert world.spoc.id is not None
        return cases.review_spoc(
            e,
            user=world.line_manager,
            case_id=case_id,
            on=d("2025-04-01"),
            recommendations=[RecommendationIn("Do better.", world.spoc.id, d("2025-04-30"))],
            today=TODAY,
        )

    def new_customer_row() -> object:
        return customers.create_customer(
            e, user=world.officer, data=CustomerCreate(tenancy_ref="T-0005", name="Pat")
        )

    def new_user() -> object:
        return users.create_user(
            e,
            user=world.admin,
            data=UserCreate(username="new.user", name="New User", password=PASSWORD),
        )

    injections: list[tuple[str, Any, str, Callable[[], object]]] = [
        # the audit write inside apply_step, after the case_event row is flushed
        ("steps.audit", vars(steps), "audit", first_incident),
        # after the restriction and its type rows are flushed
        ("cases.sync_restrictions", vars(cases), "sync_restrictions", restrict),
        # the very last thing record_incident does
        ("cases.IncidentPublic", vars(cases), "IncidentPublic", first_incident),
        # after the SPOC review row is flushed (the case is restricted by now)
        ("cases.Recommendation", vars(cases), "Recommendation", spoc_review),
        ("customers.audit", vars(customers), "audit", new_customer_row),
        ("users.audit", vars(users), "audit", new_user),
    ]
    for label, namespace, name, call in injections:
        replacement = _ExplodingModel if name[0].isupper() else _boom
        before = snapshot(e)
        with monkeypatch.context() as m:
            m.setitem(namespace, name, replacement)
            with pytest.raises(Injected):
                call()
        assert snapshot(e) == before, f"{label}: a crash mid-service left rows behind"
        # Without the failure the same call goes through: it was the crash that stopped it.
        call()
        assert snapshot(e) != before, label


# -- input validation at the service boundary ----------------------------------------------------
def _incident(world: World, **changes: Any) -> Callable[[], object]:
    base = incident_data(world.customer_id, INCIDENT_1).model_dump()
    base.update(changes)
    data = IncidentCreate.model_construct(**base)  # as a page might pass it, unvalidated
    return lambda: cases.record_incident(world.engine, user=world.officer, data=data, today=TODAY)


def test_incident_input_is_validated_and_names_the_field(world: World) -> None:
    tomorrow = TODAY + timedelta(days=1)
    bad: list[tuple[str, Callable[[], object]]] = [
        ("date", _incident(world, occurred_at=datetime(2025, 5, 1, 9, 0))),
        ("date", _incident(world, occurred_at=datetime.combine(tomorrow, datetime.min.time()))),
        ("narrative", _incident(world, narrative="")),
        ("narrative", _incident(world, narrative="   \n ")),
        ("narrative", _incident(world, narrative="x" * 20_001)),
        ("category", _incident(world, category="rudeness")),
        ("severity", _incident(world, severity="catastrophic")),
        ("channel", _incident(world, channel="carrier_pigeon")),
        ("behaviour", _incident(world, behaviour="demands_priority")),  # wrong category
        ("behaviour", _incident(world, behaviour="not_a_behaviour")),
        ("police_ref", _incident(world, police_ref="P" * 41)),
        ("colleague", _incident(world, colleague="C" * 121)),
        ("action_taken", _incident(world, action_taken="A" * 4_001)),
    ]
    _assert_invalid(world, bad)
    assert rows(world.engine, Case) == []


def _assert_invalid(world: World, bad: list[tuple[str, Callable[[], object]]]) -> None:
    before = snapshot(world.engine)
    for expected, call in bad:
        with pytest.raises(InvalidInput) as info:
            call()
        assert info.value.field == expected, (expected, info.value.field, info.value.message)
        assert info.value.message
        assert snapshot(world.engine) == before, f"invalid {expected} wrote something"


def test_case_step_input_is_validated_and_names_the_field(world: World) -> None:
    e = world.engine
    built = build_restricted_case(world)
    cid = built.case_id
    assert world.spoc.id is not None
    review_id = cases.review_spoc(
        e,
        user=world.line_manager,
        case_id=cid,
        on=d("2025-04-01"),
        recommendations=[RecommendationIn("Do better.", world.spoc.id, d("2025-04-30"))],
        today=TODAY,
    )
    rec_id = one(e, Recommendation, spoc_review_id=review_id).id
    assert rec_id is not None
    future = TODAY + timedelta(days=1)
    cm, so, lm, off = world.case_manager, world.senior_officer, world.line_manager, world.officer
    on = d("2025-03-01")
    long = "x" * 8_001
    bogus: Any = "bogus"

    def informal(**kw: Any) -> Callable[[], object]:
        args = {"kind": p.InformalKind.SUPPORT, "on": on, "note": ""} | kw
        return lambda: cases.record_informal_step(e, user=off, case_id=cid, today=TODAY, **args)

    def restrict(**kw: Any) -> Callable[[], object]:
        args = {
            "on": on,
            "types": [p.RestrictionType.SPOC],
            "months": 6,
            "reasons": "Abuse.",
            "spoc_user_id": world.spoc.id,
        } | kw
        return lambda: cases.restrict_contact(e, user=cm, case_id=cid, today=TODAY, **args)

    def contact(**kw: Any) -> Callable[[], object]:
        args = {"on": on, "channel": p.Channel.PHONE} | kw
        return lambda: cases.record_contact(
            e, user=off, customer_id=world.customer_id, today=TODAY, **args
        )

    def review(**kw: Any) -> Callable[[], object]:
        args = {"on": on, "outcome": p.ReviewOutcome.REMAIN, "customer_letter": True} | kw
        return lambda: cases.review_restriction(e, user=cm, case_id=cid, today=TODAY, **args)

    def spoc_review(**kw: Any) -> Callable[[], object]:
        return lambda: cases.review_spoc(e, user=lm, case_id=cid, on=on, today=TODAY, **kw)

    def decide_appeal(**kw: Any) -> Callable[[], object]:
        args = {
            "on": on,
            "outcome": p.AppealOutcome.UPHELD,
            "reasons": "Fine.",
            "fact_sheet_sent": True,
        } | kw
        return lambda: cases.decide_appeal(e, user=so, case_id=cid, today=TODAY, **args)

    bad: list[tuple[str, Callable[[], object]]] = [
        ("date", informal(on=future)),
        ("note", informal(note="n" * 4_001)),
        ("kind", informal(kind=bogus)),
        (
            "needs_considered",
            lambda: cases.record_eia(
                e,
                user=cm,
                case_id=cid,
                on=on,
                proportionate=True,
                needs_considered="  ",
                today=TODAY,
            ),
        ),
        (
            "date",
            lambda: cases.record_eia(
                e,
                user=cm,
                case_id=cid,
                on=future,
                proportionate=True,
                needs_considered="Needs.",
                today=TODAY,
            ),
        ),
        (
            "note",
            lambda: cases.record_circumstances_change(
                e, user=off, case_id=cid, on=on, note="", today=TODAY
            ),
        ),
        (
            "behaviour",
            lambda: cases.give_formal_warning(
                e, user=cm, case_id=cid, on=on, behaviour=" ", today=TODAY
            ),
        ),
        (
            "override_reason",
            lambda: cases.give_formal_warning(
                e,
                user=cm,
                case_id=cid,
                on=on,
                behaviour="Shouting.",
                override_reason="o" * 4_001,
                today=TODAY,
            ),
        ),
        ("reasons", restrict(reasons=long)),
        ("override_reason", restrict(override_reason="o" * 4_001)),
        ("types", restrict(types=[bogus])),
        ("allowed_channels", restrict(allowed_channels=[bogus])),
        ("months", restrict(months=bogus)),
        ("spoc", restrict(spoc_user_id=99_999)),
        ("date", restrict(on=future)),
        ("channel", contact(channel=bogus)),
        ("topic", contact(topic="t" * 201)),
        ("date", contact(on=future)),
        (
            "action",
            lambda: cases.record_legal_step(
                e, user=cm, case_id=cid, action=p.Action.INCIDENT, on=on, today=TODAY
            ),
        ),
        (
            "action",
            lambda: cases.record_legal_step(
                e, user=cm, case_id=cid, action=bogus, on=on, today=TODAY
            ),
        ),
        ("outcome", review(outcome=bogus)),
        ("notes", review(notes=long)),
        (
            "letter_date",
            lambda: cases.receive_appeal(
                e,
                user=off,
                case_id=cid,
                received_on=d("2025-02-20"),
                letter_date=d("2025-02-21"),
                today=TODAY,
            ),
        ),
        (
            "date",
            lambda: cases.receive_appeal(
                e, user=off, case_id=cid, received_on=future, letter_date=RESTRICT_ON, today=TODAY
            ),
        ),
        (
            "date",
            lambda: cases.receive_reconsideration(
                e, user=off, case_id=cid, received_on=future, today=TODAY
            ),
        ),
        ("reasons", decide_appeal(reasons="")),
        ("reasons", decide_appeal(reasons=long)),
        ("fact_sheet_sent", decide_appeal(fact_sheet_sent=False)),
        ("outcome", decide_appeal(outcome=bogus)),
        (
            "outcome",
            lambda: cases.decide_reconsideration(
                e, user=so, case_id=cid, on=on, outcome=bogus, reasons="Fine.", today=TODAY
            ),
        ),
        (
            "reasons",
            lambda: cases.decide_reconsideration(
                e,
                user=so,
                case_id=cid,
                on=on,
                outcome=p.ReconsiderationOutcome.KEEP,
                reasons=" ",
                today=TODAY,
            ),
        ),
        (
            "to",
            lambda: cases.hand_over_spoc(
                e,
                user=cm,
                case_id=cid,
                on=on,
                to_user_id=99_999,
                customer_informed=True,
                today=TODAY,
            ),
        ),
        ("findings", spoc_review(findings=long)),
        ("checklist", spoc_review(checklist={"looked_at_it": True})),
        ("recommendation", spoc_review(recommendations=[RecommendationIn(" ", None, on)])),
        (
            "recommendation_due",
            spoc_review(recommendations=[RecommendationIn("Do.", None, d("2025-02-28"))]),
        ),
        (
            "note",
            lambda: cases.complete_recommendation(
                e, user=off, recommendation_id=rec_id, note="", today=TODAY
            ),
        ),
    ]
    _assert_invalid(world, bad)


def test_customer_input_is_validated_and_names_the_field(world: World) -> None:
    e = world.engine

    def create(**kw: Any) -> Callable[[], object]:
        data = CustomerCreate.model_construct(**({"tenancy_ref": "T-0100", "name": "Jo"} | kw))
        return lambda: customers.create_customer(e, user=world.case_manager, data=data)

    record = customers.get_customer(e, user=world.case_manager, customer_id=world.customer_id)

    def needs(**kw: Any) -> Callable[[], object]:
        args = {"needs": "Deaf.", "adjustments": "", "note": "", "today": TODAY} | kw
        return lambda: customers.update_needs(
            e,
            user=world.case_manager,
            customer_id=world.customer_id,
            expected_version=record.version,
            **args,
        )

    bad: list[tuple[str, Callable[[], object]]] = [
        ("name", create(name="")),
        ("tenancy_ref", create(tenancy_ref="")),
        ("tenancy_ref", create(tenancy_ref="R" * 33)),
        ("tenancy_ref", create(tenancy_ref="t-0001")),  # taken (stored upper case)
        ("needs", create(needs="n" * 2_001)),
        ("email", create(email="e" * 255)),
        ("needs", needs(needs="n" * 2_001)),
        ("adjustments", needs(adjustments="a" * 4_001)),
        ("note", needs(note="n" * 4_001)),
    ]
    _assert_invalid(world, bad)
    assert one(e, Customer, id=world.customer_id).needs == "Anxiety; prefers email"


def test_update_needs_is_a_change_of_circumstances(world: World) -> None:
    e = world.engine
    case_id = build_case_ready_to_restrict(world)
    record = customers.get_customer(e, user=world.case_manager, customer_id=world.customer_id)
    customers.update_needs(
        e,
        user=world.case_manager,
        customer_id=world.customer_id,
        needs="Anxiety; recently bereaved.",
        adjustments="Written summaries after calls",
        note="Bereavement",
        today=TODAY,
        expected_version=record.version,
    )
    row = one(e, Customer, id=world.customer_id)
    assert (row.needs, row.version) == ("Anxiety; recently bereaved.", record.version + 1)
    change = one(e, CircumstancesChange, case_id=case_id)
    assert (change.noted_on, change.note) == (TODAY, "Bereavement")
    assert event_actions(e, case_id)[-1] == "circumstances_change"
    actions = [a.action for a in audit_events(e)][-2:]
    assert actions == ["customer.update_needs", "case.circumstances_change"]
    assert case_row(e, case_id).eia_review_due == TODAY


def test_deactivated_spoc_cannot_be_chosen(world: World) -> None:
    e = world.engine
    case_id = build_case_ready_to_restrict(world)
    assert world.spoc.id is not None
    users.set_active(e, user=world.admin, user_id=world.spoc.id, active=False)
    assert one(e, AppUser, id=world.spoc.id).active is False
    before = snapshot(e)
    with pytest.raises(InvalidInput) as info:
        cases.restrict_contact(
            e,
            user=world.case_manager,
            case_id=case_id,
            on=RESTRICT_ON,
            types=[p.RestrictionType.SPOC],
            months=6,
            reasons="Abuse.",
            spoc_user_id=world.spoc.id,
            today=TODAY,
        )
    assert info.value.field == "spoc"
    assert snapshot(e) == before
