"""A case's state, folded from its recorded steps in order.

The state keeps only what the rules ask about. Steps are numbered in the order they were
recorded (``seq``), so "after" means a later step, even on the same date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from . import dates
from .events import (
    Appeal,
    AppealDecision,
    BreachWarning,
    CircumstancesChange,
    Contact,
    Eia,
    Event,
    FormalWarning,
    Incident,
    InformalStep,
    LegalAdvice,
    LegalStep,
    Reconsideration,
    ReconsiderationDecision,
    Restrict,
    Review,
    SpocHandover,
    SpocReview,
)
from .screening import screen_contact
from .vocabulary import (
    AppealOutcome,
    Channel,
    LegalStepKind,
    ReconsiderationOutcome,
    RestrictionType,
    ReviewOutcome,
    Screen,
    Severity,
)


@dataclass(kw_only=True)
class RestrictionState:
    """One contact restriction and what has happened to it."""

    number: int
    start: date
    end: date
    types: frozenset[RestrictionType]
    allowed_channels: frozenset[Channel]
    made_by: str | None
    spoc: str | None
    spocs: set[str] = field(default_factory=set)
    case_review_due: date
    spoc_review_due: date | None
    ended_on: date | None = None
    breaches: int = 0
    appeal_received: bool = False
    appeal_decided: bool = False

    @property
    def letter_date(self) -> date:
        """The restriction notice is dated the day the restriction is made (§5)."""
        return self.start

    @property
    def appeal_deadline(self) -> date:
        return dates.appeal_deadline(self.letter_date)

    @property
    def has_spoc(self) -> bool:
        return self.spoc is not None

    def active_on(self, day: date) -> bool:
        """In force on ``day``: from its start through its end, unless ended by a step."""
        return self.ended_on is None and self.start <= day <= self.end

    def end_now(self, day: date) -> None:
        self.ended_on = day


@dataclass(kw_only=True)
class PendingRequest:
    received: date
    restriction: int

    @property
    def decision_due(self) -> date:
        return dates.decision_due(self.received)


@dataclass(kw_only=True)
class CaseState:
    seq: int = 0
    incidents: int = 0
    last_incident_seq: int | None = None
    worst_severity: Severity | None = None
    informal_steps: int = 0
    eia_date: date | None = None
    eia_proportionate: bool = False
    change_since_eia: date | None = None
    last_formal_warning_seq: int | None = None
    restrictions: list[RestrictionState] = field(default_factory=list)
    last_breach_seq: int | None = None
    last_breach_warning_seq: int | None = None
    legal_advice: bool = False
    legal_steps: set[LegalStepKind] = field(default_factory=set)
    pending_appeal: PendingRequest | None = None
    pending_reconsideration: PendingRequest | None = None

    # -- questions the rules ask -------------------------------------------------------
    @property
    def restriction(self) -> RestrictionState | None:
        """The latest restriction made on the case, active or not."""
        return self.restrictions[-1] if self.restrictions else None

    def active_restriction(self, day: date) -> RestrictionState | None:
        latest = self.restriction
        return latest if latest is not None and latest.active_on(day) else None

    @property
    def has_serious_incident(self) -> bool:
        return self.worst_severity is not None and self.worst_severity.is_serious

    @property
    def has_extreme_incident(self) -> bool:
        return self.worst_severity is Severity.EXTREME

    @property
    def eia_review_due(self) -> date | None:
        """Six months after the latest EIA, or the day of a later change of circumstances."""
        if self.eia_date is None:
            return None
        due = dates.six_months_after(self.eia_date)
        if self.change_since_eia is not None:
            due = min(due, self.change_since_eia)
        return due

    # -- folding -----------------------------------------------------------------------
    def apply(self, step: Event) -> None:
        """Record an allowed step. The rules must have been asked first."""
        self.seq += 1
        match step:
            case Incident():
                self.incidents += 1
                self.last_incident_seq = self.seq
                order = list(Severity)
                if self.worst_severity is None or order.index(step.severity) > order.index(
                    self.worst_severity
                ):
                    self.worst_severity = step.severity
            case InformalStep():
                self.informal_steps += 1
            case Eia():
                self.eia_date = step.date
                self.eia_proportionate = step.proportionate
                self.change_since_eia = None
            case CircumstancesChange():
                if self.eia_date is not None and self.change_since_eia is None:
                    self.change_since_eia = step.date
            case FormalWarning():
                self.last_formal_warning_seq = self.seq
            case Restrict():
                self._restrict(step)
            case Contact():
                current = self.active_restriction(step.date)
                if current is not None and screen_contact(step, current) is Screen.BREACH:
                    current.breaches += 1
                    self.last_breach_seq = self.seq
            case BreachWarning():
                self.last_breach_warning_seq = self.seq
            case LegalAdvice():
                self.legal_advice = True
            case LegalStep():
                self.legal_steps.add(step.kind)
            case Review():
                self._review(step)
            case Appeal():
                current = self.restriction
                assert current is not None
                current.appeal_received = True
                if self.pending_appeal is None:  # a second letter joins the pending appeal
                    self.pending_appeal = PendingRequest(
                        received=step.date, restriction=current.number
                    )
            case AppealDecision():
                self._decide_appeal(step)
            case Reconsideration():
                current = self.restriction
                assert current is not None
                if self.pending_reconsideration is None:
                    self.pending_reconsideration = PendingRequest(
                        received=step.date, restriction=current.number
                    )
            case ReconsiderationDecision():
                self.pending_reconsideration = None
                current = self.active_restriction(step.date)
                if step.outcome is ReconsiderationOutcome.LIFT and current is not None:
                    current.end_now(step.date)
            case SpocHandover():
                current = self.active_restriction(step.date)
                assert current is not None
                current.spoc = step.to
                current.spocs.add(step.to)
            case SpocReview():
                current = self.active_restriction(step.date)
                assert current is not None
                current.spoc_review_due = dates.quarter_after(step.date)

    def _restrict(self, step: Restrict) -> None:
        previous = self.active_restriction(step.date)
        if previous is not None:
            previous.end_now(step.date)
        assert step.months is not None
        end = dates.add_months(step.date, step.months)
        spoc = step.spoc if RestrictionType.SPOC in step.types else None
        self.restrictions.append(
            RestrictionState(
                number=len(self.restrictions) + 1,
                start=step.date,
                end=end,
                types=frozenset(step.types),
                allowed_channels=frozenset(step.allowed_channels),
                made_by=step.by,
                spoc=spoc,
                spocs={spoc} if spoc else set(),
                case_review_due=min(dates.six_months_after(step.date), end),
                spoc_review_due=dates.quarter_after(step.date) if spoc else None,
            )
        )

    def _review(self, step: Review) -> None:
        current = self.active_restriction(step.date)
        assert current is not None
        if step.outcome is ReviewOutcome.REMOVE:
            current.end_now(step.date)
        else:
            current.case_review_due = min(dates.six_months_after(step.date), current.end)

    def _decide_appeal(self, step: AppealDecision) -> None:
        """The decision concerns the latest restriction: a replacement takes over appeals."""
        assert self.pending_appeal is not None
        self.pending_appeal = None
        appealed = self.restrictions[-1]
        appealed.appeal_decided = True
        if step.outcome is AppealOutcome.OVERTURNED and appealed.active_on(step.date):
            appealed.end_now(step.date)


def fold(steps: list[Event]) -> CaseState:
    """The state after recording ``steps`` in order (each assumed allowed)."""
    state = CaseState()
    for step in steps:
        state.apply(step)
    return state
