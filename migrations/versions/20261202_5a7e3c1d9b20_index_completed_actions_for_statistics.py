"""index completed actions for statistics

The statistics page counts the actions completed in a period, by owner agency, on time or not
(trigger.statistics.services._actions). Without this index the database reads every completed action of every
agency (two thirds of the table) to keep one year's; with it, one range of an index holding every column asked.

Revision ID: 5a7e3c1d9b20
Revises: 48e8d5a981d2
Create Date: 2026-12-02 06:50:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "5a7e3c1d9b20"
down_revision = "48e8d5a981d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_actions_status_completed_on", "actions", ["status", "completed_on", "owner_agency_id", "due_on"]
    )


def downgrade():
    op.drop_index("ix_actions_status_completed_on", table_name="actions")
