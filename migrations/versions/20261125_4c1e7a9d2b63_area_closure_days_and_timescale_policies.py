"""area closure days and timescale policies

Local closure days (not working days) and the versioned stage timescales of each area.

Revision ID: 4c1e7a9d2b63
Revises: 9f348c8389ef
Create Date: 2026-11-25 15:25:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "4c1e7a9d2b63"
down_revision = "9f348c8389ef"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "area_closure_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_area_closure_days_area_id_areas"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_closure_days")),
        sa.UniqueConstraint("area_id", "day", name="uq_area_closure_days_area_id_day"),
    )
    op.create_table(
        "area_timescale_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("acknowledge", sa.Integer(), nullable=False),
        sa.Column("information_gathered", sa.Integer(), nullable=False),
        sa.Column("threshold_decision", sa.Integer(), nullable=False),
        sa.Column("meeting_held", sa.Integer(), nullable=False),
        sa.Column("outcome_sent", sa.Integer(), nullable=False),
        sa.Column("escalation_window", sa.Integer(), nullable=False),
        sa.Column("escalation_decided", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("acknowledge BETWEEN 1 AND 60", name=op.f("ck_area_timescale_policies_acknowledge_range")),
        sa.CheckConstraint(
            "escalation_decided BETWEEN 1 AND 60", name=op.f("ck_area_timescale_policies_escalation_decided_range")
        ),
        sa.CheckConstraint(
            "escalation_window BETWEEN 1 AND 60", name=op.f("ck_area_timescale_policies_escalation_window_range")
        ),
        sa.CheckConstraint(
            "information_gathered BETWEEN 1 AND 60", name=op.f("ck_area_timescale_policies_information_gathered_range")
        ),
        sa.CheckConstraint("meeting_held BETWEEN 1 AND 60", name=op.f("ck_area_timescale_policies_meeting_held_range")),
        sa.CheckConstraint("outcome_sent BETWEEN 1 AND 60", name=op.f("ck_area_timescale_policies_outcome_sent_range")),
        sa.CheckConstraint(
            "threshold_decision BETWEEN 1 AND 60", name=op.f("ck_area_timescale_policies_threshold_decision_range")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_area_timescale_policies_area_id_areas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_area_timescale_policies_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_timescale_policies")),
        sa.UniqueConstraint("area_id", "version", name="uq_area_timescale_policies_area_id_version"),
    )


def downgrade():
    op.drop_table("area_timescale_policies")
    op.drop_table("area_closure_days")
