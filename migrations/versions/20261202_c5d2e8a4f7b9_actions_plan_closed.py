"""actions.plan_closed, and the dashboard's index of live actions by due date

`actions.plan_closed` says whether the action's plan or its case is closed (kept by trigger.actions.services and
trigger.deadlines.opening.on_stage_change). The dashboard counts and lists live actions (open, plan and case open)
from the partial index ix_actions_live_due_on alone, which replaces ix_actions_open_due_on (only the dashboard
read that one); an agency's dashboard counts from ix_actions_open_owner_agency_id_due_on, which gains plan_closed.

Revision ID: c5d2e8a4f7b9
Revises: a7c4e2f81b35
Create Date: 2026-12-02 14:45:00

"""

from alembic import op
import sqlalchemy as sa

from trigger.schema_changes import foreign_keys_off_on_sqlite


# revision identifiers, used by Alembic.
revision = "c5d2e8a4f7b9"
down_revision = "a7c4e2f81b35"
branch_labels = None
depends_on = None

# Must read exactly as trigger.models.actions.OPEN_ACTION_SQL and LIVE_ACTION_SQL (the queries repeat them).
OPEN_ACTION_SQL = "status IN ('not-started', 'in-progress')"
LIVE_ACTION_SQL = f"{OPEN_ACTION_SQL} AND plan_closed = false"


def upgrade():
    # A column with a constant default: SQLite adds it in place (no rebuild of actions, nothing cascades).
    op.add_column("actions", sa.Column("plan_closed", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.execute(
        "UPDATE actions SET plan_closed = true WHERE plan_id IN (SELECT action_plans.id FROM action_plans "
        "JOIN cases ON cases.id = action_plans.case_id WHERE action_plans.status = 'closed' OR cases.stage = 'closed')"
    )
    op.create_index(
        "ix_actions_live_due_on",
        "actions",
        ["due_on", "id"],
        sqlite_where=sa.text(LIVE_ACTION_SQL),
        postgresql_where=sa.text(LIVE_ACTION_SQL),
    )
    op.drop_index("ix_actions_open_due_on", table_name="actions")
    # An agency's dashboard counts its live actions from this index alone (plan_closed last: My actions reads it
    # in due-date order).
    op.drop_index("ix_actions_open_owner_agency_id_due_on", table_name="actions")
    op.create_index(
        "ix_actions_open_owner_agency_id_due_on",
        "actions",
        ["owner_agency_id", "due_on", "id", "plan_closed"],
        sqlite_where=sa.text(OPEN_ACTION_SQL),
        postgresql_where=sa.text(OPEN_ACTION_SQL),
    )


def downgrade():
    op.drop_index("ix_actions_open_owner_agency_id_due_on", table_name="actions")
    op.create_index(
        "ix_actions_open_owner_agency_id_due_on",
        "actions",
        ["owner_agency_id", "due_on", "id"],
        sqlite_where=sa.text(OPEN_ACTION_SQL),
        postgresql_where=sa.text(OPEN_ACTION_SQL),
    )
    op.create_index(
        "ix_actions_open_due_on",
        "actions",
        ["due_on", "id"],
        sqlite_where=sa.text(OPEN_ACTION_SQL),
        postgresql_where=sa.text(OPEN_ACTION_SQL),
    )
    op.drop_index("ix_actions_live_due_on", table_name="actions")
    # Rebuilding actions on SQLite must not cascade to its updates and due-date changes.
    with foreign_keys_off_on_sqlite(op):
        with op.batch_alter_table("actions") as batch:
            batch.drop_column("plan_closed")
