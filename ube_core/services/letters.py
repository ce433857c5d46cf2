"""Letters to the customer: preview, issue (with a manager's sign-off where the settings ask
for it), templates and their versions, the letter settings, the evidence bundle and the
subject access export.

A letter is written from the case's own records (``_facts``) and the latest saved version of
its kind's template (the built-in one is saved as version 1 the first time it is used). It
can't be issued while a required part is missing (``LetterIncomplete`` names each part).
An issued letter keeps the exact text, the template version and both files it was sent with;
it is linked to the case and to the step it is about, and audited.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, func, select

from ube_core import letters as lt
from ube_core import procedure as p
from ube_core.errors import ConcurrentChange, DomainError, InvalidInput, NotFound
from ube_core.letters.bundle import BundleData, BundleLetter, Record, Section, bundle_zip
from ube_core.letters.compose import Composed, TemplateFinding, sample_letter, template_findings
from ube_core.letters.kinds import HINTS
from ube_core.storage.db import unit_of_work
from ube_core.storage.models import (
    AppealRequest,
    AppUser,
    AuditEvent,
    Case,
    CaseEvent,
    CaseReview,
    CircumstancesChange,
    Contact,
    Customer,
    Eia,
    Incident,
    InformalStep,
    LegalStep,
    Letter,
    LetterTemplate,
    Recommendation,
    Restriction,
    RestrictionType,
    Setting,
    SpocHandover,
    SpocReview,
    Warning,
    utcnow,
)

from .context import READ_ROLES, UserContext, audit, current_roles, require_roles
from .steps import check_date

ISSUE_ROLES = (p.Role.CASE_MANAGER, p.Role.SENIOR_OFFICER)
SIGN_OFF_ROLES = (p.Role.MANAGER, p.Role.LINE_MANAGER, p.Role.SENIOR_OFFICER)
EVIDENCE_ROLES = ISSUE_ROLES
TEMPLATE_ROLES = (p.Role.ADMIN,)

ISSUED, AWAITING, RETURNED = "issued", "awaiting_sign_off", "returned"
STATUS_LABELS = {
    ISSUED: "Issued",
    AWAITING: "Awaiting a manager's sign-off",
    RETURNED: "Returned by the manager",
}
Progress = Callable[[float, str], None]


class LetterIncomplete(DomainError):
    """The letter lacks required parts; ``missing`` names them, ``messages`` explain."""

    def __init__(self, kind: lt.LetterKind, missing: Iterable[lt.Part]) -> None:
        self.kind = kind
        self.missing = tuple(missing)
        names = "; ".join(part.label for part in self.missing)
        super().__init__(f"This {kind.label.lower()} can't be issued. It is missing: {names}.")

    @property
    def messages(self) -> list[str]:
        return [
            part.label + (f" — {HINTS[part]}" if part in HINTS else "") for part in self.missing
        ]


class TemplateRejected(DomainError):
    """An edited template that would drop a required part, or can't be rendered."""

    def __init__(self, findings: Iterable[TemplateFinding]) -> None:
        self.findings = tuple(findings)
        super().__init__("The template can't be saved: " + self.findings[0].message)

    @property
    def messages(self) -> list[str]:
        return [finding.message for finding in self.findings]


# -- settings --------------------------------------------------------------------------------
ORG_KEYS: dict[str, str] = {
    "name": "letters.org_name",
    "address": "letters.org_address",
    "phone": "letters.org_phone",
    "email": "letters.org_email",
    "hours": "letters.office_hours",
    "appeals_to": "letters.appeals_to",
    "ombudsman_phone": "letters.ombudsman_phone",
    "ombudsman_web": "letters.ombudsman_web",
    "ombudsman_email": "letters.ombudsman_email",
}
SIGN_OFF_KEY = "letters.sign_off"


@dataclass(frozen=True)
class LetterSettings:
    org: lt.Organisation
    sign_off: frozenset[lt.LetterKind]


def _settings(session: Session) -> LetterSettings:
    rows = session.exec(select(Setting).where(col(Setting.key).startswith("letters."))).all()
    values = {row.key: row.value for row in rows}
    defaults = lt.Organisation()
    org = lt.Organisation(
        **{name: values.get(key) or getattr(defaults, name) for name, key in ORG_KEYS.items()}
    )
    kinds = {v for v in values.get(SIGN_OFF_KEY, "").split(",") if v}
    return LetterSettings(org, frozenset(k for k in lt.LetterKind if k.value in kinds))


def letter_settings(engine: Engine) -> LetterSettings:
    """The organisation's details for letters and which kinds need a manager's sign-off."""
    with Session(engine) as session:
        return _settings(session)


def save_letter_settings(
    engine: Engine,
    *,
    user: UserContext,
    org: lt.Organisation,
    sign_off: Iterable[lt.LetterKind],
) -> None:
    """Admins: the letterhead, office hours, where appeals go, the Ombudsman's details."""
    values = {key: str(lt.clean(getattr(org, name))).strip() for name, key in ORG_KEYS.items()}
    for key, value in values.items():
        if len(value) > 1000:
            raise InvalidInput(key, "That is too long (at most 1000 characters).")
    values[SIGN_OFF_KEY] = ",".join(sorted(lt.LetterKind(k).value for k in set(sign_off)))
    with unit_of_work(engine) as session:
        require_roles(session, user, TEMPLATE_ROLES, "changing letter settings")
        before = {key: row.value for key in values if (row := session.get(Setting, key))}
        for key, value in values.items():
            row = session.get(Setting, key) or Setting(key=key)
            row.value = value
            session.add(row)
        audit(
            session,
            user,
            "letters.settings",
            entity="setting",
            detail={"before": before, "after": values},
        )


# -- the facts of a case ---------------------------------------------------------------------
@dataclass(frozen=True)
class Gathered:
    facts: lt.LetterFacts
    event_id: int | None
    customer_id: int
    since: date  # a letter can't be dated before the step it is about


def _person(session: Session, user_id: int | None, username: str | None = None) -> lt.Person:
    row = session.get(AppUser, user_id) if user_id is not None else None
    if row is None and username:
        row = session.exec(select(AppUser).where(AppUser.username == username)).first()
    if row is None:
        return lt.Person(name=username or "")
    return lt.Person(name=row.name, email=row.email or "")


def _sender(session: Session, user: UserContext) -> lt.Person:
    roles = current_roles(session, user)
    title = next((r.label for r in (p.Role.SENIOR_OFFICER, p.Role.CASE_MANAGER) if r in roles), "")
    return lt.Person(name=user.name, title=title)


_TYPE_ORDER = [t.value for t in p.RestrictionType]


def _restriction_facts(session: Session, row: Restriction) -> lt.RestrictionFacts:
    types = sorted(
        (t for t in row.types.split(",") if t),
        key=lambda t: _TYPE_ORDER.index(t) if t in _TYPE_ORDER else len(_TYPE_ORDER),
    )
    spoc = None
    if "spoc" in types and (row.spoc_user_id is not None or row.spoc_name):
        spoc = _person(session, row.spoc_user_id, row.spoc_name)
    return lt.RestrictionFacts(
        start=row.start_on,
        end=row.end_on,
        months=row.months,
        types=tuple(types),
        reasons=row.reasons,
        allowed_channels=tuple(c for c in row.allowed_channels.split(",") if c),
        spoc=spoc,
        review_due=row.case_review_due,
        ended_on=row.ended_on,
    )


def _latest(session: Session, model: type[Any], *where: Any) -> Any:
    return session.exec(select(model).where(*where).order_by(col(model.id).desc())).first()


def _facts(
    session: Session, user: UserContext, case_id: int, kind: lt.LetterKind, dated: date
) -> Gathered:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("That case does not exist.")
    customer = session.get(Customer, case.customer_id)
    assert customer is not None
    settings = _settings(session)
    incidents = session.exec(
        select(Incident)
        .where(Incident.case_id == case_id)
        .order_by(col(Incident.occurred_at).desc(), col(Incident.id).desc())
        .limit(5)
    ).all()
    base: dict[str, Any] = {
        "kind": kind,
        "dated": dated,
        "org": settings.org,
        "recipient": lt.Recipient(
            name=customer.name,
            tenancy_ref=customer.tenancy_ref,
            address=customer.address,
            language=customer.language,
            representative=customer.representative,
            communication_needs=customer.communication_needs,
        ),
        "sender": _sender(session, user),
        "reference": f"{customer.tenancy_ref}/{case_id}",
        "incidents": tuple(
            lt.IncidentFacts(
                on=i.occurred_on,
                channel=i.channel,
                category=p.Category(i.category).label,
                behaviour=p.Behaviour(i.behaviour).label if i.behaviour else "",
            )
            for i in reversed(incidents)
        ),
    }
    K = lt.LetterKind

    def missing(what: str) -> InvalidInput:
        return InvalidInput("kind", f"{what} Record it on the case first.")

    restriction = _latest(session, Restriction, Restriction.case_id == case_id)
    event_id: int | None
    since: date
    if kind is K.INITIAL_WARNING:
        step = _latest(
            session,
            InformalStep,
            InformalStep.case_id == case_id,
            InformalStep.kind == p.InformalKind.INITIAL_WARNING.value,
        )
        if step is None:
            raise missing("There is no initial warning on this case.")
        event_id, since = step.event_id, step.taken_on
    elif kind in (K.FORMAL_WARNING, K.BREACH_WARNING):
        warning_kind = "formal" if kind is K.FORMAL_WARNING else "breach"
        warning = _latest(
            session, Warning, Warning.case_id == case_id, Warning.kind == warning_kind
        )
        if warning is None:
            raise missing(f"There is no {kind.label.lower()} on this case.")
        event_id, since = warning.event_id, warning.given_on
        base["behaviour"] = warning.behaviour
        if kind is K.BREACH_WARNING and restriction is not None:
            breaches = session.exec(
                select(col(Contact.occurred_on), col(Contact.channel))
                .where(
                    Contact.case_id == case_id,
                    Contact.restriction_id == restriction.id,
                    Contact.screen == p.Screen.BREACH.value,
                )
                .order_by(col(Contact.occurred_on), col(Contact.id))
            ).all()
            base["breaches"] = tuple((on, channel) for on, channel in breaches)
    elif kind is K.RESTRICTION_NOTICE:
        if restriction is None or restriction.ended_on is not None:
            raise missing("There is no restriction in force on this case.")
        event_id, since = restriction.event_id, restriction.start_on
    elif kind is K.SPOC_CHANGE:
        handover = _latest(session, SpocHandover, SpocHandover.case_id == case_id)
        if handover is None:
            raise missing("There is no SPOC handover on this case.")
        restriction = session.get(Restriction, handover.restriction_id)
        base["handover"] = lt.HandoverFacts(
            on=handover.handed_on,
            to=_person(session, handover.to_user_id, handover.to_name),
            previous=_person(session, None, handover.from_name) if handover.from_name else None,
            temporary=handover.temporary,
        )
        event_id, since = handover.event_id, handover.handed_on
    elif kind is K.REVIEW_OUTCOME:
        review = _latest(session, CaseReview, CaseReview.case_id == case_id)
        if review is None:
            raise missing("There is no review on this case.")
        restriction = session.get(Restriction, review.restriction_id)
        base["review"] = lt.DecisionFacts(
            outcome=review.outcome, reasons=review.notes, decided_on=review.reviewed_on
        )
        event_id, since = review.event_id, review.reviewed_on
    else:
        request_kind = "reconsideration" if kind is K.RECONSIDERATION_OUTCOME else "appeal"
        conditions: list[Any] = [
            AppealRequest.case_id == case_id,
            AppealRequest.kind == request_kind,
        ]
        if kind is not K.APPEAL_ACKNOWLEDGEMENT:
            conditions.append(col(AppealRequest.decided_on).is_not(None))
        request = _latest(session, AppealRequest, *conditions)
        if request is None:
            what = {
                K.APPEAL_ACKNOWLEDGEMENT: "There is no appeal on this case.",
                K.APPEAL_OUTCOME: "There is no decided appeal on this case.",
            }.get(kind, "There is no decided request to reconsider on this case.")
            raise missing(what)
        restriction = session.get(Restriction, request.restriction_id)
        decision = lt.DecisionFacts(
            outcome=request.outcome or "",
            reasons=request.reasons,
            received=request.received_on,
            decided_on=request.decided_on,
            decision_due=request.decision_due,
        )
        base["reconsideration" if request_kind == "reconsideration" else "appeal"] = decision
        event_id = request.event_id
        since = request.decided_on or request.received_on
        if kind is not K.APPEAL_ACKNOWLEDGEMENT:
            event_id = _decision_event(session, case_id, request_kind) or event_id
    if restriction is not None:
        base["restriction"] = _restriction_facts(session, restriction)
    return Gathered(lt.LetterFacts(**base), event_id, customer.id or 0, since)


def _decision_event(session: Session, case_id: int, request_kind: str) -> int | None:
    action = f"{request_kind}_decision"
    event = _latest(session, CaseEvent, CaseEvent.case_id == case_id, CaseEvent.action == action)
    return event.id if event is not None else None


# -- templates -------------------------------------------------------------------------------
@dataclass(frozen=True)
class TemplateVersion:
    kind: lt.LetterKind
    variant: lt.Variant
    version: int  # 0: the built-in template, not saved yet
    body: str
    note: str = ""
    saved_by: str = ""
    saved_at: datetime | None = None

    @property
    def label(self) -> str:
        return f"Version {self.version}" if self.version else "Built-in (not yet saved)"


def _versions(session: Session, kind: lt.LetterKind, variant: lt.Variant) -> list[TemplateVersion]:
    rows = session.exec(
        select(LetterTemplate, AppUser.name)
        .join(AppUser, col(AppUser.id) == col(LetterTemplate.created_by_id), isouter=True)
        .where(LetterTemplate.kind == kind.value, LetterTemplate.variant == variant.value)
        .order_by(col(LetterTemplate.version).desc())
    ).all()
    return [
        TemplateVersion(
            kind, variant, row.version, row.body, row.note, name or "UBE", row.created_at
        )
        for row, name in rows
    ]


def _current(session: Session, kind: lt.LetterKind, variant: lt.Variant) -> TemplateVersion:
    row = session.exec(
        select(LetterTemplate)
        .where(LetterTemplate.kind == kind.value, LetterTemplate.variant == variant.value)
        .order_by(col(LetterTemplate.version).desc())
    ).first()
    if row is None:
        return TemplateVersion(kind, variant, 0, lt.default_template(kind, variant))
    return TemplateVersion(kind, variant, row.version, row.body, row.note, "", row.created_at)


def current_template(
    engine: Engine, *, user: UserContext, kind: lt.LetterKind, variant: lt.Variant
) -> TemplateVersion:
    with Session(engine) as session:
        require_roles(session, user, TEMPLATE_ROLES, "editing letter templates")
        return _current(session, kind, variant)


def template_versions(
    engine: Engine, *, user: UserContext, kind: lt.LetterKind, variant: lt.Variant
) -> list[TemplateVersion]:
    """Every saved version, newest first (empty: the built-in template is in use)."""
    with Session(engine) as session:
        require_roles(session, user, TEMPLATE_ROLES, "editing letter templates")
        return _versions(session, kind, variant)


def preview_template(
    *, kind: lt.LetterKind, variant: lt.Variant, body: str, large_print: bool = False
) -> tuple[Composed | None, list[TemplateFinding]]:
    """``body`` written for a sample case, and what would stop it being saved."""
    findings = template_findings(kind, variant, body)
    if findings and findings[0].error:
        return None, findings
    return sample_letter(kind, variant, body=body, large_print=large_print), findings


def _add_version(
    session: Session,
    kind: lt.LetterKind,
    variant: lt.Variant,
    body: str,
    note: str,
    user_id: int | None,
) -> LetterTemplate:
    latest = session.exec(
        select(func.max(LetterTemplate.version)).where(
            LetterTemplate.kind == kind.value, LetterTemplate.variant == variant.value
        )
    ).one()
    row = LetterTemplate(
        kind=kind.value,
        variant=variant.value,
        version=(latest or 0) + 1,
        body=body,
        note=note,
        created_by_id=user_id,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # someone saved the same version number at the same moment
        raise ConcurrentChange() from None
    return row


def save_template(
    engine: Engine,
    *,
    user: UserContext,
    kind: lt.LetterKind,
    variant: lt.Variant,
    body: str,
    note: str = "",
) -> TemplateVersion:
    """Admins: a new version of ``kind``'s template. Refused if, for any sample case, it
    can't be rendered or the letter would miss a required part."""
    body = str(lt.clean(body)).strip() + "\n"
    note = str(lt.clean(note)).strip()
    if not body.strip():
        raise InvalidInput("body", "The template is empty.")
    if len(note) > 500:
        raise InvalidInput("note", "The note is too long (at most 500 characters).")
    findings = template_findings(kind, variant, body)
    if findings:
        raise TemplateRejected(findings)
    with unit_of_work(engine) as session:
        require_roles(session, user, TEMPLATE_ROLES, "editing letter templates")
        current = _current(session, kind, variant)
        if current.body.strip() == body.strip():
            raise InvalidInput("body", "Nothing has changed since the current version.")
        if current.version == 0:  # keep the built-in text it replaces as version 1
            _add_version(session, kind, variant, current.body, "Built-in template", None)
        row = _add_version(session, kind, variant, body, note, user.id)
        audit(
            session,
            user,
            "letter_template.save",
            entity="letter_template",
            entity_id=row.id,
            detail={"kind": kind.value, "variant": variant.value, "version": row.version},
        )
        return TemplateVersion(kind, variant, row.version, body, note, user.name, row.created_at)


def _template_for_issue(
    session: Session, kind: lt.LetterKind, variant: lt.Variant
) -> TemplateVersion:
    current = _current(session, kind, variant)
    if current.version:
        return current
    row = _add_version(session, kind, variant, current.body, "Built-in template", None)
    return TemplateVersion(kind, variant, row.version, row.body, row.note, "UBE", row.created_at)


# -- preview and issue -----------------------------------------------------------------------
@dataclass(frozen=True)
class LetterRequest:
    """What the person chose on the issue form."""

    kind: lt.LetterKind
    dated: date
    channel: str = "letter"
    variant: lt.Variant = lt.Variant.STANDARD
    large_print: bool = False
    details: Mapping[str, str] | None = None
    edited: str | None = None


def _check_request(request: LetterRequest, today: date) -> None:
    check_date(request.dated, today, "The letter's date")
    if request.channel not in lt.SEND_CHANNELS:
        raise InvalidInput("channel", "Choose how the letter is sent.")
    for key, value in (request.details or {}).items():
        if len(value) > 8000:
            raise InvalidInput(key, "That is too long (at most 8000 characters).")
    if request.edited is not None and not request.edited.strip():
        raise InvalidInput("edited", "The edited letter is empty.")


def _compose(
    session: Session, user: UserContext, case_id: int, request: LetterRequest, template: str
) -> tuple[Gathered, Composed]:
    gathered = _facts(session, user, case_id, request.kind, request.dated)
    if request.dated < gathered.since:
        raise InvalidInput(
            "dated",
            "The letter can't be dated before the step it is about "
            f"({gathered.since.day} {gathered.since:%b %Y}).",
        )
    composed = lt.compose(
        gathered.facts,
        template=template,
        variant=request.variant,
        large_print=request.large_print,
        details=request.details,
        edited=request.edited,
    )
    return gathered, composed


def letter_inputs(
    engine: Engine, *, user: UserContext, case_id: int, kind: lt.LetterKind, today: date
) -> dict[str, str]:
    """What the issue form's inputs for ``kind`` start with (from the case's records)."""
    with Session(engine) as session:
        require_roles(session, user, ISSUE_ROLES, "writing letters")
        return lt.input_defaults(_facts(session, user, case_id, kind, today).facts)


def preview_letter(
    engine: Engine, *, user: UserContext, case_id: int, request: LetterRequest, today: date
) -> Composed:
    """The letter as it would be issued now, with any missing parts; nothing is written."""
    _check_request(request, today)
    with Session(engine) as session:
        require_roles(session, user, ISSUE_ROLES, "writing letters")
        template = _current(session, request.kind, request.variant)
        return _compose(session, user, case_id, request, template.body)[1]


@dataclass(frozen=True)
class IssuedLetter:
    id: int
    status: str
    template_version: int
    staff_notes: tuple[str, ...]


def issue_letter(
    engine: Engine, *, user: UserContext, case_id: int, request: LetterRequest, today: date
) -> IssuedLetter:
    """Check, render and store the letter. With a sign-off required for its kind it waits
    for a manager (``sign_off_letter``); otherwise it is issued at once."""
    _check_request(request, today)
    with unit_of_work(engine) as session:
        require_roles(session, user, ISSUE_ROLES, "issuing letters")
        template = _template_for_issue(session, request.kind, request.variant)
        gathered, composed = _compose(session, user, case_id, request, template.body)
        if composed.missing:
            raise LetterIncomplete(request.kind, composed.missing)
        needs_sign_off = request.kind in _settings(session).sign_off
        text = composed.text
        row = Letter(
            case_id=case_id,
            event_id=gathered.event_id,
            kind=request.kind.value,
            dated=request.dated,
            body=text,
            template_version=template.version,
            sent_by_id=user.id,
            channel=request.channel,
            accessible_format=composed.accessible_format,
            status=AWAITING if needs_sign_off else ISSUED,
            variant=request.variant.value,
            edited=request.edited is not None,
            copy_to=composed.access.copy_to,
            notes="\n".join(composed.access.staff_notes),
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            file_docx=composed.docx(),
            file_pdf=composed.pdf(),
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        audit(
            session,
            user,
            "letter.draft" if needs_sign_off else "letter.issue",
            entity="letter",
            entity_id=row.id,
            customer_id=gathered.customer_id,
            detail={
                "case_id": case_id,
                "kind": request.kind.value,
                "dated": request.dated,
                "channel": request.channel,
                "status": row.status,
                "template_version": template.version,
                "variant": request.variant.value,
                "accessible_format": row.accessible_format,
                "edited": row.edited,
                "sha256": row.sha256,
            },
        )
        return IssuedLetter(row.id, row.status, template.version, composed.access.staff_notes)


def sign_off_letter(
    engine: Engine, *, user: UserContext, letter_id: int, approve: bool, note: str = ""
) -> None:
    """A manager approves a letter (it is issued) or returns it with a note (it is not
    sent; a corrected one is issued instead). Never the person who wrote it."""
    note = str(lt.clean(note)).strip()
    if not approve and not note:
        raise InvalidInput("note", "Say why the letter is returned.")
    if len(note) > 2000:
        raise InvalidInput("note", "The note is too long (at most 2000 characters).")
    with unit_of_work(engine) as session:
        require_roles(session, user, SIGN_OFF_ROLES, "signing off letters")
        letter = session.get(Letter, letter_id, with_for_update=True)
        if letter is None:
            raise NotFound("That letter does not exist.")
        if letter.status != AWAITING:
            raise InvalidInput("letter", "This letter is not waiting for sign-off.")
        if letter.sent_by_id is not None and letter.sent_by_id == user.id:
            raise InvalidInput("letter", "A letter can't be signed off by the person who wrote it.")
        letter.status = ISSUED if approve else RETURNED
        letter.signed_off_by_id = user.id
        letter.signed_off_at = utcnow()
        letter.sign_off_note = note
        session.add(letter)
        case = session.get(Case, letter.case_id)
        audit(
            session,
            user,
            "letter.sign_off" if approve else "letter.return",
            entity="letter",
            entity_id=letter.id,
            customer_id=case.customer_id if case else None,
            detail={"case_id": letter.case_id, "kind": letter.kind, "note": note},
        )


# -- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class LetterSummary:
    id: int
    kind: lt.LetterKind
    dated: date
    status: str
    channel: str
    sent_by: str
    sent_by_id: int | None
    template_version: int
    variant: str
    accessible_format: str
    edited: bool
    copy_to: str
    notes: str
    signed_off_by: str
    sign_off_note: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def format_label(self) -> str:
        names = {"large_print": "Large print", "easy_read": "Easy Read"}
        parts = [names.get(x, x) for x in self.accessible_format.split(",") if x]
        return ", ".join(parts) or "Standard"


@dataclass(frozen=True)
class CaseLetters:
    case_id: int
    customer_id: int
    customer_name: str
    letters: list[LetterSummary]
    suggested: lt.Accessibility
    sign_off: frozenset[lt.LetterKind]


def _summaries(session: Session, case_id: int) -> list[LetterSummary]:
    sender = AppUser.__table__.alias("sender")  # type: ignore[attr-defined]
    signer = AppUser.__table__.alias("signer")  # type: ignore[attr-defined]
    L = Letter.__table__.c  # type: ignore[attr-defined]
    rows = session.execute(
        select(  # type: ignore[call-overload]
            L.id,
            L.kind,
            L.dated,
            L.status,
            L.channel,
            sender.c.name,
            L.sent_by_id,
            L.template_version,
            L.variant,
            L.accessible_format,
            L.edited,
            L.copy_to,
            L.notes,
            signer.c.name,
            L.sign_off_note,
        )
        .select_from(Letter.__table__)  # type: ignore[attr-defined]
        .join(sender, sender.c.id == L.sent_by_id, isouter=True)
        .join(signer, signer.c.id == L.signed_off_by_id, isouter=True)
        .where(L.case_id == case_id)
        .order_by(L.dated.desc(), L.id.desc())
    ).all()
    return [
        LetterSummary(
            id=r[0],
            kind=lt.LetterKind(r[1]),
            dated=r[2],
            status=r[3],
            channel=r[4],
            sent_by=r[5] or "",
            sent_by_id=r[6],
            template_version=r[7],
            variant=r[8],
            accessible_format=r[9],
            edited=bool(r[10]),
            copy_to=r[11],
            notes=r[12],
            signed_off_by=r[13] or "",
            sign_off_note=r[14],
        )
        for r in rows
    ]


def case_letters(engine: Engine, *, user: UserContext, case_id: int) -> CaseLetters:
    """The letters on a case (newest first), and what the customer's record suggests."""
    with Session(engine) as session:
        require_roles(session, user, READ_ROLES, "reading letters")
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("That case does not exist.")
        customer = session.get(Customer, case.customer_id)
        assert customer is not None
        suggested = lt.accessibility(
            lt.Recipient(
                name=customer.name,
                tenancy_ref=customer.tenancy_ref,
                language=customer.language,
                representative=customer.representative,
                communication_needs=customer.communication_needs,
            )
        )
        return CaseLetters(
            case_id,
            customer.id or 0,
            customer.name,
            _summaries(session, case_id),
            suggested,
            _settings(session).sign_off,
        )


@dataclass(frozen=True)
class AwaitingLetter:
    id: int
    case_id: int
    customer_id: int
    customer_name: str
    kind: lt.LetterKind
    dated: date
    written_by: str


def letters_awaiting_sign_off(
    engine: Engine, *, user: UserContext, limit: int = 50
) -> list[AwaitingLetter]:
    """Letters waiting for a manager's sign-off (oldest first), not the user's own."""
    with Session(engine) as session:
        require_roles(session, user, SIGN_OFF_ROLES, "signing off letters")
        rows = session.execute(
            select(  # type: ignore[call-overload]
                col(Letter.id),
                col(Letter.case_id),
                col(Case.customer_id),
                col(Customer.name),
                col(Letter.kind),
                col(Letter.dated),
                col(AppUser.name),
            )
            .join(Case, col(Case.id) == col(Letter.case_id))
            .join(Customer, col(Customer.id) == col(Case.customer_id))
            .join(AppUser, col(AppUser.id) == col(Letter.sent_by_id), isouter=True)
            .where(Letter.status == AWAITING, col(Letter.sent_by_id) != (user.id or -1))
            .order_by(col(Letter.dated), col(Letter.id))
            .limit(max(1, min(limit, 500)))
        ).all()
        return [
            AwaitingLetter(
                id=r[0],
                case_id=r[1],
                customer_id=r[2],
                customer_name=r[3],
                kind=lt.LetterKind(r[4]),
                dated=r[5],
                written_by=r[6] or "",
            )
            for r in rows
        ]


@dataclass(frozen=True)
class LetterFile:
    name: str
    data: bytes
    mime: str


MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
}


def _stem(letter_id: int | None, kind: str, dated: date) -> str:
    return f"{dated.isoformat()}-{kind}-{letter_id}"


def letter_file(engine: Engine, *, user: UserContext, letter_id: int, fmt: str) -> LetterFile:
    """The DOCX or PDF exactly as the letter was issued."""
    if fmt not in ("docx", "pdf"):
        raise InvalidInput("format", "Choose DOCX or PDF.")
    with Session(engine) as session:
        require_roles(session, user, READ_ROLES, "reading letters")
        letter = session.get(Letter, letter_id)
        if letter is None:
            raise NotFound("That letter does not exist.")
        data = letter.file_docx if fmt == "docx" else letter.file_pdf
        if data is None:
            raise NotFound("That letter has no file of that kind.")
        return LetterFile(f"{_stem(letter.id, letter.kind, letter.dated)}.{fmt}", data, MIME[fmt])


# -- evidence bundle -------------------------------------------------------------------------
def _label(kind: type[p.vocabulary.Labelled], value: str | None) -> str:
    if not value:
        return ""
    try:
        return kind(value).label
    except ValueError:
        return value


def _labels(kind: type[p.vocabulary.Labelled], values: str) -> str:
    return ", ".join(_label(kind, v) for v in values.split(",") if v)


def _yes(value: bool) -> str:
    return "Yes" if value else "No"


def _d(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}" + (f" {value:%H:%M}" if isinstance(value, datetime) else "")


def _names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(AppUser.id, AppUser.name).where(col(AppUser.id).in_(wanted))).all()
    return {uid: name for uid, name in rows if uid is not None}


def _sections(session: Session, case_id: int) -> tuple[Section, ...]:
    def rows(model: type[Any], order: Any) -> list[Any]:
        return list(
            session.exec(select(model).where(model.case_id == case_id).order_by(order)).all()
        )

    events = rows(CaseEvent, col(CaseEvent.seq))
    incidents = rows(Incident, col(Incident.occurred_at))
    informal = rows(InformalStep, col(InformalStep.taken_on))
    warnings = rows(Warning, col(Warning.given_on))
    eias = rows(Eia, col(Eia.assessed_on))
    changes = rows(CircumstancesChange, col(CircumstancesChange.noted_on))
    restrictions = rows(Restriction, col(Restriction.number))
    breaches = [
        c for c in rows(Contact, col(Contact.occurred_on)) if c.screen == p.Screen.BREACH.value
    ]
    reviews = rows(CaseReview, col(CaseReview.reviewed_on))
    appeals = rows(AppealRequest, col(AppealRequest.received_on))
    handovers = rows(SpocHandover, col(SpocHandover.handed_on))
    spoc_reviews = rows(SpocReview, col(SpocReview.reviewed_on))
    legal = rows(LegalStep, col(LegalStep.taken_on))
    letters = session.exec(
        select(
            col(Letter.dated),
            col(Letter.kind),
            col(Letter.sent_by_id),
            col(Letter.id),
        )
        .where(Letter.case_id == case_id, Letter.status == ISSUED)
        .order_by(col(Letter.dated), col(Letter.id))
    ).all()
    names = _names(
        session,
        [
            *(e.by_user_id for e in events),
            *(i.recorded_by_id for i in incidents),
            *(e.assessor_id for e in eias),
            *(r.made_by_id for r in restrictions),
            *(r.reviewer_id for r in reviews),
            *(a.decided_by_id for a in appeals),
            *(r.reviewer_id for r in spoc_reviews),
            *(letter[2] for letter in letters),
        ],
    )

    # The chronology: every recorded step and every letter sent, in date order.
    chronology: list[tuple[date, int, Record]] = []
    for e in events:
        chronology.append(
            (
                e.occurred_on,
                0,
                Record(
                    f"{_d(e.occurred_on)} – {_label(p.Action, e.action)}",
                    (("What", e.summary), ("By", e.by_name or names.get(e.by_user_id or 0, ""))),
                ),
            )
        )
    for dated, kind, sent_by_id, letter_id in letters:
        chronology.append(
            (
                dated,
                1,
                Record(
                    f"{_d(dated)} – Letter: {_label(lt.LetterKind, kind)}",
                    (("By", names.get(sent_by_id or 0, "")), ("Letter", f"No. {letter_id}")),
                ),
            )
        )
    chronology.sort(key=lambda item: (item[0], item[1]))

    return (
        Section(
            "Chronology",
            tuple(r for _, _, r in chronology),
            intro="Every step recorded on the case and every letter sent, in date order.",
        ),
        Section(
            "Incidents",
            tuple(
                Record(
                    f"Incident on {_d(i.occurred_at)}",
                    (
                        ("Category", _label(p.Category, i.category)),
                        ("Behaviour", _label(p.Behaviour, i.behaviour)),
                        ("Severity", _label(p.Severity, i.severity)),
                        ("Channel", _label(p.Channel, i.channel)),
                        ("Colleague", i.colleague),
                        ("Colleague ended the contact", _yes(i.colleague_ended_contact)),
                        ("What happened", i.narrative),
                        ("Action taken", i.action_taken),
                        ("Witnesses", i.witnesses),
                        ("Police reference", i.police_ref),
                        ("Recorded by", names.get(i.recorded_by_id or 0, "")),
                    ),
                )
                for i in incidents
            ),
        ),
        Section(
            "Warnings",
            (
                *(
                    Record(
                        f"{_label(p.InformalKind, s.kind)} on {_d(s.taken_on)}",
                        (("Note", s.note),),
                    )
                    for s in informal
                ),
                *(
                    Record(
                        ("Formal written warning" if w.kind == "formal" else "Breach warning")
                        + f" on {_d(w.given_on)}",
                        (
                            ("Behaviour", w.behaviour),
                            ("Given without the earlier step because", w.override_reason or ""),
                        ),
                    )
                    for w in warnings
                ),
            ),
        ),
        Section(
            "Equality impact assessments",
            (
                *(
                    Record(
                        f"Assessment on {_d(e.assessed_on)}",
                        (
                            ("Assessor", names.get(e.assessor_id or 0, "")),
                            ("Needs considered", e.needs_considered),
                            ("Adjustments", e.adjustments),
                            ("Alternatives", e.alternatives),
                            ("Proportionate", _yes(e.proportionate)),
                            ("Conclusion", e.conclusion),
                            ("Review due", _d(e.review_due)),
                        ),
                    )
                    for e in eias
                ),
                *(
                    Record(f"Change of circumstances on {_d(c.noted_on)}", (("Note", c.note),))
                    for c in changes
                ),
            ),
        ),
        Section(
            "Restrictions",
            tuple(
                Record(
                    f"Restriction {r.number}: {_d(r.start_on)} to {_d(r.end_on)}",
                    (
                        (
                            "Types",
                            ", ".join(
                                _label(p.RestrictionType, t) for t in r.types.split(",") if t
                            ),
                        ),
                        (
                            "Allowed channels",
                            ", ".join(
                                _label(p.Channel, c) for c in r.allowed_channels.split(",") if c
                            ),
                        ),
                        ("SPOC", r.spoc_name or ""),
                        ("Reasons", r.reasons),
                        ("Made by", names.get(r.made_by_id or 0, "")),
                        ("Colleagues and others informed", r.informed),
                        ("Case review due", _d(r.case_review_due)),
                        ("Last day to appeal", _d(r.appeal_deadline)),
                        ("Ended", f"{_d(r.ended_on)} ({r.end_reason})" if r.ended_on else ""),
                    ),
                )
                for r in restrictions
            ),
        ),
        Section(
            "Breaches",
            tuple(
                Record(
                    f"Contact on {_d(c.occurred_on)} by {_label(p.Channel, c.channel).lower()}",
                    (
                        ("Topic", c.topic),
                        ("Through the SPOC", _yes(c.via_spoc)),
                        ("Note", c.note),
                    ),
                )
                for c in breaches
            ),
        ),
        Section(
            "Reviews",
            (
                *(
                    Record(
                        f"Case review on {_d(r.reviewed_on)}: {_label(p.ReviewOutcome, r.outcome)}",
                        (
                            ("Reviewer", names.get(r.reviewer_id or 0, "")),
                            ("Customer written to", _yes(r.customer_letter)),
                            ("Notes", r.notes),
                        ),
                    )
                    for r in reviews
                ),
                *(
                    Record(
                        f"SPOC handover on {_d(h.handed_on)}",
                        (
                            ("From", h.from_name or ""),
                            ("To", h.to_name),
                            ("Temporary", _yes(h.temporary)),
                            ("Customer informed", _yes(h.customer_informed)),
                        ),
                    )
                    for h in handovers
                ),
                *(
                    Record(
                        f"Quarterly SPOC review on {_d(r.reviewed_on)} ({r.quarter})",
                        (
                            ("Reviewer", names.get(r.reviewer_id or 0, "")),
                            ("SPOC", r.spoc_name or ""),
                            ("Findings", r.findings),
                        ),
                    )
                    for r in spoc_reviews
                ),
            ),
        ),
        Section(
            "Appeals and reconsiderations",
            tuple(
                Record(
                    f"{'Appeal' if a.kind == 'appeal' else 'Request to reconsider'} received "
                    f"{_d(a.received_on)}",
                    (
                        ("Decision letter dated", _d(a.letter_date)),
                        ("In time", _yes(a.in_time)),
                        ("Decision due", _d(a.decision_due)),
                        ("Decided", _d(a.decided_on)),
                        ("Decided by", names.get(a.decided_by_id or 0, "")),
                        ("Outcome", a.outcome or "pending"),
                        ("Reasons", a.reasons),
                        ("Fact sheet sent", _yes(a.fact_sheet_sent)),
                    ),
                )
                for a in appeals
            ),
        ),
        Section(
            "Legal steps",
            tuple(
                Record(f"{_label(p.Action, s.kind)} on {_d(s.taken_on)}", (("Note", s.note),))
                for s in legal
            ),
        ),
    )


def build_evidence_bundle(
    engine: Engine,
    *,
    user: UserContext,
    case_id: int,
    today: date,
    purpose: str = "",
    progress: Progress | None = None,
) -> LetterFile:
    """One zip: a paginated PDF (cover, contents, chronology, incidents, warnings, EIAs,
    restrictions, breaches, reviews, appeals, legal steps, every letter sent) and the letters'
    original DOCX and PDF files. Audited."""
    report = progress or (lambda _f, _m: None)
    purpose = str(lt.clean(purpose)).strip()[:200]
    report(0.02, "Reading the case")
    with unit_of_work(engine) as session:
        require_roles(session, user, EVIDENCE_ROLES, "building evidence bundles")
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("That case does not exist.")
        customer = session.get(Customer, case.customer_id)
        assert customer is not None
        sections = _sections(session, case_id)
        sent = session.exec(
            select(Letter)
            .where(Letter.case_id == case_id, Letter.status == ISSUED)
            .order_by(col(Letter.dated), col(Letter.id))
        ).all()
        names = _names(session, [x.sent_by_id for x in sent] + [x.signed_off_by_id for x in sent])
        letters = tuple(
            BundleLetter(
                number=n,
                dated=x.dated,
                kind_label=_label(lt.LetterKind, x.kind),
                body=x.body,
                stem=_stem(x.id, x.kind, x.dated),
                docx=x.file_docx,
                pdf=x.file_pdf,
                details=(
                    ("Sent by", names.get(x.sent_by_id or 0, "")),
                    ("How sent", lt.SEND_CHANNELS.get(x.channel, x.channel)),
                    ("Format", x.accessible_format.replace("_", " ") or "standard"),
                    ("Template version", str(x.template_version)),
                    ("Signed off by", names.get(x.signed_off_by_id or 0, "")),
                    ("Copy to", x.copy_to),
                    ("SHA-256 of the text", x.sha256),
                ),
            )
            for n, x in enumerate(sent, start=1)
        )
        org = _settings(session).org.name
        audit(
            session,
            user,
            "case.evidence_bundle",
            entity="ube_case",
            entity_id=case_id,
            customer_id=customer.id,
            detail={"purpose": purpose, "letters": len(letters)},
        )
    data = BundleData(
        customer_name=customer.name,
        tenancy_ref=customer.tenancy_ref,
        case_ref=f"{customer.tenancy_ref}/{case_id}",
        generated_on=today,
        generated_by=user.name,
        purpose=purpose,
        sections=sections,
        letters=letters,
        organisation=org,
    )
    report(0.1, "Writing the bundle")
    archive = bundle_zip(data, lambda f, m: report(0.1 + 0.9 * f, m))
    name = f"evidence-bundle-{customer.tenancy_ref}-case-{case_id}-{today.isoformat()}.zip"
    return LetterFile(name, archive, MIME["zip"])


# -- subject access ------------------------------------------------------------------------
SAR_MODELS: dict[str, type[SQLModel]] = {
    "customer": Customer,
    "case": Case,
    "case_event": CaseEvent,
    "incident": Incident,
    "informal_step": InformalStep,
    "eia": Eia,
    "circumstances_change": CircumstancesChange,
    "warning": Warning,
    "restriction": Restriction,
    "restriction_type": RestrictionType,
    "contact": Contact,
    "case_review": CaseReview,
    "appeal": AppealRequest,
    "spoc_handover": SpocHandover,
    "spoc_review": SpocReview,
    "recommendation": Recommendation,
    "legal_step": LegalStep,
    "letter": Letter,
    "audit_log": AuditEvent,
}

SAR_README = """Subject access export (UK GDPR Article 15)

Everything UBE holds about this customer, exported on {day} by {who}.

- data.json: every record, by table, as JSON.
- csv/: the same records, one CSV file per table.
- letters/: every letter written to the customer, as DOCX and PDF.

Before disclosing, review the records for other people's personal data (colleagues,
witnesses, third parties) and redact or withhold it as the law allows, and record any
exemption relied on.
"""


_NOT_EXPORTED = frozenset({"file_docx", "file_pdf", "password_hash"})


def _row(model: SQLModel) -> dict[str, Any]:
    """A record as plain data; the letters' files go into the zip as files instead."""
    return {k: v for k, v in model.model_dump().items() if k not in _NOT_EXPORTED}


def subject_access_export(
    engine: Engine, *, user: UserContext, customer_id: int, today: date
) -> LetterFile:
    """All the data held about one customer as JSON and CSV, plus their letters; the export
    is recorded in the audit log."""
    with unit_of_work(engine) as session:
        require_roles(session, user, EVIDENCE_ROLES, "subject access exports")
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound("That customer does not exist.")
        cases = session.exec(select(Case).where(Case.customer_id == customer_id)).all()
        case_ids = [c.id for c in cases if c.id is not None]
        restrictions = session.exec(
            select(Restriction).where(Restriction.customer_id == customer_id)
        ).all()
        restriction_ids = [r.id for r in restrictions if r.id is not None]

        def by_case(model: type[Any]) -> list[Any]:
            if not case_ids:
                return []
            return list(
                session.exec(
                    select(model).where(col(model.case_id).in_(case_ids)).order_by(col(model.id))
                ).all()
            )

        tables: dict[str, list[Any]] = {
            "customer": [customer],
            "case": list(cases),
            "case_event": list(
                session.exec(
                    select(CaseEvent)
                    .where(col(CaseEvent.case_id).in_(case_ids or [-1]))
                    .order_by(col(CaseEvent.case_id), col(CaseEvent.seq))
                ).all()
            ),
            "incident": list(
                session.exec(select(Incident).where(Incident.customer_id == customer_id)).all()
            ),
            "informal_step": by_case(InformalStep),
            "eia": by_case(Eia),
            "circumstances_change": by_case(CircumstancesChange),
            "warning": by_case(Warning),
            "restriction": list(restrictions),
            "restriction_type": list(
                session.exec(
                    select(RestrictionType).where(
                        col(RestrictionType.restriction_id).in_(restriction_ids or [-1])
                    )
                ).all()
            ),
            "contact": list(
                session.exec(select(Contact).where(Contact.customer_id == customer_id)).all()
            ),
            "case_review": by_case(CaseReview),
            "appeal": by_case(AppealRequest),
            "spoc_handover": by_case(SpocHandover),
            "spoc_review": by_case(SpocReview),
            "recommendation": by_case(Recommendation),
            "legal_step": by_case(LegalStep),
            "letter": by_case(Letter),
            "audit_log": list(
                session.exec(
                    select(AuditEvent)
                    .where(AuditEvent.customer_id == customer_id)
                    .order_by(col(AuditEvent.id))
                ).all()
            ),
        }
        records = {name: [_row(r) for r in rows] for name, rows in tables.items()}
        files = [
            (f"letters/{_stem(x.id, x.kind, x.dated)}.{ext}", data)
            for x in tables["letter"]
            for ext, data in (("docx", x.file_docx), ("pdf", x.file_pdf))
            if data is not None
        ]
        audit(
            session,
            user,
            "customer.subject_access_export",
            entity="customer",
            entity_id=customer_id,
            customer_id=customer_id,
            detail={"records": {k: len(v) for k, v in records.items()}, "files": len(files)},
        )
    out = io.BytesIO()
    stamp = (today.year, today.month, today.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:

        def put(name: str, data: str | bytes) -> None:
            archive.writestr(zipfile.ZipInfo(name, stamp), data)

        put("README.txt", SAR_README.format(day=today.isoformat(), who=user.name))
        put("data.json", json.dumps(records, indent=2, default=str, ensure_ascii=False))
        for name, rows in records.items():
            put(f"csv/{name}.csv", _csv(SAR_MODELS[name], rows))
        for name, data in files:
            put(name, data)
    filename = f"subject-access-{customer.tenancy_ref}-{today.isoformat()}.zip"
    return LetterFile(filename, out.getvalue(), MIME["zip"])


def _csv(model: type[SQLModel], rows: list[dict[str, Any]]) -> str:
    fields = [name for name in model.model_fields if name not in _NOT_EXPORTED]
    columns = sorted(fields, key=lambda name: name not in ("id", "key"))  # the key first
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with ``'``."""
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    text = str(value)
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
