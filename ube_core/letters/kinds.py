"""Letter kinds, the parts each must contain, and the procedure's fixed wording.

Every step of the procedure that tells the customer something has a letter kind. Each kind
lists its required parts as data (``REQUIRED``); a part is satisfied when the facts it needs
are known and every one of them appears in the letter's text (``ube_core.letters.check``).
The facts are the case's own (dates, reasons, the SPOC's name) or the procedure's words kept
here (what will happen if the behaviour continues, the exclusions, the appeal route), so an
edited template can change the layout and the words around them, never drop them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ube_core.procedure.vocabulary import Labelled


class LetterKind(Labelled):
    INITIAL_WARNING = "initial_warning", "Initial warning"
    FORMAL_WARNING = "formal_warning", "Formal written warning"
    RESTRICTION_NOTICE = "restriction_notice", "Restriction notice"
    SPOC_CHANGE = "spoc_change", "Change of single point of contact"
    BREACH_WARNING = "breach_warning", "Warning about ignoring the restrictions"
    REVIEW_OUTCOME = "review_outcome", "Review outcome"
    APPEAL_ACKNOWLEDGEMENT = "appeal_acknowledgement", "Appeal acknowledgement"
    APPEAL_OUTCOME = "appeal_outcome", "Appeal outcome (with the appeals fact sheet)"
    RECONSIDERATION_OUTCOME = "reconsideration_outcome", "Reconsideration outcome"


# The procedure section each kind answers to.
SECTION: dict[LetterKind, str] = {
    LetterKind.INITIAL_WARNING: "§4",
    LetterKind.FORMAL_WARNING: "§4",
    LetterKind.RESTRICTION_NOTICE: "§5",
    LetterKind.SPOC_CHANGE: "§6",
    LetterKind.BREACH_WARNING: "§8",
    LetterKind.REVIEW_OUTCOME: "§10",
    LetterKind.APPEAL_ACKNOWLEDGEMENT: "§11",
    LetterKind.APPEAL_OUTCOME: "§11",
    LetterKind.RECONSIDERATION_OUTCOME: "§11",
}


class Variant(Labelled):
    """The template a letter is written from; large print is a way of printing either."""

    STANDARD = "standard", "Standard"
    EASY_READ = "easy_read", "Easy Read (plain English)"


class Part(Labelled):
    """A required part of a letter; the label is what the page names when it is missing."""

    CONTACT_US = "contact_us", "Who the letter is from and how to contact us"
    BEHAVIOUR = "behaviour", "Which behaviour is unacceptable"
    CONSEQUENCES = "consequences", "What will happen if it continues"
    SUPPORT = "support", "Support on offer, and that a representative or advocate is welcome"
    REASONS = "reasons", "The reasons for the decision"
    ARRANGEMENTS = "arrangements", "The exact contact arrangements"
    SPOC = "spoc", "The SPOC's name and how to reach them"
    CONTACT_TIMES = "contact_times", "When contact will be taken (days and times)"
    DURATION = "duration", "How long the restriction lasts (start and end dates)"
    REVIEW_DATE = "review_date", "When the restriction will be reviewed"
    EXCLUSIONS = "exclusions", "What can always be reported (§7 exclusions)"
    APPEAL = "appeal", "How to appeal: within 14 days (the last date) and to whom"
    OMBUDSMAN = "ombudsman", "The Housing Ombudsman and how to reach them"
    NEW_SPOC = "new_spoc", "The new SPOC's name and how to reach them"
    EFFECTIVE_DATE = "effective_date", "From when the change applies"
    TEMPORARY_PERIOD = "temporary_period", "How long a temporary change lasts and who returns"
    BREACHES = "breaches", "When and how the restrictions were ignored"
    OUTCOME = "outcome", "The outcome"
    RECONSIDERATION = "reconsideration", "How to ask us to reconsider, and to whom"
    APPEAL_RECEIVED = "appeal_received", "When we received the appeal"
    DECISION_DUE = "decision_due", "Who decides, and the date the decision is due (28 days)"
    FINAL = "final", "That the decision is final"
    FACT_SHEET = "fact_sheet", "The appeals fact sheet"


class When(StrEnum):
    """When a required part applies; most always do."""

    ALWAYS = "always"
    HAS_SPOC = "has_spoc"  # the restriction has a single point of contact
    TEMPORARY = "temporary"  # a temporary SPOC handover
    CONTINUES = "continues"  # the restriction stays in place after the decision


@dataclass(frozen=True)
class Requirement:
    part: Part
    when: When = When.ALWAYS


def _always(*parts: Part) -> tuple[Requirement, ...]:
    return tuple(Requirement(p) for p in parts)


REQUIRED: dict[LetterKind, tuple[Requirement, ...]] = {
    LetterKind.INITIAL_WARNING: _always(
        Part.CONTACT_US, Part.BEHAVIOUR, Part.CONSEQUENCES, Part.SUPPORT
    ),
    LetterKind.FORMAL_WARNING: _always(
        Part.CONTACT_US, Part.BEHAVIOUR, Part.CONSEQUENCES, Part.SUPPORT
    ),
    LetterKind.RESTRICTION_NOTICE: (
        *_always(Part.CONTACT_US, Part.REASONS, Part.ARRANGEMENTS),
        Requirement(Part.SPOC, When.HAS_SPOC),
        *_always(
            Part.CONTACT_TIMES,
            Part.DURATION,
            Part.REVIEW_DATE,
            Part.EXCLUSIONS,
            Part.APPEAL,
            Part.OMBUDSMAN,
        ),
    ),
    LetterKind.SPOC_CHANGE: (
        *_always(Part.CONTACT_US, Part.NEW_SPOC, Part.EFFECTIVE_DATE),
        Requirement(Part.TEMPORARY_PERIOD, When.TEMPORARY),
        Requirement(Part.EXCLUSIONS),
    ),
    LetterKind.BREACH_WARNING: _always(
        Part.CONTACT_US, Part.BREACHES, Part.ARRANGEMENTS, Part.CONSEQUENCES, Part.EXCLUSIONS
    ),
    LetterKind.REVIEW_OUTCOME: (
        *_always(Part.CONTACT_US, Part.OUTCOME, Part.REASONS),
        Requirement(Part.ARRANGEMENTS, When.CONTINUES),
        Requirement(Part.DURATION, When.CONTINUES),
        Requirement(Part.REVIEW_DATE, When.CONTINUES),
        Requirement(Part.EXCLUSIONS, When.CONTINUES),
        Requirement(Part.RECONSIDERATION, When.CONTINUES),
        Requirement(Part.OMBUDSMAN),
    ),
    LetterKind.APPEAL_ACKNOWLEDGEMENT: _always(
        Part.CONTACT_US,
        Part.APPEAL_RECEIVED,
        Part.DECISION_DUE,
        Part.ARRANGEMENTS,
        Part.EXCLUSIONS,
    ),
    LetterKind.APPEAL_OUTCOME: (
        *_always(Part.CONTACT_US, Part.OUTCOME, Part.REASONS, Part.FINAL),
        Requirement(Part.ARRANGEMENTS, When.CONTINUES),
        Requirement(Part.EXCLUSIONS, When.CONTINUES),
        *_always(Part.FACT_SHEET, Part.OMBUDSMAN),
    ),
    LetterKind.RECONSIDERATION_OUTCOME: (
        *_always(Part.CONTACT_US, Part.OUTCOME, Part.REASONS, Part.FINAL),
        Requirement(Part.ARRANGEMENTS, When.CONTINUES),
        Requirement(Part.OMBUDSMAN),
    ),
}


# What to do when a part is missing: shown under its name.
HINTS: dict[Part, str] = {
    Part.CONTACT_US: "Add the organisation's name and a phone number or email address "
    "(Letter templates → Letter settings).",
    Part.BEHAVIOUR: "Describe the behaviour in plain words.",
    Part.REASONS: "Give the reasons for the decision.",
    Part.ARRANGEMENTS: "The restriction has no arrangements recorded.",
    Part.SPOC: "Add the SPOC's email address (Users) or the organisation's phone number "
    "(Letter settings).",
    Part.NEW_SPOC: "Add the new SPOC's email address (Users) or the organisation's phone "
    "number (Letter settings).",
    Part.CONTACT_TIMES: "Say on which days and at what times contact will be taken "
    "(or set the office hours in Letter settings).",
    Part.TEMPORARY_PERIOD: "Give the date the temporary SPOC's cover ends.",
    Part.BREACHES: "Record the contacts that broke the restriction first.",
    Part.APPEAL: "Say to whom appeals go (Letter settings → Appeals go to).",
    Part.RECONSIDERATION: "Say to whom requests go (Letter settings → Appeals go to).",
}


# -- the procedure's words ------------------------------------------------------------------
@dataclass(frozen=True)
class Wording:
    """One fixed sentence, in standard and in Easy Read words."""

    standard: str
    easy: str

    def pick(self, variant: Variant) -> str:
        return self.easy if variant is Variant.EASY_READ else self.standard


CONSEQUENCES: dict[LetterKind, tuple[Wording, ...]] = {
    LetterKind.INITIAL_WARNING: (
        Wording(
            "If this behaviour continues, we may send you a formal written warning, which "
            "will be kept on your file.",
            "If this happens again, we may send you a formal warning letter.",
        ),
        Wording(
            "If it continues after that, we may limit how you can contact us.",
            "After that, we may limit how you can contact us.",
        ),
    ),
    LetterKind.FORMAL_WARNING: (
        Wording(
            "If this behaviour continues, we may limit or restrict how you can contact us: "
            "for example, to one form of contact, to writing only, or only through a single "
            "point of contact.",
            "If this happens again, we may limit how you can contact us.",
        ),
        Wording(
            "If the behaviour puts our colleagues or others at risk, we may report it to the "
            "police or take legal action.",
            "If anyone is put at risk, we may tell the police or go to court.",
        ),
    ),
    LetterKind.BREACH_WARNING: (
        Wording(
            "If you continue to ignore the restrictions, we may seek legal advice and take "
            "legal action.",
            "If you keep ignoring the rules in our letter, we may take legal action.",
        ),
        Wording("This may include a legal warning letter.", "This could be a legal letter."),
        Wording(
            "It may include applying to the court for an injunction.",
            "It could be a court order called an injunction.",
        ),
        Wording(
            "It may include applying for a civil restraint order.",
            "It could be a civil restraint order.",
        ),
        Wording(
            "It may include starting possession proceedings by serving a Notice of Seeking "
            "Possession.",
            "It could mean starting action to take back your home (a Notice of Seeking "
            "Possession).",
        ),
    ),
}

SUPPORT: tuple[Wording, ...] = (
    Wording(
        "If something is making things difficult for you at the moment, please tell us. We "
        "will take any support needs, health conditions or vulnerabilities into account.",
        "If things are hard for you right now, please tell us. We want to help.",
    ),
    Wording(
        "You can ask a representative or advocate of your choice to help you and to contact "
        "us for you.",
        "You can ask someone you trust to help you and to speak to us for you.",
    ),
    Wording(
        "We can put you in touch with support services, such as mental health services.",
        "We can put you in touch with people who can support you.",
    ),
)

# What each restriction type means for the customer (§5); {channel} and {spoc} filled in.
ARRANGEMENTS: dict[str, Wording] = {
    "single_channel": Wording(
        "You may contact us only by {channel}.", "Only contact us by {channel}."
    ),
    "third_party": Wording(
        "You may contact us only through a third party acting for you.",
        "Only contact us through someone who speaks for you.",
    ),
    "spoc": Wording(
        "All your contact with us must go through your single point of contact (SPOC), {spoc}.",
        "Only contact {spoc}. {spoc} is your single point of contact.",
    ),
    "prearranged_calls": Wording(
        "We will take telephone calls from you only at dates and times arranged in advance.",
        "We will only talk on the phone at times we agree first.",
    ),
    "written_only": Wording(
        "You may contact us in writing only: by letter, email or our web form.",
        "Only contact us in writing: a letter, an email or our web form.",
    ),
    "frequency_limit": Wording(
        "We will limit how often we respond to your contact.",
        "We will not answer every message straight away.",
    ),
    "return_correspondence": Wording(
        "Correspondence that does not keep to these arrangements may be returned to you.",
        "If you do not keep to these rules, we may send your letters back.",
    ),
    "no_response_on_issue": Wording(
        "We will not respond to further contact about the matters we have already dealt with.",
        "We will not answer more messages about things we have already dealt with.",
    ),
    "other": Wording(
        "We have also taken the further action described in this letter.",
        "We have also done the other things in this letter.",
    ),
}

# How the customer is told about an outcome.
OUTCOMES: dict[str, Wording] = {
    "review.remain": Wording(
        "We have decided that the restriction will stay in place.",
        "The rules about contacting us will stay the same.",
    ),
    "review.adjust": Wording(
        "We have decided to change the restriction.",
        "We have changed the rules about contacting us.",
    ),
    "review.remove": Wording(
        "We have decided to remove the restriction. You can contact us in the usual way again.",
        "The rules have ended. You can contact us in the usual way again.",
    ),
    "appeal.upheld": Wording(
        "We have looked at your appeal and decided to keep our decision to restrict contact.",
        "We looked at your appeal. The rules about contacting us will stay.",
    ),
    "appeal.overturned": Wording(
        "We have looked at your appeal and decided to overturn our decision. The restriction "
        "has ended.",
        "We looked at your appeal. You were right. The rules have ended.",
    ),
    "reconsideration.keep": Wording(
        "We have reconsidered our decision and the restriction will stay in place.",
        "We looked at our decision again. The rules will stay.",
    ),
    "reconsideration.lift": Wording(
        "We have reconsidered our decision and lifted the restriction. You can contact us in "
        "the usual way again.",
        "We looked at our decision again. The rules have ended.",
    ),
}

FINAL = Wording(
    "This decision was made by a senior officer and is final: it cannot be appealed.",
    "A senior officer made this decision. It is final. You cannot appeal again.",
)

FACT_SHEET_TITLE = Wording("Appeals fact sheet", "Appeals fact sheet")

FACT_SHEET: tuple[Wording, ...] = (
    Wording(
        "You can appeal against a decision to restrict your contact with us. You must write "
        "to us within 14 days of the date on the decision letter, or you lose the right to "
        "appeal.",
        "You can appeal if we limit how you contact us. Write to us within 14 days of the "
        "date on our letter.",
    ),
    Wording(
        "Your appeal should be made in the way the restrictions allow.",
        "Send your appeal in the way our rules allow.",
    ),
    Wording(
        "A senior officer who was not involved in the decision looks at the appeal and tells "
        "you the outcome within 28 days of receiving it.",
        "A senior officer who did not make the decision looks at it. We tell you the answer "
        "within 28 days.",
    ),
    Wording(
        "The senior officer's decision is final and cannot be appealed.",
        "Their answer is final.",
    ),
    Wording(
        "If you show a more acceptable approach, you can ask us in writing at any time to "
        "reconsider the restriction.",
        "If things get better, you can write and ask us to look at the rules again.",
    ),
    Wording(
        "If you remain unhappy, you can contact the Housing Ombudsman.",
        "If you are still unhappy, you can contact the Housing Ombudsman.",
    ),
)

EXCLUSIONS_LEAD = Wording(
    "Whatever the arrangements, you can always report these to us straight away:",
    "You can always tell us straight away about:",
)

# The Housing Ombudsman Service's public contact details (changeable in the settings).
OMBUDSMAN_NAME = "Housing Ombudsman"
OMBUDSMAN_PHONE = "0300 111 3000"
OMBUDSMAN_WEB = "www.housing-ombudsman.org.uk"
OMBUDSMAN_EMAIL = "info@housing-ombudsman.org.uk"


# -- what a person fills in when issuing -----------------------------------------------------
@dataclass(frozen=True)
class Input:
    """A fact the person issuing the letter can give or change (prefilled from the case)."""

    key: str
    label: str
    multiline: bool = False
    is_date: bool = False
    help: str = ""


INPUTS: dict[LetterKind, tuple[Input, ...]] = {
    LetterKind.INITIAL_WARNING: (
        Input("behaviour", "Which behaviour (in plain words)", multiline=True),
    ),
    LetterKind.FORMAL_WARNING: (
        Input("behaviour", "Which behaviour (in plain words)", multiline=True),
    ),
    LetterKind.RESTRICTION_NOTICE: (
        Input(
            "contact_times",
            "When contact will be taken",
            help="For example: Monday to Friday, 9am to 5pm.",
        ),
        Input(
            "arrangement_details",
            "Further details of the arrangements (optional)",
            multiline=True,
            help="For example the agreed call times, or the third party's name.",
        ),
    ),
    LetterKind.SPOC_CHANGE: (
        Input(
            "until",
            "Temporary cover ends on",
            is_date=True,
            help="Only for a temporary handover.",
        ),
    ),
    LetterKind.BREACH_WARNING: (),
    LetterKind.REVIEW_OUTCOME: (Input("reasons", "Reasons for the outcome", multiline=True),),
    LetterKind.APPEAL_ACKNOWLEDGEMENT: (),
    LetterKind.APPEAL_OUTCOME: (Input("reasons", "Reasons for the decision", multiline=True),),
    LetterKind.RECONSIDERATION_OUTCOME: (
        Input("reasons", "Reasons for the decision", multiline=True),
    ),
}

# How a letter can be sent.
SEND_CHANNELS: dict[str, str] = {"letter": "By post", "email": "By email", "hand": "By hand"}
