"""indexes for lists at scale

Measured with `flask demo load --scale 10` (bench/pages_bench.py): an agency representative's case list and
"My actions" read these four indexes instead of scanning incident reports, attendees and actions.

Revision ID: 9ed062b72303
Revises: 3485c7f2c3de
Create Date: 2026-11-25 16:13:18.021058

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9ed062b72303"
down_revision = "3485c7f2c3de"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index("ix_actions_owner_agency_id_plan_id", ["owner_agency_id", "plan_id"], unique=False)
        batch_op.create_index(
            "ix_actions_owner_agency_id_status_due_on", ["owner_agency_id", "status", "due_on"], unique=False
        )

    with op.batch_alter_table("incident_reports", schema=None) as batch_op:
        batch_op.create_index("ix_incident_reports_agency_id_incident_id", ["agency_id", "incident_id"], unique=False)

    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_attendees_agency_id_meeting_id", ["agency_id", "meeting_id"], unique=False)


def downgrade():
    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_attendees_agency_id_meeting_id")

    with op.batch_alter_table("incident_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_reports_agency_id_incident_id")

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_owner_agency_id_status_due_on")
        batch_op.drop_index("ix_actions_owner_agency_id_plan_id")
