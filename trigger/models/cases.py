"""A Community Trigger case: the application, the people, the incidents and their reports, the threshold.

Later issues hang meetings, actions, deadlines and documents on the same `Case`. Relationships are
`lazy="raise"`: a page loads what it shows explicitly (see trigger.cases.services.load_case), so an N+1 query
fails in the tests instead of slowing production.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trigger.domain.stages import Stage
from trigger.domain.threshold.inputs import ThresholdPolicy
from trigger.models.accounts import User
from trigger.models.base import Base, Timestamped, UTCDateTime, utcnow
from trigger.models.organisation import Agency, Area, enum_column

DEFAULT_LAWFUL_BASIS = (
    "UK GDPR Art. 6(1)(e) public task; Crime and Disorder Act 1998 s.115; "
    "ASB, Crime and Policing Act 2014 Sch. 4 para 7"
)


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        return self._labels()[self]  # type: ignore[attr-defined]


class Channel(_Labelled):
    ONLINE = "online"
    PHONE = "phone"
    LETTER = "letter"
    EMAIL = "email"
    STAFF_ASSISTED = "staff-assisted"

    @staticmethod
    def _labels():
        return {
            Channel.ONLINE: "Online form",
            Channel.PHONE: "Phone",
            Channel.LETTER: "Letter",
            Channel.EMAIL: "Email",
            Channel.STAFF_ASSISTED: "Staff-assisted",
        }


class ContactMethod(_Labelled):
    EMAIL = "email"
    POST = "post"
    PHONE = "phone"

    @staticmethod
    def _labels():
        return {ContactMethod.EMAIL: "Email", ContactMethod.POST: "Post", ContactMethod.PHONE: "Phone"}


class PreferredFormat(_Labelled):
    STANDARD = "standard"
    LARGE_PRINT = "large-print"
    EASY_READ = "easy-read"

    @staticmethod
    def _labels():
        return {
            PreferredFormat.STANDARD: "Standard",
            PreferredFormat.LARGE_PRINT: "Large print",
            PreferredFormat.EASY_READ: "Easy read",
        }


class RiskLevel(_Labelled):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @staticmethod
    def _labels():
        return {RiskLevel.HIGH: "High", RiskLevel.MEDIUM: "Medium", RiskLevel.LOW: "Low"}


class HowReported(_Labelled):
    PHONE = "phone"
    ONLINE = "online"
    EMAIL = "email"
    IN_PERSON = "in-person"
    LETTER = "letter"
    OTHER = "other"

    @staticmethod
    def _labels():
        return {
            HowReported.PHONE: "Phone",
            HowReported.ONLINE: "Online",
            HowReported.EMAIL: "Email",
            HowReported.IN_PERSON: "In person",
            HowReported.LETTER: "Letter",
            HowReported.OTHER: "Other",
        }


class DecisionOutcome(_Labelled):
    MET = "met"
    NOT_MET = "not-met"
    MET_BY_OVERRIDE = "met-by-override"

    @staticmethod
    def _labels():
        return {
            DecisionOutcome.MET: "Threshold met",
            DecisionOutcome.NOT_MET: "Threshold not met",
            DecisionOutcome.MET_BY_OVERRIDE: "Threshold met by vulnerability override",
        }

    @property
    def is_met(self) -> bool:
        return self is not DecisionOutcome.NOT_MET


class LinkReason(_Labelled):
    SAME_APPLICANT = "same-applicant"
    SAME_ADDRESS = "same-address"

    @staticmethod
    def _labels():
        return {LinkReason.SAME_APPLICANT: "Same applicant", LinkReason.SAME_ADDRESS: "Same address"}


class Case(Timestamped, Base):
    """One application and everything that follows from it."""

    __tablename__ = "cases"
    __table_args__ = (
        # A third party applies only with the victim's consent (DOMAIN.md section 2): record who and when.
        CheckConstraint(
            "NOT is_third_party OR (length(victim_name) > 0 AND victim_consent_on IS NOT NULL)",
            name="third_party_consent",
        ),
        CheckConstraint(
            "stage <> 'closed' OR (closed_on IS NOT NULL AND applicant_told_on IS NOT NULL "
            "AND length(closure_reason) > 0)",
            name="closed_has_reason_and_dates",
        ),
        Index("ix_cases_stage_received_on", "stage", "received_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, "stage"), default=Stage.RECEIVED)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The coordinator (SPOC) who looks after the case: its deadline reminders go to them (to every coordinator
    # while there is none).
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    # The applicant.
    applicant_name: Mapped[str] = mapped_column(String(120))
    applicant_address: Mapped[str] = mapped_column(String(500), default="")
    applicant_postcode: Mapped[str] = mapped_column(String(10), default="", index=True)  # normalised
    applicant_phone: Mapped[str] = mapped_column(String(40), default="")
    applicant_phone_key: Mapped[str] = mapped_column(String(20), default="", index=True)  # digits, for matching
    applicant_email: Mapped[str] = mapped_column(String(254), default="", index=True)  # lower-case
    applicant_date_of_birth: Mapped[date | None] = mapped_column(Date)
    preferred_contact: Mapped[ContactMethod] = mapped_column(
        enum_column(ContactMethod, "contact_method"), default=ContactMethod.EMAIL
    )
    preferred_format: Mapped[PreferredFormat] = mapped_column(
        enum_column(PreferredFormat, "preferred_format"), default=PreferredFormat.STANDARD
    )
    language: Mapped[str] = mapped_column(String(60), default="English")
    communication_needs: Mapped[str] = mapped_column(Text, default="")
    vulnerabilities: Mapped[str] = mapped_column(Text, default="")
    advocate_details: Mapped[str] = mapped_column(Text, default="")

    # A third party (relative, councillor, MP, advocate) applying for the victim.
    is_third_party: Mapped[bool] = mapped_column(Boolean, default=False)
    victim_name: Mapped[str] = mapped_column(String(120), default="")
    victim_address: Mapped[str] = mapped_column(String(500), default="")
    victim_phone: Mapped[str] = mapped_column(String(40), default="")
    victim_email: Mapped[str] = mapped_column(String(254), default="")
    victim_consent_on: Mapped[date | None] = mapped_column(Date)
    victim_consent_how: Mapped[str] = mapped_column(String(200), default="")

    # Information sharing (DOMAIN.md section 6).
    consent_to_share: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_to_share_on: Mapped[date | None] = mapped_column(Date)
    lawful_basis: Mapped[str] = mapped_column(String(500), default=DEFAULT_LAWFUL_BASIS)

    # The problem, in the applicant's words.
    asb_description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(500), default="")
    risk_level: Mapped[RiskLevel | None] = mapped_column(enum_column(RiskLevel, "risk_level"))

    # Closure: the SPOC tells the victim when and why the case closes.
    closure_reason: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[date | None] = mapped_column(Date)
    applicant_told_on: Mapped[date | None] = mapped_column(Date)

    area: Mapped[Area] = relationship(lazy="joined", innerjoin="unnested")
    created_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[created_by_id])
    coordinator: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[coordinator_id])
    perpetrators: Mapped[list[Perpetrator]] = relationship(
        back_populates="case", lazy="raise", cascade="all, delete-orphan", order_by="Perpetrator.id"
    )
    incidents: Mapped[list[Incident]] = relationship(
        back_populates="case",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="[Incident.occurred_on, Incident.id]",
    )
    decisions: Mapped[list[ThresholdDecision]] = relationship(
        back_populates="case", lazy="raise", cascade="all, delete-orphan", order_by="ThresholdDecision.id"
    )


class Perpetrator(Timestamped, Base):
    """An alleged perpetrator. NEVER disclosed to the applicant.

    Their personal details must not appear in anything sent to the applicant (letters, summaries, exports for
    the applicant). `never_disclose` is always True, enforced by a constraint, so that any code producing
    applicant-facing material can check it and so the rule is visible in the schema itself.
    """

    __tablename__ = "perpetrators"
    __table_args__ = (CheckConstraint("never_disclose", name="never_disclose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    never_disclose: Mapped[bool] = mapped_column(Boolean, default=True)

    case: Mapped[Case] = relationship(back_populates="perpetrators", lazy="raise")


class Incident(Timestamped, Base):
    """One incident of ASB, with every report of it to any agency (one incident reported twice counts once)."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    occurred_time: Mapped[time | None] = mapped_column(Time)
    description: Mapped[str] = mapped_column(Text)
    is_hate: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set by the coordinator when two records describe one incident (e.g. from two agencies' chronologies).
    same_as_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    # Who complained, for the "N different complainants" rule; empty means the applicant.
    complainant_name: Mapped[str] = mapped_column(String(120), default="")
    # A record identical to another counts once automatically; the coordinator sets this when it was in fact a
    # separate incident (trigger.domain.threshold, IncidentInput.keep_separate).
    kept_separate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    case: Mapped[Case] = relationship(back_populates="incidents", lazy="raise")
    reports: Mapped[list[IncidentReport]] = relationship(
        back_populates="incident",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="[IncidentReport.reported_on, IncidentReport.id]",
    )


class IncidentReport(Timestamped, Base):
    __tablename__ = "incident_reports"
    # An agency representative's case list asks "which incidents were reported to my agency?" from this index.
    __table_args__ = (Index("ix_incident_reports_agency_id_incident_id", "agency_id", "incident_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    reported_on: Mapped[date] = mapped_column(Date)
    agency_reference: Mapped[str] = mapped_column(String(60), default="")
    how_reported: Mapped[HowReported | None] = mapped_column(enum_column(HowReported, "how_reported"))
    what_was_done: Mapped[str] = mapped_column(Text, default="")

    incident: Mapped[Incident] = relationship(back_populates="reports", lazy="raise")
    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin="unnested")


class CaseAgency(Base):
    """An agency involved in a case: an incident on the case was reported to it, it owns an action on the case's
    plan, it is on the attendee list of one of the case's meetings, or it took a restorative referral of the case
    (trigger.authz.involvement_pairs, the one statement of that rule).

    Kept by trigger.involvement in the same transaction as the change that involves an agency (or ends its
    involvement); read by the case list of an agency representative, which then checks the cases it shows
    against the rule itself (trigger.authz.visible_among). Asking the rule for a list of cases meant gathering
    every report, action and attendee row of the agency on every view: 120 ms a page for the police on the
    scale-10 data (issue 19)."""

    __tablename__ = "case_agencies"
    __table_args__ = (Index("ix_case_agencies_agency_id_case_id", "agency_id", "case_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)


class AreaThresholdPolicy(Base):
    """One version of an area's threshold policy. Rows are only added: the newest version is current.

    A decision stores a snapshot of the policy it used, so changing the policy never changes past decisions.
    The columns mirror trigger.domain.threshold.inputs.ThresholdPolicy, which validates them (see `to_policy`).
    """

    __tablename__ = "area_threshold_policies"
    __table_args__ = (
        UniqueConstraint("area_id", "version"),
        CheckConstraint("qualifying_complaints BETWEEN 1 AND 3", name="statutory_count"),
        CheckConstraint("window_months >= 6", name="statutory_window"),
        CheckConstraint("reporting_rule_months >= 1", name="statutory_reporting"),
        CheckConstraint(
            "distinct_complainants IS NULL OR distinct_complainants >= 2", name="distinct_complainants_min"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    qualifying_complaints: Mapped[int] = mapped_column(Integer, default=3)
    window_months: Mapped[int] = mapped_column(Integer, default=6)
    reporting_rule_months: Mapped[int] = mapped_column(Integer, default=1)
    enforce_reporting_rule: Mapped[bool] = mapped_column(Boolean, default=True)
    hate_incident_suffices: Mapped[bool] = mapped_column(Boolean, default=False)
    distinct_complainants: Mapped[int | None] = mapped_column(Integer)
    vulnerability_override_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    require_separate_occasions: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User | None] = relationship(lazy="joined")

    POLICY_FIELDS = (
        "qualifying_complaints",
        "window_months",
        "reporting_rule_months",
        "enforce_reporting_rule",
        "hate_incident_suffices",
        "distinct_complainants",
        "vulnerability_override_allowed",
        "require_separate_occasions",
    )

    def to_policy(self) -> ThresholdPolicy:
        return ThresholdPolicy(**{name: getattr(self, name) for name in self.POLICY_FIELDS})


class ThresholdDecision(Base):
    """The bodies' decision on the threshold. The product's evaluation is advice, kept alongside it."""

    __tablename__ = "threshold_decisions"
    __table_args__ = (
        CheckConstraint("NOT differs_from_advice OR length(difference_reason) > 0", name="differs_has_reason"),
        CheckConstraint("outcome <> 'met-by-override' OR length(vulnerability_reason) > 0", name="override_has_reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[DecisionOutcome] = mapped_column(enum_column(DecisionOutcome, "decision_outcome"))
    reasons: Mapped[str] = mapped_column(Text)
    vulnerability_reason: Mapped[str] = mapped_column(Text, default="")
    decision_maker_name: Mapped[str] = mapped_column(String(120))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[date] = mapped_column(Date)
    evaluation: Mapped[dict] = mapped_column(JSON, default=dict)
    policy: Mapped[dict] = mapped_column(JSON, default=dict)
    policy_version: Mapped[int | None] = mapped_column(Integer)
    differs_from_advice: Mapped[bool] = mapped_column(Boolean, default=False)
    difference_reason: Mapped[str] = mapped_column(Text, default="")
    # The coordinator chose to give the applicant the evaluation's plain-English reasons in the decision letter.
    letter_includes_evaluation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="decisions", lazy="raise")
    decided_by: Mapped[User | None] = relationship(lazy="joined")


class CaseLink(Base):
    """A possible link between two cases, for the coordinator to look at (one row per pair, newer -> older)."""

    __tablename__ = "case_links"
    __table_args__ = (
        UniqueConstraint("case_id", "linked_case_id", "reason"),
        CheckConstraint("case_id <> linked_case_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    linked_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reason: Mapped[LinkReason] = mapped_column(enum_column(LinkReason, "link_reason"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set by the coordinator: the two applications are about the same problem, so the different-complainants
    # rule counts the complainants of both (trigger.threshold.services).
    same_problem: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    case: Mapped[Case] = relationship(foreign_keys=[case_id], lazy="joined")
    linked_case: Mapped[Case] = relationship(foreign_keys=[linked_case_id], lazy="joined")


class PublicSubmission(Base):
    """One submission of the public application form, kept so the per-address hourly limit holds across
    server processes. Holds no personal data beyond the address, and is not linked to the case."""

    __tablename__ = "public_submissions"
    __table_args__ = (Index("ix_public_submissions_ip_address_at", "ip_address", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ip_address: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
