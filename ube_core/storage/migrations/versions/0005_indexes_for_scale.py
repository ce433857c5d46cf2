"""indexes for large books: covering indexes for the dashboard, register, calendar and SPOC
worklist (measured on 100,000 customers, 1,000,000 incidents, 2,000,000 contacts)

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # Incidents per month by category / channel / needs group, index-only (no table reads).
    ("ix_incident_on_cover", "incident", ("occurred_on", "category", "channel", "customer_id")),
    (
        "ix_incident_team_on_cover",
        "incident",
        ("team_id", "occurred_on", "category", "channel", "customer_id"),
    ),
    # A customer's incidents by date; incidents per customer in a period, index-only.
    ("ix_incident_customer_on", "incident", ("customer_id", "occurred_on")),
    # The register's "not ended, review due by …" filter and its sort.
    (
        "ix_restriction_open_review",
        "restriction",
        ("ended_on", "case_review_due", "end_on", "customer_id"),
    ),
    # Restrictions active on a day, with what the worklist, calendar and dashboard read.
    (
        "ix_restriction_active",
        "restriction",
        (
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
    ),
    # Restrictions in force during a period (breaches, SPOC compliance, equality view).
    (
        "ix_restriction_period",
        "restriction",
        ("start_on", "end_on", "ended_on", "breaches", "spoc_name", "customer_id"),
    ),
    # Contacts screened against a restriction in a quarter, and the breaches among them.
    ("ix_contact_restriction_on", "contact", ("restriction_id", "occurred_on", "screen")),
    # Open cases by stage and their EIA reviews.
    ("ix_case_open_stage", "ube_case", ("closed_on", "stage", "eia_review_due", "team_id")),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, list(columns), unique=False)
    if op.get_bind().dialect.name == "sqlite":
        # Statistics for the new indexes, so that the planner prefers them where they cover
        # the query (sampled: quick even on millions of rows; nothing to do on empty tables).
        op.execute("PRAGMA analysis_limit=1000")
        for name, _table, _columns in INDEXES:
            op.execute(f"ANALYZE {name}")


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
