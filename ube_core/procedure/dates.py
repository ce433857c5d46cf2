"""Deadline arithmetic exactly as the procedure counts it: calendar days, no working-day shifts.

"Six months after D" is the same day of the month six months on, or that month's last day
when it has fewer days (31 Aug -> 28 or 29 Feb); a quarter is three months the same way.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

APPEAL_WINDOW_DAYS = 14
DECISION_DAYS = 28
REVIEW_MONTHS = 6
QUARTER_MONTHS = 3


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, clamped to the last day of a shorter month."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def add_days(start: date, days: int) -> date:
    return start + timedelta(days=days)


def six_months_after(start: date) -> date:
    return add_months(start, REVIEW_MONTHS)


def quarter_after(start: date) -> date:
    return add_months(start, QUARTER_MONTHS)


def appeal_deadline(letter_date: date) -> date:
    """Last day an appeal is in time: 14 days after the date on the decision letter (§11)."""
    return add_days(letter_date, APPEAL_WINDOW_DAYS)


def decision_due(received: date) -> date:
    """Last day for a senior officer's decision: 28 days after receipt (§11)."""
    return add_days(received, DECISION_DAYS)


def within(deadline: date, on: date) -> bool:
    """``on`` is on or before ``deadline`` (deadlines are inclusive)."""
    return on <= deadline
