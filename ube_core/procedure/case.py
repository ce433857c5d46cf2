"""A case as the pages and services see it: its history, what it allows next, what is due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .deadlines import Due, Overdue, due_dates, overdue
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
from .reasons import Reason
from .rules import NOBODY, Actor, refusals
from .screening import broken_arrangements, screen_contact
from .state import CaseState, RestrictionState
from .vocabulary import (
    Action,
    AppealOutcome,
    Category,
    Channel,
    InformalKind,
    LegalStepKind,
    ReconsiderationOutcome,
    RestrictionType,
    ReviewOutcome,
    Screen,
    Severity,
)


@dataclass(frozen=True)
class Decision:
    """The engine's answer to a proposed step."""

    reasons: tuple[Reason, ...] = ()
    screen: Screen | None = None
    screen_why: str = ""

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @property
    def explanations(self) -> list[str]:
        return [reason.explanation for reason in self.reasons]


class Refused(Exception):
    """A step the procedure does not allow; carries every reason."""

    def __init__(self, action: Action, reasons: tuple[Reason, ...]) -> None:
        self.action = action
        self.reasons = reasons
        super().__init__(f"{action.label} refused: " + ", ".join(reasons))


@dataclass(frozen=True)
class NextStep:
    action: Action
    reasons: tuple[Reason, ...]

    @property
    def allowed(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class Marker:
    """The warning marker: what colleagues must know when this customer gets in touch (§9)."""

    stage: str
    restricted: bool
    types: tuple[RestrictionType, ...] = ()
    allowed_channels: tuple[Channel, ...] = ()
    spoc: str | None = None
    ends: date | None = None
    advice: str = ""


@dataclass
class Case:
    """One customer's case episode: its recorded steps and the state they fold into."""

    history: list[Event] = field(default_factory=list)
    state: CaseState = field(default_factory=CaseState)

    @classmethod
    def from_history(cls, steps: list[Event]) -> Case:
        case = cls()
        for step in steps:
            case.state.apply(step)
            case.history.append(step)
        return case

    def decide(self, step: Event, actor: Actor = NOBODY) -> Decision:
        """Whether ``step`` is allowed, every reason it is not, and a contact's screening."""
        reasons = tuple(refusals(self.state, step, actor))
        if isinstance(step, Contact) and not reasons:
            current = self.state.active_restriction(step.date)
            screen = screen_contact(step, current)
            why = "; ".join(broken_arrangements(step, current)) if current else ""
            return Decision(reasons, screen, why)
        return Decision(reasons)

    def record(self, step: Event, actor: Actor = NOBODY) -> Decision:
        """Record ``step`` if allowed; raise ``Refused`` (changing nothing) otherwise."""
        decision = self.decide(step, actor)
        if not decision.allowed:
            raise Refused(step.action, decision.reasons)
        self.state.apply(step)
        self.history.append(step)
        return decision

    def due(self, today: date) -> dict[Due, date | None]:
        return due_dates(self.state, today)

    def overdue(self, today: date) -> list[Overdue]:
        return overdue(self.state, today)

    def next_steps(self, today: date, actor: Actor = NOBODY) -> list[NextStep]:
        """Every action with the reasons it is not available today (empty: available).

        Steps that need details (a restriction's types, a review's outcome) are tried with
        complete details, so what shows is what the case itself still lacks.
        """
        return [
            NextStep(action, tuple(refusals(self.state, probe, actor)))
            for action, probe in _probes(self.state, today, actor).items()
        ]

    def marker(self, today: date) -> Marker:
        return warning_marker(self.state, today)


def stage(state: CaseState, today: date) -> str:
    """Where the case stands, derived from its history."""
    if state.legal_steps or state.legal_advice:
        return "Legal action"
    if state.active_restriction(today):
        return "Contact restricted"
    if state.restrictions:
        return "Restriction ended"
    if state.last_formal_warning_seq is not None:
        return "Formal warning"
    if state.informal_steps:
        return "Informal action"
    if state.incidents:
        return "Incident logged"
    return "No incidents"


def warning_marker(state: CaseState, today: date) -> Marker:
    current = state.active_restriction(today)
    if current is None:
        return Marker(
            stage=stage(state, today),
            restricted=False,
            advice="No contact restriction: deal with the customer as usual.",
        )
    return Marker(
        stage=stage(state, today),
        restricted=True,
        types=tuple(sorted(current.types)),
        allowed_channels=tuple(sorted(current.allowed_channels)),
        spoc=current.spoc,
        ends=current.end,
        advice=_restriction_advice(current),
    )


def _restriction_advice(current: RestrictionState) -> str:
    parts = []
    if current.allowed_channels:
        parts.append(
            "Accept contact only by " + ", ".join(c.label.lower() for c in current.allowed_channels)
        )
    if RestrictionType.WRITTEN_ONLY in current.types:
        parts.append("Accept contact in writing only")
    if current.spoc:
        parts.append(f"Pass all enquiries to the SPOC, {current.spoc}")
    parts.append(
        "Always handle critical anti-social behaviour, new or urgent repairs, emergencies, "
        "safeguarding and domestic abuse reports (§7)"
    )
    return ". ".join(parts) + "."


def _probes(state: CaseState, today: date, actor: Actor) -> dict[Action, Event]:
    """A representative, complete step of every kind, to ask the rules what the case lacks."""
    who = actor.name
    current = state.restriction
    spoc = "SPOC" if who != "SPOC" else "SPOC colleague"
    return {
        Action.INCIDENT: Incident(
            date=today, by=who, category=Category.AGGRESSIVE_ABUSIVE, severity=Severity.LOW
        ),
        Action.CONTACT: Contact(date=today, by=who, channel=Channel.LETTER),
        Action.SUPPORT: InformalStep(date=today, by=who, kind=InformalKind.SUPPORT),
        Action.INITIAL_WARNING: InformalStep(date=today, by=who, kind=InformalKind.INITIAL_WARNING),
        Action.EIA: Eia(date=today, by=who, proportionate=True),
        Action.CIRCUMSTANCES_CHANGE: CircumstancesChange(date=today, by=who),
        Action.FORMAL_WARNING: FormalWarning(date=today, by=who),
        Action.RESTRICT: Restrict(
            date=today,
            by=who,
            types=(RestrictionType.SPOC,),
            months=6,
            reasons="probe",
            spoc=spoc,
        ),
        Action.BREACH_WARNING: BreachWarning(date=today, by=who),
        Action.LEGAL_ADVICE: LegalAdvice(date=today, by=who),
        **{Action(kind.value): LegalStep(date=today, by=who, kind=kind) for kind in LegalStepKind},
        Action.REVIEW: Review(
            date=today, by=who, outcome=ReviewOutcome.REMAIN, customer_letter=True
        ),
        Action.APPEAL: Appeal(
            date=today, by=who, letter_date=current.letter_date if current else today
        ),
        Action.APPEAL_DECISION: AppealDecision(date=today, by=who, outcome=AppealOutcome.UPHELD),
        Action.RECONSIDERATION: Reconsideration(date=today, by=who),
        Action.RECONSIDERATION_DECISION: ReconsiderationDecision(
            date=today, by=who, outcome=ReconsiderationOutcome.KEEP
        ),
        Action.SPOC_HANDOVER: SpocHandover(date=today, by=who, to=spoc, customer_informed=True),
        Action.SPOC_REVIEW: SpocReview(date=today, by=who),
    }
