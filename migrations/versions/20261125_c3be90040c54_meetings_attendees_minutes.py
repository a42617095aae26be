"""meetings attendees minutes

Case review meetings, the attendee list, the victim's participation, the agenda
template (seeded with the default agenda), revisioned minutes, their approval and recommendations.

Revision ID: c3be90040c54
Revises: d3870cbacee3
Create Date: 2026-11-25 15:25:44.626889

"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# The default agenda (issue 5): administrators can change it at /admin/agenda; each meeting keeps a copy.
DEFAULT_AGENDA = (
    "Introductions and the confidentiality statement",
    "The victim's voice",
    "Each agency's chronology and current position",
    "Discussion",
    "Recommendations",
    "Actions",
    "Date of the next review",
)

# revision identifiers, used by Alembic.
revision = "c3be90040c54"
down_revision = "d3870cbacee3"
branch_labels = None
depends_on = None


def upgrade():
    templates = op.create_table(
        "agenda_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_templates")),
        sa.UniqueConstraint("name", name=op.f("uq_agenda_templates_name")),
    )
    template_items = op.create_table(
        "agenda_template_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["agenda_templates.id"],
            name=op.f("fk_agenda_template_items_template_id_agenda_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_template_items")),
    )
    with op.batch_alter_table("agenda_template_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_template_items_template_id"), ["template_id"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "initial-review", "review", name="meeting_kind", native_enum=False, create_constraint=True, length=40
            ),
            nullable=False,
        ),
        sa.Column("is_restorative_conference", sa.Boolean(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("virtual_link", sa.String(length=500), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "held",
                "cancelled",
                name="meeting_status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("cancelled_reason", sa.Text(), nullable=False),
        sa.Column("ics_uid", sa.String(length=255), nullable=False),
        sa.Column("ics_sequence", sa.Integer(), nullable=False),
        sa.Column("recorded_after_the_fact", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_meetings_ends_after_start")),
        sa.CheckConstraint("ics_sequence >= 0", name=op.f("ck_meetings_ics_sequence_not_negative")),
        sa.CheckConstraint("length(place) > 0 OR length(virtual_link) > 0", name=op.f("ck_meetings_has_place_or_link")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_meetings_case_id_cases"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["chair_id"], ["users.id"], name=op.f("fk_meetings_chair_id_users")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_meetings_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("ics_uid", name=op.f("uq_meetings_ics_uid")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_chair_id"), ["chair_id"], unique=False)

    op.create_table(
        "meeting_attendees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "agency-representative",
                "applicant",
                "advocate-or-supporter",
                "observer",
                "alleged-perpetrator",
                name="attendee_kind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role_at_meeting", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "invited",
                "accepted",
                "apologies",
                "substitute",
                "attended",
                "absent",
                name="attendee_status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("substitute_name", sa.String(length=120), nullable=False),
        sa.Column("consent_recorded_on", sa.Date(), nullable=True),
        sa.Column("response_token_hash", sa.String(length=64), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind <> 'agency-representative' OR agency_id IS NOT NULL", name=op.f("ck_meeting_attendees_rep_has_agency")
        ),
        sa.CheckConstraint(
            "kind <> 'alleged-perpetrator' OR consent_recorded_on IS NOT NULL",
            name=op.f("ck_meeting_attendees_perpetrator_consent"),
        ),
        sa.CheckConstraint(
            "status <> 'substitute' OR length(substitute_name) > 0", name=op.f("ck_meeting_attendees_substitute_named")
        ),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_meeting_attendees_agency_id_agencies")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_attendees_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_meeting_attendees_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_attendees")),
        sa.UniqueConstraint("meeting_id", "user_id", name=op.f("uq_meeting_attendees_meeting_id_user_id")),
        sa.UniqueConstraint("response_token_hash", name=op.f("uq_meeting_attendees_response_token_hash")),
    )
    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_attendees_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_attendees_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_attendees_user_id"), ["user_id"], unique=False)

    op.create_table(
        "minute_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("agenda_title", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_minute_items_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minute_items")),
    )
    with op.batch_alter_table("minute_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minute_items_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "minutes_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_minutes_approvals_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_minutes_approvals_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_approvals")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_minutes_approvals_meeting_id")),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("response_text", sa.Text(), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(trim(text)) > 0", name=op.f("ck_recommendations_text_not_blank")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_recommendations_agency_id_agencies")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_recommendations_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_recommendations_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendations_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recommendations_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "victim_participations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "in-person",
                "virtually",
                "first-part-only",
                "statement",
                "represented-by-advocate",
                "declined",
                "not-invited",
                name="participation_kind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("advocate_name", sa.String(length=120), nullable=False),
        sa.Column("reason_not_invited", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind <> 'not-invited' OR length(trim(reason_not_invited)) > 0",
            name=op.f("ck_victim_participations_not_invited_has_reason"),
        ),
        sa.CheckConstraint(
            "kind <> 'statement' OR length(trim(statement)) > 0", name=op.f("ck_victim_participations_statement_given")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_victim_participations_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_victim_participations_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_victim_participations_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victim_participations")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_victim_participations_meeting_id")),
    )
    with op.batch_alter_table("victim_participations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_victim_participations_case_id"), ["case_id"], unique=False)

    op.create_table(
        "minute_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_correction", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "NOT is_correction OR length(trim(reason)) > 0", name=op.f("ck_minute_revisions_correction_has_reason")
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_minute_revisions_number_positive")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_minute_revisions_author_id_users")),
        sa.ForeignKeyConstraint(
            ["item_id"], ["minute_items.id"], name=op.f("fk_minute_revisions_item_id_minute_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minute_revisions")),
        sa.UniqueConstraint("item_id", "number", name=op.f("uq_minute_revisions_item_id_number")),
    )
    with op.batch_alter_table("minute_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minute_revisions_item_id"), ["item_id"], unique=False)

    now = datetime.now(UTC)
    # No explicit id: on PostgreSQL that would leave the id sequence behind the row.
    op.bulk_insert(
        templates, [{"name": "Case review meeting", "is_default": True, "created_at": now, "updated_at": now}]
    )
    template_id = op.get_bind().scalar(sa.select(templates.c.id).where(templates.c.name == "Case review meeting"))
    op.bulk_insert(
        template_items,
        [
            {"template_id": template_id, "position": position, "title": title}
            for position, title in enumerate(DEFAULT_AGENDA, start=1)
        ],
    )


def downgrade():
    with op.batch_alter_table("minute_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minute_revisions_item_id"))

    op.drop_table("minute_revisions")
    with op.batch_alter_table("victim_participations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_victim_participations_case_id"))

    op.drop_table("victim_participations")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendations_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_recommendations_agency_id"))

    op.drop_table("recommendations")
    op.drop_table("minutes_approvals")
    with op.batch_alter_table("minute_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minute_items_meeting_id"))

    op.drop_table("minute_items")
    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_attendees_user_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_attendees_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_attendees_agency_id"))

    op.drop_table("meeting_attendees")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_chair_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_case_id"))

    op.drop_table("meetings")
    with op.batch_alter_table("agenda_template_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_template_items_template_id"))

    op.drop_table("agenda_template_items")
    op.drop_table("agenda_templates")
