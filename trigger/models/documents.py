"""The document register: every letter, set of minutes and action plan issued on a case, kept exactly as sent.

An `IssuedDocument` holds the PDF's bytes, their SHA-256, the template and template version that produced them,
who issued the document, to whom and how. Rows are never changed except for their delivery fields (when the
document was emailed or posted): issuing again adds a new version, and the old version stays downloadable,
byte for byte, for ever (DOMAIN.md section 5). A `before_update` hook refuses any other change.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trigger.models.accounts import User
from trigger.models.base import Base, UTCDateTime, utcnow
from trigger.models.cases import Case
from trigger.models.organisation import enum_column


class Audience(StrEnum):
    """Who a document is written for: the applicant (OFFICIAL) or the agencies (OFFICIAL-SENSITIVE)."""

    APPLICANT = "applicant"
    AGENCIES = "agencies"
    # A letter to the person responsible (restorative justice invitation): OFFICIAL, never the applicant's.
    PERSON_RESPONSIBLE = "person-responsible"


class DocumentKind(StrEnum):
    """Every document the product produces (DOMAIN.md section 5). Each has templates/pdf/<value>.html."""

    ACKNOWLEDGEMENT = "acknowledgement"
    THRESHOLD_DECISION = "threshold-decision"
    INVITATION_AGENCY = "invitation-agency"
    INVITATION_VICTIM = "invitation-victim"
    MINUTES_FULL = "minutes-full"
    MINUTES_SUMMARY = "minutes-summary"
    ACTION_PLAN = "action-plan"
    OUTCOME = "outcome"
    ESCALATION_ACKNOWLEDGEMENT = "escalation-acknowledgement"
    ESCALATION_OUTCOME = "escalation-outcome"
    # Restorative justice (trigger.restorative).
    RESTORATIVE_INFORMATION = "restorative-information"
    RESTORATIVE_INVITATION = "restorative-invitation"
    RESTORATIVE_AGREEMENT = "restorative-agreement"
    RESTORATIVE_AGREEMENT_VICTIM = "restorative-agreement-victim"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def audience(self) -> Audience:
        if self is DocumentKind.RESTORATIVE_INVITATION:
            return Audience.PERSON_RESPONSIBLE
        return Audience.AGENCIES if self in AGENCY_KINDS else Audience.APPLICANT

    @property
    def for_applicant(self) -> bool:
        return self.audience is Audience.APPLICANT

    @property
    def marking(self) -> str:
        """Protective marking: OFFICIAL for letters to the applicant, OFFICIAL-SENSITIVE for agency material."""
        return "OFFICIAL-SENSITIVE" if self.audience is Audience.AGENCIES else "OFFICIAL"

    @property
    def needs_meeting(self) -> bool:
        return self in MEETING_KINDS


_KIND_LABELS = {
    DocumentKind.ACKNOWLEDGEMENT: "Acknowledgement letter",
    DocumentKind.THRESHOLD_DECISION: "Threshold decision letter",
    DocumentKind.INVITATION_AGENCY: "Meeting invitation (agencies)",
    DocumentKind.INVITATION_VICTIM: "Meeting invitation (applicant)",
    DocumentKind.MINUTES_FULL: "Minutes (full, agencies only)",
    DocumentKind.MINUTES_SUMMARY: "Summary of the meeting (applicant)",
    DocumentKind.ACTION_PLAN: "Action plan (agencies)",
    DocumentKind.OUTCOME: "Outcome letter",
    DocumentKind.ESCALATION_ACKNOWLEDGEMENT: "Escalation acknowledgement letter",
    DocumentKind.ESCALATION_OUTCOME: "Escalation outcome letter",
    DocumentKind.RESTORATIVE_INFORMATION: "Restorative justice: what it is and how to take part (victim)",
    DocumentKind.RESTORATIVE_INVITATION: "Restorative justice invitation (person responsible)",
    DocumentKind.RESTORATIVE_AGREEMENT: "Restorative outcome agreement (with signature lines)",
    DocumentKind.RESTORATIVE_AGREEMENT_VICTIM: "Restorative outcome agreement (victim's copy)",
}

AGENCY_KINDS = frozenset(
    {
        DocumentKind.INVITATION_AGENCY,
        DocumentKind.MINUTES_FULL,
        DocumentKind.ACTION_PLAN,
        DocumentKind.RESTORATIVE_INVITATION,
        DocumentKind.RESTORATIVE_AGREEMENT,
    }
)
MEETING_KINDS = frozenset(
    {
        DocumentKind.INVITATION_AGENCY,
        DocumentKind.INVITATION_VICTIM,
        DocumentKind.MINUTES_FULL,
        DocumentKind.MINUTES_SUMMARY,
    }
)


class DeliveryMethod(StrEnum):
    EMAIL = "email"
    POST = "post"
    HAND = "hand"
    AGENCY_PORTAL = "agency-portal"

    @property
    def label(self) -> str:
        return {"email": "Email", "post": "Post", "hand": "By hand", "agency-portal": "Agency portal or secure email"}[
            self.value
        ]


#: The only columns an issued document may change after it is issued: how and when it was delivered.
DELIVERY_FIELDS = frozenset({"emailed_at", "emailed_to", "posted_on"})


class IssuedDocument(Base):
    """One issued version of one kind of document on one case: the exact bytes sent, and to whom."""

    __tablename__ = "issued_documents"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, "document_kind"))
    version: Mapped[int] = mapped_column(Integer)
    # The meeting a meeting document (invitation, minutes) is about.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    template_name: Mapped[str] = mapped_column(String(200))
    # A hash of the template and everything it extends or includes: which wording produced these bytes.
    template_version: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    # Deferred: the register lists documents without loading megabytes of PDF.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    marking: Mapped[str] = mapped_column(String(40))
    large_print: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_by_name: Mapped[str] = mapped_column(String(120), default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    recipient_email: Mapped[str] = mapped_column(String(254), default="")
    recipient_address: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[DeliveryMethod] = mapped_column(enum_column(DeliveryMethod, "delivery_method"))
    # Delivery: the only fields ever written after issue.
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_to: Mapped[str] = mapped_column(String(254), default="")
    posted_on: Mapped[date | None] = mapped_column(Date)

    case: Mapped[Case] = relationship(lazy="raise")
    issued_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def short_sha256(self) -> str:
        return self.sha256[:12]

    @property
    def easy_read(self) -> bool:
        """Issued in its easy-read version: the template that produced it says so (templates/pdf/easy-read/)."""
        return self.template_name.startswith("pdf/easy-read/")

    @property
    def filename(self) -> str:
        return self.filename_for(self.kind, self.version)

    @staticmethod
    def filename_for(kind: DocumentKind, version: int) -> str:
        """The file name of version ``version`` of ``kind`` (the download's, and the preview's before it exists)."""
        return f"{kind.value}-v{version}.pdf"


@event.listens_for(IssuedDocument, "before_update")
def _issued_documents_are_immutable(mapper, connection, target: IssuedDocument) -> None:
    state = inspect(target)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    if changed - DELIVERY_FIELDS:
        raise ValueError(
            f"An issued document is kept exactly as issued (tried to change {sorted(changed - DELIVERY_FIELDS)}): "
            "issue a new version instead"
        )
