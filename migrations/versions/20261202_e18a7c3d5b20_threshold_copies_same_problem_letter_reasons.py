"""threshold: identical copies kept separate, same-problem links, evaluation reasons in the decision letter

Issue 18. An incident identical to another counts once automatically; `kept_separate` records the coordinator
saying it was a separate incident after all. A possible link between two cases can be confirmed as "the same
problem", so the different-complainants rule counts the complainants of both. A threshold decision records
whether its letter gives the applicant the evaluation's plain-English reasons.

Revision ID: e18a7c3d5b20
Revises: e7a3f5b1c920
Create Date: 2026-12-02 07:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e18a7c3d5b20"
down_revision = "e7a3f5b1c920"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kept_separate", sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table("case_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("same_problem", sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table("threshold_decisions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("letter_includes_evaluation", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("threshold_decisions", schema=None) as batch_op:
        batch_op.drop_column("letter_includes_evaluation")

    with op.batch_alter_table("case_links", schema=None) as batch_op:
        batch_op.drop_column("same_problem")

    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("kept_separate")
