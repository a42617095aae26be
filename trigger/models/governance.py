"""Information governance: per-area retention, legal holds, anonymised cases, the retention run's lock and the
public notices (privacy notice, accessibility statement) administrators edit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trigger.domain.retention import DEFAULT_RETENTION_YEARS
from trigger.models.accounts import User
from trigger.models.base import Base, UTCDateTime, utcnow


class AreaRetention(Base):
    """An area's retention period: closed cases are anonymised this many years after they closed."""

    __tablename__ = "area_retention"
    __table_args__ = (CheckConstraint("retention_years BETWEEN 1 AND 30", name="retention_years_range"),)

    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True)
    retention_years: Mapped[int] = mapped_column(Integer, default=DEFAULT_RETENTION_YEARS)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class LegalHold(Base):
    """A hold on a case: while it is in force (not lifted) the retention run leaves the case alone.

    Rows are kept once lifted, so the case shows who held it, why, and who lifted it and why.
    """

    __tablename__ = "legal_holds"
    __table_args__ = (
        CheckConstraint("length(reason) > 0", name="reason_given"),
        CheckConstraint("lifted_at IS NULL OR length(lift_reason) > 0", name="lift_reason_given"),
        # At most one hold in force per case: two people placing one at once cannot both succeed.
        Index(
            "uq_legal_holds_case_in_force",
            "case_id",
            unique=True,
            sqlite_where=text("lifted_at IS NULL"),
            postgresql_where=text("lifted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lift_reason: Mapped[str] = mapped_column(Text, default="")
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    placed_by: Mapped[User | None] = relationship(foreign_keys=[placed_by_id], lazy="joined")
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id], lazy="joined")


class AnonymisedCase(Base):
    """A case the retention run has anonymised: the run never touches it again, and pages can say so."""

    __tablename__ = "anonymised_cases"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    anonymised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    run_id: Mapped[str] = mapped_column(String(36), index=True)
    retention_years: Mapped[int] = mapped_column(Integer)


class RetentionLock(Base):
    """One row while a retention run is in progress: a second run's INSERT fails, so two runs never overlap."""

    __tablename__ = "retention_lock"
    __table_args__ = (CheckConstraint("id = 1", name="singleton"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(36))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    holder: Mapped[str] = mapped_column(String(200), default="")


class PublicNotice(Base):
    """The current text of a public notice, as plain text per section (rendered escaped, paragraph by
    paragraph: no stored markup reaches a page). ``kind`` is "privacy" or "accessibility"."""

    __tablename__ = "public_notices"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
