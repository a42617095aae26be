"""risk questionnaire and links

The risk and vulnerability questionnaire (seeded with a default set an administrator can edit) and each case's
risk assessments; the review meeting an action was agreed at (actions.meeting_id); the date a body responded
to a recommendation (recommendations.responded_on).

Revision ID: 8583640a2836
Revises: 78292fa4ccae
Create Date: 2026-11-25 16:05:55.909570

"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

# The default questionnaire (issue 3), as (category, weight for "yes", question). Administrators change it at
# /admin/risk-questions. Scored by trigger.domain.risk: 12 or more is High, 6 or more Medium (of 32 here).
DEFAULT_QUESTIONS = (
    ("personal-vulnerability", 3, "Does the victim have a disability or long-term illness?"),
    (
        "personal-vulnerability",
        3,
        "Does the victim have a mental health condition, a learning disability or difficulty communicating?",
    ),
    ("personal-vulnerability", 2, "Is the victim aged 70 or over, or under 18?"),
    ("situational-vulnerability", 2, "Is the victim isolated or living alone?"),
    ("situational-vulnerability", 2, "Are there children or other vulnerable people in the victim's household?"),
    ("situational-vulnerability", 1, "Does the alleged perpetrator live next door or close by?"),
    ("incidental-vulnerability", 3, "Has there been violence, or a threat of violence, against the victim?"),
    ("incidental-vulnerability", 2, "Has the victim's home or property been damaged or targeted?"),
    ("impact-on-health", 3, "Has the ASB affected the victim's physical or mental health?"),
    ("impact-on-health", 2, "Does the victim feel unsafe in their home, or afraid to go out?"),
    ("impact-on-health", 2, "Is the victim considering moving home because of the ASB?"),
    ("repeat-victimisation", 3, "Has the victim been targeted repeatedly?"),
    ("repeat-victimisation", 1, "Has the victim been a victim of ASB or crime before this problem began?"),
    ("hate-motivation", 3, "Is the ASB motivated by hostility towards a protected characteristic?"),
)


# revision identifiers, used by Alembic.
revision = "8583640a2836"
down_revision = "78292fa4ccae"
branch_labels = None
depends_on = None


def upgrade():
    questions = op.create_table(
        "risk_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "personal-vulnerability",
                "situational-vulnerability",
                "incidental-vulnerability",
                "impact-on-health",
                "repeat-victimisation",
                "hate-motivation",
                name="risk_category",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(trim(text)) > 0", name=op.f("ck_risk_questions_text_not_blank")),
        sa.CheckConstraint("weight BETWEEN 0 AND 10", name=op.f("ck_risk_questions_weight_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_questions")),
    )
    op.create_table(
        "risk_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("assessed_by_id", sa.Integer(), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column(
            "level",
            sa.Enum("high", "medium", "low", name="risk_level", native_enum=False, create_constraint=True, length=40),
            nullable=False,
        ),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score >= 0 AND score <= max_score", name=op.f("ck_risk_assessments_score_in_range")),
        sa.ForeignKeyConstraint(
            ["assessed_by_id"], ["users.id"], name=op.f("fk_risk_assessments_assessed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_risk_assessments_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_risk_assessments_meeting_id_meetings"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessments")),
    )
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.create_index("ix_risk_assessments_case_id_assessed_on", ["case_id", "assessed_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_assessments_meeting_id"), ["meeting_id"], unique=False)

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_actions_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_meeting_id_meetings"), "meetings", ["meeting_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("responded_on", sa.Date(), nullable=True))

    now = datetime.now(UTC)
    # No explicit ids: on PostgreSQL that would leave the id sequence behind the rows.
    op.bulk_insert(
        questions,
        [
            {
                "text": text,
                "category": category,
                "weight": weight,
                "active": True,
                "position": position,
                "created_at": now,
                "updated_at": now,
            }
            for position, (category, weight, text) in enumerate(DEFAULT_QUESTIONS, start=1)
        ],
    )


def downgrade():
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_column("responded_on")

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_actions_meeting_id_meetings"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_actions_meeting_id"))
        batch_op.drop_column("meeting_id")

    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_assessments_meeting_id"))
        batch_op.drop_index("ix_risk_assessments_case_id_assessed_on")

    op.drop_table("risk_assessments")
    op.drop_table("risk_questions")
