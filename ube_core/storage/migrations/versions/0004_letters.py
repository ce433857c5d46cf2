"""letters: versioned templates; letter status, sign-off and the files as sent

Revision ID: 0004
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "letter_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", AutoString(length=40), nullable=False),
        sa.Column("variant", AutoString(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", AutoString(), nullable=False),
        sa.Column("note", AutoString(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "variant", "version"),
    )
    with op.batch_alter_table("letter_template", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_template_kind"), ["kind"], unique=False)

    # Letters written before this revision were issued as they stand.
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", AutoString(length=20), nullable=False, server_default="issued")
        )
        batch_op.add_column(
            sa.Column("variant", AutoString(length=20), nullable=False, server_default="standard")
        )
        batch_op.add_column(
            sa.Column("edited", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("copy_to", AutoString(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("notes", AutoString(length=2000), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("sha256", AutoString(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("file_docx", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("file_pdf", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("signed_off_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("signed_off_at", UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("sign_off_note", AutoString(length=2000), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "created_at",
                UTCDateTime(),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )
        batch_op.create_index(batch_op.f("ix_letter_status"), ["status"], unique=False)
        batch_op.create_foreign_key(
            "fk_letter_signed_off_by_id_app_user", "app_user", ["signed_off_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_constraint("fk_letter_signed_off_by_id_app_user", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_letter_status"))
        for column in (
            "created_at",
            "sign_off_note",
            "signed_off_at",
            "signed_off_by_id",
            "file_pdf",
            "file_docx",
            "sha256",
            "notes",
            "copy_to",
            "edited",
            "variant",
            "status",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("letter_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_template_kind"))
    op.drop_table("letter_template")
