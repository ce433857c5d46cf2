"""index spoc_review by restriction: the SPOC worklist's "last reviewed on" per restriction
(PostgreSQL scanned the whole table once per row: 1.2 s for a line manager's 1,239 rows)

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_spoc_review_restriction_on",
        "spoc_review",
        ["restriction_id", "reviewed_on"],
        unique=False,
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA analysis_limit=1000")
        op.execute("ANALYZE ix_spoc_review_restriction_on")


def downgrade() -> None:
    op.drop_index("ix_spoc_review_restriction_on", table_name="spoc_review")
