"""The procedure rules (DESIGN.md "Procedure rules" 1-11), one or more tests per rule and per
reason code. Each refusal is checked as the exact tuple of reasons: the engine lists every
rule a step fails, not only the first.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from ube_core.procedure import (
    Action,
    Actor,
    AppealOutcome,
    Case,
    Channel,
    Due,
    Event,
    LegalStepKind,
    Reason,
    ReconsiderationOutcome,
    Refused,
    RestrictionType,
    ReviewOutcome,
    Role,
    Screen,
    Severity,
    may,
)

from .builders import (
    READY,
    appeal,
    appeal_decision,
    breach_warning,
    build,
    change,
    contact,
    d,
    eia,
    formal_warning,
    handover,
    incident,
    initial_warning,
    legal,
    legal_advice,
    person,
    ready_to_restrict,
    reconsideration,
    reconsideration_decision,
    restrict,
    restricted,
    review,
    spoc_review,
    support,
)

R = Reason
T = RestrictionType
SPOC_TYPES = (T.SPOC,)


def as_step_says(step: Event) -> Actor:
    """The person named in the step's ``by``, roles unknown (as the scenario runner does)."""
    return Actor(step.by, None)


def why(case: Case, step: Event, actor: Actor | None = None) -> tuple[Reason, ...]:
    """The reasons ``step`` is refused; the actor defaults to the step's ``by``, roles unknown."""
    return case.decide(step, actor or as_step_says(step)).reasons


# --- rule 1: incidents and informal steps -----------------------------------------------------


def test_rule1_incident_is_always_allowed() -> None:
    assert why(Case(), incident("2026-01-05")) == ()
    assert why(restricted(), incident("2026-02-01", Severity.LOW)) == ()
    for severity in Severity:
        assert why(Case(), incident("2026-01-05", severity)) == ()


@pytest.mark.parametrize("step", [support("2026-01-06"), initial_warning("2026-01-06")])
def test_rule1_informal_steps_need_an_incident(step: Event) -> None:
    assert why(Case(), step) == (R.NO_INCIDENT,)
    assert why(build(incident("2026-01-05")), step) == ()
    # An EIA or a change of circumstances is not an incident.
    assert why(build(eia("2026-01-01"), change("2026-01-02")), step) == (R.NO_INCIDENT,)


def test_rule1_same_day_incident_before_the_informal_step_counts() -> None:
    assert why(build(incident("2026-01-06")), support("2026-01-06")) == ()


# --- rule 2: current EIA ----------------------------------------------------------------------


def warned_case(*eia_steps: Event) -> Case:
    """Incident and informal step, then the given EIA steps: ready for a formal warning."""
    return build(incident("2026-01-05"), support("2026-01-06"), *eia_steps)


def test_rule2_eia_missing() -> None:
    assert why(warned_case(), formal_warning("2026-01-08")) == (R.EIA_MISSING,)


def test_rule2_eia_not_proportionate() -> None:
    case = warned_case(eia("2026-01-07", proportionate=False))
    assert why(case, formal_warning("2026-01-08")) == (R.EIA_NOT_PROPORTIONATE,)


def test_rule2_the_latest_eia_decides() -> None:
    later_no = warned_case(eia("2026-01-07"), eia("2026-01-08", proportionate=False))
    assert why(later_no, formal_warning("2026-01-09")) == (R.EIA_NOT_PROPORTIONATE,)
    later_yes = warned_case(eia("2026-01-07", proportionate=False), eia("2026-01-08"))
    assert why(later_yes, formal_warning("2026-01-09")) == ()


def test_rule2_eia_stale_after_a_change_of_circumstances() -> None:
    case = warned_case(eia("2026-01-07"), change("2026-01-20"))
    assert why(case, formal_warning("2026-01-21")) == (R.EIA_STALE,)
    case.record(eia("2026-01-22"))  # a fresh assessment makes it current again
    assert why(case, formal_warning("2026-01-23")) == ()


def test_rule2_same_day_change_after_the_eia_makes_it_stale() -> None:
    case = warned_case(eia("2026-01-07"), change("2026-01-07"))
    assert why(case, formal_warning("2026-01-07")) == (R.EIA_STALE,)


def test_rule2_change_before_the_eia_does_not() -> None:
    case = warned_case(change("2026-01-07"), eia("2026-01-07"))
    assert why(case, formal_warning("2026-01-07")) == ()


@pytest.mark.parametrize(
    ("eia_day", "last_ok", "first_late"),
    [
        ("2025-08-31", "2026-02-28", "2026-03-01"),
        ("2027-08-31", "2028-02-29", "2028-03-01"),
        ("2026-01-07", "2026-07-07", "2026-07-08"),
    ],
)
def test_rule2_eia_overdue_after_six_months(eia_day: str, last_ok: str, first_late: str) -> None:
    case = build(incident(eia_day), support(eia_day), eia(eia_day))
    assert why(case, formal_warning(last_ok)) == ()
    assert why(case, formal_warning(first_late)) == (R.EIA_OVERDUE,)
    assert case.due(d(eia_day))[Due.EIA_REVIEW] == d(last_ok)


def test_rule2_every_eia_problem_is_listed() -> None:
    case = warned_case(eia("2026-01-07", proportionate=False), change("2026-02-01"))
    assert why(case, formal_warning("2026-08-01")) == (
        R.EIA_NOT_PROPORTIONATE,
        R.EIA_STALE,
        R.EIA_OVERDUE,
    )


def test_rule2_eia_review_brought_forward_by_a_change() -> None:
    case = warned_case(eia("2026-01-07"))
    assert case.due(d("2026-01-07"))[Due.EIA_REVIEW] == d("2026-07-07")
    case.record(change("2026-03-02"))
    assert case.due(d("2026-03-02"))[Due.EIA_REVIEW] == d("2026-03-02")
    case.record(change("2026-04-01"))  # a second change does not move it later
    assert case.due(d("2026-04-01"))[Due.EIA_REVIEW] == d("2026-03-02")


# --- rule 3: formal warning -------------------------------------------------------------------


def test_rule3_formal_warning_lists_every_missing_thing() -> None:
    assert why(Case(), formal_warning("2026-01-08")) == (
        R.NO_INCIDENT,
        R.EIA_MISSING,
        R.NO_INFORMAL_STEP,
    )


def test_rule3_formal_warning_needs_an_incident() -> None:
    case = build(eia("2026-01-07"))
    assert why(case, formal_warning("2026-01-08")) == (R.NO_INCIDENT, R.NO_INFORMAL_STEP)


def test_rule3_formal_warning_needs_an_informal_step() -> None:
    case = build(incident("2026-01-05"), eia("2026-01-07"))
    assert why(case, formal_warning("2026-01-08")) == (R.NO_INFORMAL_STEP,)
    case.record(initial_warning("2026-01-08"))
    assert why(case, formal_warning("2026-01-08")) == ()


@pytest.mark.parametrize("severity", [Severity.SERIOUS, Severity.EXTREME])
def test_rule3_override_with_serious_incident(severity: Severity) -> None:
    case = build(incident("2026-01-05", severity), eia("2026-01-07"))
    assert why(case, formal_warning("2026-01-08", "Threatened to harm staff")) == ()


def test_rule3_override_serious_incident_need_not_be_the_latest() -> None:
    case = build(
        incident("2026-01-05", Severity.SERIOUS),
        incident("2026-01-06", Severity.LOW),
        eia("2026-01-07"),
    )
    assert why(case, formal_warning("2026-01-08", "Threatened to harm staff")) == ()


@pytest.mark.parametrize("empty", ["", "   "])
def test_rule3_override_empty_reason(empty: str) -> None:
    case = build(incident("2026-01-05", Severity.SERIOUS), eia("2026-01-07"))
    assert why(case, formal_warning("2026-01-08", empty)) == (
        R.NO_INFORMAL_STEP,
        R.JUSTIFICATION_REQUIRED,
    )


@pytest.mark.parametrize("severity", [Severity.LOW, Severity.MODERATE])
def test_rule3_override_not_serious_enough(severity: Severity) -> None:
    case = build(incident("2026-01-05", severity), eia("2026-01-07"))
    assert why(case, formal_warning("2026-01-08", "Shouting at reception")) == (
        R.NO_INFORMAL_STEP,
        R.NOT_SERIOUS_ENOUGH,
    )
    assert why(case, formal_warning("2026-01-08", "")) == (
        R.NO_INFORMAL_STEP,
        R.JUSTIFICATION_REQUIRED,
        R.NOT_SERIOUS_ENOUGH,
    )


def test_rule3_override_ignored_when_the_informal_step_exists() -> None:
    case = build(incident("2026-01-05", Severity.LOW), support("2026-01-06"), eia("2026-01-07"))
    assert why(case, formal_warning("2026-01-08", "")) == ()
    assert why(case, formal_warning("2026-01-08", "no reason needed")) == ()


def test_rule3_override_does_not_waive_the_eia_or_the_incident() -> None:
    serious = build(incident("2026-01-05", Severity.SERIOUS))
    assert why(serious, formal_warning("2026-01-08", "Threats")) == (R.EIA_MISSING,)
    assert why(build(eia("2026-01-07")), formal_warning("2026-01-08", "Threats")) == (
        R.NO_INCIDENT,
        R.NO_INFORMAL_STEP,
        R.NOT_SERIOUS_ENOUGH,
    )


# --- rule 4: restriction ----------------------------------------------------------------------


def test_rule4_restrict_allowed_after_the_usual_road() -> None:
    assert why(ready_to_restrict(), restrict("2026-01-10")) == ()


def test_rule4_restrict_needs_a_formal_warning() -> None:
    case = build(incident("2026-01-05"), support("2026-01-06"), eia("2026-01-07"))
    assert why(case, restrict("2026-01-10")) == (R.NO_FORMAL_WARNING,)


def test_rule4_restrict_needs_an_incident_after_the_latest_warning() -> None:
    case = build(*READY[:4])  # ends with the formal warning
    assert why(case, restrict("2026-01-10")) == (R.NO_INCIDENT_SINCE_WARNING,)
    case.record(incident("2026-01-10"))
    assert why(case, restrict("2026-01-10")) == ()
    case.record(formal_warning("2026-01-11"))  # a newer warning needs a newer incident
    assert why(case, restrict("2026-01-12")) == (R.NO_INCIDENT_SINCE_WARNING,)


def test_rule4_same_day_incident_before_the_warning_is_not_after_it() -> None:
    case = build(
        incident("2026-01-05"),
        support("2026-01-06"),
        eia("2026-01-07"),
        incident("2026-01-08"),
        formal_warning("2026-01-08"),
    )
    assert why(case, restrict("2026-01-08")) == (R.NO_INCIDENT_SINCE_WARNING,)
    case.record(incident("2026-01-08"))
    assert why(case, restrict("2026-01-08")) == ()


def test_rule4_restrict_needs_a_current_eia() -> None:
    case = ready_to_restrict(change("2026-01-09"))
    assert why(case, restrict("2026-01-10")) == (R.EIA_STALE,)
    assert why(ready_to_restrict(), restrict("2026-07-08", months=3)) == (R.EIA_OVERDUE,)


def test_rule4_restrict_lists_every_failing_rule() -> None:
    case = build(incident("2026-01-05"))
    assert why(case, restrict("2026-01-10", types=())) == (
        R.EIA_MISSING,
        R.NO_FORMAL_WARNING,
        R.DETAILS_MISSING,
    )


def test_rule4_override_of_the_formal_warning() -> None:
    case = build(incident("2026-01-05", Severity.EXTREME), eia("2026-01-07"))
    assert why(case, restrict("2026-01-10")) == (R.NO_FORMAL_WARNING,)
    assert why(case, restrict("2026-01-10", override="Threatened staff with a knife")) == ()
    assert why(case, restrict("2026-01-10", override="")) == (
        R.NO_FORMAL_WARNING,
        R.JUSTIFICATION_REQUIRED,
    )


def test_rule4_override_of_the_incident_since_warning() -> None:
    case = build(
        incident("2026-01-05", Severity.SERIOUS),
        support("2026-01-06"),
        eia("2026-01-07"),
        formal_warning("2026-01-08"),
    )
    assert why(case, restrict("2026-01-10", override="Risk to staff")) == ()
    assert why(case, restrict("2026-01-10", override=" ")) == (
        R.NO_INCIDENT_SINCE_WARNING,
        R.JUSTIFICATION_REQUIRED,
    )


def test_rule4_override_not_serious_enough() -> None:
    case = build(incident("2026-01-05", Severity.MODERATE), eia("2026-01-07"))
    assert why(case, restrict("2026-01-10", override="Rude on the phone")) == (
        R.NO_FORMAL_WARNING,
        R.NOT_SERIOUS_ENOUGH,
    )
    assert why(case, restrict("2026-01-10", override="")) == (
        R.NO_FORMAL_WARNING,
        R.JUSTIFICATION_REQUIRED,
        R.NOT_SERIOUS_ENOUGH,
    )


def test_rule4_override_ignored_when_nothing_is_missing() -> None:
    assert why(ready_to_restrict(), restrict("2026-01-10", override="")) == ()


@pytest.mark.parametrize(
    "step",
    [
        restrict("2026-01-10", types=()),
        restrict("2026-01-10", reasons=""),
        restrict("2026-01-10", reasons="   "),
        restrict("2026-01-10", months=None),
        restrict("2026-01-10", months=0),
        restrict("2026-01-10", months=13),
        restrict("2026-01-10", months=-1),
        restrict("2026-01-10", SPOC_TYPES),
        restrict("2026-01-10", SPOC_TYPES, spoc=""),
        restrict("2026-01-10", SPOC_TYPES, spoc="  "),
        restrict("2026-01-10", (T.SINGLE_CHANNEL,)),
        restrict(
            "2026-01-10", (T.SINGLE_CHANNEL,), allowed_channels=(Channel.EMAIL, Channel.PHONE)
        ),
        restrict("2026-01-10", (T.SINGLE_CHANNEL, T.SPOC), allowed_channels=(Channel.EMAIL,)),
    ],
    ids=[
        "no-types",
        "no-reasons",
        "blank-reasons",
        "no-months",
        "zero-months",
        "thirteen-months",
        "negative-months",
        "spoc-unnamed",
        "spoc-empty",
        "spoc-blank",
        "single-channel-none",
        "single-channel-two",
        "single-channel-and-spoc-unnamed",
    ],
)
def test_rule4_details_missing(step: Event) -> None:
    assert why(ready_to_restrict(), step) == (R.DETAILS_MISSING,)


@pytest.mark.parametrize(
    "step",
    [
        restrict("2026-01-10", months=1),
        restrict("2026-01-10", months=12),
        restrict("2026-01-10", SPOC_TYPES, spoc="sam"),
        restrict("2026-01-10", (T.SINGLE_CHANNEL,), allowed_channels=(Channel.EMAIL,)),
        restrict("2026-01-10", (T.THIRD_PARTY, T.FREQUENCY_LIMIT)),
        restrict("2026-01-10", (T.WRITTEN_ONLY,), allowed_channels=(Channel.EMAIL, Channel.LETTER)),
    ],
    ids=["one-month", "twelve-months", "spoc-named", "single-channel-one", "two-types", "written"],
)
def test_rule4_complete_details(step: Event) -> None:
    assert why(ready_to_restrict(), step) == ()


def test_rule4_details_missing_is_listed_with_the_other_reasons() -> None:
    case = build(incident("2026-01-05"), support("2026-01-06"), eia("2026-01-07"))
    assert why(case, restrict("2026-01-10", SPOC_TYPES, months=0)) == (
        R.NO_FORMAL_WARNING,
        R.DETAILS_MISSING,
    )


def test_rule4_active_from_its_date_through_its_end_inclusive() -> None:
    case = restricted(months=3)  # 2026-01-10 .. 2026-04-10
    state = case.state
    assert state.active_restriction(d("2026-01-09")) is None
    assert state.active_restriction(d("2026-01-10")) is not None
    assert state.active_restriction(d("2026-04-10")) is not None
    assert state.active_restriction(d("2026-04-11")) is None
    assert case.decide(contact("2026-01-10")).screen is Screen.BREACH
    assert case.decide(contact("2026-04-10")).screen is Screen.BREACH
    assert case.decide(contact("2026-04-11")).screen is Screen.ALLOWED
    assert case.due(d("2026-04-10"))[Due.RESTRICTION_END] == d("2026-04-10")
    assert case.due(d("2026-04-11"))[Due.RESTRICTION_END] is None


def test_rule4_restriction_end_at_month_end() -> None:
    case = build(
        incident("2025-08-25"),
        support("2025-08-26"),
        eia("2025-08-27"),
        formal_warning("2025-08-28"),
        incident("2025-08-29"),
        restrict("2025-08-31", months=6),
    )
    assert case.due(d("2025-08-31"))[Due.RESTRICTION_END] == d("2026-02-28")
    assert case.decide(contact("2026-02-28")).screen is Screen.BREACH
    assert case.decide(contact("2026-03-01")).screen is Screen.ALLOWED


def test_rule4_a_new_restriction_replaces_the_active_one() -> None:
    case = restricted((T.WRITTEN_ONLY,))
    first = case.state.restriction
    assert first is not None
    case.record(restrict("2026-02-01", SPOC_TYPES, spoc="sam", months=3))
    assert first.ended_on == d("2026-02-01")
    current = case.state.active_restriction(d("2026-02-01"))
    assert current is not None and current is not first
    assert current.types == frozenset({T.SPOC})
    # The old written-only arrangement no longer applies; the SPOC one does.
    assert case.decide(contact("2026-02-01", Channel.PHONE, via_spoc=True)).screen is Screen.ALLOWED
    assert case.decide(contact("2026-02-01", Channel.EMAIL)).screen is Screen.BREACH
    assert case.due(d("2026-02-01")) == {
        Due.CASE_REVIEW: d("2026-05-01"),
        Due.EIA_REVIEW: d("2026-07-07"),
        Due.APPEAL_DEADLINE: d("2026-02-15"),
        Due.APPEAL_DECISION: None,
        Due.RECONSIDERATION_DECISION: None,
        Due.SPOC_REVIEW: d("2026-05-01"),
        Due.RESTRICTION_END: d("2026-05-01"),
    }


def test_rule4_appeals_then_concern_the_new_restriction() -> None:
    case = restricted(
        (T.WRITTEN_ONLY,),
        appeal("2026-01-15"),
        appeal_decision("2026-01-20", AppealOutcome.UPHELD),
    )
    assert why(case, appeal("2026-01-21")) == (R.DECISION_FINAL,)
    case.record(restrict("2026-02-01", SPOC_TYPES, spoc="sam"))
    assert why(case, appeal("2026-02-10")) == ()


def test_rule4_spoc_duties_then_concern_the_new_restriction() -> None:
    case = restricted(SPOC_TYPES, spoc="sam")
    case.record(restrict("2026-02-01", SPOC_TYPES, spoc="kim"))
    # sam was the SPOC of the old restriction only: sam may review kim's work.
    assert why(case, spoc_review("2026-03-01", by="sam")) == ()
    assert why(case, spoc_review("2026-03-01", by="kim")) == (R.REVIEWER_IS_SPOC,)


# --- rule 5: contact (details in test_screening) ----------------------------------------------


def test_rule5_contact_is_never_refused_only_screened() -> None:
    case = restricted((T.WRITTEN_ONLY,))
    decision = case.decide(contact("2026-01-11", Channel.PHONE))
    assert decision.reasons == ()
    assert decision.screen is Screen.BREACH
    assert decision.screen_why
    assert Case().decide(contact("2026-01-11")).screen is Screen.ALLOWED


# --- rule 6: breaches and legal steps ---------------------------------------------------------


def test_rule6_breach_warning_needs_an_active_restriction() -> None:
    assert why(ready_to_restrict(), breach_warning("2026-01-10")) == (R.NOT_RESTRICTED,)
    case = restricted(months=1)
    case.record(contact("2026-01-15", Channel.PHONE))  # a breach
    assert why(case, breach_warning("2026-02-10")) == ()
    assert why(case, breach_warning("2026-02-11")) == (R.NOT_RESTRICTED,)


def test_rule6_breach_warning_needs_a_breach() -> None:
    case = restricted((T.WRITTEN_ONLY,))
    assert why(case, breach_warning("2026-01-11")) == (R.NO_BREACH,)
    case.record(contact("2026-01-12", Channel.EMAIL))  # keeps to the arrangements
    case.record(contact("2026-01-12", Channel.PHONE, "urgent_repair"))  # an exclusion
    assert why(case, breach_warning("2026-01-12")) == (R.NO_BREACH,)
    case.record(contact("2026-01-13", Channel.PHONE))  # a breach
    assert why(case, breach_warning("2026-01-13")) == ()


def test_rule6_breach_warning_needs_a_breach_of_the_current_restriction() -> None:
    case = restricted((T.WRITTEN_ONLY,), contact("2026-01-12", Channel.PHONE))
    case.record(restrict("2026-02-01", SPOC_TYPES, spoc="sam"))
    assert why(case, breach_warning("2026-02-02")) == (R.NO_BREACH,)


def test_rule6_legal_advice_needs_a_breach_after_the_latest_breach_warning() -> None:
    case = restricted()
    assert why(case, legal_advice("2026-01-11")) == (R.NO_BREACH_SINCE_WARNING,)
    case.record(contact("2026-01-12", Channel.PHONE))
    assert why(case, legal_advice("2026-01-12")) == (R.NO_BREACH_SINCE_WARNING,)
    case.record(breach_warning("2026-01-13"))
    assert why(case, legal_advice("2026-01-13")) == (R.NO_BREACH_SINCE_WARNING,)
    case.record(contact("2026-01-13", Channel.PHONE))  # same day, after the warning
    assert why(case, legal_advice("2026-01-13")) == ()


def test_rule6_legal_advice_after_an_extreme_incident() -> None:
    assert why(build(incident("2026-01-05", Severity.EXTREME)), legal_advice("2026-01-05")) == ()
    serious = build(incident("2026-01-05", Severity.SERIOUS))
    assert why(serious, legal_advice("2026-01-05")) == (R.NO_BREACH_SINCE_WARNING,)


@pytest.mark.parametrize(
    "kind",
    [
        LegalStepKind.LEGAL_WARNING_LETTER,
        LegalStepKind.INJUNCTION,
        LegalStepKind.CIVIL_RESTRAINT_ORDER,
    ],
)
def test_rule6_legal_steps_need_legal_advice(kind: LegalStepKind) -> None:
    case = build(incident("2026-01-05", Severity.EXTREME))
    assert why(case, legal("2026-01-06", kind)) == (R.NO_LEGAL_ADVICE,)
    case.record(legal_advice("2026-01-06"))
    assert why(case, legal("2026-01-06", kind)) == ()
    case.record(legal("2026-01-07", kind))
    assert why(case, legal("2026-01-08", LegalStepKind.NOSP)) == ()


def test_rule6_legal_ladder() -> None:
    case = build(incident("2026-01-05", Severity.EXTREME))
    nosp = legal("2026-01-06", LegalStepKind.NOSP)
    assert why(case, nosp) == (R.NO_LEGAL_ADVICE, R.NO_PRIOR_LEGAL_STEP)
    case.record(legal_advice("2026-01-06"))
    assert why(case, nosp) == (R.NO_PRIOR_LEGAL_STEP,)
    with pytest.raises(Refused):
        case.record(nosp)
    case.record(legal("2026-01-07", LegalStepKind.LEGAL_WARNING_LETTER))
    case.record(legal("2026-01-08", LegalStepKind.INJUNCTION))
    assert why(case, legal("2026-01-09", LegalStepKind.NOSP)) == ()
    case.record(legal("2026-01-09", LegalStepKind.NOSP))
    assert case.marker(d("2026-01-09")).stage == "Legal action"


# --- rule 7: reviews ------------------------------------------------------------------------


def test_rule7_review_needs_an_active_restriction() -> None:
    assert why(ready_to_restrict(), review("2026-01-10")) == (R.NOT_RESTRICTED,)
    assert why(ready_to_restrict(), review("2026-01-10", letter=False)) == (
        R.NOT_RESTRICTED,
        R.CUSTOMER_NOT_INFORMED,
    )
    lapsed = restricted(months=1)
    assert why(lapsed, review("2026-02-11", ReviewOutcome.REMOVE)) == (R.NOT_RESTRICTED,)


@pytest.mark.parametrize("outcome", list(ReviewOutcome))
def test_rule7_review_needs_a_letter_to_the_customer(outcome: ReviewOutcome) -> None:
    case = restricted()
    assert why(case, review("2026-03-01", outcome, letter=False)) == (R.CUSTOMER_NOT_INFORMED,)
    assert why(case, review("2026-03-01", outcome)) == ()


@pytest.mark.parametrize("outcome", [ReviewOutcome.REMAIN, ReviewOutcome.ADJUST])
def test_rule7_remain_and_adjust_need_a_current_eia(outcome: ReviewOutcome) -> None:
    stale = restricted((T.WRITTEN_ONLY,), change("2026-02-01"))
    assert why(stale, review("2026-03-01", outcome)) == (R.EIA_STALE,)
    overdue = restricted((T.WRITTEN_ONLY,), months=12)  # EIA 2026-01-07
    assert why(overdue, review("2026-07-08", outcome)) == (R.EIA_OVERDUE,)
    assert why(overdue, review("2026-07-08", outcome, letter=False)) == (
        R.CUSTOMER_NOT_INFORMED,
        R.EIA_OVERDUE,
    )


def test_rule7_remove_needs_no_current_eia() -> None:
    stale = restricted((T.WRITTEN_ONLY,), change("2026-02-01"))
    assert why(stale, review("2026-03-01", ReviewOutcome.REMOVE)) == ()


@pytest.mark.parametrize(
    ("months", "review_day", "next_review"),
    [
        (12, "2026-06-01", "2026-12-01"),  # six months on
        (6, "2026-06-01", "2026-07-10"),  # not past the end
        (12, "2026-07-07", "2027-01-07"),
    ],
)
def test_rule7_remain_and_adjust_set_the_next_case_review(
    months: int, review_day: str, next_review: str
) -> None:
    for outcome in (ReviewOutcome.REMAIN, ReviewOutcome.ADJUST):
        case = restricted(months=months)
        assert case.due(d("2026-01-10"))[Due.CASE_REVIEW] == d("2026-07-10")
        case.record(review(review_day, outcome))
        assert case.due(d(review_day))[Due.CASE_REVIEW] == d(next_review)


def test_rule7_remove_ends_the_restriction_that_day() -> None:
    case = restricted((T.WRITTEN_ONLY,), review("2026-03-01", ReviewOutcome.REMOVE))
    decision = case.decide(contact("2026-03-01", Channel.PHONE))
    assert decision.reasons == ()
    assert decision.screen is Screen.ALLOWED
    assert why(case, breach_warning("2026-03-01")) == (R.NOT_RESTRICTED,)
    assert why(case, review("2026-03-01")) == (R.NOT_RESTRICTED,)
    assert why(case, reconsideration("2026-03-01")) == (R.NOT_RESTRICTED,)
    assert case.due(d("2026-03-01"))[Due.RESTRICTION_END] is None
    assert case.due(d("2026-03-01"))[Due.CASE_REVIEW] is None
    case.record(contact("2026-03-01", Channel.PHONE))
    assert case.state.restrictions[0].breaches == 0


# --- rule 8: appeals --------------------------------------------------------------------------


def test_rule8_appeal_needs_a_restriction_decision() -> None:
    assert why(ready_to_restrict(), appeal("2026-01-10", "2026-01-10")) == (R.NOT_RESTRICTED,)


def test_rule8_appeal_in_time_on_day_14_not_day_15() -> None:
    case = restricted()  # notice dated 2026-01-10
    assert why(case, appeal("2026-01-24")) == ()
    assert why(case, appeal("2026-01-25")) == (R.APPEAL_OUT_OF_TIME,)
    assert why(case, appeal("2026-01-24", "2026-01-10")) == ()
    assert why(case, appeal("2026-01-25", "2026-01-10")) == (R.APPEAL_OUT_OF_TIME,)


def test_rule8_appeal_counts_from_the_letter_date() -> None:
    case = restricted()
    assert why(case, appeal("2026-01-26", "2026-01-12")) == ()
    assert why(case, appeal("2026-01-27", "2026-01-12")) == (R.APPEAL_OUT_OF_TIME,)


def test_rule8_appeal_of_a_restriction_no_longer_active() -> None:
    case = restricted((T.WRITTEN_ONLY,), review("2026-01-12", ReviewOutcome.REMOVE))
    assert why(case, appeal("2026-01-20")) == ()


def test_rule8_decision_final() -> None:
    case = restricted(
        (T.WRITTEN_ONLY,),
        appeal("2026-01-15"),
        appeal_decision("2026-01-30", AppealOutcome.UPHELD),
    )
    assert why(case, appeal("2026-01-20", "2026-01-20")) == (R.DECISION_FINAL,)
    assert why(case, appeal("2026-02-20")) == (R.APPEAL_OUT_OF_TIME, R.DECISION_FINAL)


def test_rule8_appeal_decision_needs_a_pending_appeal() -> None:
    case = restricted()
    assert why(case, appeal_decision("2026-01-20")) == (R.NO_PENDING_APPEAL,)
    case.record(appeal("2026-01-15"))
    assert why(case, appeal_decision("2026-01-20")) == ()
    case.record(appeal_decision("2026-01-20"))
    assert why(case, appeal_decision("2026-01-21")) == (R.NO_PENDING_APPEAL,)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.CASE_MANAGER, Role.LINE_MANAGER])
def test_rule8_appeal_decision_needs_a_senior_officer(role: Role) -> None:
    case = restricted((T.WRITTEN_ONLY,), appeal("2026-01-15"))
    assert why(case, appeal_decision("2026-01-20", by="pat"), person("pat", role)) == (
        R.NOT_AUTHORISED,
    )
    senior = person("sue", Role.SENIOR_OFFICER)
    assert why(case, appeal_decision("2026-01-20", by="sue"), senior) == ()


def test_rule8_reviewer_involved() -> None:
    case = restricted((T.WRITTEN_ONLY,), appeal("2026-01-15"), by="sol")
    sol = person("sol", Role.SENIOR_OFFICER)
    assert why(case, appeal_decision("2026-01-20", by="sol"), sol) == (R.REVIEWER_INVOLVED,)
    both = person("sol", Role.CASE_MANAGER)
    assert why(case, appeal_decision("2026-01-20", by="sol"), both) == (
        R.NOT_AUTHORISED,
        R.REVIEWER_INVOLVED,
    )
    other = person("sue", Role.SENIOR_OFFICER)
    assert why(case, appeal_decision("2026-01-20", by="sue"), other) == ()


def test_rule8_reviewer_involved_only_when_the_people_are_known() -> None:
    unknown_maker = restricted((T.WRITTEN_ONLY,), appeal("2026-01-15"))
    sol = person("sol", Role.SENIOR_OFFICER)
    assert why(unknown_maker, appeal_decision("2026-01-20", by="sol"), sol) == ()
    known_maker = restricted((T.WRITTEN_ONLY,), appeal("2026-01-15"), by="sol")
    assert why(known_maker, appeal_decision("2026-01-20")) == ()


def test_rule8_appeal_decision_due_and_overturned_ends_the_restriction() -> None:
    case = restricted((T.WRITTEN_ONLY,), appeal("2026-01-20"))
    due = case.due(d("2026-01-20"))
    assert due[Due.APPEAL_DECISION] == d("2026-02-17")
    assert due[Due.APPEAL_DEADLINE] is None
    case.record(appeal_decision("2026-02-01", AppealOutcome.OVERTURNED))
    assert case.state.active_restriction(d("2026-02-01")) is None
    assert case.decide(contact("2026-02-01", Channel.PHONE)).screen is Screen.ALLOWED
    assert case.due(d("2026-02-01"))[Due.APPEAL_DECISION] is None
    assert case.due(d("2026-02-01"))[Due.RESTRICTION_END] is None


def test_rule8_upheld_keeps_the_restriction() -> None:
    case = restricted((T.WRITTEN_ONLY,), appeal("2026-01-20"))
    case.record(appeal_decision("2026-02-01", AppealOutcome.UPHELD))
    assert case.decide(contact("2026-02-01", Channel.PHONE)).screen is Screen.BREACH


# --- rule 9: reconsideration ------------------------------------------------------------------


def test_rule9_reconsideration_needs_an_active_restriction() -> None:
    assert why(ready_to_restrict(), reconsideration("2026-01-10")) == (R.NOT_RESTRICTED,)
    assert why(restricted(months=1), reconsideration("2026-02-11")) == (R.NOT_RESTRICTED,)
    assert why(restricted(months=1), reconsideration("2026-02-10")) == ()


def test_rule9_reconsideration_decision_needs_a_pending_request() -> None:
    case = restricted()
    assert why(case, reconsideration_decision("2026-03-01")) == (R.NO_PENDING_RECONSIDERATION,)
    case.record(reconsideration("2026-03-01"))
    assert case.due(d("2026-03-01"))[Due.RECONSIDERATION_DECISION] == d("2026-03-29")
    assert why(case, reconsideration_decision("2026-03-10")) == ()
    case.record(reconsideration_decision("2026-03-10"))
    assert case.due(d("2026-03-10"))[Due.RECONSIDERATION_DECISION] is None
    assert why(case, reconsideration_decision("2026-03-11")) == (R.NO_PENDING_RECONSIDERATION,)


def test_rule9_reconsideration_decision_by_a_senior_officer() -> None:
    case = restricted((T.WRITTEN_ONLY,), reconsideration("2026-03-01"))
    manager = person("cara", Role.CASE_MANAGER)
    assert why(case, reconsideration_decision("2026-03-10", by="cara"), manager) == (
        R.NOT_AUTHORISED,
    )
    senior = person("sue", Role.SENIOR_OFFICER)
    assert why(case, reconsideration_decision("2026-03-10", by="sue"), senior) == ()


def test_rule9_lift_ends_the_restriction_keep_does_not() -> None:
    kept = restricted((T.WRITTEN_ONLY,), reconsideration("2026-03-01"))
    kept.record(reconsideration_decision("2026-03-10", ReconsiderationOutcome.KEEP))
    assert kept.decide(contact("2026-03-10")).screen is Screen.BREACH
    lifted = restricted((T.WRITTEN_ONLY,), reconsideration("2026-03-01"))
    lifted.record(reconsideration_decision("2026-03-10", ReconsiderationOutcome.LIFT))
    assert lifted.decide(contact("2026-03-10")).screen is Screen.ALLOWED
    assert why(lifted, review("2026-03-10")) == (R.NOT_RESTRICTED,)


# --- rule 10: SPOC ----------------------------------------------------------------------------


def test_rule10_handover_needs_a_restriction_with_a_spoc() -> None:
    assert why(ready_to_restrict(), handover("2026-01-10", "kim")) == (R.NOT_RESTRICTED,)
    assert why(ready_to_restrict(), handover("2026-01-10", "kim", informed=False)) == (
        R.NOT_RESTRICTED,
        R.CUSTOMER_NOT_INFORMED,
    )
    no_spoc = restricted((T.WRITTEN_ONLY,))
    assert why(no_spoc, handover("2026-02-01", "kim")) == (R.NOT_RESTRICTED,)


@pytest.mark.parametrize("temporary", [False, True])
def test_rule10_handover_needs_the_customer_informed(temporary: bool) -> None:
    case = restricted(SPOC_TYPES, spoc="sam")
    step = handover("2026-02-01", "kim", informed=False, temporary=temporary)
    assert why(case, step) == (R.CUSTOMER_NOT_INFORMED,)
    assert why(case, handover("2026-02-01", "kim", temporary=temporary)) == ()


def test_rule10_handover_makes_to_the_spoc() -> None:
    case = restricted(SPOC_TYPES, handover("2026-02-01", "kim"), spoc="sam")
    assert case.marker(d("2026-02-01")).spoc == "kim"
    assert case.state.restriction is not None
    assert case.state.restriction.spoc == "kim"


def test_rule10_spoc_review_needs_a_restriction_with_a_spoc() -> None:
    assert why(ready_to_restrict(), spoc_review("2026-04-01", by="lee")) == (R.NOT_RESTRICTED,)
    assert why(restricted(), spoc_review("2026-04-01", by="lee")) == (R.NOT_RESTRICTED,)
    removed = restricted(SPOC_TYPES, review("2026-03-01", ReviewOutcome.REMOVE), spoc="sam")
    assert why(removed, spoc_review("2026-03-01", by="lee")) == (R.NOT_RESTRICTED,)


def test_rule10_reviewer_is_spoc() -> None:
    case = restricted(SPOC_TYPES, spoc="sam")
    assert why(case, spoc_review("2026-04-01", by="sam")) == (R.REVIEWER_IS_SPOC,)
    assert why(case, spoc_review("2026-04-01", by="lee")) == ()
    assert why(case, spoc_review("2026-04-01")) == ()  # reviewer unknown: not checked


def test_rule10_reviewer_is_spoc_includes_a_former_spoc() -> None:
    case = restricted(SPOC_TYPES, handover("2026-02-01", "kim"), spoc="sam")
    assert why(case, spoc_review("2026-04-01", by="sam")) == (R.REVIEWER_IS_SPOC,)
    assert why(case, spoc_review("2026-04-01", by="kim")) == (R.REVIEWER_IS_SPOC,)
    assert why(case, spoc_review("2026-04-01", by="lee")) == ()
    line_manager_sam = person("sam", Role.LINE_MANAGER)
    assert why(case, spoc_review("2026-04-01", by="sam"), line_manager_sam) == (R.REVIEWER_IS_SPOC,)


def test_rule10_next_spoc_review_a_quarter_after_the_review() -> None:
    case = restricted(SPOC_TYPES, spoc="sam")
    assert case.due(d("2026-01-10"))[Due.SPOC_REVIEW] == d("2026-04-10")
    case.record(spoc_review("2026-03-31", by="lee"))
    assert case.due(d("2026-03-31"))[Due.SPOC_REVIEW] == d("2026-06-30")


# --- rule 11: who may do what -----------------------------------------------------------------

ALL_ACTIONS = {
    "incident",
    "support",
    "initial_warning",
    "eia",
    "circumstances_change",
    "formal_warning",
    "restrict",
    "contact",
    "breach_warning",
    "legal_advice",
    "legal_warning_letter",
    "injunction",
    "civil_restraint_order",
    "nosp",
    "review",
    "appeal",
    "appeal_decision",
    "reconsideration",
    "reconsideration_decision",
    "spoc_handover",
    "spoc_review",
}
# Written out from the text of rule 11, not derived from PERMISSIONS.
OFFICER_MAY = {
    "incident",
    "contact",
    "support",
    "initial_warning",
    "circumstances_change",
    "appeal",  # recording an appeal
    "reconsideration",  # recording a request
}
EXPECTED_MATRIX: dict[str, set[str]] = {
    "officer": OFFICER_MAY,
    "case_manager": ALL_ACTIONS - {"appeal_decision", "reconsideration_decision"},
    "line_manager": OFFICER_MAY | {"spoc_review"},
    "senior_officer": ALL_ACTIONS,
    "manager": set(),
    "admin": set(),
}


def test_rule11_the_matrix_covers_every_role_and_action() -> None:
    assert {a.value for a in Action} == ALL_ACTIONS
    assert {r.value for r in Role} == set(EXPECTED_MATRIX)


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", list(Action), ids=str)
def test_rule11_may(role: Role, action: Action) -> None:
    assert may({role}, action) is (action.value in EXPECTED_MATRIX[role.value])


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_rule11_not_authorised_on_every_step(role: Role) -> None:
    """The engine's refusals carry ``not_authorised`` exactly where rule 11 forbids."""
    case = restricted(SPOC_TYPES, appeal("2026-01-15"), reconsideration("2026-01-16"), spoc="sam")
    actor = person("pat", role)
    steps = case.next_steps(d("2026-01-20"), actor)
    assert {s.action.value for s in steps} == ALL_ACTIONS
    for step in steps:
        forbidden = step.action.value not in EXPECTED_MATRIX[role.value]
        assert (R.NOT_AUTHORISED in step.reasons) is forbidden, step.action
        if forbidden:
            assert step.reasons[0] is R.NOT_AUTHORISED


def test_rule11_several_roles_add_up() -> None:
    both = person("lee", Role.OFFICER, Role.LINE_MANAGER)
    case = restricted(SPOC_TYPES, spoc="sam")
    assert why(case, spoc_review("2026-04-01", by="lee"), both) == ()
    assert why(case, review("2026-04-01", by="lee"), both) == (R.NOT_AUTHORISED,)
    manager_and_senior = person("max", Role.MANAGER, Role.SENIOR_OFFICER)
    assert why(case, review("2026-04-01", by="max"), manager_and_senior) == ()
    assert may({Role.ADMIN, Role.MANAGER}, Action.INCIDENT) is False


def test_rule11_no_roles_and_unknown_roles() -> None:
    case = build(incident("2026-01-05"))
    assert why(case, support("2026-01-06"), Actor("nobody", frozenset())) == (R.NOT_AUTHORISED,)
    assert why(case, support("2026-01-06"), Actor("nobody", None)) == ()
    assert why(case, support("2026-01-06"), Actor()) == ()


def test_rule11_not_authorised_is_listed_with_the_other_reasons() -> None:
    admin = person("ada", Role.ADMIN)
    assert why(Case(), support("2026-01-06"), admin) == (R.NOT_AUTHORISED, R.NO_INCIDENT)
    officer = person("ola", Role.OFFICER)
    assert why(Case(), formal_warning("2026-01-06"), officer) == (
        R.NOT_AUTHORISED,
        R.NO_INCIDENT,
        R.EIA_MISSING,
        R.NO_INFORMAL_STEP,
    )


# --- a refused step changes nothing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "actor", "expected"),
    [
        (restrict("2026-02-01", types=()), None, (R.DETAILS_MISSING,)),
        (breach_warning("2026-02-01"), None, (R.NO_BREACH,)),
        (
            review("2026-02-01", ReviewOutcome.REMOVE, letter=False),
            None,
            (R.CUSTOMER_NOT_INFORMED,),
        ),
        (appeal("2026-02-01"), None, (R.APPEAL_OUT_OF_TIME,)),
        (handover("2026-02-01", "kim", informed=False), None, (R.CUSTOMER_NOT_INFORMED,)),
        (spoc_review("2026-02-01", by="sam"), None, (R.REVIEWER_IS_SPOC,)),
        (incident("2026-02-01", Severity.EXTREME), person("ada", Role.ADMIN), (R.NOT_AUTHORISED,)),
        (contact("2026-02-01"), person("mo", Role.MANAGER), (R.NOT_AUTHORISED,)),
    ],
    ids=[
        "restrict",
        "breach-warning",
        "review",
        "appeal",
        "handover",
        "spoc-review",
        "incident",
        "contact",
    ],
)
def test_a_refused_step_changes_nothing(
    step: Event, actor: Actor | None, expected: tuple[Reason, ...]
) -> None:
    case = restricted(SPOC_TYPES, spoc="sam")
    state_before = copy.deepcopy(case.state)
    history_before = list(case.history)
    with pytest.raises(Refused) as refused:
        case.record(step, actor or as_step_says(step))
    assert refused.value.reasons == expected
    assert refused.value.action is step.action
    assert case.state == state_before
    assert case.history == history_before


def test_a_recorded_step_is_appended_to_the_history() -> None:
    case = ready_to_restrict()
    step = restrict("2026-01-10")
    decision = case.record(step)
    assert decision.allowed
    assert case.history[-1] is step
    assert len(case.history) == len(READY) + 1
    rebuilt = Case.from_history(list(case.history))
    assert rebuilt.state == case.state


def test_refused_restriction_leaves_contact_free() -> None:
    case = build(incident("2026-01-05", Severity.SERIOUS), initial_warning("2026-01-06"))
    with pytest.raises(Refused):
        case.record(restrict("2026-01-20"))
    assert case.decide(contact("2026-01-21", Channel.PHONE)).screen is Screen.ALLOWED
    assert case.due(d("2026-01-21"))[Due.RESTRICTION_END] is None


# --- every reason code is produced by some step ----------------------------------------------


@dataclass(frozen=True)
class Example:
    case: Callable[[], Case]
    step: Event
    actor: Actor | None = None
    also: tuple[Reason, ...] = ()  # the other rules the same step fails, listed first


REASON_EXAMPLES: dict[Reason, Example] = {
    R.NO_INCIDENT: Example(Case, support("2026-01-05")),
    R.EIA_MISSING: Example(
        lambda: build(incident("2026-01-05"), support("2026-01-06")), formal_warning("2026-01-07")
    ),
    R.EIA_STALE: Example(lambda: ready_to_restrict(change("2026-01-09")), restrict("2026-01-10")),
    R.EIA_OVERDUE: Example(ready_to_restrict, restrict("2026-09-01")),
    R.EIA_NOT_PROPORTIONATE: Example(
        lambda: ready_to_restrict(eia("2026-01-09", proportionate=False)), restrict("2026-01-10")
    ),
    R.NO_INFORMAL_STEP: Example(
        lambda: build(incident("2026-01-05"), eia("2026-01-06")), formal_warning("2026-01-07")
    ),
    R.NO_FORMAL_WARNING: Example(
        lambda: build(incident("2026-01-05"), eia("2026-01-06")), restrict("2026-01-07")
    ),
    R.NO_INCIDENT_SINCE_WARNING: Example(lambda: build(*READY[:4]), restrict("2026-01-10")),
    R.JUSTIFICATION_REQUIRED: Example(
        lambda: build(incident("2026-01-05", Severity.SERIOUS), eia("2026-01-06")),
        formal_warning("2026-01-07", ""),
        also=(R.NO_INFORMAL_STEP,),
    ),
    R.NOT_SERIOUS_ENOUGH: Example(
        lambda: build(incident("2026-01-05"), eia("2026-01-06")),
        formal_warning("2026-01-07", "reason"),
        also=(R.NO_INFORMAL_STEP,),
    ),
    R.DETAILS_MISSING: Example(ready_to_restrict, restrict("2026-01-10", months=None)),
    R.NOT_RESTRICTED: Example(ready_to_restrict, review("2026-01-10")),
    R.NO_BREACH: Example(restricted, breach_warning("2026-01-11")),
    R.NO_BREACH_SINCE_WARNING: Example(restricted, legal_advice("2026-01-11")),
    R.NO_LEGAL_ADVICE: Example(restricted, legal("2026-01-11", LegalStepKind.INJUNCTION)),
    R.NO_PRIOR_LEGAL_STEP: Example(
        lambda: build(incident("2026-01-05", Severity.EXTREME), legal_advice("2026-01-06")),
        legal("2026-01-07", LegalStepKind.NOSP),
    ),
    R.CUSTOMER_NOT_INFORMED: Example(restricted, review("2026-03-01", letter=False)),
    R.APPEAL_OUT_OF_TIME: Example(restricted, appeal("2026-01-25")),
    R.NO_PENDING_APPEAL: Example(restricted, appeal_decision("2026-01-20")),
    R.DECISION_FINAL: Example(
        lambda: restricted((T.WRITTEN_ONLY,), appeal("2026-01-11"), appeal_decision("2026-01-12")),
        appeal("2026-01-13"),
    ),
    R.REVIEWER_INVOLVED: Example(
        lambda: restricted((T.WRITTEN_ONLY,), appeal("2026-01-11"), by="sol"),
        appeal_decision("2026-01-12", by="sol"),
    ),
    R.NOT_AUTHORISED: Example(Case, incident("2026-01-05"), person("ada", Role.ADMIN)),
    R.REVIEWER_IS_SPOC: Example(
        lambda: restricted(SPOC_TYPES, spoc="sam"), spoc_review("2026-04-01", by="sam")
    ),
    R.NO_PENDING_RECONSIDERATION: Example(restricted, reconsideration_decision("2026-01-11")),
}


def test_every_reason_code_has_an_example() -> None:
    assert set(REASON_EXAMPLES) == set(Reason)


@pytest.mark.parametrize("reason", list(REASON_EXAMPLES), ids=str)
def test_reason_code_example(reason: Reason) -> None:
    example = REASON_EXAMPLES[reason]
    case = example.case()
    got = why(case, example.step, example.actor)
    assert got == (*example.also, reason)
    decision = case.decide(example.step, example.actor or as_step_says(example.step))
    assert not decision.allowed
    assert decision.explanations == [r.explanation for r in got]
    assert reason.explanation.strip()


def test_reviewer_checks_fall_back_to_the_steps_own_by() -> None:
    """Without an actor, the name on the step is the reviewer (rules 8 and 10)."""
    from datetime import date as _d

    from ube_core.procedure import Appeal as AppealStep
    from ube_core.procedure import (
        AppealDecision,
        AppealOutcome,
        Case,
        Category,
        Eia,
        FormalWarning,
        Incident,
        InformalKind,
        InformalStep,
        Reason,
        Restrict,
        RestrictionType,
        Severity,
        SpocReview,
    )

    case = Case()
    inc = dict(category=Category.AGGRESSIVE_ABUSIVE, severity=Severity.MODERATE)
    case.record(Incident(date=_d(2026, 1, 5), **inc))
    case.record(InformalStep(date=_d(2026, 1, 6), kind=InformalKind.SUPPORT))
    case.record(Eia(date=_d(2026, 1, 7), proportionate=True))
    case.record(FormalWarning(date=_d(2026, 1, 8)))
    case.record(Incident(date=_d(2026, 1, 9), **inc))
    case.record(
        Restrict(
            date=_d(2026, 1, 10),
            by="cara",
            types=(RestrictionType.SPOC,),
            months=6,
            reasons="abuse",
            spoc="sam",
        )
    )
    assert case.decide(SpocReview(date=_d(2026, 2, 1), by="sam")).reasons == (
        Reason.REVIEWER_IS_SPOC,
    )
    case.record(AppealStep(date=_d(2026, 1, 20), letter_date=_d(2026, 1, 10)))
    decision = AppealDecision(date=_d(2026, 2, 1), by="cara", outcome=AppealOutcome.UPHELD)
    assert case.decide(decision).reasons == (Reason.REVIEWER_INVOLVED,)
