"""What is due and what is overdue (SCENARIOS.md "Due dates"; DESIGN.md rules 2, 4, 7-10)."""

from __future__ import annotations

from datetime import date

import pytest

from ube_core.procedure import (
    Action,
    Actor,
    AppealOutcome,
    Case,
    Channel,
    Due,
    Event,
    Overdue,
    Reason,
    ReconsiderationOutcome,
    RestrictionType,
    ReviewOutcome,
    Role,
    Severity,
    due_dates,
    lapsed_without_review,
    overdue,
)

from .builders import (
    READY,
    appeal,
    appeal_decision,
    build,
    change,
    d,
    eia,
    formal_warning,
    handover,
    incident,
    initial_warning,
    legal_advice,
    ready_to_restrict,
    reconsideration,
    reconsideration_decision,
    restrict,
    restricted,
    review,
    spoc_review,
)

T = RestrictionType
R = Reason
NOTHING_DUE = dict.fromkeys(Due)


def test_every_due_key_is_reported() -> None:
    assert {k.value for k in Due} == {
        "case_review",
        "eia_review",
        "appeal_deadline",
        "appeal_decision",
        "reconsideration_decision",
        "spoc_review",
        "restriction_end",
    }
    assert set(Case().due(d("2026-01-01"))) == set(Due)
    for key in Due:
        assert key.label


def test_nothing_due_on_an_empty_case() -> None:
    assert Case().due(d("2026-01-01")) == NOTHING_DUE
    assert build(incident("2026-01-05")).due(d("2026-01-05")) == NOTHING_DUE


def test_eia_review_six_months_after_the_eia() -> None:
    case = build(eia("2026-01-07"))
    assert case.due(d("2026-01-07")) == {**NOTHING_DUE, Due.EIA_REVIEW: d("2026-07-07")}
    late = build(eia("2025-08-31"))
    assert late.due(d("2025-08-31"))[Due.EIA_REVIEW] == d("2026-02-28")
    leap = build(eia("2027-08-31"))
    assert leap.due(d("2027-08-31"))[Due.EIA_REVIEW] == d("2028-02-29")


def test_eia_review_brought_forward_by_a_circumstances_change() -> None:
    case = restricted(months=12)
    assert case.due(d("2026-01-10"))[Due.EIA_REVIEW] == d("2026-07-07")
    case.record(change("2026-03-15"))
    assert case.due(d("2026-03-15"))[Due.EIA_REVIEW] == d("2026-03-15")
    case.record(eia("2026-03-20"))  # reviewed: six months from the new one
    assert case.due(d("2026-03-20"))[Due.EIA_REVIEW] == d("2026-09-20")


def test_a_change_before_any_eia_brings_nothing_forward() -> None:
    case = build(change("2026-01-02"), eia("2026-01-07"))
    assert case.due(d("2026-01-07"))[Due.EIA_REVIEW] == d("2026-07-07")


def test_due_dates_of_a_fresh_spoc_restriction() -> None:
    case = restricted((T.SPOC,), spoc="sam")  # 2026-01-10, six months, EIA 2026-01-07
    assert case.due(d("2026-01-10")) == {
        Due.CASE_REVIEW: d("2026-07-10"),
        Due.EIA_REVIEW: d("2026-07-07"),
        Due.APPEAL_DEADLINE: d("2026-01-24"),
        Due.APPEAL_DECISION: None,
        Due.RECONSIDERATION_DECISION: None,
        Due.SPOC_REVIEW: d("2026-04-10"),
        Due.RESTRICTION_END: d("2026-07-10"),
    }


def test_no_spoc_review_without_a_spoc() -> None:
    case = restricted((T.WRITTEN_ONLY,))
    assert case.due(d("2026-01-10"))[Due.SPOC_REVIEW] is None


@pytest.mark.parametrize(
    ("months", "case_review", "end"),
    [
        (1, "2026-02-10", "2026-02-10"),
        (3, "2026-04-10", "2026-04-10"),  # at the end of a short restriction
        (6, "2026-07-10", "2026-07-10"),
        (7, "2026-07-10", "2026-08-10"),
        (12, "2026-07-10", "2027-01-10"),  # six months after it
    ],
)
def test_case_review_six_months_on_or_at_the_end(months: int, case_review: str, end: str) -> None:
    due = restricted(months=months).due(d("2026-01-10"))
    assert due[Due.CASE_REVIEW] == d(case_review)
    assert due[Due.RESTRICTION_END] == d(end)


def test_restriction_at_month_end() -> None:
    case = build(
        incident("2025-08-25"),
        initial_warning("2025-08-26"),
        eia("2025-08-27"),
        formal_warning("2025-08-28"),
        incident("2025-08-29"),
        restrict("2025-08-31", (T.SPOC,), spoc="sam", months=6),
    )
    due = case.due(d("2025-08-31"))
    assert due[Due.RESTRICTION_END] == d("2026-02-28")
    assert due[Due.CASE_REVIEW] == d("2026-02-28")
    assert due[Due.SPOC_REVIEW] == d("2025-11-30")
    assert due[Due.APPEAL_DEADLINE] == d("2025-09-14")
    assert due[Due.EIA_REVIEW] == d("2026-02-27")


@pytest.mark.parametrize(
    ("months", "review_day", "next_review"),
    [
        (12, "2026-05-20", "2026-11-20"),
        (8, "2026-05-20", "2026-09-10"),
        (6, "2026-07-01", "2026-07-10"),
    ],
)
def test_case_review_after_a_remain_review(months: int, review_day: str, next_review: str) -> None:
    case = restricted(months=months)
    case.record(review(review_day, ReviewOutcome.REMAIN))
    assert case.due(d(review_day))[Due.CASE_REVIEW] == d(next_review)


def test_keys_null_once_a_restriction_is_removed() -> None:
    case = restricted((T.SPOC,), review("2026-03-01", ReviewOutcome.REMOVE), spoc="sam")
    due = case.due(d("2026-03-01"))
    assert due[Due.CASE_REVIEW] is None
    assert due[Due.SPOC_REVIEW] is None
    assert due[Due.RESTRICTION_END] is None
    assert due[Due.EIA_REVIEW] == d("2026-07-07")


def test_keys_null_once_a_restriction_has_run_out() -> None:
    case = restricted((T.SPOC,), months=3, spoc="sam")
    on_last_day = case.due(d("2026-04-10"))
    assert on_last_day[Due.RESTRICTION_END] == d("2026-04-10")
    assert on_last_day[Due.CASE_REVIEW] == d("2026-04-10")
    assert on_last_day[Due.SPOC_REVIEW] == d("2026-04-10")
    day_after = case.due(d("2026-04-11"))
    assert day_after[Due.RESTRICTION_END] is None
    assert day_after[Due.CASE_REVIEW] is None
    assert day_after[Due.SPOC_REVIEW] is None


def test_appeal_keys() -> None:
    case = restricted()
    assert case.due(d("2026-01-10"))[Due.APPEAL_DEADLINE] == d("2026-01-24")
    case.record(appeal("2026-01-24"))
    due = case.due(d("2026-01-24"))
    assert due[Due.APPEAL_DEADLINE] is None  # received: no longer pending
    assert due[Due.APPEAL_DECISION] == d("2026-02-21")
    case.record(appeal_decision("2026-02-20", AppealOutcome.UPHELD))
    due = case.due(d("2026-02-20"))
    assert due[Due.APPEAL_DECISION] is None
    assert due[Due.APPEAL_DEADLINE] is None
    assert due[Due.RESTRICTION_END] == d("2026-07-10")


def test_overturned_appeal_clears_the_restriction_keys() -> None:
    case = restricted((T.SPOC,), appeal("2026-01-20"), spoc="sam")
    case.record(appeal_decision("2026-02-01", AppealOutcome.OVERTURNED))
    assert case.due(d("2026-02-01")) == {**NOTHING_DUE, Due.EIA_REVIEW: d("2026-07-07")}


def test_reconsideration_keys() -> None:
    case = restricted((T.SPOC,), reconsideration("2026-03-03"), spoc="sam")
    assert case.due(d("2026-03-03"))[Due.RECONSIDERATION_DECISION] == d("2026-03-31")
    case.record(reconsideration_decision("2026-03-20", ReconsiderationOutcome.LIFT))
    assert case.due(d("2026-03-20")) == {
        **NOTHING_DUE,
        Due.EIA_REVIEW: d("2026-07-07"),
        Due.APPEAL_DEADLINE: d("2026-01-24"),  # never appealed; the customer's own date
    }


def test_spoc_review_a_quarter_after_the_last_review() -> None:
    case = restricted((T.SPOC,), months=12, spoc="sam")
    assert case.due(d("2026-01-10"))[Due.SPOC_REVIEW] == d("2026-04-10")
    case.record(spoc_review("2026-04-02", by="lee"))
    assert case.due(d("2026-04-02"))[Due.SPOC_REVIEW] == d("2026-07-02")
    case.record(handover("2026-05-01", "kim"))  # a handover does not move the review
    assert case.due(d("2026-05-01"))[Due.SPOC_REVIEW] == d("2026-07-02")


def test_replacement_takes_over_the_due_dates() -> None:
    case = restricted((T.SPOC,), spoc="sam", months=12)
    case.record(restrict("2026-03-01", (T.WRITTEN_ONLY,), months=3))
    due = case.due(d("2026-03-01"))
    assert due[Due.RESTRICTION_END] == d("2026-06-01")
    assert due[Due.CASE_REVIEW] == d("2026-06-01")
    assert due[Due.SPOC_REVIEW] is None
    assert due[Due.APPEAL_DEADLINE] == d("2026-03-15")


def test_due_dates_function_matches_case_due() -> None:
    case = restricted((T.SPOC,), spoc="sam")
    assert due_dates(case.state, d("2026-02-01")) == case.due(d("2026-02-01"))


# --- overdue ----------------------------------------------------------------------------------


def test_nothing_overdue_on_the_due_day() -> None:
    case = restricted((T.SPOC,), reconsideration("2026-03-01"), spoc="sam")
    assert case.overdue(d("2026-03-29")) == []  # reconsideration decision due that day
    assert case.overdue(d("2026-03-30")) == [
        Overdue(what=Due.RECONSIDERATION_DECISION, due=d("2026-03-29"), days=1)
    ]


def test_overdue_most_overdue_first_and_customer_deadlines_excluded() -> None:
    case = restricted((T.SPOC,), reconsideration("2026-02-01"), spoc="sam")
    # appeal deadline (2026-01-24) passed: the customer's, not ours.
    today = d("2026-05-01")
    assert case.overdue(today) == [
        Overdue(what=Due.RECONSIDERATION_DECISION, due=d("2026-03-01"), days=61),
        Overdue(what=Due.SPOC_REVIEW, due=d("2026-04-10"), days=21),
    ]
    assert overdue(case.state, today) == case.overdue(today)


def test_overdue_eia_case_review_and_appeal_decision() -> None:
    case = restricted((T.WRITTEN_ONLY,), appeal("2026-01-20"), months=12)
    today = d("2026-07-20")
    got = case.overdue(today)
    assert [(o.what, o.days) for o in got] == [
        (Due.APPEAL_DECISION, 153),  # due 2026-02-17
        (Due.EIA_REVIEW, 13),  # due 2026-07-07
        (Due.CASE_REVIEW, 10),  # due 2026-07-10
    ]
    assert all(o.what not in (Due.APPEAL_DEADLINE, Due.RESTRICTION_END) for o in got)


def test_passed_appeal_deadline_is_never_overdue() -> None:
    case = restricted()
    assert case.due(d("2026-02-01"))[Due.APPEAL_DEADLINE] == d("2026-01-24")
    assert case.overdue(d("2026-02-01")) == []


# --- lapsed without review --------------------------------------------------------------------


def test_lapsed_without_review() -> None:
    case = restricted(months=3)  # ends 2026-04-10
    assert not lapsed_without_review(case.state, d("2026-04-10"))
    assert lapsed_without_review(case.state, d("2026-04-11"))


def test_not_lapsed_when_ended_by_a_step() -> None:
    removed = restricted(months=3)
    removed.record(review("2026-04-01", ReviewOutcome.REMOVE))
    assert not lapsed_without_review(removed.state, d("2026-05-01"))
    lifted = restricted((T.WRITTEN_ONLY,), reconsideration("2026-02-01"), months=3)
    lifted.record(reconsideration_decision("2026-02-10", ReconsiderationOutcome.LIFT))
    assert not lapsed_without_review(lifted.state, d("2026-05-01"))


def test_not_lapsed_without_a_restriction() -> None:
    assert not lapsed_without_review(ready_to_restrict().state, d("2030-01-01"))
    assert not lapsed_without_review(Case().state, d("2030-01-01"))


# --- next steps and marker --------------------------------------------------------------------


def test_next_steps_after_one_incident() -> None:
    case = build(incident("2026-01-05"))
    steps = {s.action: s.reasons for s in case.next_steps(d("2026-01-06"))}
    assert steps == {
        Action.INCIDENT: (),
        Action.CONTACT: (),
        Action.SUPPORT: (),
        Action.INITIAL_WARNING: (),
        Action.EIA: (),
        Action.CIRCUMSTANCES_CHANGE: (),
        Action.FORMAL_WARNING: (R.EIA_MISSING, R.NO_INFORMAL_STEP),
        Action.RESTRICT: (R.EIA_MISSING, R.NO_FORMAL_WARNING),
        Action.BREACH_WARNING: (R.NOT_RESTRICTED,),
        Action.LEGAL_ADVICE: (R.NO_BREACH_SINCE_WARNING,),
        Action.LEGAL_WARNING_LETTER: (R.NO_LEGAL_ADVICE,),
        Action.INJUNCTION: (R.NO_LEGAL_ADVICE,),
        Action.CIVIL_RESTRAINT_ORDER: (R.NO_LEGAL_ADVICE,),
        Action.NOSP: (R.NO_LEGAL_ADVICE, R.NO_PRIOR_LEGAL_STEP),
        Action.REVIEW: (R.NOT_RESTRICTED, R.EIA_MISSING),
        Action.APPEAL: (R.NOT_RESTRICTED,),
        Action.APPEAL_DECISION: (R.NO_PENDING_APPEAL,),
        Action.RECONSIDERATION: (R.NOT_RESTRICTED,),
        Action.RECONSIDERATION_DECISION: (R.NO_PENDING_RECONSIDERATION,),
        Action.SPOC_HANDOVER: (R.NOT_RESTRICTED,),
        Action.SPOC_REVIEW: (R.NOT_RESTRICTED,),
    }


def test_next_steps_on_the_day_of_a_restriction_for_an_officer() -> None:
    case = restricted((T.SPOC,), spoc="sam")
    officer = Actor("ola", frozenset({Role.OFFICER}))
    steps = {s.action: s for s in case.next_steps(d("2026-01-10"), officer)}
    assert steps[Action.CONTACT].allowed
    assert steps[Action.APPEAL].allowed
    assert steps[Action.RECONSIDERATION].allowed
    assert steps[Action.REVIEW].reasons == (R.NOT_AUTHORISED,)
    assert steps[Action.BREACH_WARNING].reasons == (R.NOT_AUTHORISED, R.NO_BREACH)
    assert steps[Action.SPOC_REVIEW].reasons == (R.NOT_AUTHORISED,)
    assert not steps[Action.FORMAL_WARNING].allowed
    # The appeal window closes after day 14.
    later = {s.action: s.reasons for s in case.next_steps(d("2026-01-25"), officer)}
    assert later[Action.APPEAL] == (R.APPEAL_OUT_OF_TIME,)


def test_next_steps_for_the_spoc_shows_reviewer_is_spoc() -> None:
    case = restricted((T.SPOC,), spoc="sam")
    sam = Actor("sam", frozenset({Role.LINE_MANAGER}))
    steps = {s.action: s.reasons for s in case.next_steps(d("2026-02-01"), sam)}
    assert steps[Action.SPOC_REVIEW] == (R.REVIEWER_IS_SPOC,)


def test_marker_without_a_restriction() -> None:
    marker = build(incident("2026-01-05")).marker(d("2026-01-06"))
    assert marker.stage == "Incident logged"
    assert not marker.restricted
    assert marker.types == ()
    assert marker.spoc is None
    assert marker.ends is None
    assert Case().marker(d("2026-01-06")).stage == "No incidents"


@pytest.mark.parametrize(
    ("steps", "stage"),
    [
        ((incident("2026-01-05"), initial_warning("2026-01-06")), "Informal action"),
        (READY[:4], "Formal warning"),
        (READY, "Formal warning"),
    ],
)
def test_marker_stage_before_restriction(steps: tuple[Event, ...], stage: str) -> None:
    assert build(*steps).marker(d("2026-01-10")).stage == stage


def test_marker_with_a_restriction() -> None:
    case = restricted((T.SPOC, T.SINGLE_CHANNEL), spoc="sam", allowed_channels=(Channel.EMAIL,))
    marker = case.marker(d("2026-02-01"))
    assert marker.stage == "Contact restricted"
    assert marker.restricted
    assert set(marker.types) == {T.SPOC, T.SINGLE_CHANNEL}
    assert marker.allowed_channels == (Channel.EMAIL,)
    assert marker.spoc == "sam"
    assert marker.ends == d("2026-07-10")
    assert "sam" in marker.advice
    assert "email" in marker.advice.lower()
    assert "§7" in marker.advice


def test_marker_after_the_restriction_and_in_legal_action() -> None:
    case = restricted(months=1)
    ended = case.marker(d("2026-02-11"))
    assert ended.stage == "Restriction ended"
    assert not ended.restricted
    assert case.marker(d("2026-02-10")).restricted
    extreme = build(incident("2026-01-05", Severity.EXTREME))
    extreme.record(legal_advice("2026-01-06"))
    assert extreme.marker(d("2026-01-06")).stage == "Legal action"


def test_marker_follows_a_handover() -> None:
    case = restricted((T.SPOC,), handover("2026-02-01", "kim"), spoc="sam")
    assert case.marker(d("2026-02-01")).spoc == "kim"


def test_written_only_marker_advice() -> None:
    marker = restricted((T.WRITTEN_ONLY,)).marker(d("2026-01-10"))
    assert "writing" in marker.advice
    assert marker.spoc is None
    assert isinstance(marker.ends, date)
