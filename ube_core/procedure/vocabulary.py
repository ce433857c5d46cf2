"""The procedure's vocabulary, as enums with the labels people read (§3, §5, §7, §8, §10)."""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A string enum whose members carry a human label."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Labelled:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value.replace("_", " ").capitalize()
        return member

    @classmethod
    def parse(cls, value: object) -> Labelled:
        """The member whose value is ``value``; ``ValueError`` naming the choices otherwise."""
        try:
            return cls(str(value))
        except ValueError:
            choices = ", ".join(m.value for m in cls)
            raise ValueError(f"{value!r} is not one of: {choices}") from None


class Role(Labelled):
    OFFICER = "officer", "Housing officer"
    CASE_MANAGER = "case_manager", "Case manager"
    LINE_MANAGER = "line_manager", "SPOC line manager"
    SENIOR_OFFICER = "senior_officer", "Senior officer"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Administrator"


class Category(Labelled):
    """Behaviour covered by the procedure (§3)."""

    AGGRESSIVE_ABUSIVE = "aggressive_abusive", "Aggressive or abusive behaviour"
    UNREASONABLE_DEMANDS = "unreasonable_demands", "Unreasonable demands"
    UNREASONABLY_PERSISTENT = (
        "unreasonably_persistent",
        "Unreasonably persistent or vexatious behaviour",
    )


class Behaviour(Labelled):
    """The example behaviours §3 lists under each category."""

    # Aggressive or abusive
    DEGRADING_LANGUAGE = (
        "degrading_language",
        "Language intended to insult or degrade, or racist, sexist or homophobic",
    )
    THREATS_OF_VIOLENCE = (
        "threats_of_violence",
        "Threats of violence, physical violence or harassment",
    )
    INTIMIDATION = "intimidation", "Intimidation or threatening behaviour towards colleagues"
    PROPERTY_DAMAGE = "property_damage", "Deliberate physical damage to property"
    SWEARING_SHOUTING = "swearing_shouting", "Persistent swearing and/or shouting"
    PERSONAL_ABUSE = "personal_abuse", "Personal abuse, unwelcome or rude gestures"
    INFLAMMATORY_ALLEGATIONS = (
        "inflammatory_allegations",
        "Inflammatory or unsubstantiated allegations",
    )
    # Unreasonable demands
    DEMANDS_PRIORITY = (
        "demands_priority",
        "Demanding all repairs as emergencies or a complaint prioritised above others",
    )
    DISPROPORTIONATE_DEMANDS = (
        "disproportionate_demands",
        "Demands disproportionate to the matter or made to cause annoyance or waste resources",
    )
    OUTSIDE_TIMESCALES = "outside_timescales", "Demanding a service outside policy timescales"
    HIGH_VOLUME_COMMUNICATION = (
        "high_volume_communication",
        "High volumes of repeated communication (letter, email, telephone, social media)",
    )
    IRRELEVANT_INFORMATION_REQUESTS = (
        "irrelevant_information_requests",
        "Requesting high volumes of information not relevant to the request or complaint",
    )
    PARTICULAR_COLLEAGUE = (
        "particular_colleague",
        "Insisting on one particular colleague without a justifiable reason",
    )
    SERVICES_NOT_OFFERED = "services_not_offered", "Repeatedly asking for services not offered"
    CHANGING_COMPLAINT = (
        "changing_complaint",
        "Repeatedly changing the complaint or raising unrelated concerns",
    )
    REPEATED_SIMILAR_ISSUES = (
        "repeated_similar_issues",
        "Repeated complaints or requests about issues already dealt with",
    )
    # Unreasonably persistent or vexatious
    PERSISTENT_APPROACH = (
        "persistent_approach",
        "Reasonable approach but unacceptably persistent",
    )
    REFUSES_COMPLAINT_DECISION = (
        "refuses_complaint_decision",
        "Refusing a decision after the complaints process is exhausted",
    )
    REFUSES_EXPLANATIONS = (
        "refuses_explanations",
        "Refusing explanations of what we can and cannot do",
    )
    REFUSES_SPOC = "refuses_spoc", "Refusing the decision to appoint a single point of contact"
    INSISTS_NO_RESPONSE = "insists_no_response", "Insisting no response has been received"
    PURSUES_CLOSED_ISSUE = (
        "pursues_closed_issue",
        "Pursuing a resolved or closed issue without significant new information",
    )
    UNREASONABLE_CONTACT_VOLUME = (
        "unreasonable_contact_volume",
        "An unreasonable number of contacts about one complaint or issue",
    )
    UNANNOUNCED_VISITS = "unannounced_visits", "Frequent office visits without an appointment"
    IRRELEVANT_DOCUMENTS = "irrelevant_documents", "Sending irrelevant or duplicate documents"
    COVERT_RECORDING = (
        "covert_recording",
        "Recording meetings or conversations without the knowledge of those involved",
    )
    OTHER = "other", "Other (describe in the narrative)"


BEHAVIOURS: dict[Category, tuple[Behaviour, ...]] = {
    Category.AGGRESSIVE_ABUSIVE: (
        Behaviour.DEGRADING_LANGUAGE,
        Behaviour.THREATS_OF_VIOLENCE,
        Behaviour.INTIMIDATION,
        Behaviour.PROPERTY_DAMAGE,
        Behaviour.SWEARING_SHOUTING,
        Behaviour.PERSONAL_ABUSE,
        Behaviour.INFLAMMATORY_ALLEGATIONS,
        Behaviour.OTHER,
    ),
    Category.UNREASONABLE_DEMANDS: (
        Behaviour.DEMANDS_PRIORITY,
        Behaviour.DISPROPORTIONATE_DEMANDS,
        Behaviour.OUTSIDE_TIMESCALES,
        Behaviour.HIGH_VOLUME_COMMUNICATION,
        Behaviour.IRRELEVANT_INFORMATION_REQUESTS,
        Behaviour.PARTICULAR_COLLEAGUE,
        Behaviour.SERVICES_NOT_OFFERED,
        Behaviour.CHANGING_COMPLAINT,
        Behaviour.REPEATED_SIMILAR_ISSUES,
        Behaviour.OTHER,
    ),
    Category.UNREASONABLY_PERSISTENT: (
        Behaviour.PERSISTENT_APPROACH,
        Behaviour.REFUSES_COMPLAINT_DECISION,
        Behaviour.REFUSES_EXPLANATIONS,
        Behaviour.REFUSES_SPOC,
        Behaviour.INSISTS_NO_RESPONSE,
        Behaviour.PURSUES_CLOSED_ISSUE,
        Behaviour.UNREASONABLE_CONTACT_VOLUME,
        Behaviour.UNANNOUNCED_VISITS,
        Behaviour.IRRELEVANT_DOCUMENTS,
        Behaviour.COVERT_RECORDING,
        Behaviour.OTHER,
    ),
}


class Severity(Labelled):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    SERIOUS = "serious", "Serious"
    EXTREME = "extreme", "Extreme – immediate risk to safety"

    @property
    def is_serious(self) -> bool:
        """Serious enough to skip a warning step (§4)."""
        return self in (Severity.SERIOUS, Severity.EXTREME)


class Channel(Labelled):
    PHONE = "phone", "Telephone"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    VISIT = "visit", "Visit in person"
    SOCIAL_MEDIA = "social_media", "Social media"
    WEB = "web", "Web form"

    @property
    def is_written(self) -> bool:
        return self in WRITTEN_CHANNELS


WRITTEN_CHANNELS = frozenset({Channel.LETTER, Channel.EMAIL, Channel.WEB})


class RestrictionType(Labelled):
    """Ways of restricting contact (§5, §6)."""

    SINGLE_CHANNEL = "single_channel", "One form of contact only"
    THIRD_PARTY = "third_party", "Contact only through a third party"
    SPOC = "spoc", "Single point of contact (SPOC)"
    PREARRANGED_CALLS = "prearranged_calls", "Calls only at pre-arranged dates and times"
    WRITTEN_ONLY = "written_only", "Contact in writing only"
    FREQUENCY_LIMIT = "frequency_limit", "Limited frequency of contact"
    RETURN_CORRESPONDENCE = "return_correspondence", "Correspondence returned"
    NO_RESPONSE_ON_ISSUE = "no_response_on_issue", "No further response on the issue raised"
    OTHER = "other", "Other action (customer told what and why)"


class ExclusionTopic(Labelled):
    """What can always be reported, whatever the restriction (§7)."""

    CRITICAL_ASB = "critical_asb", "Critical anti-social behaviour"
    NEW_REPAIR = "new_repair", "New repair"
    URGENT_REPAIR = "urgent_repair", "Urgent repair"
    EMERGENCY = "emergency", "Emergency (fire, terrorism, physical assault…)"
    SAFEGUARDING = "safeguarding", "Safeguarding incident"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic violence or abuse"


class Screen(Labelled):
    """The result of screening an inbound contact (§5, §7, §8)."""

    ALLOWED = "allowed", "Allowed"
    EXCLUSION = "exclusion", "Exclusion – handle it"
    BREACH = "breach", "Breach of the restriction"


class InformalKind(Labelled):
    SUPPORT = "support", "Supportive approach"
    INITIAL_WARNING = "initial_warning", "Initial (informal) warning"


class LegalStepKind(Labelled):
    """Formal legal action after legal advice (§8)."""

    LEGAL_WARNING_LETTER = "legal_warning_letter", "Legal warning letter"
    INJUNCTION = "injunction", "Injunction proceedings"
    CIVIL_RESTRAINT_ORDER = "civil_restraint_order", "Civil restraint order"
    NOSP = "nosp", "Notice of Seeking Possession"


class ReviewOutcome(Labelled):
    REMAIN = "remain", "Restriction remains"
    ADJUST = "adjust", "Restriction adjusted"
    REMOVE = "remove", "Restriction removed"


class AppealOutcome(Labelled):
    UPHELD = "upheld", "Decision upheld"
    OVERTURNED = "overturned", "Decision overturned"


class ReconsiderationOutcome(Labelled):
    LIFT = "lift", "Restriction lifted"
    KEEP = "keep", "Restriction kept"


class Action(Labelled):
    """Every step a case can take (the scenario file's ``do:``)."""

    INCIDENT = "incident", "Log an incident"
    SUPPORT = "support", "Informal support"
    INITIAL_WARNING = "initial_warning", "Initial warning"
    EIA = "eia", "Equality impact assessment"
    CIRCUMSTANCES_CHANGE = "circumstances_change", "Change of circumstances"
    FORMAL_WARNING = "formal_warning", "Formal written warning"
    RESTRICT = "restrict", "Restrict contact"
    CONTACT = "contact", "Inbound contact"
    BREACH_WARNING = "breach_warning", "Warning about ignoring restrictions"
    LEGAL_ADVICE = "legal_advice", "Seek legal advice"
    LEGAL_WARNING_LETTER = "legal_warning_letter", "Legal warning letter"
    INJUNCTION = "injunction", "Injunction proceedings"
    CIVIL_RESTRAINT_ORDER = "civil_restraint_order", "Civil restraint order"
    NOSP = "nosp", "Notice of Seeking Possession"
    REVIEW = "review", "Six-monthly review"
    APPEAL = "appeal", "Appeal received"
    APPEAL_DECISION = "appeal_decision", "Decide appeal"
    RECONSIDERATION = "reconsideration", "Reconsideration request received"
    RECONSIDERATION_DECISION = "reconsideration_decision", "Decide reconsideration"
    SPOC_HANDOVER = "spoc_handover", "Hand over SPOC"
    SPOC_REVIEW = "spoc_review", "Quarterly SPOC review"


LEGAL_ACTIONS: dict[Action, LegalStepKind] = {
    Action.LEGAL_WARNING_LETTER: LegalStepKind.LEGAL_WARNING_LETTER,
    Action.INJUNCTION: LegalStepKind.INJUNCTION,
    Action.CIVIL_RESTRAINT_ORDER: LegalStepKind.CIVIL_RESTRAINT_ORDER,
    Action.NOSP: LegalStepKind.NOSP,
}
