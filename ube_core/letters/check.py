"""Is every required part in the letter? Checked on the text the customer will read.

A part's evidence is a list of groups of facts from the context; the part is present when
each group has at least one known fact and one of them appears in the text. A fact that is
not known (an empty string) cannot appear, so a letter written from a case that lacks it
(no SPOC email and no phone number, no reasons) is missing that part, whatever the template
says. Comparison ignores case and runs of white space (line wrapping in a PDF).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .kinds import REQUIRED, LetterKind, Part, Requirement, When

Evidence = list[tuple[str, ...]]


def normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def _get(ctx: Mapping[str, Any], path: str) -> Any:
    value: Any = ctx
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _s(ctx: Mapping[str, Any], path: str) -> str:
    value = _get(ctx, path)
    return value.strip() if isinstance(value, str) else ""


def _each(ctx: Mapping[str, Any], path: str) -> Evidence:
    """One group per item of a list; an empty or absent list is an unknown fact."""
    items = _get(ctx, path)
    if not isinstance(items, list) or not items:
        return [("",)]
    return [(str(item).strip(),) for item in items]


def _reach(ctx: Mapping[str, Any], path: str) -> Evidence:
    """A person's name and at least one way to reach them."""
    return [(_s(ctx, f"{path}.name"),), (_s(ctx, f"{path}.email"), _s(ctx, f"{path}.phone"))]


def evidence(part: Part, ctx: Mapping[str, Any]) -> Evidence:
    """The groups of facts that must appear for ``part``."""

    def s(path: str) -> str:
        return _s(ctx, path)

    match part:
        case Part.CONTACT_US:
            return [(s("org.name"),), (s("org.phone"), s("org.email"))]
        case Part.BEHAVIOUR:
            return [(s("behaviour.summary"),)]
        case Part.CONSEQUENCES:
            return _each(ctx, "consequences")
        case Part.SUPPORT:
            return _each(ctx, "support")
        case Part.REASONS:
            return [(s("reasons"),)]
        case Part.ARRANGEMENTS:
            return _each(ctx, "restriction.arrangements")
        case Part.SPOC:
            return _reach(ctx, "restriction.spoc")
        case Part.CONTACT_TIMES:
            return [(s("restriction.contact_times"),)]
        case Part.DURATION:
            return [(s("restriction.start"),), (s("restriction.end"),)]
        case Part.REVIEW_DATE:
            return [(s("restriction.review_date"),)]
        case Part.EXCLUSIONS:
            return _each(ctx, "exclusions")
        case Part.APPEAL:
            return [(s("appeal.deadline"),), (s("appeal.to"),)]
        case Part.OMBUDSMAN:
            return [(s("ombudsman.name"),), (s("ombudsman.phone"), s("ombudsman.web"))]
        case Part.NEW_SPOC:
            return _reach(ctx, "handover.spoc")
        case Part.EFFECTIVE_DATE:
            return [(s("handover.effective"),)]
        case Part.TEMPORARY_PERIOD:
            return [(s("handover.until"),), (s("handover.previous"),)]
        case Part.BREACHES:
            return _each(ctx, "breaches")
        case Part.OUTCOME:
            return [(s("outcome.sentence"),)]
        case Part.RECONSIDERATION:
            return [(s("reconsider.to"),)]
        case Part.APPEAL_RECEIVED:
            return [(s("appeal.received"),)]
        case Part.DECISION_DUE:
            return [(s("appeal.decision_due"),), ("senior officer",)]
        case Part.FINAL:
            return [(s("final_statement"),)]
        case Part.FACT_SHEET:
            return [(s("fact_sheet.title"),), *_each(ctx, "fact_sheet.points")]
    raise AssertionError(f"no evidence rule for {part}")  # pragma: no cover


def applies(requirement: Requirement, ctx: Mapping[str, Any]) -> bool:
    match requirement.when:
        case When.ALWAYS:
            return True
        case When.HAS_SPOC:
            return bool(_get(ctx, "restriction.has_spoc"))
        case When.TEMPORARY:
            return bool(_get(ctx, "handover.temporary"))
        case When.CONTINUES:
            return bool(_get(ctx, "outcome.continues"))
    raise AssertionError(requirement.when)  # pragma: no cover


def required_parts(kind: LetterKind, ctx: Mapping[str, Any]) -> list[Part]:
    """The parts this letter must contain, given its case (a SPOC, a temporary change…)."""
    return [r.part for r in REQUIRED[kind] if applies(r, ctx)]


def part_present(part: Part, ctx: Mapping[str, Any], text: str) -> bool:
    haystack = normalise(text)
    for group in evidence(part, ctx):
        known = [normalise(fact) for fact in group if fact.strip()]
        if not known or not any(_contains(haystack, fact) for fact in known):
            return False
    return True


def _contains(haystack: str, fact: str) -> bool:
    """``fact`` as whole words: "1 March 2025" is not found inside "11 March 2025"."""
    return re.search(rf"(?<!\w){re.escape(fact)}(?!\w)", haystack) is not None


def missing_parts(kind: LetterKind, ctx: Mapping[str, Any], text: str) -> list[Part]:
    """The required parts of a ``kind`` letter that ``text`` lacks, in the kind's order."""
    return [part for part in required_parts(kind, ctx) if not part_present(part, ctx, text)]
