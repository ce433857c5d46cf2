"""What is due for a case on a given day, and what is overdue (§2, §6, §10, §11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .state import CaseState


class Due(StrEnum):
    """Things with a deadline; each value is the last day on which the thing is on time."""

    CASE_REVIEW = "case_review"
    EIA_REVIEW = "eia_review"
    APPEAL_DEADLINE = "appeal_deadline"
    APPEAL_DECISION = "appeal_decision"
    RECONSIDERATION_DECISION = "reconsideration_decision"
    SPOC_REVIEW = "spoc_review"
    RESTRICTION_END = "restriction_end"

    @property
    def label(self) -> str:
        return DUE_LABELS[self]


DUE_LABELS: dict[Due, str] = {
    Due.CASE_REVIEW: "Six-monthly case review (§10)",
    Due.EIA_REVIEW: "Equality impact assessment review (§2)",
    Due.APPEAL_DEADLINE: "Last day for the customer to appeal (§11)",
    Due.APPEAL_DECISION: "Appeal decision due (§11)",
    Due.RECONSIDERATION_DECISION: "Reconsideration decision due (§11)",
    Due.SPOC_REVIEW: "Quarterly SPOC review (§6)",
    Due.RESTRICTION_END: "Restriction ends (§5)",
}

# Deadlines the customer has, not us: passing them is not an overdue task.
CUSTOMER_DEADLINES = frozenset({Due.APPEAL_DEADLINE, Due.RESTRICTION_END})


def due_dates(state: CaseState, today: date) -> dict[Due, date | None]:
    """Every due key with its date, or None when the thing is not pending on ``today``."""
    active = state.active_restriction(today)
    latest = state.restriction
    return {
        Due.CASE_REVIEW: active.case_review_due if active else None,
        Due.EIA_REVIEW: state.eia_review_due,
        Due.APPEAL_DEADLINE: (
            latest.appeal_deadline if latest is not None and not latest.appeal_received else None
        ),
        Due.APPEAL_DECISION: state.pending_appeal.decision_due if state.pending_appeal else None,
        Due.RECONSIDERATION_DECISION: (
            state.pending_reconsideration.decision_due if state.pending_reconsideration else None
        ),
        Due.SPOC_REVIEW: active.spoc_review_due if active else None,
        Due.RESTRICTION_END: active.end if active else None,
    }


@dataclass(frozen=True)
class Overdue:
    what: Due
    due: date
    days: int


def overdue(state: CaseState, today: date) -> list[Overdue]:
    """Our own deadlines that have passed on ``today``, most overdue first."""
    items = [
        Overdue(what=key, due=when, days=(today - when).days)
        for key, when in due_dates(state, today).items()
        if when is not None and when < today and key not in CUSTOMER_DEADLINES
    ]
    return sorted(items, key=lambda item: -item.days)


def lapsed_without_review(state: CaseState, today: date) -> bool:
    """The latest restriction ran past its end without being reviewed or lifted (§10)."""
    latest = state.restriction
    return latest is not None and latest.ended_on is None and latest.end < today
