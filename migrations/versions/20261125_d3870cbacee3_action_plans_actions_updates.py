"""action plans actions updates

The shared action plan: one plan per case, agency-owned actions (with a version column for optimistic
concurrency), their append-only progress updates and due-date changes. Only these four tables.

Revision ID: d3870cbacee3
Revises: 5f0e70576971
Create Date: 2026-11-25 15:25:37.892675

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d3870cbacee3"
down_revision = "5f0e70576971"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "action_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "live",
                "under-review",
                "closed",
                name="plan_status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("closed_reason", sa.Text(), nullable=False),
        sa.Column(
            "victim_update_frequency",
            sa.Enum(
                "weekly",
                "fortnightly",
                "monthly",
                "on-change",
                name="update_frequency",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column(
            "victim_update_method",
            sa.Enum(
                "email",
                "post",
                "phone",
                name="victim_update_method",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("victim_consulted", sa.Boolean(), nullable=False),
        sa.Column("victim_consulted_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status <> 'closed' OR length(closed_reason) > 0", name=op.f("ck_action_plans_closed_has_reason")
        ),
        sa.CheckConstraint(
            "NOT victim_consulted OR victim_consulted_on IS NOT NULL", name=op.f("ck_action_plans_consulted_has_date")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_action_plans_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_plans")),
        sa.UniqueConstraint("case_id", name=op.f("uq_action_plans_case_id")),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("victim_wording", sa.Text(), nullable=False),
        sa.Column("victim_visible", sa.Boolean(), nullable=False),
        sa.Column("owner_agency_id", sa.Integer(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("source_note", sa.String(length=500), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("original_due_on", sa.Date(), nullable=False),
        sa.Column(
            "priority",
            sa.Enum("high", "medium", "low", name="priority", native_enum=False, create_constraint=True, length=40),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "not-started",
                "in-progress",
                "completed",
                "could-not-be-completed",
                "cancelled",
                name="action_status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status <> 'completed' OR completed_on IS NOT NULL", name=op.f("ck_actions_completed_has_date")
        ),
        sa.CheckConstraint(
            "status NOT IN ('could-not-be-completed', 'cancelled') OR length(status_reason) > 0",
            name=op.f("ck_actions_status_has_reason"),
        ),
        sa.CheckConstraint(
            "NOT victim_visible OR length(victim_wording) > 0", name=op.f("ck_actions_visible_has_wording")
        ),
        sa.CheckConstraint("length(description) > 0", name=op.f("ck_actions_description_not_blank")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_actions_version_positive")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_actions_created_by_id_users")),
        sa.ForeignKeyConstraint(["owner_agency_id"], ["agencies.id"], name=op.f("fk_actions_owner_agency_id_agencies")),
        sa.ForeignKeyConstraint(["owner_user_id"], ["users.id"], name=op.f("fk_actions_owner_user_id_users")),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["action_plans.id"], name=op.f("fk_actions_plan_id_action_plans"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index("ix_actions_owner_agency_id_due_on", ["owner_agency_id", "due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_owner_user_id"), ["owner_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index("ix_actions_status_due_on", ["status", "due_on"], unique=False)

    op.create_table(
        "action_due_date_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("action_version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_action_due_date_changes_reason_not_blank")),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_action_due_date_changes_action_id_actions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_action_due_date_changes_changed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_due_date_changes")),
    )
    with op.batch_alter_table("action_due_date_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_due_date_changes_action_id"), ["action_id"], unique=False)

    op.create_table(
        "action_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_agency_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "status_from",
            sa.Enum(
                "not-started",
                "in-progress",
                "completed",
                "could-not-be-completed",
                "cancelled",
                name="update_status_from",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "status_to",
            sa.Enum(
                "not-started",
                "in-progress",
                "completed",
                "could-not-be-completed",
                "cancelled",
                name="update_status_to",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("action_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_action_updates_action_id_actions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_agency_id"], ["agencies.id"], name=op.f("fk_action_updates_author_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_action_updates_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_updates")),
    )
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_updates_action_id"), ["action_id"], unique=False)


def downgrade():
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_updates_action_id"))

    op.drop_table("action_updates")
    with op.batch_alter_table("action_due_date_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_due_date_changes_action_id"))

    op.drop_table("action_due_date_changes")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_status_due_on")
        batch_op.drop_index(batch_op.f("ix_actions_plan_id"))
        batch_op.drop_index(batch_op.f("ix_actions_owner_user_id"))
        batch_op.drop_index("ix_actions_owner_agency_id_due_on")

    op.drop_table("actions")
    op.drop_table("action_plans")
