"""Why a step is refused: reason codes with a plain-English explanation citing the procedure."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    NO_INCIDENT = "no_incident"
    EIA_MISSING = "eia_missing"
    EIA_STALE = "eia_stale"
    EIA_OVERDUE = "eia_overdue"
    EIA_NOT_PROPORTIONATE = "eia_not_proportionate"
    NO_INFORMAL_STEP = "no_informal_step"
    NO_FORMAL_WARNING = "no_formal_warning"
    NO_INCIDENT_SINCE_WARNING = "no_incident_since_warning"
    JUSTIFICATION_REQUIRED = "justification_required"
    NOT_SERIOUS_ENOUGH = "not_serious_enough"
    DETAILS_MISSING = "details_missing"
    NOT_RESTRICTED = "not_restricted"
    NO_BREACH = "no_breach"
    NO_BREACH_SINCE_WARNING = "no_breach_since_warning"
    NO_LEGAL_ADVICE = "no_legal_advice"
    NO_PRIOR_LEGAL_STEP = "no_prior_legal_step"
    CUSTOMER_NOT_INFORMED = "customer_not_informed"
    APPEAL_OUT_OF_TIME = "appeal_out_of_time"
    NO_PENDING_APPEAL = "no_pending_appeal"
    DECISION_FINAL = "decision_final"
    REVIEWER_INVOLVED = "reviewer_involved"
    NOT_AUTHORISED = "not_authorised"
    REVIEWER_IS_SPOC = "reviewer_is_spoc"
    NO_PENDING_RECONSIDERATION = "no_pending_reconsideration"

    @property
    def explanation(self) -> str:
        """What is wrong and what to do, in plain English, with the § of the procedure."""
        return EXPLANATIONS[self]


EXPLANATIONS: dict[Reason, str] = {
    Reason.NO_INCIDENT: (
        "No incident is recorded on this case yet: log the behaviour first (§3, §4)."
    ),
    Reason.EIA_MISSING: (
        "No equality impact assessment has been completed. One is needed before any "
        "formal action or restriction (§2, §4)."
    ),
    Reason.EIA_STALE: (
        "The customer's health or personal circumstances changed after the last equality "
        "impact assessment: review the assessment first (§2)."
    ),
    Reason.EIA_OVERDUE: (
        "The equality impact assessment is more than six months old: review it first (§2)."
    ),
    Reason.EIA_NOT_PROPORTIONATE: (
        "The latest equality impact assessment did not find this action proportionate (§2)."
    ),
    Reason.NO_INFORMAL_STEP: (
        "Try a voluntary arrangement first: informal support or an initial warning must come "
        "before a formal warning, unless the behaviour is serious and the reason is recorded (§4)."
    ),
    Reason.NO_FORMAL_WARNING: (
        "Contact can be restricted only after a formal warning has been given, unless the "
        "behaviour is serious and the reason is recorded (§4, §5)."
    ),
    Reason.NO_INCIDENT_SINCE_WARNING: (
        "No incident has been logged since the last formal warning: a restriction needs the "
        "customer to have failed to modify their behaviour after it (§5)."
    ),
    Reason.JUSTIFICATION_REQUIRED: (
        "Skipping a warning step needs a written reason for doing so (§4)."
    ),
    Reason.NOT_SERIOUS_ENOUGH: (
        "A warning step can be skipped only when a serious or extreme incident is on the case (§4)."
    ),
    Reason.DETAILS_MISSING: (
        "The restriction is incomplete: it needs its types, reasons, a length of 1 to 12 months, "
        "a named SPOC when one is appointed, and exactly one channel for a single-channel "
        "restriction (§5, §6)."
    ),
    Reason.NOT_RESTRICTED: "There is no active contact restriction on this case (§5).",
    Reason.NO_BREACH: (
        "No breach of the current restriction is recorded: a breach warning needs one (§8)."
    ),
    Reason.NO_BREACH_SINCE_WARNING: (
        "Legal advice is sought only when the customer keeps ignoring the restrictions after a "
        "breach warning letter, or when an incident is extreme (§4, §8)."
    ),
    Reason.NO_LEGAL_ADVICE: "Seek legal advice before taking legal action (§8).",
    Reason.NO_PRIOR_LEGAL_STEP: (
        "A Notice of Seeking Possession comes only after a legal warning letter, injunction or "
        "civil restraint order (§8)."
    ),
    Reason.CUSTOMER_NOT_INFORMED: (
        "The customer must be told in writing: record the letter to the customer first (§6, §10)."
    ),
    Reason.APPEAL_OUT_OF_TIME: (
        "The appeal arrived more than 14 days after the date on the decision letter: the right "
        "of appeal is lost, though the customer may ask for a reconsideration (§11)."
    ),
    Reason.NO_PENDING_APPEAL: "There is no appeal waiting for a decision (§11).",
    Reason.DECISION_FINAL: (
        "An appeal on this restriction has already been decided; that decision is final. "
        "Signpost the customer to the Housing Ombudsman (§11)."
    ),
    Reason.REVIEWER_INVOLVED: (
        "The senior officer deciding an appeal must not be the person who made the restriction "
        "(§11)."
    ),
    Reason.NOT_AUTHORISED: "Your role does not allow this step.",
    Reason.REVIEWER_IS_SPOC: (
        "The quarterly check of a SPOC's work must be done by a colleague who has not been the "
        "SPOC for this restriction (§6)."
    ),
    Reason.NO_PENDING_RECONSIDERATION: (
        "There is no reconsideration request waiting for a decision (§11)."
    ),
}
