"""indexes for pages at scale

Indexes for the dashboard, case list, case page and My actions at scale. Owned by the pages-performance work.

Revision ID: b2d1ef6f8c02
Revises: a1c0de5e7b01
Create Date: 2026-11-25 18:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b2d1ef6f8c02"
down_revision = "a1c0de5e7b01"
branch_labels = None
depends_on = None


# Must read exactly as trigger.models.actions.OPEN_ACTION_SQL (the queries repeat it so the planner can use them).
OPEN_ACTION_SQL = "status IN ('not-started', 'in-progress')"
# ... and as trigger.models.audit.CASE_STORY_SQL.
CASE_STORY_SQL = "action <> 'case.viewed'"


def upgrade():
    # The dashboard's sections and "My actions"' open pages: open actions in due-date order, from the index alone.
    op.create_index(
        "ix_actions_open_due_on",
        "actions",
        ["due_on", "id"],
        sqlite_where=sa.text(OPEN_ACTION_SQL),
        postgresql_where=sa.text(OPEN_ACTION_SQL),
    )
    op.create_index(
        "ix_actions_open_owner_agency_id_due_on",
        "actions",
        ["owner_agency_id", "due_on", "id"],
        sqlite_where=sa.text(OPEN_ACTION_SQL),
        postgresql_where=sa.text(OPEN_ACTION_SQL),
    )
    # The dashboard's case deadline sections: open deadlines in due-date order (SQLite with statistics of a table
    # where every deadline is open would otherwise skip-scan (met_on, due_on) and sort).
    op.create_index(
        "ix_case_deadlines_open_due_on",
        "case_deadlines",
        ["due_on", "id"],
        sqlite_where=sa.text("met_on IS NULL"),
        postgresql_where=sa.text("met_on IS NULL"),
    )
    # The case page's timeline, latest first, without walking the case's views (one audit row per page view).
    op.create_index(
        "ix_audit_events_case_story",
        "audit_events",
        ["case_id", "at", "id"],
        sqlite_where=sa.text(CASE_STORY_SQL),
        postgresql_where=sa.text(CASE_STORY_SQL),
    )


def downgrade():
    op.drop_index("ix_audit_events_case_story", table_name="audit_events")
    op.drop_index("ix_case_deadlines_open_due_on", table_name="case_deadlines")
    op.drop_index("ix_actions_open_owner_agency_id_due_on", table_name="actions")
    op.drop_index("ix_actions_open_due_on", table_name="actions")
