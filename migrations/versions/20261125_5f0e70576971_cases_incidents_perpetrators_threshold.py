"""cases incidents perpetrators threshold

Cases (applications) with their perpetrators, incidents and reports; per-area threshold policy versions and
threshold decisions; possible case links; the public form's rate-limit ledger; and audit_events.case_id for
the case timeline.

Revision ID: 5f0e70576971
Revises: 4c1e7a9d2b63
Create Date: 2026-11-25 15:19:48.028948

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5f0e70576971"
down_revision = "4c1e7a9d2b63"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "public_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_submissions")),
    )
    with op.batch_alter_table("public_submissions", schema=None) as batch_op:
        batch_op.create_index("ix_public_submissions_ip_address_at", ["ip_address", "at"], unique=False)

    op.create_table(
        "area_threshold_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("qualifying_complaints", sa.Integer(), nullable=False),
        sa.Column("window_months", sa.Integer(), nullable=False),
        sa.Column("reporting_rule_months", sa.Integer(), nullable=False),
        sa.Column("enforce_reporting_rule", sa.Boolean(), nullable=False),
        sa.Column("hate_incident_suffices", sa.Boolean(), nullable=False),
        sa.Column("distinct_complainants", sa.Integer(), nullable=True),
        sa.Column("vulnerability_override_allowed", sa.Boolean(), nullable=False),
        sa.Column("require_separate_occasions", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "distinct_complainants IS NULL OR distinct_complainants >= 2",
            name=op.f("ck_area_threshold_policies_distinct_complainants_min"),
        ),
        sa.CheckConstraint(
            "qualifying_complaints BETWEEN 1 AND 3", name=op.f("ck_area_threshold_policies_statutory_count")
        ),
        sa.CheckConstraint("reporting_rule_months >= 1", name=op.f("ck_area_threshold_policies_statutory_reporting")),
        sa.CheckConstraint("window_months >= 6", name=op.f("ck_area_threshold_policies_statutory_window")),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_area_threshold_policies_area_id_areas")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_area_threshold_policies_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_threshold_policies")),
        sa.UniqueConstraint("area_id", "version", name=op.f("uq_area_threshold_policies_area_id_version")),
    )
    with op.batch_alter_table("area_threshold_policies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_area_threshold_policies_area_id"), ["area_id"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "received",
                "acknowledged",
                "threshold-met",
                "threshold-not-met",
                "review-scheduled",
                "review-held",
                "outcome-sent",
                "plan-live",
                "escalated",
                "closed",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "online",
                "phone",
                "letter",
                "email",
                "staff-assisted",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("applicant_name", sa.String(length=120), nullable=False),
        sa.Column("applicant_address", sa.String(length=500), nullable=False),
        sa.Column("applicant_postcode", sa.String(length=10), nullable=False),
        sa.Column("applicant_phone", sa.String(length=40), nullable=False),
        sa.Column("applicant_phone_key", sa.String(length=20), nullable=False),
        sa.Column("applicant_email", sa.String(length=254), nullable=False),
        sa.Column("applicant_date_of_birth", sa.Date(), nullable=True),
        sa.Column(
            "preferred_contact",
            sa.Enum(
                "email", "post", "phone", name="contact_method", native_enum=False, create_constraint=True, length=40
            ),
            nullable=False,
        ),
        sa.Column(
            "preferred_format",
            sa.Enum(
                "standard",
                "large-print",
                "easy-read",
                name="preferred_format",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=60), nullable=False),
        sa.Column("communication_needs", sa.Text(), nullable=False),
        sa.Column("vulnerabilities", sa.Text(), nullable=False),
        sa.Column("advocate_details", sa.Text(), nullable=False),
        sa.Column("is_third_party", sa.Boolean(), nullable=False),
        sa.Column("victim_name", sa.String(length=120), nullable=False),
        sa.Column("victim_address", sa.String(length=500), nullable=False),
        sa.Column("victim_phone", sa.String(length=40), nullable=False),
        sa.Column("victim_email", sa.String(length=254), nullable=False),
        sa.Column("victim_consent_on", sa.Date(), nullable=True),
        sa.Column("victim_consent_how", sa.String(length=200), nullable=False),
        sa.Column("consent_to_share", sa.Boolean(), nullable=False),
        sa.Column("consent_to_share_on", sa.Date(), nullable=True),
        sa.Column("lawful_basis", sa.String(length=500), nullable=False),
        sa.Column("asb_description", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column(
            "risk_level",
            sa.Enum("high", "medium", "low", name="risk_level", native_enum=False, create_constraint=True, length=40),
            nullable=True,
        ),
        sa.Column("closure_reason", sa.Text(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("applicant_told_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "stage <> 'closed' OR (closed_on IS NOT NULL AND applicant_told_on IS NOT NULL AND length(closure_reason) > 0)",
            name=op.f("ck_cases_closed_has_reason_and_dates"),
        ),
        sa.CheckConstraint(
            "NOT is_third_party OR (length(victim_name) > 0 AND victim_consent_on IS NOT NULL)",
            name=op.f("ck_cases_third_party_consent"),
        ),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_cases_area_id_areas")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_cases_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("reference", name=op.f("uq_cases_reference")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_applicant_email"), ["applicant_email"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_applicant_phone_key"), ["applicant_phone_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_applicant_postcode"), ["applicant_postcode"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_received_on"), ["received_on"], unique=False)
        batch_op.create_index("ix_cases_stage_received_on", ["stage", "received_on"], unique=False)

    op.create_table(
        "case_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("linked_case_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "same-applicant",
                "same-address",
                name="link_reason",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("case_id <> linked_case_id", name=op.f("ck_case_links_not_self")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_links_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["linked_case_id"], ["cases.id"], name=op.f("fk_case_links_linked_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_links")),
        sa.UniqueConstraint(
            "case_id", "linked_case_id", "reason", name=op.f("uq_case_links_case_id_linked_case_id_reason")
        ),
    )
    with op.batch_alter_table("case_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_links_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_links_linked_case_id"), ["linked_case_id"], unique=False)

    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("occurred_time", sa.Time(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("is_hate", sa.Boolean(), nullable=False),
        sa.Column("same_as_id", sa.Integer(), nullable=True),
        sa.Column("complainant_name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_incidents_case_id_cases"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["same_as_id"], ["incidents.id"], name=op.f("fk_incidents_same_as_id_incidents"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_case_id"), ["case_id"], unique=False)

    op.create_table(
        "perpetrators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("never_disclose", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("never_disclose", name=op.f("ck_perpetrators_never_disclose")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_perpetrators_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_perpetrators")),
    )
    with op.batch_alter_table("perpetrators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_perpetrators_case_id"), ["case_id"], unique=False)

    op.create_table(
        "threshold_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "met",
                "not-met",
                "met-by-override",
                name="decision_outcome",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("vulnerability_reason", sa.Text(), nullable=False),
        sa.Column("decision_maker_name", sa.String(length=120), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("evaluation", sa.JSON(), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=True),
        sa.Column("differs_from_advice", sa.Boolean(), nullable=False),
        sa.Column("difference_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome <> 'met-by-override' OR length(vulnerability_reason) > 0",
            name=op.f("ck_threshold_decisions_override_has_reason"),
        ),
        sa.CheckConstraint(
            "NOT differs_from_advice OR length(difference_reason) > 0",
            name=op.f("ck_threshold_decisions_differs_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_threshold_decisions_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_threshold_decisions_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threshold_decisions")),
    )
    with op.batch_alter_table("threshold_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_threshold_decisions_case_id"), ["case_id"], unique=False)

    op.create_table(
        "incident_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("agency_reference", sa.String(length=60), nullable=False),
        sa.Column(
            "how_reported",
            sa.Enum(
                "phone",
                "online",
                "email",
                "in-person",
                "letter",
                "other",
                name="how_reported",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("what_was_done", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_incident_reports_agency_id_agencies")),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_reports_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_reports")),
    )
    with op.batch_alter_table("incident_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_reports_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_reports_incident_id"), ["incident_id"], unique=False)

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_events_case_id"), ["case_id"], unique=False)


def downgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_case_id"))
        batch_op.drop_column("case_id")

    with op.batch_alter_table("incident_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_reports_incident_id"))
        batch_op.drop_index(batch_op.f("ix_incident_reports_agency_id"))

    op.drop_table("incident_reports")
    with op.batch_alter_table("threshold_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_threshold_decisions_case_id"))

    op.drop_table("threshold_decisions")
    with op.batch_alter_table("perpetrators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_perpetrators_case_id"))

    op.drop_table("perpetrators")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_case_id"))

    op.drop_table("incidents")
    with op.batch_alter_table("case_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_links_linked_case_id"))
        batch_op.drop_index(batch_op.f("ix_case_links_case_id"))

    op.drop_table("case_links")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_stage_received_on")
        batch_op.drop_index(batch_op.f("ix_cases_received_on"))
        batch_op.drop_index(batch_op.f("ix_cases_area_id"))
        batch_op.drop_index(batch_op.f("ix_cases_applicant_postcode"))
        batch_op.drop_index(batch_op.f("ix_cases_applicant_phone_key"))
        batch_op.drop_index(batch_op.f("ix_cases_applicant_email"))

    op.drop_table("cases")
    with op.batch_alter_table("area_threshold_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_threshold_policies_area_id"))

    op.drop_table("area_threshold_policies")
    with op.batch_alter_table("public_submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_public_submissions_ip_address_at")

    op.drop_table("public_submissions")
