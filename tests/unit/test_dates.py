"""Deadline arithmetic (DESIGN.md "Procedure rules", Dates): calendar days, month-end clamping."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ube_core.procedure import (
    add_months,
    appeal_deadline,
    decision_due,
    quarter_after,
    six_months_after,
)
from ube_core.procedure.dates import within

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2150, 12, 31))
FAST = settings(max_examples=200, deadline=None)


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


# --- examples -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2025, 8, 31), date(2026, 2, 28)),  # non-leap February: its last day
        (date(2027, 8, 31), date(2028, 2, 29)),  # leap February: its last day
        (date(2025, 8, 30), date(2026, 2, 28)),
        (date(2025, 8, 28), date(2026, 2, 28)),
        (date(2026, 1, 7), date(2026, 7, 7)),  # the same day of the month
        (date(2025, 12, 31), date(2026, 6, 30)),  # June has 30 days
        (date(2026, 7, 15), date(2027, 1, 15)),  # across the year end
        (date(2026, 3, 31), date(2026, 9, 30)),
    ],
)
def test_six_months_after_examples(start: date, expected: date) -> None:
    assert six_months_after(start) == expected
    assert add_months(start, 6) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2025, 11, 30), date(2026, 2, 28)),
        (date(2027, 11, 30), date(2028, 2, 29)),
        (date(2025, 11, 29), date(2026, 2, 28)),
        (date(2026, 1, 10), date(2026, 4, 10)),
        (date(2026, 5, 31), date(2026, 8, 31)),
        (date(2026, 12, 31), date(2027, 3, 31)),
    ],
)
def test_quarter_after_examples(start: date, expected: date) -> None:
    assert quarter_after(start) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 10), 12, date(2027, 1, 10)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 3, 5), 0, date(2026, 3, 5)),
    ],
)
def test_add_months_examples(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_appeal_window_is_fourteen_days_inclusive() -> None:
    letter = date(2026, 1, 10)
    deadline = appeal_deadline(letter)
    assert deadline == date(2026, 1, 24)
    assert within(deadline, letter + timedelta(days=14))  # day 14: in time
    assert not within(deadline, letter + timedelta(days=15))  # day 15: too late


def test_appeal_window_across_month_and_year_end() -> None:
    assert appeal_deadline(date(2026, 2, 20)) == date(2026, 3, 6)
    assert appeal_deadline(date(2028, 2, 20)) == date(2028, 3, 5)  # leap year
    assert appeal_deadline(date(2026, 12, 25)) == date(2027, 1, 8)


def test_decision_window_is_twenty_eight_days_inclusive() -> None:
    received = date(2026, 2, 1)
    due = decision_due(received)
    assert due == date(2026, 3, 1)
    assert within(due, received + timedelta(days=28))  # day 28: on time
    assert not within(due, received + timedelta(days=29))  # day 29: late


def test_within_is_inclusive_of_the_deadline_day_only() -> None:
    deadline = date(2026, 5, 1)
    assert within(deadline, date(2026, 4, 30))
    assert within(deadline, deadline)
    assert not within(deadline, date(2026, 5, 2))


# --- properties -----------------------------------------------------------------------------


@FAST
@given(DAYS)
def test_six_months_is_the_same_day_or_the_months_last_day(day: date) -> None:
    later = add_months(day, 6)
    assert later >= day
    assert month_index(later) - month_index(day) == 6
    last = calendar.monthrange(later.year, later.month)[1]
    assert later.day == min(day.day, last)
    # Six consecutive months hold 181 (Sep-Feb, non-leap) to 184 (Jul-Dec) days, and
    # clamping to a shorter month's end never takes the span below the shortest such run.
    assert 181 <= (later - day).days <= 184
    assert six_months_after(day) == later


@FAST
@given(DAYS)
def test_quarter_is_three_months_the_same_way(day: date) -> None:
    later = quarter_after(day)
    assert later == add_months(day, 3)
    assert month_index(later) - month_index(day) == 3
    last = calendar.monthrange(later.year, later.month)[1]
    assert later.day == min(day.day, last)
    assert 89 <= (later - day).days <= 92


@FAST
@given(DAYS, st.integers(min_value=0, max_value=36), st.integers(min_value=0, max_value=36))
def test_adding_months_in_two_goes(day: date, a: int, b: int) -> None:
    together = add_months(day, a + b)
    in_two = add_months(add_months(day, a), b)
    # Same month either way; clamping in the middle can only take days off.
    assert month_index(in_two) == month_index(together)
    assert in_two <= together
    if day.day <= 28:
        assert in_two == together


@FAST
@given(DAYS)
def test_appeal_window_is_inclusive_for_every_letter_date(letter: date) -> None:
    deadline = appeal_deadline(letter)
    assert deadline - letter == timedelta(days=14)
    assert within(deadline, letter + timedelta(days=14))
    assert not within(deadline, letter + timedelta(days=15))


@FAST
@given(DAYS)
def test_decision_due_is_receipt_plus_twenty_eight(received: date) -> None:
    due = decision_due(received)
    assert due - received == timedelta(days=28)
    assert within(due, received + timedelta(days=28))
    assert not within(due, received + timedelta(days=29))
