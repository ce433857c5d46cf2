"""Screening an inbound contact against the restriction (DESIGN.md rule 5; procedure §5, §7, §8)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pytest

from ube_core.procedure import (
    Channel,
    ExclusionTopic,
    RestrictionState,
    RestrictionType,
    ReviewOutcome,
    Screen,
    exclusion_topic,
    screen_contact,
)

from .builders import contact, d, restricted, review

T = RestrictionType
C = Channel
EXCLUSIONS = [
    "critical_asb",
    "new_repair",
    "urgent_repair",
    "emergency",
    "safeguarding",
    "domestic_abuse",
]


def restriction(
    types: Iterable[RestrictionType],
    allowed_channels: Iterable[Channel] = (),
    spoc: str | None = None,
) -> RestrictionState:
    start = date(2026, 1, 10)
    return RestrictionState(
        number=1,
        start=start,
        end=date(2026, 7, 10),
        types=frozenset(types),
        allowed_channels=frozenset(allowed_channels),
        made_by=None,
        spoc=spoc,
        case_review_due=date(2026, 7, 10),
        spoc_review_due=None,
    )


def screen(
    rest: RestrictionState | None,
    channel: Channel,
    topic: str | None = None,
    *,
    via_spoc: bool = False,
) -> Screen:
    return screen_contact(contact("2026-02-01", channel, topic, via_spoc=via_spoc), rest)


def test_exclusion_topics_are_the_six_of_section_7() -> None:
    assert sorted(t.value for t in ExclusionTopic) == sorted(EXCLUSIONS)


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        (C.PHONE, Screen.BREACH),
        (C.VISIT, Screen.BREACH),
        (C.SOCIAL_MEDIA, Screen.BREACH),
        (C.EMAIL, Screen.ALLOWED),
        (C.LETTER, Screen.ALLOWED),
        (C.WEB, Screen.ALLOWED),
    ],
)
def test_written_only(channel: Channel, expected: Screen) -> None:
    assert screen(restriction([T.WRITTEN_ONLY]), channel) is expected


@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("via_spoc", [True, False])
def test_spoc_contact_must_come_via_the_spoc(channel: Channel, via_spoc: bool) -> None:
    expected = Screen.ALLOWED if via_spoc else Screen.BREACH
    assert screen(restriction([T.SPOC], spoc="sam"), channel, via_spoc=via_spoc) is expected


@pytest.mark.parametrize("channel", list(Channel))
def test_allowed_channels(channel: Channel) -> None:
    single = restriction([T.SINGLE_CHANNEL], allowed_channels=[C.EMAIL])
    assert screen(single, channel) is (Screen.ALLOWED if channel is C.EMAIL else Screen.BREACH)


@pytest.mark.parametrize("channel", list(Channel))
def test_allowed_channels_are_screened_whatever_the_types(channel: Channel) -> None:
    rest = restriction([T.FREQUENCY_LIMIT], allowed_channels=[C.PHONE, C.LETTER])
    expected = Screen.ALLOWED if channel in (C.PHONE, C.LETTER) else Screen.BREACH
    assert screen(rest, channel) is expected


@pytest.mark.parametrize(
    ("channel", "via_spoc", "expected"),
    [
        (C.EMAIL, True, Screen.ALLOWED),
        (C.LETTER, True, Screen.ALLOWED),
        (C.PHONE, True, Screen.BREACH),  # via the SPOC but not written
        (C.EMAIL, False, Screen.BREACH),  # written but not via the SPOC
        (C.PHONE, False, Screen.BREACH),
    ],
)
def test_every_arrangement_must_be_kept(channel: Channel, via_spoc: bool, expected: Screen) -> None:
    rest = restriction([T.SPOC, T.WRITTEN_ONLY], spoc="sam")
    assert screen(rest, channel, via_spoc=via_spoc) is expected


def test_written_only_with_allowed_channels() -> None:
    rest = restriction([T.WRITTEN_ONLY], allowed_channels=[C.EMAIL, C.PHONE])
    assert screen(rest, C.EMAIL) is Screen.ALLOWED
    assert screen(rest, C.LETTER) is Screen.BREACH  # written, but not an allowed channel
    assert screen(rest, C.PHONE) is Screen.BREACH  # allowed channel, but not written


@pytest.mark.parametrize("topic", EXCLUSIONS)
def test_exclusion_topics(topic: str) -> None:
    rest = restriction([T.WRITTEN_ONLY])
    assert screen(rest, C.PHONE, topic) is Screen.EXCLUSION
    assert screen(rest, C.VISIT, topic) is Screen.EXCLUSION
    spoc = restriction([T.SPOC], spoc="sam")
    assert screen(spoc, C.PHONE, topic, via_spoc=False) is Screen.EXCLUSION
    # Keeping to the arrangements is simply allowed, whatever the topic.
    assert screen(rest, C.EMAIL, topic) is Screen.ALLOWED
    assert exclusion_topic(topic) is ExclusionTopic(topic)


@pytest.mark.parametrize(
    "topic",
    [
        None,
        "",
        "rent arrears",
        "complaint about the repairs team",
        "new repair",  # free words, not the code
        "urgent repair please",
        "asb",
        "emergency!",
    ],
)
def test_free_text_topics_are_no_exclusion(topic: str | None) -> None:
    assert screen(restriction([T.WRITTEN_ONLY]), C.PHONE, topic) is Screen.BREACH
    assert exclusion_topic(topic) is None


def test_exclusion_topic_ignores_case_and_surrounding_space() -> None:
    assert exclusion_topic("  Urgent_Repair ") is ExclusionTopic.URGENT_REPAIR
    assert screen(restriction([T.WRITTEN_ONLY]), C.PHONE, "SAFEGUARDING") is Screen.EXCLUSION


@pytest.mark.parametrize(
    "kind",
    [
        T.THIRD_PARTY,
        T.PREARRANGED_CALLS,
        T.FREQUENCY_LIMIT,
        T.RETURN_CORRESPONDENCE,
        T.NO_RESPONSE_ON_ISSUE,
        T.OTHER,
    ],
)
@pytest.mark.parametrize("channel", list(Channel))
def test_other_types_are_not_screened_by_channel(kind: RestrictionType, channel: Channel) -> None:
    assert screen(restriction([kind]), channel) is Screen.ALLOWED
    assert screen(restriction([kind]), channel, "rent arrears") is Screen.ALLOWED


@pytest.mark.parametrize("channel", list(Channel))
def test_no_restriction_means_allowed(channel: Channel) -> None:
    assert screen(None, channel) is Screen.ALLOWED
    assert screen(None, channel, "urgent_repair") is Screen.ALLOWED


# --- through the case: what is recorded -------------------------------------------------------


def test_a_breach_is_counted_on_the_restriction() -> None:
    case = restricted([T.WRITTEN_ONLY])
    current = case.state.restriction
    assert current is not None
    decision = case.record(contact("2026-01-11", C.PHONE))
    assert decision.screen is Screen.BREACH
    assert "written" in decision.screen_why
    assert current.breaches == 1
    assert case.state.last_breach_seq == len(case.history)
    case.record(contact("2026-01-12", C.VISIT))
    assert current.breaches == 2


def test_an_exclusion_or_an_allowed_contact_is_not_a_breach() -> None:
    case = restricted([T.WRITTEN_ONLY])
    current = case.state.restriction
    assert current is not None
    exclusion = case.record(contact("2026-01-11", C.PHONE, "emergency"))
    assert exclusion.screen is Screen.EXCLUSION
    assert exclusion.screen_why  # it did break the arrangements
    allowed = case.record(contact("2026-01-12", C.EMAIL, "rent arrears"))
    assert allowed.screen is Screen.ALLOWED
    assert allowed.screen_why == ""
    assert current.breaches == 0
    assert case.state.last_breach_seq is None


def test_contact_after_the_restriction_ends_is_allowed_and_not_counted() -> None:
    case = restricted([T.WRITTEN_ONLY], months=1)  # 2026-01-10 .. 2026-02-10
    assert case.decide(contact("2026-02-10", C.PHONE)).screen is Screen.BREACH
    decision = case.record(contact("2026-02-11", C.PHONE))
    assert decision.screen is Screen.ALLOWED
    assert case.state.restrictions[0].breaches == 0


def test_contact_after_removal_is_allowed() -> None:
    case = restricted([T.WRITTEN_ONLY], review("2026-03-01", ReviewOutcome.REMOVE))
    assert case.record(contact("2026-03-01", C.PHONE)).screen is Screen.ALLOWED
    assert case.state.restrictions[0].breaches == 0


def test_screening_uses_the_contact_date() -> None:
    case = restricted([T.WRITTEN_ONLY])  # from 2026-01-10
    assert case.state.restrictions[0].start == d("2026-01-10")
    assert case.decide(contact("2026-01-09", C.PHONE)).screen is Screen.ALLOWED
    assert case.decide(contact("2026-01-10", C.PHONE)).screen is Screen.BREACH
