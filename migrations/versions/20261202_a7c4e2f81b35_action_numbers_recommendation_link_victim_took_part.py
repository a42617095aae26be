"""action numbers per plan, the recommendation an action carries out, how the victim took part in a meeting

Each action gets a stable number within its plan (existing actions are numbered in the order they were added,
by id), so "action 3" is the same action on the plan, in My actions, in the PDFs and in the emails. An action
may name the recommendation it was made from. A meeting records how the applicant actually took part, with a
note (the chair records it; the plan made beforehand stays in victim_participations).

Revision ID: a7c4e2f81b35
Revises: a4c8e2f6b1d3
Create Date: 2026-12-02 11:15:00

"""

from alembic import op
import sqlalchemy as sa

from trigger.schema_changes import foreign_keys_off_on_sqlite


# revision identifiers, used by Alembic.
revision = "a7c4e2f81b35"
down_revision = "a4c8e2f6b1d3"
branch_labels = None
depends_on = None

TOOK_PART = ("in-person", "phone-or-video", "written-statement", "through-an-advocate", "did-not-take-part")


def upgrade():
    # Rebuilding actions and meetings on SQLite must not cascade to their updates, attendees, minutes...
    with foreign_keys_off_on_sqlite(op):
        with op.batch_alter_table("actions") as batch:
            batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("recommendation_id", sa.Integer(), nullable=True))
        # The existing actions of each plan, numbered in the order they were added (portable SQL: SQLite and PostgreSQL).
        op.execute(
            "UPDATE actions SET number = (SELECT COUNT(*) FROM actions AS earlier "
            "WHERE earlier.plan_id = actions.plan_id AND earlier.id <= actions.id)"
        )
        with op.batch_alter_table("actions") as batch:
            batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
            batch.create_check_constraint(op.f("ck_actions_number_positive"), "number >= 1")
            batch.create_unique_constraint(batch.f("uq_actions_plan_id_number"), ["plan_id", "number"])
            batch.create_foreign_key(
                batch.f("fk_actions_recommendation_id_recommendations"),
                "recommendations",
                ["recommendation_id"],
                ["id"],
                ondelete="SET NULL",
            )
            batch.create_index(batch.f("ix_actions_recommendation_id"), ["recommendation_id"], unique=False)
        with op.batch_alter_table("meetings") as batch:
            batch.add_column(
                sa.Column(
                    "victim_took_part",
                    sa.Enum(*TOOK_PART, name="victim_took_part", native_enum=False, create_constraint=True, length=40),
                    nullable=True,
                )
            )
            batch.add_column(sa.Column("victim_took_part_note", sa.Text(), nullable=False, server_default=""))


def downgrade():
    # Rebuilding actions and meetings on SQLite must not cascade to their updates, attendees, minutes...
    with foreign_keys_off_on_sqlite(op):
        with op.batch_alter_table("meetings") as batch:
            batch.drop_constraint(op.f("ck_meetings_victim_took_part"), type_="check")
            batch.drop_column("victim_took_part_note")
            batch.drop_column("victim_took_part")
        with op.batch_alter_table("actions") as batch:
            batch.drop_index(batch.f("ix_actions_recommendation_id"))
            batch.drop_constraint(batch.f("fk_actions_recommendation_id_recommendations"), type_="foreignkey")
            batch.drop_constraint(batch.f("uq_actions_plan_id_number"), type_="unique")
            batch.drop_constraint(op.f("ck_actions_number_positive"), type_="check")
            batch.drop_column("recommendation_id")
            batch.drop_column("number")
