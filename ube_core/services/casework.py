"""The case-work forms' use cases: every field checked, with a message naming it, before the
underlying service (``cases``, ``customers``) asks the rules engine and writes.

Each function cleans free text (control characters removed, line ends normalised), checks
every field and raises ``InvalidFields`` listing every problem at once, so a form can show
them all and keep what was typed. Nothing is written unless every field is fine and the
engine allows the step; the write itself is one transaction in the service it calls.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy.engine import Engine

from ube_core import procedure as p
from ube_core.errors import ConcurrentChange, InvalidInput, NotFound
from ube_core.storage.db import unit_of_work
from ube_core.storage.models import (
    Customer,
    CustomerCreate,
    CustomerPublic,
    IncidentCreate,
    IncidentPublic,
)

from . import cases, customers
from .cases import _circumstances, _open_case
from .context import CASE_ROLES, UserContext, audit, require_roles

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidFields(InvalidInput):
    """Several fields are wrong: ``problems`` maps each field to its message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        field, message = next(iter(self.problems.items()))
        super().__init__(field, message)

    @property
    def messages(self) -> list[str]:
        return list(self.problems.values())


def clean(value: str | None) -> str:
    """Free text as it is stored: no control characters (tab and new line kept), trimmed."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


class _Checks:
    """Collects one message per field; ``done`` raises them all together."""

    def __init__(self) -> None:
        self.problems: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.problems.setdefault(field, message)

    def text(
        self, value: str | None, field: str, label: str, limit: int, *, required: str = ""
    ) -> str:
        text = clean(value)
        if required and not text:
            self.add(field, required)
        elif len(text) > limit:
            self.add(field, f"{label} is too long: at most {limit:,} characters ({len(text):,}).")
        return text

    def day(self, value: date | None, field: str, label: str, today: date) -> date:
        if value is None:
            self.add(field, f"Enter the {label.lower()}.")
            return today
        if value > today:
            self.add(field, f"{label} can't be in the future.")
        return value

    def done(self) -> None:
        if self.problems:
            raise InvalidFields(self.problems)


E = TypeVar("E", bound=p.vocabulary.Labelled)


def _choice(checks: _Checks, kind: type[E], value: object, field: str, message: str) -> E | None:
    if value is None or value == "":
        checks.add(field, message)
        return None
    try:
        return kind(str(value))
    except ValueError:
        checks.add(field, message)
        return None


# -- incidents and customers (officers) ---------------------------------------------------
def log_incident(
    engine: Engine,
    *,
    user: UserContext,
    customer_id: int | None,
    occurred_at: datetime | None,
    channel: str | None,
    colleague: str,
    category: str | None,
    behaviour: str | None,
    severity: str | None,
    narrative: str,
    colleague_ended_contact: bool,
    police_ref: str = "",
    witnesses: str = "",
    follow_up: bool = False,
    action_taken: str = "",
    now: datetime,
) -> IncidentPublic:
    """An incident from the incident form (§3, §4); ``now`` is an aware datetime."""
    checks = _Checks()
    if customer_id is None:
        checks.add("customer", "Choose the customer: search by name, tenancy reference or address.")
    if occurred_at is None:
        checks.add("occurred_at", "Enter the date and time of the incident.")
    elif occurred_at.tzinfo is None:
        checks.add("occurred_at", "The time of the incident needs its time zone.")
    elif occurred_at > now:
        checks.add("occurred_at", "Date and time of the incident can't be in the future.")
    chosen_channel = _choice(
        checks, p.Channel, channel, "channel", "Choose how the customer was in contact."
    )
    chosen_category = _choice(
        checks, p.Category, category, "category", "Choose the kind of behaviour (§3)."
    )
    chosen_behaviour = _choice(
        checks,
        p.Behaviour,
        behaviour,
        "behaviour",
        "Choose the example of behaviour (§3) that fits best, or “Other”.",
    )
    if (
        chosen_category is not None
        and chosen_behaviour is not None
        and chosen_behaviour not in p.BEHAVIOURS[chosen_category]
    ):
        checks.add("behaviour", "That example is not listed under the kind of behaviour chosen.")
    chosen_severity = _choice(
        checks, p.Severity, severity, "severity", "Choose how serious the incident was."
    )
    colleague = checks.text(
        colleague,
        "colleague",
        "Colleague",
        120,
        required="Name the colleague the behaviour was directed at.",
    )
    narrative = checks.text(
        narrative, "narrative", "What happened", 20000, required="Say what happened."
    )
    action_taken = checks.text(action_taken, "action_taken", "Action taken", 4000)
    police_ref = checks.text(police_ref, "police_ref", "Police reference", 40)
    witnesses = checks.text(witnesses, "witnesses", "Witnesses", 500)
    checks.done()
    assert customer_id is not None and occurred_at is not None
    assert chosen_channel and chosen_category and chosen_behaviour and chosen_severity
    data = IncidentCreate(
        customer_id=customer_id,
        occurred_at=occurred_at,
        channel=chosen_channel.value,
        category=chosen_category.value,
        behaviour=chosen_behaviour.value,
        severity=chosen_severity.value,
        narrative=narrative,
        action_taken=action_taken,
        colleague=colleague,
        colleague_ended_contact=colleague_ended_contact,
        police_ref=police_ref,
        witnesses=witnesses,
        follow_up=follow_up,
    )
    return cases.record_incident(engine, user=user, data=data, today=now.date())


def add_customer(
    engine: Engine,
    *,
    user: UserContext,
    tenancy_ref: str,
    name: str,
    address: str = "",
    phone: str = "",
    email: str = "",
    preferred_channel: str | None = None,
    language: str = "English",
    team_id: int | None = None,
) -> CustomerPublic:
    """A new customer from the officer's form (case roles)."""
    checks = _Checks()
    ref = checks.text(
        tenancy_ref, "tenancy_ref", "Tenancy reference", 32, required="Enter the tenancy reference."
    ).upper()
    name = checks.text(name, "name", "Name", 200, required="Enter the customer's name.")
    address = checks.text(address, "address", "Address", 500)
    phone = checks.text(phone, "phone", "Phone", 40)
    email = checks.text(email, "email", "Email", 254)
    if email and not _EMAIL.match(email):
        checks.add("email", "Email doesn't look like an email address (name@example.org).")
    language = checks.text(language, "language", "Language", 60) or "English"
    if preferred_channel:
        _choice(checks, p.Channel, preferred_channel, "preferred_channel", "Choose a channel.")
    checks.done()
    return customers.create_customer(
        engine,
        user=user,
        data=CustomerCreate(
            tenancy_ref=ref,
            name=name,
            address=address,
            phone=phone,
            email=email,
            preferred_channel=preferred_channel or None,
            language=language,
            team_id=team_id,
        ),
    )


# Fields whose change is a change in the customer's health or personal circumstances (§2):
# the equality impact assessment must then be reviewed (rule 2).
CIRCUMSTANCE_FIELDS = {
    "needs": "health and support needs",
    "communication_needs": "communication needs",
    "language": "language",
}


@dataclass(frozen=True)
class SupportSaved:
    changed: tuple[str, ...]
    circumstances_recorded: bool


def update_support(
    engine: Engine,
    *,
    user: UserContext,
    customer_id: int,
    needs: str,
    adjustments: str,
    language: str,
    communication_needs: str,
    representative: str,
    note: str = "",
    today: date,
    expected_version: int,
) -> SupportSaved:
    """Recorded needs, adjustments, language, communication needs and representative (§2).

    A change to needs, communication needs or language records a change of circumstances on
    the customer's open case in the same transaction, so the EIA becomes stale (rule 2).
    """
    checks = _Checks()
    values = {
        "needs": checks.text(needs, "needs", "Health and support needs", 2000),
        "adjustments": checks.text(adjustments, "adjustments", "Reasonable adjustments", 4000),
        "language": checks.text(language, "language", "Language", 60) or "English",
        "communication_needs": checks.text(
            communication_needs, "communication_needs", "Communication needs", 2000
        ),
        "representative": checks.text(
            representative, "representative", "Representative or advocate", 500
        ),
    }
    note = checks.text(note, "note", "What changed", 4000)
    checks.done()
    with unit_of_work(engine) as session:
        require_roles(session, user, CASE_ROLES, "editing a customer's needs")
        row = session.get(Customer, customer_id)
        if row is None:
            raise NotFound("That customer does not exist.")
        if row.version != expected_version:
            raise ConcurrentChange()
        before = {field: getattr(row, field) for field in values}
        changed = tuple(field for field, value in values.items() if before[field] != value)
        if not changed:
            raise InvalidInput("needs", "Nothing has changed: there is nothing to save.")
        for field in changed:
            setattr(row, field, values[field])
        row.version += 1
        session.add(row)
        audit(
            session,
            user,
            "customer.update_needs",
            entity="customer",
            entity_id=row.id,
            customer_id=row.id,
            detail={
                "before": {f: before[f] for f in changed},
                "after": {f: values[f] for f in changed},
            },
        )
        circumstances = [CIRCUMSTANCE_FIELDS[f] for f in changed if f in CIRCUMSTANCE_FIELDS]
        case = _open_case(session, customer_id) if circumstances else None
        if case is not None and case.id is not None:
            why = note or "Recorded " + ", ".join(circumstances) + " changed"
            _circumstances(session, user, case.id, today, why, today, None)
        return SupportSaved(changed, case is not None)


# -- case steps ------------------------------------------------------------------------------
def informal_step(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    kind: p.InformalKind,
    on: date | None,
    note: str,
    today: date,
    expected_version: int | None,
) -> int:
    checks = _Checks()
    on = checks.day(on, "on", "Date", today)
    note = checks.text(
        note, "note", "What was said or offered", 4000, required="Say what was said or offered."
    )
    checks.done()
    return cases.record_informal_step(
        engine,
        user=user,
        case_id=case_id,
        kind=kind,
        on=on,
        note=note,
        today=today,
        expected_version=expected_version,
    )


def eia(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date | None,
    needs_considered: str,
    adjustments: str,
    alternatives: str,
    proportionate: bool | None,
    conclusion: str,
    today: date,
    expected_version: int | None,
) -> int:
    """Equality impact assessment, the Appendix 5 questions (§2)."""
    checks = _Checks()
    on = checks.day(on, "on", "Date of the assessment", today)
    needs_considered = checks.text(
        needs_considered,
        "needs_considered",
        "Needs considered",
        4000,
        required="Say which needs, disabilities or vulnerabilities were considered.",
    )
    adjustments = checks.text(adjustments, "adjustments", "Adjustments made", 4000)
    alternatives = checks.text(alternatives, "alternatives", "Alternatives considered", 4000)
    if proportionate is None:
        checks.add(
            "proportionate",
            "Answer whether the action is a proportionate means of achieving a legitimate aim.",
        )
    conclusion = checks.text(
        conclusion,
        "conclusion",
        "Conclusion",
        4000,
        required="Give the reasons for the proportionality conclusion.",
    )
    checks.done()
    assert proportionate is not None
    return cases.record_eia(
        engine,
        user=user,
        case_id=case_id,
        on=on,
        proportionate=proportionate,
        needs_considered=needs_considered,
        adjustments=adjustments,
        alternatives=alternatives,
        conclusion=conclusion,
        today=today,
        expected_version=expected_version,
    )


def circumstances_change(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date | None,
    note: str,
    today: date,
    expected_version: int | None,
) -> int:
    checks = _Checks()
    on = checks.day(on, "on", "Date", today)
    note = checks.text(note, "note", "What changed", 4000, required="Say what changed.")
    checks.done()
    return cases.record_circumstances_change(
        engine,
        user=user,
        case_id=case_id,
        on=on,
        note=note,
        today=today,
        expected_version=expected_version,
    )


def formal_warning(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date | None,
    behaviour: str,
    skip_informal: bool,
    override_reason: str,
    today: date,
    expected_version: int | None,
) -> int:
    """Formal written warning (§4); ``skip_informal`` with a reason is the seriousness
    override, which the rules engine judges."""
    checks = _Checks()
    on = checks.day(on, "on", "Date of the warning", today)
    behaviour = checks.text(
        behaviour,
        "behaviour",
        "Behaviour warned about",
        4000,
        required="Describe the behaviour the warning is about.",
    )
    reason = checks.text(override_reason, "override_reason", "Reason for skipping", 4000)
    checks.done()
    return cases.give_formal_warning(
        engine,
        user=user,
        case_id=case_id,
        on=on,
        behaviour=behaviour,
        override_reason=reason if skip_informal else None,
        today=today,
        expected_version=expected_version,
    )


def restrict(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date | None,
    types: Sequence[str],
    allowed_channels: Sequence[str],
    spoc_user_id: int | None,
    months: int | None,
    reasons: str,
    informed_colleagues: Sequence[str] = (),
    informed_contractors: str = "",
    informed_agencies: str = "",
    skip_warning: bool = False,
    override_reason: str = "",
    today: date,
    expected_version: int | None,
) -> int:
    """Restrict contact (§5, §6): every missing detail named, then the engine decides."""
    checks = _Checks()
    on = checks.day(on, "on", "Start date", today)
    chosen_types = tuple(
        t
        for t in (_choice(checks, p.RestrictionType, v, "types", "Unknown type.") for v in types)
        if t is not None
    )
    channels = tuple(
        c
        for c in (
            _choice(checks, p.Channel, v, "allowed_channels", "Unknown channel.")
            for v in allowed_channels
        )
        if c is not None
    )
    if not chosen_types:
        checks.add("types", "Choose at least one type of restriction.")
    if p.RestrictionType.SPOC in chosen_types and spoc_user_id is None:
        checks.add("spoc", "Choose the colleague who will be the single point of contact.")
    if spoc_user_id is not None and p.RestrictionType.SPOC not in chosen_types:
        checks.add("spoc", "A SPOC is chosen: add “Single point of contact (SPOC)” to the types.")
    if p.RestrictionType.SINGLE_CHANNEL in chosen_types and len(set(channels)) != 1:
        checks.add(
            "allowed_channels",
            "One form of contact only: choose exactly one allowed channel.",
        )
    if months is None or not 1 <= months <= 12:
        checks.add("months", "The restriction must last from 1 to 12 months.")
    reasons = checks.text(
        reasons,
        "reasons",
        "Reasons",
        8000,
        required="Give the reasons for restricting contact (they go in the letter).",
    )
    informed_parts = [
        ("Colleagues", ", ".join(clean(c) for c in informed_colleagues if clean(c))),
        (
            "Contractors",
            checks.text(informed_contractors, "informed_contractors", "Contractors", 600),
        ),
        ("Agencies", checks.text(informed_agencies, "informed_agencies", "Agencies", 600)),
    ]
    informed = "; ".join(f"{label}: {who}" for label, who in informed_parts if who)
    if len(informed) > 2000:
        checks.add("informed_colleagues", "Too many people informed to record: at most 2,000.")
    reason = checks.text(override_reason, "override_reason", "Reason for skipping", 4000)
    checks.done()
    assert months is not None
    return cases.restrict_contact(
        engine,
        user=user,
        case_id=case_id,
        on=on,
        types=chosen_types,
        months=months,
        reasons=reasons,
        allowed_channels=channels,
        spoc_user_id=spoc_user_id if p.RestrictionType.SPOC in chosen_types else None,
        informed=informed,
        override_reason=reason if skip_warning else None,
        today=today,
        expected_version=expected_version,
    )


def breach_warning(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date | None,
    behaviour: str,
    today: date,
    expected_version: int | None,
) -> int:
    checks = _Checks()
    on = checks.day(on, "on", "Date of the warning", today)
    behaviour = checks.text(
        behaviour,
        "behaviour",
        "How the restrictions were ignored",
        4000,
        required="Say how the customer ignored the restrictions.",
    )
    checks.done()
    return cases.give_breach_warning(
        engine,
        user=user,
        case_id=case_id,
        on=on,
        behaviour=behaviour,
        today=today,
        expected_version=expected_version,
    )


def legal_step(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    action: p.Action,
    on: date | None,
    note: str,
    today: date,
    expected_version: int | None,
) -> int:
    checks = _Checks()
    on = checks.day(on, "on", "Date", today)
    note = checks.text(note, "note", "Note", 4000)
    checks.done()
    return cases.record_legal_step(
        engine,
        user=user,
        case_id=case_id,
        action=action,
        on=on,
        note=note,
        today=today,
        expected_version=expected_version,
    )


def review(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date | None,
    outcome: str | None,
    customer_letter: bool,
    notes: str,
    today: date,
    expected_version: int | None,
) -> int:
    checks = _Checks()
    on = checks.day(on, "on", "Date of the review", today)
    chosen = _choice(checks, p.ReviewOutcome, outcome, "outcome", "Choose the review's outcome.")
    notes = checks.text(
        notes, "notes", "Notes", 8000, required="Record what the review looked at and why."
    )
    checks.done()
    assert chosen is not None
    return cases.review_restriction(
        engine,
        user=user,
        case_id=case_id,
        on=on,
        outcome=chosen,
        customer_letter=customer_letter,
        notes=notes,
        today=today,
        expected_version=expected_version,
    )


@dataclass(frozen=True)
class AppealReceived:
    appeal_id: int
    deadline: date
    decision_due: date


def appeal(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    received_on: date | None,
    letter_date: date | None,
    today: date,
    expected_version: int | None,
) -> AppealReceived:
    """An appeal received (§11); the engine refuses one out of time (``appeal_out_of_time``)."""
    checks = _Checks()
    received_on = checks.day(received_on, "received_on", "Date received", today)
    letter_date = checks.day(letter_date, "letter_date", "Date on the decision letter", today)
    if letter_date > received_on:
        checks.add("letter_date", "The decision letter can't be dated after the appeal arrived.")
    checks.done()
    appeal_id = cases.receive_appeal(
        engine,
        user=user,
        case_id=case_id,
        received_on=received_on,
        letter_date=letter_date,
        today=today,
        expected_version=expected_version,
    )
    return AppealReceived(appeal_id, p.appeal_deadline(letter_date), p.decision_due(received_on))


def appeal_deadline(letter_date: date) -> date:
    """The last day an appeal against a decision letter of ``letter_date`` is in time (§11)."""
    return p.appeal_deadline(letter_date)


def reconsideration(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    received_on: date | None,
    today: date,
    expected_version: int | None,
) -> date:
    """A written request to reconsider (§11); the decision's due date."""
    checks = _Checks()
    received_on = checks.day(received_on, "received_on", "Date received", today)
    checks.done()
    cases.receive_reconsideration(
        engine,
        user=user,
        case_id=case_id,
        received_on=received_on,
        today=today,
        expected_version=expected_version,
    )
    return p.decision_due(received_on)


def decide(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    kind: str,
    on: date | None,
    outcome: str | None,
    reasons: str,
    fact_sheet_sent: bool,
    today: date,
    expected_version: int | None,
) -> int:
    """A senior officer's decision on an appeal or a reconsideration request (§11)."""
    checks = _Checks()
    on = checks.day(on, "on", "Date of the decision", today)
    reasons = checks.text(
        reasons, "reasons", "Reasons", 8000, required="Give the reasons for the decision."
    )
    if kind == "appeal":
        appeal_outcome = _choice(
            checks, p.AppealOutcome, outcome, "outcome", "Choose the decision."
        )
        if not fact_sheet_sent:
            checks.add(
                "fact_sheet_sent", "On appeal, the fact sheet must be sent with the letter (§11)."
            )
        checks.done()
        assert appeal_outcome is not None
        return cases.decide_appeal(
            engine,
            user=user,
            case_id=case_id,
            on=on,
            outcome=appeal_outcome,
            reasons=reasons,
            fact_sheet_sent=fact_sheet_sent,
            today=today,
            expected_version=expected_version,
        )
    if kind != "reconsideration":
        raise InvalidInput("kind", "Choose an appeal or a reconsideration request.")
    recon_outcome = _choice(
        checks, p.ReconsiderationOutcome, outcome, "outcome", "Choose the decision."
    )
    checks.done()
    assert recon_outcome is not None
    return cases.decide_reconsideration(
        engine,
        user=user,
        case_id=case_id,
        on=on,
        outcome=recon_outcome,
        reasons=reasons,
        today=today,
        expected_version=expected_version,
    )


def spoc_handover(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    on: date | None,
    to_user_id: int | None,
    customer_informed: bool,
    temporary: bool,
    today: date,
    expected_version: int | None,
) -> int:
    checks = _Checks()
    on = checks.day(on, "on", "Date of the handover", today)
    if to_user_id is None:
        checks.add("to", "Choose the colleague who takes over as SPOC.")
    checks.done()
    assert to_user_id is not None
    return cases.hand_over_spoc(
        engine,
        user=user,
        case_id=case_id,
        on=on,
        to_user_id=to_user_id,
        customer_informed=customer_informed,
        temporary=temporary,
        today=today,
        expected_version=expected_version,
    )


def contact(
    engine: Engine,
    *,
    user: UserContext,
    customer_id: int,
    channel: str | None,
    topic: str | None,
    via_spoc: bool,
    note: str,
    today: date,
) -> cases.Screening:
    """Record an inbound contact, screened; a breach is recorded with its channel and note."""
    checks = _Checks()
    chosen = _choice(checks, p.Channel, channel, "channel", "Choose how the customer got in touch.")
    if topic:
        _choice(checks, p.ExclusionTopic, topic, "topic", "Choose the topic from the list.")
    note = checks.text(note, "note", "Note", 4000)
    checks.done()
    assert chosen is not None
    return cases.record_contact(
        engine,
        user=user,
        customer_id=customer_id,
        on=today,
        channel=chosen,
        topic=topic or None,
        via_spoc=via_spoc,
        note=note,
        today=today,
    )
