"""The steps of a case, one small frozen dataclass per kind (the case's chronology).

Every step carries its date and, when known, who took it. A step is proposed to the rules
(``ube_core.procedure.rules``); once allowed it is recorded and folded into the case state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .vocabulary import (
    Action,
    AppealOutcome,
    Behaviour,
    Category,
    Channel,
    InformalKind,
    LegalStepKind,
    ReconsiderationOutcome,
    RestrictionType,
    ReviewOutcome,
    Severity,
)


@dataclass(frozen=True, kw_only=True)
class Step:
    date: date
    by: str | None = None

    @property
    def action(self) -> Action:  # pragma: no cover - every subclass overrides
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class Incident(Step):
    category: Category
    severity: Severity
    channel: Channel | None = None
    behaviour: Behaviour | None = None

    @property
    def action(self) -> Action:
        return Action.INCIDENT


@dataclass(frozen=True, kw_only=True)
class InformalStep(Step):
    kind: InformalKind

    @property
    def action(self) -> Action:
        return Action(self.kind.value)


@dataclass(frozen=True, kw_only=True)
class Eia(Step):
    proportionate: bool

    @property
    def action(self) -> Action:
        return Action.EIA


@dataclass(frozen=True, kw_only=True)
class CircumstancesChange(Step):
    note: str = ""

    @property
    def action(self) -> Action:
        return Action.CIRCUMSTANCES_CHANGE


@dataclass(frozen=True, kw_only=True)
class FormalWarning(Step):
    override_reason: str | None = None

    @property
    def action(self) -> Action:
        return Action.FORMAL_WARNING


@dataclass(frozen=True, kw_only=True)
class Restrict(Step):
    types: tuple[RestrictionType, ...] = ()
    months: int | None = None
    reasons: str = ""
    allowed_channels: tuple[Channel, ...] = ()
    spoc: str | None = None
    override_reason: str | None = None

    @property
    def action(self) -> Action:
        return Action.RESTRICT


@dataclass(frozen=True, kw_only=True)
class Contact(Step):
    channel: Channel
    topic: str | None = None
    via_spoc: bool = False

    @property
    def action(self) -> Action:
        return Action.CONTACT


@dataclass(frozen=True, kw_only=True)
class BreachWarning(Step):
    @property
    def action(self) -> Action:
        return Action.BREACH_WARNING


@dataclass(frozen=True, kw_only=True)
class LegalAdvice(Step):
    @property
    def action(self) -> Action:
        return Action.LEGAL_ADVICE


@dataclass(frozen=True, kw_only=True)
class LegalStep(Step):
    kind: LegalStepKind

    @property
    def action(self) -> Action:
        return Action(self.kind.value)


@dataclass(frozen=True, kw_only=True)
class Review(Step):
    outcome: ReviewOutcome
    customer_letter: bool = False

    @property
    def action(self) -> Action:
        return Action.REVIEW


@dataclass(frozen=True, kw_only=True)
class Appeal(Step):
    """A written appeal received on ``date`` against the decision letter of ``letter_date``.

    Without ``letter_date`` the restriction's own date is used: its notice is dated that day.
    """

    letter_date: date | None = None

    @property
    def action(self) -> Action:
        return Action.APPEAL


@dataclass(frozen=True, kw_only=True)
class AppealDecision(Step):
    outcome: AppealOutcome

    @property
    def action(self) -> Action:
        return Action.APPEAL_DECISION


@dataclass(frozen=True, kw_only=True)
class Reconsideration(Step):
    @property
    def action(self) -> Action:
        return Action.RECONSIDERATION


@dataclass(frozen=True, kw_only=True)
class ReconsiderationDecision(Step):
    outcome: ReconsiderationOutcome

    @property
    def action(self) -> Action:
        return Action.RECONSIDERATION_DECISION


@dataclass(frozen=True, kw_only=True)
class SpocHandover(Step):
    to: str
    customer_informed: bool = False
    temporary: bool = False

    @property
    def action(self) -> Action:
        return Action.SPOC_HANDOVER


@dataclass(frozen=True, kw_only=True)
class SpocReview(Step):
    recommendations: tuple[str, ...] = field(default_factory=tuple)

    @property
    def action(self) -> Action:
        return Action.SPOC_REVIEW


Event = (
    Incident
    | InformalStep
    | Eia
    | CircumstancesChange
    | FormalWarning
    | Restrict
    | Contact
    | BreachWarning
    | LegalAdvice
    | LegalStep
    | Review
    | Appeal
    | AppealDecision
    | Reconsideration
    | ReconsiderationDecision
    | SpocHandover
    | SpocReview
)
