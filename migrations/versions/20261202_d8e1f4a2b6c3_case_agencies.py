"""case_agencies: the agencies involved in each case, for an agency representative's case list

Filled here from the four sources of the rule (trigger.authz.involvement_pairs: incident reports, actions' owners,
meeting attendees, restorative referrals) and kept by trigger.involvement from then on.

Revision ID: d8e1f4a2b6c3
Revises: c5d2e8a4f7b9
Create Date: 2026-12-02 20:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d8e1f4a2b6c3"
down_revision = "c5d2e8a4f7b9"
branch_labels = None
depends_on = None

# The rule as it reads today (trigger.authz._involvement_sources), written out: a migration does not import the app.
INVOLVEMENT_PAIRS = (
    "SELECT incidents.case_id, incident_reports.agency_id FROM incidents "
    "JOIN incident_reports ON incident_reports.incident_id = incidents.id "
    "UNION SELECT action_plans.case_id, actions.owner_agency_id FROM action_plans "
    "JOIN actions ON actions.plan_id = action_plans.id "
    "UNION SELECT meetings.case_id, meeting_attendees.agency_id FROM meetings "
    "JOIN meeting_attendees ON meeting_attendees.meeting_id = meetings.id WHERE meeting_attendees.agency_id IS NOT NULL "
    "UNION SELECT restorative_referrals.case_id, restorative_referrals.agency_id FROM restorative_referrals"
)


def upgrade():
    op.create_table(
        "case_agencies",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_case_agencies_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_agencies_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", "agency_id", name=op.f("pk_case_agencies")),
    )
    op.create_index("ix_case_agencies_agency_id_case_id", "case_agencies", ["agency_id", "case_id"])
    op.execute(f"INSERT INTO case_agencies (case_id, agency_id) {INVOLVEMENT_PAIRS}")


def downgrade():
    op.drop_index("ix_case_agencies_agency_id_case_id", table_name="case_agencies")
    op.drop_table("case_agencies")
