"""The risk and vulnerability assessment: the questionnaire an administrator edits, and each case's assessments.

An assessment is only ever added (a case is reassessed, e.g. at each review meeting), and it keeps a snapshot of
the questions it was answered against, so editing or deactivating a question never changes a past assessment.
The newest assessment sets `Case.risk_level`. Scoring is pure: trigger.domain.risk.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trigger.domain.risk import MAX_WEIGHT
from trigger.models.accounts import User
from trigger.models.base import Base, Timestamped, UTCDateTime, utcnow
from trigger.models.cases import Case, RiskLevel
from trigger.models.organisation import enum_column

QUESTION_MAX = 300
NOTES_MAX = 4000


class RiskCategory(StrEnum):
    PERSONAL = "personal-vulnerability"
    SITUATIONAL = "situational-vulnerability"
    INCIDENTAL = "incidental-vulnerability"
    HEALTH = "impact-on-health"
    REPEAT = "repeat-victimisation"
    HATE = "hate-motivation"

    @property
    def label(self) -> str:
        return {
            "personal-vulnerability": "Personal vulnerability",
            "situational-vulnerability": "Situational vulnerability",
            "incidental-vulnerability": "Incidental vulnerability",
            "impact-on-health": "Impact on health",
            "repeat-victimisation": "Repeat victimisation",
            "hate-motivation": "Hate motivation",
        }[self.value]


class RiskQuestion(Timestamped, Base):
    """One yes/no question. Deactivated rather than deleted: past assessments refer to it."""

    __tablename__ = "risk_questions"
    __table_args__ = (
        CheckConstraint("length(trim(text)) > 0", name="text_not_blank"),
        CheckConstraint(f"weight BETWEEN 0 AND {MAX_WEIGHT}", name="weight_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(QUESTION_MAX))
    category: Mapped[RiskCategory] = mapped_column(enum_column(RiskCategory, "risk_category"))
    weight: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class RiskAssessment(Base):
    """One assessment of a case's risk. Never edited: reassessing adds a new one."""

    __tablename__ = "risk_assessments"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= max_score", name="score_in_range"),
        Index("ix_risk_assessments_case_id_assessed_on", "case_id", "assessed_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    # The review meeting it was done at, if any ("reviewed at each meeting").
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assessed_on: Mapped[date] = mapped_column(Date)
    level: Mapped[RiskLevel] = mapped_column(enum_column(RiskLevel, "risk_level"))
    score: Mapped[int] = mapped_column(Integer)
    max_score: Mapped[int] = mapped_column(Integer)
    # [{"question_id", "text", "category", "weight", "yes"}]: the questions as they were when answered.
    answers: Mapped[list] = mapped_column(JSON, default=list)
    # {"high_from", "medium_from"}: the thresholds the level was computed with.
    thresholds: Mapped[dict] = mapped_column(JSON, default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(lazy="raise")
    assessed_by: Mapped[User | None] = relationship(lazy="joined")


@event.listens_for(RiskAssessment, "before_update")
def _assessments_are_append_only(mapper, connection, target) -> None:
    raise ValueError("RiskAssessment rows are never edited: reassess the case instead")
