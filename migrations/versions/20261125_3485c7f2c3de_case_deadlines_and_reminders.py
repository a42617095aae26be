"""case deadlines and reminders

The stage deadlines of each case (case_deadlines) and the per-area reminder ladder (area_reminder_ladders).
Reminders themselves are outbox messages and notifications made unique by their dedupe_key.

Revision ID: 3485c7f2c3de
Revises: 8583640a2836
Create Date: 2026-11-25 16:06:59.824491

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "3485c7f2c3de"
down_revision = "8583640a2836"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "area_reminder_ladders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("on_the_day", sa.Boolean(), nullable=False),
        sa.Column("when_overdue", sa.Boolean(), nullable=False),
        sa.Column("escalate_after", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("days_before BETWEEN 0 AND 20", name=op.f("ck_area_reminder_ladders_days_before_range")),
        sa.CheckConstraint(
            "escalate_after BETWEEN 1 AND 60", name=op.f("ck_area_reminder_ladders_escalate_after_range")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_area_reminder_ladders_area_id_areas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_area_reminder_ladders_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_reminder_ladders")),
        sa.UniqueConstraint("area_id", name=op.f("uq_area_reminder_ladders_area_id")),
    )
    op.create_table(
        "case_deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "acknowledge",
                "information",
                "threshold-decision",
                "meeting",
                "outcome",
                "escalation-request",
                "escalation-decision",
                name="deadline_kind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("anchor_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("original_due_on", sa.Date(), nullable=True),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("extended_reason", sa.Text(), nullable=True),
        sa.Column("extended_by_id", sa.Integer(), nullable=True),
        sa.Column("extended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cycle >= 1", name=op.f("ck_case_deadlines_cycle_positive")),
        sa.CheckConstraint("due_on IS NULL OR due_on > anchor_on", name=op.f("ck_case_deadlines_due_after_anchor")),
        sa.CheckConstraint(
            "extended_at IS NULL OR length(extended_reason) > 0", name=op.f("ck_case_deadlines_extension_has_reason")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_deadlines_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["extended_by_id"], ["users.id"], name=op.f("fk_case_deadlines_extended_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_deadlines")),
        sa.UniqueConstraint("case_id", "kind", "cycle", name="uq_case_deadlines_case_id_kind_cycle"),
    )
    with op.batch_alter_table("case_deadlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_deadlines_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_case_deadlines_met_on_due_on", ["met_on", "due_on"], unique=False)


def downgrade():
    with op.batch_alter_table("case_deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_case_deadlines_met_on_due_on")
        batch_op.drop_index(batch_op.f("ix_case_deadlines_case_id"))

    op.drop_table("case_deadlines")
    op.drop_table("area_reminder_ladders")
