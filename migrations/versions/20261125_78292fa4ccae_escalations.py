"""escalations

The applicant's escalation (appeal) requests and the reviewing body's outcomes (issue 4), with the rules as
named CHECK constraints and at most one undecided escalation per case (a partial unique index).

Revision ID: 78292fa4ccae
Revises: d9b31203b682
Create Date: 2026-11-25 16:04:43.477063

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "78292fa4ccae"
down_revision = "d9b31203b682"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "escalated_from",
            sa.Enum(
                "received",
                "acknowledged",
                "threshold-met",
                "threshold-not-met",
                "review-scheduled",
                "review-held",
                "outcome-sent",
                "plan-live",
                "escalated",
                "closed",
                name="escalated_from",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("outcome_letter_on", sa.Date(), nullable=False),
        sa.Column("window_working_days", sa.Integer(), nullable=False),
        sa.Column("window_due_on", sa.Date(), nullable=False),
        sa.Column("working_days_after_letter", sa.Integer(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("late_accepted_reason", sa.Text(), nullable=False),
        sa.Column("ground_policy_not_considered", sa.Boolean(), nullable=False),
        sa.Column("ground_fact_not_considered", sa.Boolean(), nullable=False),
        sa.Column("ground_threshold_disputed", sa.Boolean(), nullable=False),
        sa.Column("ground_review_not_proper", sa.Boolean(), nullable=False),
        sa.Column("ground_other", sa.Boolean(), nullable=False),
        sa.Column("ground_other_details", sa.Text(), nullable=False),
        sa.Column("applicant_summary", sa.Text(), nullable=False),
        sa.Column("consent_to_share", sa.Boolean(), nullable=False),
        sa.Column("consent_on", sa.Date(), nullable=True),
        sa.Column(
            "reviewing_body",
            sa.Enum(
                "pcc-office",
                "independent-panel",
                "other",
                name="reviewing_body",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("reviewing_body_name", sa.String(length=200), nullable=False),
        sa.Column("decision_due_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "upheld", "not-upheld", name="escalation_outcome", native_enum=False, create_constraint=True, length=40
            ),
            nullable=True,
        ),
        sa.Column("outcome_reasons", sa.Text(), nullable=False),
        sa.Column("points_to_reconsider", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "reopened_stage",
            sa.Enum(
                "received",
                "acknowledged",
                "threshold-met",
                "threshold-not-met",
                "review-scheduled",
                "review-held",
                "outcome-sent",
                "plan-live",
                "escalated",
                "closed",
                name="reopened_stage",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("reconsider_due_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome <> 'upheld' OR length(points_to_reconsider) > 0",
            name=op.f("ck_escalations_upheld_has_points"),
        ),
        sa.CheckConstraint(
            "reviewing_body <> 'other' OR length(reviewing_body_name) > 0", name=op.f("ck_escalations_other_body_named")
        ),
        sa.CheckConstraint(
            "(outcome IS NULL AND decided_on IS NULL AND reopened_stage IS NULL) OR (outcome IS NOT NULL AND decided_on IS NOT NULL AND length(outcome_reasons) > 0)",
            name=op.f("ck_escalations_decision_complete"),
        ),
        sa.CheckConstraint(
            "NOT ground_other OR length(ground_other_details) > 0", name=op.f("ck_escalations_other_ground_described")
        ),
        sa.CheckConstraint("NOT late OR length(late_accepted_reason) > 0", name=op.f("ck_escalations_late_has_reason")),
        sa.CheckConstraint("consent_to_share AND consent_on IS NOT NULL", name=op.f("ck_escalations_consent_given")),
        sa.CheckConstraint(
            "decided_on IS NULL OR decided_on >= received_on", name=op.f("ck_escalations_decided_after_received")
        ),
        sa.CheckConstraint(
            "ground_policy_not_considered OR ground_fact_not_considered OR ground_threshold_disputed OR ground_review_not_proper OR ground_other",
            name=op.f("ck_escalations_has_a_ground"),
        ),
        sa.CheckConstraint("received_on >= outcome_letter_on", name=op.f("ck_escalations_received_after_letter")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_escalations_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_escalations_decided_by_id_users")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_escalations_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalations_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "uq_escalations_one_open_per_case",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("decided_on IS NULL"),
            postgresql_where=sa.text("decided_on IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_escalations_one_open_per_case",
            sqlite_where=sa.text("decided_on IS NULL"),
            postgresql_where=sa.text("decided_on IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_escalations_case_id"))

    op.drop_table("escalations")
