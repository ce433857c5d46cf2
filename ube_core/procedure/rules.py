"""The procedure's rules: for a proposed step, the reasons it is refused (DESIGN.md rules 1–11).

``refusals`` lists every rule a step fails, not only the first; an empty list means allowed.
The date a rule looks at is the step's own date: no clock is read here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
from .permissions import may
from .reasons import Reason
from .state import CaseState
from .vocabulary import LegalStepKind, RestrictionType, ReviewOutcome, Role

MIN_MONTHS, MAX_MONTHS = 1, 12


@dataclass(frozen=True)
class Actor:
    """Who proposes a step. ``roles`` is None when unknown: then no role check is made."""

    name: str | None = None
    roles: frozenset[Role] | None = None


NOBODY = Actor()


def eia_reasons(state: CaseState, day: date) -> list[Reason]:
    """Why there is no current equality impact assessment on ``day`` (rule 2, §2)."""
    if state.eia_date is None:
        return [Reason.EIA_MISSING]
    reasons = []
    if not state.eia_proportionate:
        reasons.append(Reason.EIA_NOT_PROPORTIONATE)
    if state.change_since_eia is not None:
        reasons.append(Reason.EIA_STALE)
    if day > dates.six_months_after(state.eia_date):
        reasons.append(Reason.EIA_OVERDUE)
    return reasons


def _override(state: CaseState, override_reason: str | None, missing: list[Reason]) -> list[Reason]:
    """A seriousness override of a missing warning step (§4, rules 3 and 4).

    Looked at only when a step is missing; the step is then waived when a reason is written
    and the case has a serious or extreme incident. Otherwise the missing step stays a reason,
    with what is wrong with the override.
    """
    if not missing or override_reason is None:
        return missing
    problems = []
    if not override_reason.strip():
        problems.append(Reason.JUSTIFICATION_REQUIRED)
    if not state.has_serious_incident:
        problems.append(Reason.NOT_SERIOUS_ENOUGH)
    return missing + problems if problems else []


def restriction_details_reasons(step: Restrict) -> list[Reason]:
    types = set(step.types)
    complete = (
        bool(types)
        and bool(step.reasons.strip())
        and step.months is not None
        and MIN_MONTHS <= step.months <= MAX_MONTHS
        and (RestrictionType.SPOC not in types or bool((step.spoc or "").strip()))
        and (RestrictionType.SINGLE_CHANNEL not in types or len(step.allowed_channels) == 1)
    )
    return [] if complete else [Reason.DETAILS_MISSING]


def _needs_incident(state: CaseState, step: Event, actor: Actor) -> list[Reason]:
    return [] if state.incidents else [Reason.NO_INCIDENT]


def _nothing(state: CaseState, step: Event, actor: Actor) -> list[Reason]:
    return []


def _formal_warning(state: CaseState, step: Event, actor: Actor) -> list[Reason]:
    assert isinstance(step, FormalWarning)
    reasons = [] if state.incidents else [Reason.NO_INCIDENT]
    reasons += eia_reasons(state, step.date)
    missing = [] if state.informal_steps else [Reason.NO_INFORMAL_STEP]
    return reasons + _override(state, step.override_reason, missing)


def _restrict(state: CaseState, step: Event, actor: Actor) -> list[Reason]:
    assert isinstance(step, Restrict)
    reasons = eia_reasons(state, step.date)
    missing = []
    if state.last_formal_warning_seq is None:
        missing.append(Reason.NO_FORMAL_WARNING)
    elif state.last_incident_seq is None or state.last_incident_seq < state.last_formal_warning_seq:
        missing.append(Reason.NO_INCIDENT_SINCE_WARNING)
    reasons += _override(state, step.override_reason, missing)
    return reasons + restriction_details_reasons(step)


def _needs_active(state: CaseState, step: Event, actor: Actor) -> list[Reason]:
    return [] if state.active_restriction(step.date) else [Reason.NOT_RESTRICTED]


def _breach_warning(state: CaseState, step: Event, actor: Actor) -> list[Reason]:
    current = state.active_restriction(step.date)
    if current is None:
        return [Reason.NOT_RESTRICTED]
    return [] if current.breaches else [Reason.NO_BREACH]


def _legal_advice(state: CaseState, step: Event, actor: Actor) -> list[Reason]:
    if state.has_extreme_incident:
        return []
    warned, breached = state.last_breach_warning_seq, state.last_breach_seq
    if warned is not None and breached is not None and breached > warned:
        return []
    return [Reason.NO_BREACH_SINCE_WARNING]


def _legal_step(state: CaseState, step: Event, actor: Actor) -> list[Reason]:
    assert isinstance(step, LegalStep)
    reasons = [] if state.legal_advice else [Reason.NO_LEGAL_ADVICE]
    if step.kind is LegalStepKind.NOSP and not state.legal_steps - {LegalStepKind.NOSP}:
        reasons.append(Reason.NO_PRIOR_LEGAL_STEP)
    return reasons


def _review(state: CaseState, step: Event, actor: Actor) -> list[Reason]:
    assert isinstance(step, Review)
    reasons = _needs_active(state, step, actor)
    if not step.customer_letter:
        reasons.append(Reason.CUSTOMER_NOT_INFORMED)
    if step.outcome is not ReviewOutcome.REMOVE:
        reasons += eia_reasons(state, step.date)
    return reasons


def _appeal(state: CaseState, step: Event, actor: Actor) -> list[Reason]:
    assert isinstance(step, Appeal)
    current = state.restriction
    if current is None:
        return [Reason.NOT_RESTRICTED]
    reasons = []
    letter_date = step.letter_date or current.letter_date
    if not dates.within(dates.appeal_deadline(letter_date), step.date):
        reasons.append(Reason.APPEAL_OUT_OF_TIME)
    if current.appeal_decided:
        reasons.append(Reason.DECISION_FINAL)
    return reasons


def _appeal_decision(state: CaseState, step: Event, actor: Actor) -> list[Reason]:
    if state.pending_appeal is None:
        return [Reason.NO_PENDING_APPEAL]
    appealed = state.restriction
    decider = actor.name or step.by
    if appealed is not None and decider is not None and decider == appealed.made_by:
        return [Reason.REVIEWER_INVOLVED]
    return []


def _reconsideration_decision(state: CaseState, step: Event, actor: Actor) -> list[Reason]:
    return [] if state.pending_reconsideration else [Reason.NO_PENDING_RECONSIDERATION]


def _spoc_handover(state: CaseState, step: Event, actor: Actor) -> list[Reason]:
    assert isinstance(step, SpocHandover)
    current = state.active_restriction(step.date)
    reasons = [] if current is not None and current.has_spoc else [Reason.NOT_RESTRICTED]
    if not step.customer_informed:
        reasons.append(Reason.CUSTOMER_NOT_INFORMED)
    return reasons


def _spoc_review(state: CaseState, step: Event, actor: Actor) -> list[Reason]:
    current = state.active_restriction(step.date)
    if current is None or not current.has_spoc:
        return [Reason.NOT_RESTRICTED]
    reviewer = actor.name or step.by
    if reviewer is not None and reviewer in current.spocs:
        return [Reason.REVIEWER_IS_SPOC]
    return []


Check = Callable[[CaseState, Event, Actor], list[Reason]]

CHECKS: dict[type, Check] = {
    Incident: _nothing,
    InformalStep: _needs_incident,
    Eia: _nothing,
    CircumstancesChange: _nothing,
    FormalWarning: _formal_warning,
    Restrict: _restrict,
    Contact: _nothing,
    BreachWarning: _breach_warning,
    LegalAdvice: _legal_advice,
    LegalStep: _legal_step,
    Review: _review,
    Appeal: _appeal,
    AppealDecision: _appeal_decision,
    Reconsideration: _needs_active,
    ReconsiderationDecision: _reconsideration_decision,
    SpocHandover: _spoc_handover,
    SpocReview: _spoc_review,
}


def refusals(state: CaseState, step: Event, actor: Actor = NOBODY) -> list[Reason]:
    """Every reason ``step`` is refused on ``state``, by ``actor``; empty when allowed."""
    reasons: list[Reason] = []
    if actor.roles is not None and not may(actor.roles, step.action):
        reasons.append(Reason.NOT_AUTHORISED)
    for reason in CHECKS[type(step)](state, step, actor):
        if reason not in reasons:
            reasons.append(reason)
    return reasons
