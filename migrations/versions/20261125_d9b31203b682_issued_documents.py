"""issued documents

The document register (issue 7): each issued letter, set of minutes or action plan, kept as the exact PDF
bytes sent, with their SHA-256, the template version, who issued it, to whom and how. Rows are only added
(a new issue is a new version); only the delivery columns (emailed_at, emailed_to, posted_on) change later.

Revision ID: d9b31203b682
Revises: c3be90040c54
Create Date: 2026-11-25 16:04:11.219688

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d9b31203b682"
down_revision = "c3be90040c54"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "issued_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "acknowledgement",
                "threshold-decision",
                "invitation-agency",
                "invitation-victim",
                "minutes-full",
                "minutes-summary",
                "action-plan",
                "outcome",
                "escalation-acknowledgement",
                "escalation-outcome",
                name="document_kind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("template_name", sa.String(length=200), nullable=False),
        sa.Column("template_version", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("marking", sa.String(length=40), nullable=False),
        sa.Column("large_print", sa.Boolean(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_by_name", sa.String(length=120), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_email", sa.String(length=254), nullable=False),
        sa.Column("recipient_address", sa.Text(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "email",
                "post",
                "hand",
                "agency-portal",
                name="delivery_method",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emailed_to", sa.String(length=254), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=True),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_issued_documents_sha256_length")),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_issued_documents_size_positive")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_issued_documents_version_positive")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_issued_documents_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_issued_documents_issued_by_id_users")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_issued_documents_meeting_id_meetings"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_documents")),
        sa.UniqueConstraint("case_id", "kind", "version", name=op.f("uq_issued_documents_case_id_kind_version")),
    )
    with op.batch_alter_table("issued_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issued_documents_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_issued_documents_meeting_id"), ["meeting_id"], unique=False)


def downgrade():
    with op.batch_alter_table("issued_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issued_documents_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_issued_documents_case_id"))

    op.drop_table("issued_documents")
