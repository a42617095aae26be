"""The restorative justice pathway of a case (DOMAIN.md section 7a): referrals and everything that follows.

A case can have several referrals over time. Each referral has participants (people harmed, people
responsible, other affected neighbours), each participant's consent records (a withdrawal is recorded on the
consent, a new consent is a new row), facilitators, preparation contacts (notes seen only by the restorative
justice service and chairs), suitability assessments (append-only, with a snapshot of the administrator-edited
questions), the outcome agreement's items and their progress, follow-up checks and feedback.

The state rules are pure (trigger.domain.restorative); every change of state goes through
trigger.restorative.services, which checks the transition and writes the audit event.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trigger.domain.restorative import ClosingOutcome, ParticipantRole, PathwayState, ProcessKind
from trigger.models.accounts import User
from trigger.models.base import Base, Timestamped, UTCDateTime, utcnow
from trigger.models.cases import Case, Perpetrator, _Labelled
from trigger.models.organisation import Agency, enum_column

TEXT_MAX = 4000
QUESTION_MAX = 300


class VictimAnswer(_Labelled):
    INTERESTED = "interested"
    THINKING = "thinking-about-it"
    DECLINED = "declined"

    @staticmethod
    def _labels():
        return {
            VictimAnswer.INTERESTED: "Interested in taking part",
            VictimAnswer.THINKING: "Thinking about it",
            VictimAnswer.DECLINED: "Does not want to take part",
        }


class ContactKind(_Labelled):
    IN_PERSON = "in-person"
    PHONE = "phone"
    VIDEO = "video"
    LETTER = "letter"
    EMAIL = "email"

    @staticmethod
    def _labels():
        return {
            ContactKind.IN_PERSON: "In person",
            ContactKind.PHONE: "Phone",
            ContactKind.VIDEO: "Video call",
            ContactKind.LETTER: "Letter",
            ContactKind.EMAIL: "Email",
        }


class ItemKind(_Labelled):
    APOLOGY = "apology"
    REPAIR = "putting-things-right"
    BEHAVIOUR = "behaviour"
    SUPPORT = "support"

    @staticmethod
    def _labels():
        return {
            ItemKind.APOLOGY: "Apology",
            ItemKind.REPAIR: "Putting things right",
            ItemKind.BEHAVIOUR: "Commitment about behaviour",
            ItemKind.SUPPORT: "Support or mediation to take up",
        }


class ItemStatus(_Labelled):
    OPEN = "open"
    DONE = "done"
    NOT_DONE = "not-done"

    @staticmethod
    def _labels():
        return {ItemStatus.OPEN: "In progress", ItemStatus.DONE: "Done", ItemStatus.NOT_DONE: "Not done"}


class FeedbackChannel(_Labelled):
    LINK = "link"
    PHONE = "phone"

    @staticmethod
    def _labels():
        return {FeedbackChannel.LINK: "Online (single-use link)", FeedbackChannel.PHONE: "By phone"}


class RestorativeQuestion(Timestamped, Base):
    """One suitability and safety question. Administrators edit them; deactivated rather than deleted."""

    __tablename__ = "restorative_questions"
    __table_args__ = (CheckConstraint("length(trim(text)) > 0", name="text_not_blank"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(QUESTION_MAX))
    # The answer that raises a concern ("yes" to "Is there a risk to anyone's safety?"; "no" to "Does the person
    # responsible accept responsibility?"): the assessment page lists the concerns beside the decision.
    concern_if_yes: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class RestorativeReferral(Timestamped, Base):
    """One referral to the restorative justice service, from a case."""

    __tablename__ = "restorative_referrals"
    __table_args__ = (
        CheckConstraint("length(trim(reason)) > 0", name="reason_given"),
        CheckConstraint(
            "state <> 'closed' OR (closed_on IS NOT NULL AND closing_outcome IS NOT NULL)", name="closed_has_outcome"
        ),
        CheckConstraint(
            "suitable IS NOT FALSE OR length(trim(not_suitable_reason)) > 0", name="not_suitable_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # The restorative justice service (an agency of that type) that takes the referral.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    referred_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    # Made as an action of the plan owned by the service (optional).
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"))
    state: Mapped[PathwayState] = mapped_column(enum_column(PathwayState, "rj_state"), default=PathwayState.REFERRED)

    victim_told_on: Mapped[date | None] = mapped_column(Date)
    victim_told_how: Mapped[ContactKind | None] = mapped_column(enum_column(ContactKind, "rj_told_how"))
    victim_answer: Mapped[VictimAnswer | None] = mapped_column(enum_column(VictimAnswer, "rj_victim_answer"))

    suitable: Mapped[bool | None] = mapped_column(Boolean)
    not_suitable_reason: Mapped[str] = mapped_column(Text, default="")
    process: Mapped[ProcessKind | None] = mapped_column(enum_column(ProcessKind, "rj_process"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    # A consent was withdrawn after the conference was booked: the meeting needs a decision (cancel or wait).
    booking_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    held_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closing_outcome: Mapped[ClosingOutcome | None] = mapped_column(enum_column(ClosingOutcome, "rj_closing"))

    case: Mapped[Case] = relationship(lazy="raise")
    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin="unnested")
    referred_by: Mapped[User | None] = relationship(lazy="joined")
    participants: Mapped[list[RestorativeParticipant]] = relationship(
        back_populates="referral", lazy="raise", cascade="all, delete-orphan", order_by="RestorativeParticipant.id"
    )


class RestorativeParticipant(Timestamped, Base):
    """Someone referred: the person harmed (usually the applicant), a person responsible (one of the case's
    alleged perpetrators), or another affected neighbour. None of them has an account."""

    __tablename__ = "restorative_participants"
    __table_args__ = (
        CheckConstraint("length(trim(name)) > 0", name="name_given"),
        CheckConstraint("role <> 'responsible' OR perpetrator_id IS NOT NULL", name="responsible_is_on_case"),
        UniqueConstraint("referral_id", "perpetrator_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("restorative_referrals.id", ondelete="CASCADE"), index=True)
    role: Mapped[ParticipantRole] = mapped_column(enum_column(ParticipantRole, "rj_participant_role"))
    name: Mapped[str] = mapped_column(String(120))
    is_applicant: Mapped[bool] = mapped_column(Boolean, default=False)
    perpetrator_id: Mapped[int | None] = mapped_column(ForeignKey("perpetrators.id", ondelete="SET NULL"))
    supporter: Mapped[str] = mapped_column(String(200), default="")

    referral: Mapped[RestorativeReferral] = relationship(back_populates="participants", lazy="raise")
    perpetrator: Mapped[Perpetrator | None] = relationship(lazy="raise")


class RestorativeConsent(Base):
    """One consent given by one participant. Withdrawing it fills `withdrawn_on`; consenting again adds a row."""

    __tablename__ = "restorative_consents"
    __table_args__ = (CheckConstraint("withdrawn_on IS NULL OR withdrawn_on >= given_on", name="withdrawn_after"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("restorative_referrals.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("restorative_participants.id", ondelete="CASCADE"), index=True
    )
    given_on: Mapped[date] = mapped_column(Date)
    how: Mapped[ContactKind] = mapped_column(enum_column(ContactKind, "rj_consent_how"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id], lazy="joined")
    withdrawal_recorded_by: Mapped[User | None] = relationship(foreign_keys=[withdrawal_recorded_by_id], lazy="joined")


class RestorativeFacilitator(Base):
    __tablename__ = "restorative_facilitators"
    __table_args__ = (UniqueConstraint("referral_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("restorative_referrals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user: Mapped[User] = relationship(lazy="joined", innerjoin="unnested")


class RestorativePreparation(Base):
    """A preparation contact with one participant. Its notes are seen only by the RJ service and chairs."""

    __tablename__ = "restorative_preparations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("restorative_referrals.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("restorative_participants.id", ondelete="CASCADE"))
    contact_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind, "rj_preparation_kind"))
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    participant: Mapped[RestorativeParticipant] = relationship(lazy="joined", innerjoin="unnested")


class RestorativeAssessment(Base):
    """One suitability and safety assessment. Never edited: reassessing adds one."""

    __tablename__ = "restorative_assessments"
    __table_args__ = (CheckConstraint("suitable OR length(trim(reason)) > 0", name="not_suitable_has_reason"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("restorative_referrals.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # [{"question_id", "text", "yes", "concern"}]: the questions as they were when answered.
    answers: Mapped[list] = mapped_column(JSON, default=list)
    suitable: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assessed_by: Mapped[User | None] = relationship(lazy="joined")


@event.listens_for(RestorativeAssessment, "before_update")
def _assessments_are_append_only(mapper, connection, target) -> None:
    raise ValueError("RestorativeAssessment rows are never edited: reassess instead")


class AgreementItem(Timestamped, Base):
    """One thing the person responsible agreed to do. The facilitator records progress (they have no account)."""

    __tablename__ = "restorative_agreement_items"
    __table_args__ = (
        CheckConstraint("length(trim(responsible)) > 0", name="responsible_named"),
        CheckConstraint("length(trim(what)) > 0", name="what_given"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("restorative_referrals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind, "rj_item_kind"))
    responsible: Mapped[str] = mapped_column(String(120))
    what: Mapped[str] = mapped_column(Text)
    # The same commitment in words for the victim's copy (no detail about the person responsible's support).
    victim_wording: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ItemStatus] = mapped_column(enum_column(ItemStatus, "rj_item_status"), default=ItemStatus.OPEN)
    progress: Mapped[str] = mapped_column(Text, default="")
    progress_on: Mapped[date | None] = mapped_column(Date)


class FollowUpCheck(Base):
    __tablename__ = "restorative_follow_ups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("restorative_referrals.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    done_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Feedback(Base):
    """A feedback request (a single-use link, only its SHA-256 kept) and, once given, the answers."""

    __tablename__ = "restorative_feedback"
    __table_args__ = (
        CheckConstraint("recommend IS NULL OR recommend BETWEEN 1 AND 5", name="recommend_range"),
        CheckConstraint("channel <> 'link' OR token_hash IS NOT NULL", name="link_has_token"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("restorative_referrals.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("restorative_participants.id", ondelete="CASCADE"))
    channel: Mapped[FeedbackChannel] = mapped_column(enum_column(FeedbackChannel, "rj_feedback_channel"))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    felt_heard: Mapped[str] = mapped_column(String(20), default="")
    helped: Mapped[str] = mapped_column(String(20), default="")
    recommend: Mapped[int | None] = mapped_column(Integer)
    comments: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    participant: Mapped[RestorativeParticipant] = relationship(lazy="joined", innerjoin="unnested")
