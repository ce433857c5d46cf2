"""Sample cases for every letter kind: the template page's preview, the check an edited
template must pass before it is saved, the tests and the README image.

Everything here is fictional. Phone numbers are in Ofcom's ranges kept for drama, e-mail
addresses use ``example.org``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from .context import (
    DecisionFacts,
    HandoverFacts,
    IncidentFacts,
    LetterFacts,
    Organisation,
    Person,
    Recipient,
    RestrictionFacts,
)
from .kinds import LetterKind

SAMPLE_DATE = date(2025, 2, 10)

SAMPLE_ORG = Organisation(
    name="Northfield Homes",
    address="1 Market Street\nNorthfield\nNF1 2AB",
    phone="0306 999 0123",
    email="housing@example.org",
    hours="Monday to Friday, 9am to 5pm",
    appeals_to="the Customer Resolution Manager, Northfield Homes, 1 Market Street, "
    "Northfield NF1 2AB, or appeals@example.org",
)

SAMPLE_CUSTOMER = Recipient(
    name="Jordan Example",
    tenancy_ref="T-000123",
    address="Flat 4, 22 Willow Road\nNorthfield\nNF3 9XY",
)

SAMPLE_SENDER = Person(name="Cara Mensah", title="Case manager")
SAMPLE_SPOC = Person(name="Sam Patel", email="sam.patel@example.org", title="Housing officer")
SAMPLE_COVER = Person(name="Lee Okafor", email="lee.okafor@example.org")

SAMPLE_RESTRICTION = RestrictionFacts(
    start=SAMPLE_DATE,
    end=date(2025, 8, 10),
    months=6,
    types=("spoc", "written_only"),
    reasons="Since our formal warning of 20 January 2025 you have continued to shout at and "
    "swear at colleagues on the telephone, most recently on 1 February 2025.",
    spoc=SAMPLE_SPOC,
    review_due=date(2025, 8, 10),
)

SAMPLE_INCIDENTS = (
    IncidentFacts(
        on=date(2025, 1, 6),
        channel="phone",
        category="Aggressive or abusive behaviour",
        behaviour="Persistent swearing and/or shouting",
    ),
    IncidentFacts(
        on=date(2025, 2, 1),
        channel="phone",
        category="Aggressive or abusive behaviour",
        behaviour="Persistent swearing and/or shouting",
    ),
)


def _base(kind: LetterKind, **kw: object) -> LetterFacts:
    facts = LetterFacts(
        kind=kind,
        dated=SAMPLE_DATE,
        org=SAMPLE_ORG,
        recipient=SAMPLE_CUSTOMER,
        sender=SAMPLE_SENDER,
        reference="T-000123/7",
        restriction=SAMPLE_RESTRICTION,
        incidents=SAMPLE_INCIDENTS,
    )
    return replace(facts, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Sample:
    name: str
    facts: LetterFacts
    details: dict[str, str] = field(default_factory=dict)


def samples(kind: LetterKind) -> list[Sample]:
    """Every case a ``kind`` template must cope with (a SPOC or not, temporary or not,
    a restriction that stays or ends)."""
    K = LetterKind
    if kind is K.INITIAL_WARNING:
        return [Sample("initial warning", _base(kind, restriction=None))]
    if kind is K.FORMAL_WARNING:
        return [
            Sample(
                "formal warning",
                _base(
                    kind,
                    restriction=None,
                    behaviour="Shouting and swearing at our colleagues on the telephone.",
                ),
            )
        ]
    if kind is K.RESTRICTION_NOTICE:
        email_only = replace(
            SAMPLE_RESTRICTION, types=("single_channel",), allowed_channels=("email",), spoc=None
        )
        return [
            Sample("SPOC and writing only", _base(kind)),
            Sample("email only, no SPOC", _base(kind, restriction=email_only)),
        ]
    if kind is K.SPOC_CHANGE:
        handover = HandoverFacts(on=date(2025, 3, 3), to=SAMPLE_COVER, previous=SAMPLE_SPOC)
        return [
            Sample("permanent handover", _base(kind, handover=handover)),
            Sample(
                "temporary cover",
                _base(kind, handover=replace(handover, temporary=True)),
                {"until": "2025-03-24"},
            ),
        ]
    if kind is K.BREACH_WARNING:
        return [
            Sample(
                "breach warning",
                _base(kind, breaches=((date(2025, 3, 5), "phone"), (date(2025, 3, 7), "visit"))),
            )
        ]
    if kind is K.REVIEW_OUTCOME:
        return [
            Sample(
                f"review: {outcome}",
                _base(
                    kind,
                    review=DecisionFacts(
                        outcome=outcome,
                        reasons="Contact since February has kept to the arrangements, but "
                        "there were two calls in July that did not.",
                        decided_on=date(2025, 8, 8),
                    ),
                ),
            )
            for outcome in ("remain", "adjust", "remove")
        ]
    if kind is K.APPEAL_ACKNOWLEDGEMENT:
        appeal = DecisionFacts(received=date(2025, 2, 20), decision_due=date(2025, 3, 20))
        return [Sample("appeal received", _base(kind, appeal=appeal))]
    if kind is K.APPEAL_OUTCOME:
        return [
            Sample(
                f"appeal: {outcome}",
                _base(
                    kind,
                    appeal=DecisionFacts(
                        outcome=outcome,
                        reasons="The senior officer looked at the call records and the "
                        "equality impact assessment.",
                        received=date(2025, 2, 20),
                        decided_on=date(2025, 3, 14),
                        decision_due=date(2025, 3, 20),
                    ),
                ),
            )
            for outcome in ("upheld", "overturned")
        ]
    return [
        Sample(
            f"reconsideration: {outcome}",
            _base(
                kind,
                reconsideration=DecisionFacts(
                    outcome=outcome,
                    reasons="Your contact with us since April has been respectful.",
                    received=date(2025, 5, 2),
                    decided_on=date(2025, 5, 20),
                ),
            ),
        )
        for outcome in ("keep", "lift")
    ]


def hostile(facts: LetterFacts) -> LetterFacts:
    """The same case with names and narratives full of markup, template syntax and control
    characters: what a careless paste or a deliberate attack puts in a record."""
    nasty = (
        "<script>alert('x')</script> & Sons \"Ltd\" {{ 7*7 }} {% raw %} \x00\x07\x1b\x0b"
        " ]]> <w:t>x</w:t> Zoë Łukasz Ахмед"
    )
    recipient = replace(
        facts.recipient,
        name="O'Brien <b>&amp;</b> {{ customer.name }}\x0c",
        address="# Not a heading\n- not a bullet\n---\n<img src=x onerror=alert(1)>",
    )
    restriction = facts.restriction
    if restriction is not None:
        restriction = replace(
            restriction,
            reasons=f"## Reasons {nasty}\n- {nasty}\n\n---\n{{% for x in y %}}",
            spoc=(
                replace(restriction.spoc, name="Sam <Patel> & Co\u202e")
                if restriction.spoc
                else None
            ),
        )
    return replace(
        facts,
        recipient=recipient,
        restriction=restriction,
        behaviour=f"Said: {nasty}",
        sender=replace(facts.sender, name="Cara & <Mensah>"),
    )
