"""SQLModel tables for the whole domain (DESIGN.md "Domain model").

The chronology of a case lives in ``case_event`` (one row per recorded step, its payload the
engine's event); typed tables beside it hold what pages filter, sort and aggregate on, kept
in step with the engine by the services in the same transaction.

Models follow the Base / Create / table / Public pattern where people fill them in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import CheckConstraint, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


# -- people -------------------------------------------------------------------------------
class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)


class UserBase(SQLModel):
    # SQLModel 0.0.50 passes ``regex=`` to pydantic 2, which ignores it: use ``pattern``.
    # Upper case is allowed here; the services store usernames lowercased.
    username: str = Field(
        max_length=64, min_length=2, schema_extra={"pattern": r"^[A-Za-z0-9._-]+$"}
    )
    name: str = Field(max_length=120, min_length=1)
    email: str | None = Field(default=None, max_length=254)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    line_manager_id: int | None = Field(default=None, foreign_key="app_user.id")


class UserCreate(UserBase):
    password: str = Field(min_length=12, max_length=256)
    roles: list[str] = Field(default_factory=list)


class AppUser(UserBase, table=True):
    __tablename__ = "app_user"
    __table_args__ = (UniqueConstraint("username"),)
    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=200)
    active: bool = True
    failed_attempts: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class UserPublic(UserBase):
    id: int
    active: bool
    roles: list[str] = Field(default_factory=list)


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"
    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    role: str = Field(max_length=32, primary_key=True, index=True)


# -- customers and cases --------------------------------------------------------------------
class CustomerBase(SQLModel):
    tenancy_ref: str = Field(max_length=32, min_length=1)
    name: str = Field(max_length=200, min_length=1)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    preferred_channel: str | None = Field(default=None, max_length=20)
    language: str = Field(default="English", max_length=60)
    communication_needs: str = Field(default="", max_length=2000)
    representative: str = Field(default="", max_length=500)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)


class CustomerSensitive(SQLModel):
    """Special-category data (health, disability, needs): case roles only, every read audited."""

    needs: str = Field(default="", max_length=2000)
    adjustments: str = Field(default="", max_length=4000)


class CustomerCreate(CustomerBase, CustomerSensitive):
    pass


class Customer(CustomerBase, CustomerSensitive, table=True):
    __table_args__ = (UniqueConstraint("tenancy_ref"), Index("ix_customer_name", "name"))
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1
    # The equality view's group for ``needs``, set by a database trigger (migration 0007).
    # Special-category data like ``needs``: never in a public model.
    needs_group: str = Field(
        default="No needs recorded",
        max_length=40,
        sa_column_kwargs={"server_default": "No needs recorded"},
    )


class CustomerPublic(CustomerBase):
    id: int


class Case(SQLModel, table=True):
    __tablename__ = "ube_case"
    __table_args__ = (
        Index("ix_case_open_stage", "closed_on", "stage", "eia_review_due", "team_id"),
        # The calendar's EIA reviews by date, index-only (migration 0007).
        Index("ix_case_eia_review", "eia_review_due", "closed_on", "team_id", "case_officer_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    case_officer_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    opened_on: date
    closed_on: date | None = None
    stage: str = Field(default="Incident logged", max_length=40, index=True)
    eia_review_due: date | None = Field(default=None, index=True)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)


class CaseEvent(SQLModel, table=True):
    """One recorded step of a case: the chronology, and what the rules engine folds."""

    __tablename__ = "case_event"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="ube_case.id")
    seq: int
    action: str = Field(max_length=40, index=True)
    occurred_on: date = Field(index=True)
    by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    by_name: str = Field(default="", max_length=120)
    summary: str = Field(default="", max_length=500)
    payload: str = Field(default="{}")
    recorded_at: datetime = Field(default_factory=utcnow)


# -- case steps ------------------------------------------------------------------------------
class IncidentBase(SQLModel):
    occurred_at: datetime
    channel: str = Field(max_length=20)
    category: str = Field(max_length=40)
    behaviour: str | None = Field(default=None, max_length=60)
    severity: str = Field(max_length=20)
    narrative: str = Field(max_length=20000, min_length=1)
    action_taken: str = Field(default="", max_length=4000)
    colleague: str = Field(default="", max_length=120)
    colleague_ended_contact: bool = False
    police_ref: str = Field(default="", max_length=40)
    witnesses: str = Field(default="", max_length=500)
    follow_up: bool = False


class IncidentCreate(IncidentBase):
    customer_id: int


class Incident(IncidentBase, table=True):
    __table_args__ = (
        Index("ix_incident_team_on", "team_id", "occurred_on"),
        Index("ix_incident_case", "case_id"),
        # Covering indexes for large books (migration 0005).
        Index("ix_incident_on_cover", "occurred_on", "category", "channel", "customer_id"),
        Index(
            "ix_incident_team_on_cover",
            "team_id",
            "occurred_on",
            "category",
            "channel",
            "customer_id",
        ),
        Index("ix_incident_customer_on", "customer_id", "occurred_on"),
        CheckConstraint(
            "severity IN ('low','moderate','serious','extreme')", name="ck_incident_severity"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="case_event.id")
    case_id: int = Field(foreign_key="ube_case.id")
    customer_id: int = Field(foreign_key="customer.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    occurred_on: date = Field(index=True)
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class IncidentPublic(IncidentBase):
    id: int
    case_id: int
    customer_id: int


class IncidentDaily(SQLModel, table=True):
    """Incidents per day, team (0: none), category and channel: the dashboard's counts.
    Kept exact by database triggers on ``incident`` (migration 0007); never written here."""

    __tablename__ = "incident_daily"
    day: date = Field(primary_key=True)
    team_key: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    category: str = Field(primary_key=True, max_length=40)
    channel: str = Field(primary_key=True, max_length=20)
    n: int


class IncidentNeedDaily(SQLModel, table=True):
    """Incidents per day, team (0: none) and the customer's needs group (equality view).
    Kept exact by database triggers on ``incident`` and ``customer`` (migration 0007)."""

    __tablename__ = "incident_need_daily"
    day: date = Field(primary_key=True)
    team_key: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    needs_group: str = Field(primary_key=True, max_length=40)
    n: int


class InformalStep(SQLModel, table=True):
    __tablename__ = "informal_step"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="case_event.id")
    case_id: int = Field(foreign_key="ube_case.id", index=True)
    kind: str = Field(max_length=20)
    taken_on: date
    note: str = Field(default="", max_length=4000)


class Eia(SQLModel, table=True):
    """Equality impact assessment (§2, Appendix 5)."""

    __table_args__ = (Index("ix_eia_case_assessed", "case_id", "assessed_on"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="case_event.id")
    case_id: int = Field(foreign_key="ube_case.id", index=True)
    assessed_on: date
    assessor_id: int | None = Field(default=None, foreign_key="app_user.id")
    needs_considered: str = Field(default="", max_length=4000)
    adjustments: str = Field(default="", max_length=4000)
    alternatives: str = Field(default="", max_length=4000)
    proportionate: bool
    conclusion: str = Field(default="", max_length=4000)
    review_due: date = Field(index=True)


class CircumstancesChange(SQLModel, table=True):
    __tablename__ = "circumstances_change"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="case_event.id")
    case_id: int = Field(foreign_key="ube_case.id", index=True)
    noted_on: date
    note: str = Field(default="", max_length=4000)


class Warning(SQLModel, table=True):
    """Formal warning (§4) or warning about ignoring restrictions (§8)."""

    __table_args__ = (CheckConstraint("kind IN ('formal','breach')", name="ck_warning_kind"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="case_event.id")
    case_id: int = Field(foreign_key="ube_case.id", index=True)
    kind: str = Field(max_length=10)
    given_on: date
    behaviour: str = Field(default="", max_length=4000)
    override_reason: str | None = Field(default=None, max_length=4000)


class Restriction(SQLModel, table=True):
    """A contact restriction (§5) with its SPOC (§6); due dates kept in step by the engine."""

    __table_args__ = (
        Index("ix_restriction_status_review", "ended_on", "end_on", "case_review_due"),
        # The calendar's appeal deadlines: by date, and "the latest restriction on the case"
        # (migration 0007).
        Index("ix_restriction_appeal_deadline", "appeal_deadline", "case_id", "number"),
        Index("ix_restriction_case_number", "case_id", "number"),
        Index("ix_restriction_spoc_review", "ended_on", "spoc_review_due", "end_on", "start_on"),
        Index("ix_restriction_team", "team_id"),
        # Covering indexes for large books (migration 0005).
        Index("ix_restriction_open_review", "ended_on", "case_review_due", "end_on", "customer_id"),
        Index(
            "ix_restriction_active",
            "ended_on",
            "end_on",
            "start_on",
            "spoc_user_id",
            "case_review_due",
            "spoc_review_due",
            "case_id",
            "customer_id",
            "team_id",
        ),
        Index(
            "ix_restriction_period",
            "start_on",
            "end_on",
            "ended_on",
            "breaches",
            "spoc_name",
            "customer_id",
        ),
        CheckConstraint("months BETWEEN 1 AND 12", name="ck_restriction_months"),
        CheckConstraint("end_on >= start_on", name="ck_restriction_dates"),
    )
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="case_event.id")
    case_id: int = Field(foreign_key="ube_case.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    number: int
    start_on: date = Field(index=True)
    end_on: date = Field(index=True)
    months: int
    types: str = Field(max_length=300)
    allowed_channels: str = Field(default="", max_length=120)
    reasons: str = Field(max_length=8000)
    spoc_name: str | None = Field(default=None, max_length=120, index=True)
    spoc_user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    informed: str = Field(default="", max_length=2000)
    made_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    case_review_due: date | None = Field(default=None, index=True)
    spoc_review_due: date | None = Field(default=None, index=True)
    appeal_deadline: date
    ended_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=40)
    breaches: int = 0


class RestrictionType(SQLModel, table=True):
    __tablename__ = "restriction_type"
    restriction_id: int = Field(foreign_key="restriction.id", primary_key=True)
    type: str = Field(max_length=40, primary_key=True, index=True)


class Contact(SQLModel, table=True):
    """An inbound contact, screened against the restriction (§5, §7, §8)."""

    __table_args__ = (
        Index("ix_contact_customer_on", "customer_id", "occurred_on"),
        Index("ix_contact_restriction", "restriction_id"),
        # Covering index for large books (migration 0005).
        Index("ix_contact_restriction_on", "restriction_id", "occurred_on", "screen"),
        CheckConstraint("screen IN ('allowed','exclusion','breach')", name="ck_contact_screen"),
    )
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="case_event.id")
    case_id: int = Field(foreign_key="ube_case.id")
    customer_id: int = Field(foreign_key="customer.id")
    team_id: int | None = Field(default=None, foreign_key="team.id")
    restriction_id: int | None = Field(default=None, foreign_key="restriction.id")
    occurred_on: date = Field(index=True)
    channel: str = Field(max_length=20)
    topic: str = Field(default="", max_length=200)
    via_spoc: bool = False
    screen: str = Field(max_length=10)
    note: str = Field(default="", max_length=4000)


class CaseReview(SQLModel, table=True):
    """Six-monthly review (§10)."""

    __tablename__ = "case_review"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="case_event.id")
    case_id: int = Field(foreign_key="ube_case.id", index=True)
    restriction_id: int = Field(foreign_key="restriction.id", index=True)
    reviewed_on: date
    outcome: str = Field(max_length=10)
    customer_letter: bool
    notes: str = Field(default="", max_length=8000)
    reviewer_id: int | None = Field(default=None, foreign_key="app_user.id")


class AppealRequest(SQLModel, table=True):
    """An appeal or a request to reconsider (§11), and its decision."""

    __tablename__ = "appeal"
    __table_args__ = (
        CheckConstraint("kind IN ('appeal','reconsideration')", name="ck_appeal_kind"),
        Index("ix_appeal_pending", "decided_on", "decision_due"),
        Index("ix_appeal_restriction_kind", "restriction_id", "kind"),
    )
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="case_event.id")
    case_id: int = Field(foreign_key="ube_case.id", index=True)
    restriction_id: int = Field(foreign_key="restriction.id", index=True)
    kind: str = Field(max_length=20)
    received_on: date
    letter_date: date | None = None
    in_time: bool = True
    decision_due: date = Field(index=True)
    decided_on: date | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    outcome: str | None = Field(default=None, max_length=20)
    reasons: str = Field(default="", max_length=8000)
    fact_sheet_sent: bool = False


class SpocHandover(SQLModel, table=True):
    __tablename__ = "spoc_handover"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="case_event.id")
    case_id: int = Field(foreign_key="ube_case.id", index=True)
    restriction_id: int = Field(foreign_key="restriction.id", index=True)
    handed_on: date
    from_name: str | None = Field(default=None, max_length=120)
    to_name: str = Field(max_length=120)
    to_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    temporary: bool = False
    customer_informed: bool


class SpocReview(SQLModel, table=True):
    """Quarterly check of a SPOC's correspondence and decisions (§6)."""

    __tablename__ = "spoc_review"
    __table_args__ = (
        Index("ix_spoc_review_quarter", "quarter", "restriction_id"),
        # The latest review of each restriction (migration 0006).
        Index("ix_spoc_review_restriction_on", "restriction_id", "reviewed_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="case_event.id")
    case_id: int = Field(foreign_key="ube_case.id", index=True)
    restriction_id: int = Field(foreign_key="restriction.id")
    reviewed_on: date
    quarter: str = Field(max_length=7)
    reviewer_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    spoc_name: str | None = Field(default=None, max_length=120)
    correspondence_reviewed: bool = True
    decisions_reviewed: bool = True
    customer_informed_of_changes: bool = True
    still_proportionate: bool = True
    eia_current: bool = True
    replies_timely: bool = True
    findings: str = Field(default="", max_length=8000)


class Recommendation(SQLModel, table=True):
    __table_args__ = (Index("ix_recommendation_open", "done_on", "due_on"),)
    id: int | None = Field(default=None, primary_key=True)
    spoc_review_id: int = Field(foreign_key="spoc_review.id", index=True)
    case_id: int = Field(foreign_key="ube_case.id", index=True)
    text: str = Field(max_length=2000)
    owner_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    due_on: date
    done_on: date | None = None
    done_note: str = Field(default="", max_length=2000)


class LegalStep(SQLModel, table=True):
    """Legal advice and formal legal action (§8)."""

    __tablename__ = "legal_step"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="case_event.id")
    case_id: int = Field(foreign_key="ube_case.id", index=True)
    kind: str = Field(max_length=30)
    taken_on: date
    note: str = Field(default="", max_length=4000)


class Letter(SQLModel, table=True):
    """A letter issued to the customer: kept with the exact text it was sent with."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="ube_case.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="case_event.id")
    kind: str = Field(max_length=40)
    dated: date
    body: str
    template_version: int = 1
    sent_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    channel: str = Field(default="letter", max_length=20)
    accessible_format: str = Field(default="", max_length=60)
    # The letters feature (migration 0004): status, the template variant, the files as sent.
    status: str = Field(default="issued", max_length=20, index=True)
    variant: str = Field(default="standard", max_length=20)
    edited: bool = False
    copy_to: str = Field(default="", max_length=500)
    notes: str = Field(default="", max_length=2000)
    sha256: str = Field(default="", max_length=64)
    file_docx: bytes | None = Field(default=None, sa_type=LargeBinary)
    file_pdf: bytes | None = Field(default=None, sa_type=LargeBinary)
    signed_off_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    signed_off_at: datetime | None = None
    sign_off_note: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class LetterTemplate(SQLModel, table=True):
    """One saved version of a letter kind's template; versions are never changed."""

    __tablename__ = "letter_template"
    __table_args__ = (UniqueConstraint("kind", "variant", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    variant: str = Field(default="standard", max_length=20)
    version: int
    body: str
    note: str = Field(default="", max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Append-only: the database refuses UPDATE and DELETE (triggers in the migration)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_customer_at", "customer_id", "at"),
        Index("ix_audit_user_at", "user_id", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    username: str = Field(default="", max_length=64)
    action: str = Field(max_length=60, index=True)
    entity: str = Field(default="", max_length=40)
    entity_id: int | None = None
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    detail: str = Field(default="{}")


class Setting(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=80)
    value: str = Field(default="", max_length=4000)
