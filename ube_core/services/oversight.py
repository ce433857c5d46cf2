"""The quarterly SPOC sign-off as the oversight page records it (§6, rule 10).

``sign_off_spoc`` checks what the form must hold before anything is written, then records the
review through ``cases.review_spoc``: one transaction in which the rules engine is asked first
(a reviewer who has been the restriction's SPOC is refused, rule 10), the review is written as
a case event ("a case raised to confirm" the check, §6) with its recommendations, and audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from ube_core.errors import InvalidInput, NotFound
from ube_core.storage.models import Restriction

from .cases import RecommendationIn, review_spoc
from .context import UserContext
from .steps import latest_restriction_row

# What a sign-off confirms (§6: "the SPOC's decisions and correspondence has been checked").
REQUIRED_CHECKS = ("correspondence_reviewed", "decisions_reviewed")
# What the reviewer found; an unticked item must be explained in findings or acted on.
FINDING_CHECKS = (
    "customer_informed_of_changes",
    "still_proportionate",
    "eia_current",
    "replies_timely",
)
CHECK_LABELS = {
    "correspondence_reviewed": "Correspondence reviewed",
    "decisions_reviewed": "Decisions reviewed",
    "customer_informed_of_changes": "Customer informed of any SPOC change",
    "still_proportionate": "Restriction still proportionate",
    "eia_current": "Equality impact assessment current",
    "replies_timely": "Replies timely",
}
MAX_RECOMMENDATIONS = 10


def sign_off_spoc(
    engine: Engine,
    *,
    user: UserContext,
    restriction_id: int,
    on: date,
    checklist: Mapping[str, bool],
    findings: str = "",
    recommendations: Sequence[RecommendationIn] = (),
    today: date,
    expected_version: int | None = None,
) -> int:
    """Record this quarter's check of the SPOC of ``restriction_id``; the review's id.

    Refused (``InvalidInput``, nothing written) when: the restriction is not its case's
    current one; correspondence or decisions were not reviewed; a checklist item is
    unticked with neither findings nor a recommendation saying what is to be done; a
    recommendation has no text, no owner, or is due before the review."""
    unknown = sorted(set(checklist) - set(CHECK_LABELS))
    if unknown:
        raise InvalidInput("checklist", f"Unknown checklist item: {unknown[0]}")
    checks = {name: bool(checklist.get(name, False)) for name in CHECK_LABELS}
    for name in REQUIRED_CHECKS:
        if not checks[name]:
            raise InvalidInput(
                name,
                f"Tick “{CHECK_LABELS[name]}”: a sign-off confirms that the SPOC's "
                "correspondence and decisions have been checked (§6).",
            )
    if len(recommendations) > MAX_RECOMMENDATIONS:
        raise InvalidInput(
            "recommendations", f"Record at most {MAX_RECOMMENDATIONS} recommendations."
        )
    for number, rec in enumerate(recommendations, start=1):
        if not rec.text.strip():
            raise InvalidInput(
                "recommendation", f"Recommendation {number}: say what is to be done."
            )
        if rec.owner_id is None:
            raise InvalidInput("recommendation_owner", f"Recommendation {number}: choose an owner.")
        if rec.due_on < on:
            raise InvalidInput(
                "recommendation_due",
                f"Recommendation {number}: the due date can't be before the review.",
            )
    missed = [CHECK_LABELS[name] for name in FINDING_CHECKS if not checks[name]]
    if missed and not findings.strip() and not recommendations:
        raise InvalidInput(
            "findings",
            f"“{missed[0]}” is not ticked: say what you found in Findings or add a recommendation.",
        )
    with Session(engine) as session:
        restriction = session.get(Restriction, restriction_id)
        if restriction is None:
            raise NotFound("That restriction does not exist.")
        latest = latest_restriction_row(session, restriction.case_id)
        case_id = restriction.case_id
    if latest is None or latest.id != restriction_id:
        raise InvalidInput(
            "restriction", "That restriction has been replaced: review the current one."
        )
    return review_spoc(
        engine,
        user=user,
        case_id=case_id,
        on=on,
        findings=findings,
        checklist=checks,
        recommendations=[
            RecommendationIn(text=r.text.strip(), owner_id=r.owner_id, due_on=r.due_on)
            for r in recommendations
        ],
        today=today,
        expected_version=expected_version,
    )
