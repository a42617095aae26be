"""Case review meetings: the meeting, its attendee list, the victim's participation, the agenda and the minutes.

Minutes are revisioned: a `MinuteRevision` row is only ever added, never changed, and (item_id, number) is
unique, so two people saving on top of the same revision cannot both succeed (see trigger.meetings.services).
Relationships are `lazy="raise"` unless a page always needs them: loaders say what they load.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trigger.models.accounts import User
from trigger.models.base import Base, Timestamped, UTCDateTime, utcnow
from trigger.models.cases import Case, _Labelled
from trigger.models.organisation import Agency, enum_column


class MeetingKind(_Labelled):
    INITIAL_REVIEW = "initial-review"
    REVIEW = "review"

    @staticmethod
    def _labels():
        return {MeetingKind.INITIAL_REVIEW: "Initial case review meeting", MeetingKind.REVIEW: "Review meeting"}


class MeetingStatus(_Labelled):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"

    @staticmethod
    def _labels():
        return {MeetingStatus.SCHEDULED: "Scheduled", MeetingStatus.HELD: "Held", MeetingStatus.CANCELLED: "Cancelled"}


class AttendeeKind(_Labelled):
    AGENCY_REPRESENTATIVE = "agency-representative"
    APPLICANT = "applicant"
    ADVOCATE = "advocate-or-supporter"
    OBSERVER = "observer"
    # Only at a restorative conference, and only with their recorded consent (DOMAIN.md section 4).
    ALLEGED_PERPETRATOR = "alleged-perpetrator"

    @staticmethod
    def _labels():
        return {
            AttendeeKind.AGENCY_REPRESENTATIVE: "Agency representative",
            AttendeeKind.APPLICANT: "Applicant or victim",
            AttendeeKind.ADVOCATE: "Advocate or supporter",
            AttendeeKind.OBSERVER: "Observer",
            AttendeeKind.ALLEGED_PERPETRATOR: "Alleged perpetrator (restorative conference)",
        }


class AttendeeStatus(_Labelled):
    INVITED = "invited"
    ACCEPTED = "accepted"
    APOLOGIES = "apologies"
    SUBSTITUTE = "substitute"
    ATTENDED = "attended"
    ABSENT = "absent"

    @staticmethod
    def _labels():
        return {
            AttendeeStatus.INVITED: "Invited",
            AttendeeStatus.ACCEPTED: "Accepted",
            AttendeeStatus.APOLOGIES: "Apologies",
            AttendeeStatus.SUBSTITUTE: "Sending a substitute",
            AttendeeStatus.ATTENDED: "Attended",
            AttendeeStatus.ABSENT: "Absent",
        }


class ParticipationKind(_Labelled):
    IN_PERSON = "in-person"
    VIRTUALLY = "virtually"
    FIRST_PART = "first-part-only"
    STATEMENT = "statement"
    ADVOCATE = "represented-by-advocate"
    DECLINED = "declined"
    NOT_INVITED = "not-invited"

    @staticmethod
    def _labels():
        return {
            ParticipationKind.IN_PERSON: "Attending in person",
            ParticipationKind.VIRTUALLY: "Attending virtually",
            ParticipationKind.FIRST_PART: "Attending the first part only",
            ParticipationKind.STATEMENT: "Sending a statement",
            ParticipationKind.ADVOCATE: "Represented by an advocate",
            ParticipationKind.DECLINED: "Declined to take part",
            ParticipationKind.NOT_INVITED: "Not invited",
        }


class VictimTookPart(_Labelled):
    """How the applicant actually took part in a meeting, recorded by the chair afterwards (the plan for it,
    made beforehand, is VictimParticipation)."""

    IN_PERSON = "in-person"
    PHONE_OR_VIDEO = "phone-or-video"
    STATEMENT = "written-statement"
    ADVOCATE = "through-an-advocate"
    DID_NOT = "did-not-take-part"

    @staticmethod
    def _labels():
        return {
            VictimTookPart.IN_PERSON: "Attended in person",
            VictimTookPart.PHONE_OR_VIDEO: "Attended by phone or video",
            VictimTookPart.STATEMENT: "Sent a written statement",
            VictimTookPart.ADVOCATE: "Took part through an advocate",
            VictimTookPart.DID_NOT: "Did not take part",
        }


class Meeting(Timestamped, Base):
    """One case review meeting (a case may have several). Times are UTC; people enter and see Europe/London."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("length(place) > 0 OR length(virtual_link) > 0", name="has_place_or_link"),
        CheckConstraint("ics_sequence >= 0", name="ics_sequence_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind, "meeting_kind"))
    is_restorative_conference: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(300), default="")
    virtual_link: Mapped[str] = mapped_column(String(500), default="")
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus, "meeting_status"), default=MeetingStatus.SCHEDULED
    )
    cancelled_reason: Mapped[str] = mapped_column(Text, default="")
    # The calendar event: one UID for the meeting's life, SEQUENCE raised by every update or cancellation.
    ics_uid: Mapped[str] = mapped_column(String(255), unique=True)
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0)
    recorded_after_the_fact: Mapped[bool] = mapped_column(Boolean, default=False)
    # How the applicant took part, recorded by the chair once the meeting has started (None: not recorded yet).
    victim_took_part: Mapped[VictimTookPart | None] = mapped_column(enum_column(VictimTookPart, "victim_took_part"))
    victim_took_part_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(lazy="raise")
    chair: Mapped[User] = relationship(foreign_keys=[chair_id], lazy="joined", innerjoin="unnested")
    attendees: Mapped[list[Attendee]] = relationship(
        back_populates="meeting", lazy="raise", cascade="all, delete-orphan", order_by="Attendee.id"
    )
    minute_items: Mapped[list[MinuteItem]] = relationship(
        back_populates="meeting",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="[MinuteItem.position, MinuteItem.id]",
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="meeting", lazy="raise", cascade="all, delete-orphan", order_by="Recommendation.id"
    )
    approval: Mapped[MinutesApproval | None] = relationship(
        back_populates="meeting", lazy="raise", cascade="all, delete-orphan", uselist=False
    )
    victim_participation: Mapped[VictimParticipation | None] = relationship(
        back_populates="meeting", lazy="raise", cascade="all, delete-orphan", uselist=False
    )


class Attendee(Timestamped, Base):
    """One person (or agency inbox) on a meeting's attendee list, with or without an account."""

    __tablename__ = "meeting_attendees"
    __table_args__ = (
        # An agency representative's case list asks "which meetings is my agency on?" from this index.
        Index("ix_meeting_attendees_agency_id_meeting_id", "agency_id", "meeting_id"),
        UniqueConstraint("meeting_id", "user_id"),
        CheckConstraint("status <> 'substitute' OR length(substitute_name) > 0", name="substitute_named"),
        CheckConstraint("kind <> 'alleged-perpetrator' OR consent_recorded_on IS NOT NULL", name="perpetrator_consent"),
        CheckConstraint("kind <> 'agency-representative' OR agency_id IS NOT NULL", name="rep_has_agency"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AttendeeKind] = mapped_column(enum_column(AttendeeKind, "attendee_kind"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), default="")
    role_at_meeting: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[AttendeeStatus] = mapped_column(
        enum_column(AttendeeStatus, "attendee_status"), default=AttendeeStatus.INVITED
    )
    substitute_name: Mapped[str] = mapped_column(String(120), default="")
    consent_recorded_on: Mapped[date | None] = mapped_column(Date)
    # The link in the latest invitation carries a random token; only its SHA-256 is kept.
    response_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    meeting: Mapped[Meeting] = relationship(back_populates="attendees", lazy="raise")
    agency: Mapped[Agency | None] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(lazy="joined")


class VictimParticipation(Timestamped, Base):
    """How the victim takes part in one meeting. Not inviting them needs a written reason (DOMAIN.md s.2)."""

    __tablename__ = "victim_participations"
    __table_args__ = (
        CheckConstraint("kind <> 'not-invited' OR length(trim(reason_not_invited)) > 0", name="not_invited_has_reason"),
        CheckConstraint("kind <> 'statement' OR length(trim(statement)) > 0", name="statement_given"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), unique=True)
    # The statement is kept with the case as well as the meeting, so it survives a rescheduled meeting.
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ParticipationKind] = mapped_column(enum_column(ParticipationKind, "participation_kind"))
    statement: Mapped[str] = mapped_column(Text, default="")
    advocate_name: Mapped[str] = mapped_column(String(120), default="")
    reason_not_invited: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="victim_participation", lazy="raise")


class AgendaTemplate(Timestamped, Base):
    """The agenda new meetings start from. Administrators edit it; each meeting keeps its own copy."""

    __tablename__ = "agenda_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    items: Mapped[list[AgendaTemplateItem]] = relationship(
        back_populates="template",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="[AgendaTemplateItem.position, AgendaTemplateItem.id]",
    )


class AgendaTemplateItem(Base):
    __tablename__ = "agenda_template_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("agenda_templates.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))

    template: Mapped[AgendaTemplate] = relationship(back_populates="items", lazy="raise")


class MinuteItem(Base):
    """One agenda item of one meeting; its text lives in its revisions (the newest is current)."""

    __tablename__ = "minute_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    agenda_title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)

    meeting: Mapped[Meeting] = relationship(back_populates="minute_items", lazy="raise")
    revisions: Mapped[list[MinuteRevision]] = relationship(
        back_populates="item", lazy="raise", cascade="all, delete-orphan", order_by="MinuteRevision.number"
    )

    @property
    def current(self) -> MinuteRevision | None:
        return self.revisions[-1] if self.revisions else None


class MinuteRevision(Base):
    """One saved version of a minutes item. Only ever added; (item_id, number) is unique."""

    __tablename__ = "minute_revisions"
    __table_args__ = (
        UniqueConstraint("item_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("NOT is_correction OR length(trim(reason)) > 0", name="correction_has_reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("minute_items.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A change after the chair approved the minutes is a correction, and says why.
    is_correction: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[MinuteItem] = relationship(back_populates="revisions", lazy="raise")
    author: Mapped[User | None] = relationship(lazy="joined")


class MinutesApproval(Base):
    """The chair's approval of a meeting's minutes: from then on they are locked (corrections only)."""

    __tablename__ = "minutes_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), unique=True)
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="approval", lazy="raise")
    approved_by: Mapped[User] = relationship(lazy="joined")


class Recommendation(Timestamped, Base):
    """A recommendation of the review to one body, counted in the published statistics (DOMAIN.md s.7)."""

    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint("length(trim(text)) > 0", name="text_not_blank"),
        CheckConstraint("NOT victim_visible OR length(trim(victim_wording)) > 0", name="visible_has_wording"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    # As for actions: the applicant reads a recommendation only in its own plain-English wording, and only when
    # someone chose to share it (not shared by default). `restricted` works as Action.restricted.
    victim_wording: Mapped[str] = mapped_column(Text, default="", server_default="")
    victim_visible: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    response_text: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when the response was recorded
    responded_on: Mapped[date | None] = mapped_column(Date)  # the date the body gave its response
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="recommendations", lazy="raise")
    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin="unnested")
