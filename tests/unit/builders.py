"""Small builders for engine-level unit tests: dated steps, people and prepared cases.

Prepared cases are built with ``Case.record``, so every step in them is one the engine allows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ube_core.procedure import (
    Actor,
    Appeal,
    AppealDecision,
    AppealOutcome,
    BreachWarning,
    Case,
    Category,
    Channel,
    CircumstancesChange,
    Contact,
    Eia,
    Event,
    FormalWarning,
    Incident,
    InformalKind,
    InformalStep,
    LegalAdvice,
    LegalStep,
    LegalStepKind,
    Reconsideration,
    ReconsiderationDecision,
    ReconsiderationOutcome,
    Restrict,
    RestrictionType,
    Review,
    ReviewOutcome,
    Role,
    Severity,
    SpocHandover,
    SpocReview,
)


def d(text: str) -> date:
    return date.fromisoformat(text)


def person(name: str, *roles: Role) -> Actor:
    return Actor(name, frozenset(roles))


def incident(
    day: str, severity: Severity = Severity.MODERATE, *, by: str | None = None
) -> Incident:
    return Incident(date=d(day), by=by, category=Category.AGGRESSIVE_ABUSIVE, severity=severity)


def support(day: str, *, by: str | None = None) -> InformalStep:
    return InformalStep(date=d(day), by=by, kind=InformalKind.SUPPORT)


def initial_warning(day: str, *, by: str | None = None) -> InformalStep:
    return InformalStep(date=d(day), by=by, kind=InformalKind.INITIAL_WARNING)


def eia(day: str, proportionate: bool = True, *, by: str | None = None) -> Eia:
    return Eia(date=d(day), by=by, proportionate=proportionate)


def change(day: str, *, by: str | None = None) -> CircumstancesChange:
    return CircumstancesChange(date=d(day), by=by, note="new diagnosis")


def formal_warning(
    day: str, override: str | None = None, *, by: str | None = None
) -> FormalWarning:
    return FormalWarning(date=d(day), by=by, override_reason=override)


def restrict(
    day: str,
    types: Iterable[RestrictionType] = (RestrictionType.WRITTEN_ONLY,),
    *,
    months: int | None = 6,
    reasons: str = "Repeated abusive calls",
    allowed_channels: Iterable[Channel] = (),
    spoc: str | None = None,
    override: str | None = None,
    by: str | None = None,
) -> Restrict:
    return Restrict(
        date=d(day),
        by=by,
        types=tuple(types),
        months=months,
        reasons=reasons,
        allowed_channels=tuple(allowed_channels),
        spoc=spoc,
        override_reason=override,
    )


def contact(
    day: str,
    channel: Channel = Channel.PHONE,
    topic: str | None = None,
    *,
    via_spoc: bool = False,
    by: str | None = None,
) -> Contact:
    return Contact(date=d(day), by=by, channel=channel, topic=topic, via_spoc=via_spoc)


def breach_warning(day: str, *, by: str | None = None) -> BreachWarning:
    return BreachWarning(date=d(day), by=by)


def legal_advice(day: str, *, by: str | None = None) -> LegalAdvice:
    return LegalAdvice(date=d(day), by=by)


def legal(day: str, kind: LegalStepKind, *, by: str | None = None) -> LegalStep:
    return LegalStep(date=d(day), by=by, kind=kind)


def review(
    day: str,
    outcome: ReviewOutcome = ReviewOutcome.REMAIN,
    *,
    letter: bool = True,
    by: str | None = None,
) -> Review:
    return Review(date=d(day), by=by, outcome=outcome, customer_letter=letter)


def appeal(day: str, letter_date: str | None = None, *, by: str | None = None) -> Appeal:
    return Appeal(date=d(day), by=by, letter_date=d(letter_date) if letter_date else None)


def appeal_decision(
    day: str, outcome: AppealOutcome = AppealOutcome.UPHELD, *, by: str | None = None
) -> AppealDecision:
    return AppealDecision(date=d(day), by=by, outcome=outcome)


def reconsideration(day: str, *, by: str | None = None) -> Reconsideration:
    return Reconsideration(date=d(day), by=by)


def reconsideration_decision(
    day: str,
    outcome: ReconsiderationOutcome = ReconsiderationOutcome.KEEP,
    *,
    by: str | None = None,
) -> ReconsiderationDecision:
    return ReconsiderationDecision(date=d(day), by=by, outcome=outcome)


def handover(
    day: str, to: str, *, informed: bool = True, temporary: bool = False, by: str | None = None
) -> SpocHandover:
    return SpocHandover(date=d(day), by=by, to=to, customer_informed=informed, temporary=temporary)


def spoc_review(day: str, *, by: str | None = None) -> SpocReview:
    return SpocReview(date=d(day), by=by)


def build(*steps: Event) -> Case:
    """A case with ``steps`` recorded; fails loudly if the engine refuses one of them."""
    case = Case()
    for step in steps:
        case.record(step)
    return case


# The usual road to a restriction: incident, informal step, EIA, formal warning, incident.
READY = (
    incident("2026-01-05"),
    initial_warning("2026-01-06"),
    eia("2026-01-07"),
    formal_warning("2026-01-08"),
    incident("2026-01-09"),
)


def ready_to_restrict(*more: Event) -> Case:
    return build(*READY, *more)


def restricted(
    types: Iterable[RestrictionType] = (RestrictionType.WRITTEN_ONLY,),
    *more: Event,
    months: int = 6,
    spoc: str | None = None,
    allowed_channels: Iterable[Channel] = (),
    by: str | None = None,
) -> Case:
    """A case restricted on 2026-01-10 (EIA 2026-01-07), then ``more`` steps."""
    return build(
        *READY,
        restrict(
            "2026-01-10",
            types,
            months=months,
            spoc=spoc,
            allowed_channels=allowed_channels,
            by=by,
        ),
        *more,
    )
