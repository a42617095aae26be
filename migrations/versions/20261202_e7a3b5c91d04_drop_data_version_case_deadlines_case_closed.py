"""drop data version; case deadlines know their case is closed

The page cache is gone (issue 19): pages are built on every request, so nothing reads the data version token any
more, and no transaction should lock its one row. The downgrade brings the table back with a fresh token.

For the pages built every time: `case_deadlines.case_closed` (kept by trigger.deadlines.services.on_stage_change)
lets the dashboard list the open deadlines of open cases from a partial index instead of walking the open
deadlines every closed case keeps; and a partial index of open deadlines by case serves the case list's "next
deadline" column. The index on (met_on, due_on) goes: SQLite took it for the dashboard's sections (its statistics
cannot see that most rows have met_on NULL) and walked the deadlines of closed cases; the partial index of open
deadlines by due date serves the reminders run as well.

Revision ID: e7a3b5c91d04
Revises: ae5c0a1d7b10
Create Date: 2026-12-02 06:45:00

"""

import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e7a3b5c91d04"
down_revision = "ae5c0a1d7b10"
branch_labels = None
depends_on = None

# Must read exactly as trigger.models.deadlines.LIVE_DEADLINE_SQL (the dashboard repeats it).
LIVE_DEADLINE_SQL = "met_on IS NULL AND case_closed = false AND kind <> 'escalation-request'"


def upgrade():
    op.drop_table("data_version")
    with op.batch_alter_table("case_deadlines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_closed", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.execute(
        "UPDATE case_deadlines SET case_closed = true WHERE case_id IN (SELECT id FROM cases WHERE stage = 'closed')"
    )
    op.create_index(
        "ix_case_deadlines_live_due_on",
        "case_deadlines",
        ["due_on", "id"],
        sqlite_where=sa.text(LIVE_DEADLINE_SQL),
        postgresql_where=sa.text(LIVE_DEADLINE_SQL),
    )
    # ix_case_deadlines_open_due_on serves what it served; SQLite preferred it to the partial index above.
    op.drop_index("ix_case_deadlines_met_on_due_on", table_name="case_deadlines")
    op.create_index(
        "ix_case_deadlines_open_case_id",
        "case_deadlines",
        ["case_id", "due_on"],
        sqlite_where=sa.text("met_on IS NULL"),
        postgresql_where=sa.text("met_on IS NULL"),
    )


def downgrade():
    op.drop_index("ix_case_deadlines_open_case_id", table_name="case_deadlines")
    op.create_index("ix_case_deadlines_met_on_due_on", "case_deadlines", ["met_on", "due_on"])
    op.drop_index("ix_case_deadlines_live_due_on", table_name="case_deadlines")
    with op.batch_alter_table("case_deadlines", schema=None) as batch_op:
        batch_op.drop_column("case_closed")
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_data_version_singleton")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "token": secrets.randbits(62)}])
