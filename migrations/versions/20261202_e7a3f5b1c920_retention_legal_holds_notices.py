"""retention, legal holds, anonymised cases, the retention lock and public notices

Per-area retention periods, legal holds on cases (one in force per case), the register of anonymised cases,
the single-row lock that keeps two retention runs apart, and the administrators' text of the privacy notice and
accessibility statement.

Revision ID: e7a3f5b1c920
Revises: 5a7e3c1d9b20
Create Date: 2026-12-02 06:40:00

"""

from alembic import op
import sqlalchemy as sa

import trigger.models.base


# revision identifiers, used by Alembic.
revision = "e7a3f5b1c920"
down_revision = "5a7e3c1d9b20"
branch_labels = None
depends_on = None


def upgrade():
    utc = trigger.models.base.UTCDateTime()
    op.create_table(
        "area_retention",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", utc, nullable=False),
        sa.CheckConstraint("retention_years BETWEEN 1 AND 30", name=op.f("ck_area_retention_retention_years_range")),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_area_retention_area_id_areas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_area_retention_updated_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("area_id", name=op.f("pk_area_retention")),
    )
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=True),
        sa.Column("placed_at", utc, nullable=False),
        sa.Column("lift_reason", sa.Text(), nullable=False),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.Column("lifted_at", utc, nullable=True),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_legal_holds_reason_given")),
        sa.CheckConstraint(
            "lifted_at IS NULL OR length(lift_reason) > 0", name=op.f("ck_legal_holds_lift_reason_given")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_legal_holds_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"], ["users.id"], name=op.f("fk_legal_holds_lifted_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["placed_by_id"], ["users.id"], name=op.f("fk_legal_holds_placed_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    op.create_index(op.f("ix_legal_holds_case_id"), "legal_holds", ["case_id"], unique=False)
    op.create_index(
        "uq_legal_holds_case_in_force",
        "legal_holds",
        ["case_id"],
        unique=True,
        sqlite_where=sa.text("lifted_at IS NULL"),
        postgresql_where=sa.text("lifted_at IS NULL"),
    )
    op.create_table(
        "anonymised_cases",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("anonymised_at", utc, nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_anonymised_cases_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_anonymised_cases")),
    )
    op.create_index(op.f("ix_anonymised_cases_run_id"), "anonymised_cases", ["run_id"], unique=False)
    op.create_table(
        "retention_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("started_at", utc, nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_retention_lock_singleton")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_lock")),
    )
    op.create_table(
        "public_notices",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_public_notices_updated_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_public_notices")),
    )


def downgrade():
    op.drop_table("public_notices")
    op.drop_table("retention_lock")
    op.drop_index(op.f("ix_anonymised_cases_run_id"), table_name="anonymised_cases")
    op.drop_table("anonymised_cases")
    op.drop_index("uq_legal_holds_case_in_force", table_name="legal_holds")
    op.drop_index(op.f("ix_legal_holds_case_id"), table_name="legal_holds")
    op.drop_table("legal_holds")
    op.drop_table("area_retention")
