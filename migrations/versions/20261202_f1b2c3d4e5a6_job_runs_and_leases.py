"""job runs and leases

What the jobs process did (`flask jobs run`: the outbox, the reminders), for the operators' status page, and a
lease per job so that two processes never run the same job at once.

Revision ID: f1b2c3d4e5a6
Revises: c3c85df7a62c
Create Date: 2026-12-02 07:45:00

"""

from alembic import op
import sqlalchemy as sa

import trigger.models.base


# revision identifiers, used by Alembic.
revision = "f1b2c3d4e5a6"
down_revision = "c3c85df7a62c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("started_at", trigger.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", trigger.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("running", "ok", "failed", name="job_status", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("summary", sa.String(length=1000), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    op.create_index("ix_job_runs_job_started_at", "job_runs", ["job", "started_at"], unique=False)
    op.create_table(
        "job_leases",
        sa.Column("job", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("expires_at", trigger.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job", name=op.f("pk_job_leases")),
    )


def downgrade():
    op.drop_table("job_leases")
    op.drop_index("ix_job_runs_job_started_at", table_name="job_runs")
    op.drop_table("job_runs")
