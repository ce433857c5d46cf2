"""The facts a letter is written from, and the template context built from them.

The services gather ``LetterFacts`` from the database (the customer, the restriction's rows
and the engine's due dates, the SPOC, the decision); everything here is pure, so previews
with a sample case, the tests and the issued letters all build their context the same way.
Dates reach the templates already written out ("10 February 2025") so that what the checker
looks for is exactly what the letter says.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ube_core.procedure import Channel, ExclusionTopic, RestrictionType, appeal_deadline

from . import kinds as k
from .kinds import LetterKind, Variant
from .render import clean


def long_date(value: date | None) -> str:
    """``10 February 2025``: the way a letter writes a date."""
    return "" if value is None else f"{value.day} {value:%B %Y}"


@dataclass(frozen=True)
class Organisation:
    """Who writes: the landlord's details from the settings."""

    name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    hours: str = ""
    appeals_to: str = ""
    ombudsman_phone: str = k.OMBUDSMAN_PHONE
    ombudsman_web: str = k.OMBUDSMAN_WEB
    ombudsman_email: str = k.OMBUDSMAN_EMAIL


@dataclass(frozen=True)
class Recipient:
    name: str
    tenancy_ref: str
    address: str = ""
    language: str = "English"
    representative: str = ""
    communication_needs: str = ""


@dataclass(frozen=True)
class Person:
    name: str
    email: str = ""
    title: str = ""


@dataclass(frozen=True)
class RestrictionFacts:
    start: date
    end: date
    months: int
    types: tuple[str, ...]
    reasons: str
    allowed_channels: tuple[str, ...] = ()
    spoc: Person | None = None
    review_due: date | None = None
    ended_on: date | None = None


@dataclass(frozen=True)
class IncidentFacts:
    on: date
    channel: str
    category: str
    behaviour: str = ""


@dataclass(frozen=True)
class DecisionFacts:
    """A review, appeal or reconsideration and its outcome (an engine outcome value)."""

    outcome: str = ""
    reasons: str = ""
    received: date | None = None
    decided_on: date | None = None
    decision_due: date | None = None


@dataclass(frozen=True)
class HandoverFacts:
    on: date
    to: Person
    previous: Person | None = None
    temporary: bool = False


@dataclass(frozen=True)
class LetterFacts:
    kind: LetterKind
    dated: date
    org: Organisation
    recipient: Recipient
    sender: Person
    reference: str
    restriction: RestrictionFacts | None = None
    incidents: tuple[IncidentFacts, ...] = ()
    behaviour: str = ""
    breaches: tuple[tuple[date, str], ...] = ()
    review: DecisionFacts | None = None
    appeal: DecisionFacts | None = None
    reconsideration: DecisionFacts | None = None
    handover: HandoverFacts | None = None


# -- accessible formats (§2) ---------------------------------------------------------------
_LARGE_PRINT = re.compile(
    r"large\s*print|partially\s*sighted|sight|visual|visually|low\s*vision|macular|glaucoma"
    r"|blind",
    re.IGNORECASE,
)
_EASY_READ = re.compile(
    r"easy\s*read|plain\s*english|learning\s*disab|literacy|dyslex|autis|reading\s*difficult"
    r"|cognitive|dementia",
    re.IGNORECASE,
)
_OTHER_FORMATS = {
    "Braille": re.compile(r"braille", re.IGNORECASE),
    "audio": re.compile(r"audio|read\s*aloud|recorded", re.IGNORECASE),
    "British Sign Language": re.compile(r"\bBSL\b|sign\s*language", re.IGNORECASE),
    "an interpreter": re.compile(r"interpret", re.IGNORECASE),
}
ENGLISH = {"", "english", "en", "en-gb", "british english"}


@dataclass(frozen=True)
class Accessibility:
    """What the customer's recorded needs suggest, and the notes for whoever sends it."""

    large_print: bool
    easy_read: bool
    staff_notes: tuple[str, ...] = ()
    translation: str = ""
    copy_to: str = ""


def accessibility(recipient: Recipient) -> Accessibility:
    """Large print, Easy Read, translation and a representative's copy, from the record."""
    needs = recipient.communication_needs or ""
    notes: list[str] = []
    translation = ""
    language = (recipient.language or "").strip()
    if language.casefold() not in ENGLISH:
        translation = language
        notes.append(
            f"Translation needed: the customer's language is {language}. Arrange a "
            "translated copy to go with this letter."
        )
    for fmt, pattern in _OTHER_FORMATS.items():
        if pattern.search(needs):
            notes.append(f"The recorded communication needs ask for {fmt}: arrange it.")
    copy_to = (recipient.representative or "").strip()
    if copy_to:
        notes.append(f"Send a copy to the customer's representative or advocate: {copy_to}.")
    return Accessibility(
        large_print=bool(_LARGE_PRINT.search(needs)),
        easy_read=bool(_EASY_READ.search(needs)),
        staff_notes=tuple(notes),
        translation=translation,
        copy_to=copy_to,
    )


# -- inputs ----------------------------------------------------------------------------------
def input_defaults(facts: LetterFacts) -> dict[str, str]:
    """What the issue form starts with for the kind's inputs (``kinds.INPUTS``)."""
    kind = facts.kind
    if kind in (LetterKind.INITIAL_WARNING, LetterKind.FORMAL_WARNING):
        return {"behaviour": facts.behaviour or _incident_summary(facts.incidents)}
    if kind is LetterKind.RESTRICTION_NOTICE:
        return {"contact_times": facts.org.hours, "arrangement_details": ""}
    if kind is LetterKind.SPOC_CHANGE:
        return {"until": ""}
    decision = {
        LetterKind.REVIEW_OUTCOME: facts.review,
        LetterKind.APPEAL_OUTCOME: facts.appeal,
        LetterKind.RECONSIDERATION_OUTCOME: facts.reconsideration,
    }.get(kind)
    if decision is not None:
        return {"reasons": decision.reasons}
    return {}


def _incident_summary(incidents: tuple[IncidentFacts, ...]) -> str:
    if not incidents:
        return ""
    latest = incidents[-1]
    what = latest.behaviour or latest.category
    how = Channel(latest.channel).label.lower() if latest.channel in _CHANNELS else ""
    on = f"On {long_date(latest.on)}" + (f", by {how}" if how else "")
    return f"{on}: {what[:1].lower()}{what[1:]}."


_CHANNELS = {c.value for c in Channel}


# -- the context -----------------------------------------------------------------------------
def build_context(
    facts: LetterFacts,
    variant: Variant = Variant.STANDARD,
    details: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The template context: every fact the kind's template and required parts use."""
    given = {**input_defaults(facts), **{k_: v for k_, v in (details or {}).items()}}
    org = facts.org
    ctx: dict[str, Any] = {
        "letter": {
            "kind": facts.kind.label,
            "date": long_date(facts.dated),
            "reference": facts.reference,
        },
        "org": {
            "name": org.name,
            "address": org.address,
            "phone": org.phone,
            "email": org.email,
            "hours": org.hours,
        },
        "customer": {
            "name": facts.recipient.name,
            "address": facts.recipient.address,
            "tenancy_ref": facts.recipient.tenancy_ref,
        },
        "sender": {"name": facts.sender.name, "title": facts.sender.title},
        "easy_read": variant is Variant.EASY_READ,
    }
    kind = facts.kind
    pick = _picker(variant)
    if kind in (LetterKind.INITIAL_WARNING, LetterKind.FORMAL_WARNING):
        ctx["behaviour"] = {
            "summary": given.get("behaviour", "").strip(),
            "incidents": [_incident_line(i) for i in facts.incidents],
        }
        ctx["consequences"] = [pick(w) for w in k.CONSEQUENCES[kind]]
        ctx["support"] = [pick(w) for w in k.SUPPORT]
    if facts.restriction is not None:
        ctx["restriction"] = _restriction(facts, variant, given)
    if kind in _NEEDS_EXCLUSIONS:
        ctx["exclusions"] = [t.label for t in ExclusionTopic]
        ctx["exclusions_lead"] = pick(k.EXCLUSIONS_LEAD)
    if kind is LetterKind.RESTRICTION_NOTICE:
        ctx["reasons"] = facts.restriction.reasons.strip() if facts.restriction else ""
        ctx["appeal"] = {
            "deadline": long_date(appeal_deadline(facts.dated)),
            "days": 14,
            "to": org.appeals_to,
        }
    if kind is LetterKind.SPOC_CHANGE and facts.handover is not None:
        ho = facts.handover
        until = given.get("until", "").strip()
        ctx["handover"] = {
            "spoc": _person(ho.to, org),
            "previous": ho.previous.name if ho.previous else "",
            "effective": long_date(ho.on),
            "temporary": ho.temporary,
            "until": _as_long_date(until),
        }
    if kind is LetterKind.BREACH_WARNING:
        ctx["breaches"] = [
            f"{long_date(on)}: contact by {_channel_words(ch)}" for on, ch in facts.breaches
        ]
        ctx["consequences"] = [pick(w) for w in k.CONSEQUENCES[kind]]
    decision_kinds: dict[LetterKind, tuple[str, DecisionFacts | None]] = {
        LetterKind.REVIEW_OUTCOME: ("review", facts.review),
        LetterKind.APPEAL_OUTCOME: ("appeal", facts.appeal),
        LetterKind.RECONSIDERATION_OUTCOME: ("reconsideration", facts.reconsideration),
    }
    if kind in decision_kinds:
        name, decision = decision_kinds[kind]
        outcome = decision.outcome if decision else ""
        wording = k.OUTCOMES.get(f"{name}.{outcome}")
        ctx["outcome"] = {
            "value": outcome,
            "sentence": pick(wording) if wording else "",
            "continues": outcome in _CONTINUES,
            "decided_on": long_date(decision.decided_on if decision else None),
        }
        ctx["reasons"] = given.get("reasons", "").strip()
        ctx["ombudsman"] = _ombudsman(org)
        ctx["reconsider"] = {"to": org.appeals_to}
    if kind in (LetterKind.APPEAL_OUTCOME, LetterKind.RECONSIDERATION_OUTCOME):
        ctx["final_statement"] = pick(k.FINAL)
    if kind is LetterKind.APPEAL_OUTCOME:
        ctx["fact_sheet"] = {
            "title": pick(k.FACT_SHEET_TITLE),
            "points": [pick(w) for w in k.FACT_SHEET],
        }
    if kind is LetterKind.APPEAL_ACKNOWLEDGEMENT:
        appeal = facts.appeal
        ctx["appeal"] = {
            "received": long_date(appeal.received if appeal else None),
            "decision_due": long_date(appeal.decision_due if appeal else None),
        }
    if kind is LetterKind.RESTRICTION_NOTICE:
        ctx["ombudsman"] = _ombudsman(org)
    cleaned: dict[str, Any] = clean(ctx)
    return cleaned


_NEEDS_EXCLUSIONS = frozenset(
    {
        LetterKind.RESTRICTION_NOTICE,
        LetterKind.SPOC_CHANGE,
        LetterKind.BREACH_WARNING,
        LetterKind.REVIEW_OUTCOME,
        LetterKind.APPEAL_ACKNOWLEDGEMENT,
        LetterKind.APPEAL_OUTCOME,
        LetterKind.RECONSIDERATION_OUTCOME,
    }
)
# Outcomes after which the restriction stays in place.
_CONTINUES = frozenset({"remain", "adjust", "upheld", "keep"})


def _picker(variant: Variant) -> Any:
    return lambda wording: wording.pick(variant)


def _as_long_date(value: str) -> str:
    try:
        return long_date(date.fromisoformat(value))
    except ValueError:
        return value


def _channel_words(value: str) -> str:
    return Channel(value).label.lower() if value in _CHANNELS else value


def _incident_line(incident: IncidentFacts) -> str:
    what = incident.behaviour or incident.category
    return f"{long_date(incident.on)}, by {_channel_words(incident.channel)}: {what}"


def _person(person: Person, org: Organisation) -> dict[str, str]:
    """A colleague as the customer reaches them: their email, or our phone asking for them."""
    return {"name": person.name, "email": person.email, "phone": org.phone}


def _ombudsman(org: Organisation) -> dict[str, str]:
    return {
        "name": k.OMBUDSMAN_NAME,
        "phone": org.ombudsman_phone,
        "web": org.ombudsman_web,
        "email": org.ombudsman_email,
    }


def _restriction(facts: LetterFacts, variant: Variant, given: Mapping[str, str]) -> dict[str, Any]:
    r = facts.restriction
    assert r is not None
    spoc = _person(r.spoc, facts.org) if r.spoc is not None else None
    arrangements = []
    channels = " or ".join(_channel_words(c) for c in r.allowed_channels)
    for value in r.types:
        wording = k.ARRANGEMENTS.get(value)
        if wording is None:
            continue
        if value == RestrictionType.SINGLE_CHANNEL.value and not channels:
            continue
        if value == RestrictionType.SPOC.value and spoc is None:
            continue
        arrangements.append(
            wording.pick(variant).format(channel=channels, spoc=spoc["name"] if spoc else "")
        )
    return {
        "arrangements": arrangements,
        "details": given.get("arrangement_details", "").strip(),
        "has_spoc": spoc is not None,
        "spoc": spoc or {"name": "", "email": "", "phone": ""},
        "contact_times": given.get("contact_times", "").strip().rstrip("."),
        "start": long_date(r.start),
        "end": long_date(r.end),
        "months": f"{r.months} month" + ("s" if r.months != 1 else ""),
        "review_date": long_date(r.review_due),
        "ended": r.ended_on is not None,
    }


def letter_notes(facts: LetterFacts, access: Accessibility) -> tuple[str, ...]:
    """The footer every letter carries: other formats, a translation offer, the copy line."""
    org = facts.org
    how = " or ".join(x for x in (org.phone, org.email) if x) or "the details above"
    lines = [
        "If you would like this letter in large print, Easy Read or another language, or "
        f"explained to you, please contact us on {how}."
    ]
    if access.translation:
        lines.append(
            f"This letter is important. If you need it in {access.translation}, please "
            f"contact us on {how} and we will arrange it."
        )
    if access.copy_to:
        lines.append(f"Copy to: {access.copy_to}")
    return tuple(lines)
