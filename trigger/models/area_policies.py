"""Per-area settings that deadlines depend on: local closure days and the stage timescales in working days."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trigger.models.accounts import User
from trigger.models.base import Base, UTCDateTime, utcnow
from trigger.models.organisation import Area


class AreaClosureDay(Base):
    """A weekday the area's offices are shut (e.g. between Christmas and New Year): not a working day."""

    __tablename__ = "area_closure_days"
    __table_args__ = (UniqueConstraint("area_id", "day", name="uq_area_closure_days_area_id_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    area: Mapped[Area] = relationship(lazy="raise")


# Mirrors trigger.domain.deadlines.TimescalePolicy; the CHECKs repeat its 1..60 limits so no path around the
# form can store a timescale the domain would refuse.
TIMESCALE_FIELDS = (
    "acknowledge",
    "information_gathered",
    "threshold_decision",
    "meeting_held",
    "outcome_sent",
    "escalation_window",
    "escalation_decided",
)


class AreaTimescalePolicy(Base):
    """One version of an area's stage timescales. Rows are only added: the newest version is the current one.

    Deadlines already computed keep their dates; the versions say what applied when.
    """

    __tablename__ = "area_timescale_policies"
    __table_args__ = (
        # Two administrators saving at once cannot both create version N.
        UniqueConstraint("area_id", "version", name="uq_area_timescale_policies_area_id_version"),
        *(CheckConstraint(f"{name} BETWEEN 1 AND 60", name=f"{name}_range") for name in TIMESCALE_FIELDS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))  # indexed by the unique
    version: Mapped[int] = mapped_column(Integer)
    acknowledge: Mapped[int] = mapped_column(Integer)
    information_gathered: Mapped[int] = mapped_column(Integer)
    threshold_decision: Mapped[int] = mapped_column(Integer)
    meeting_held: Mapped[int] = mapped_column(Integer)
    outcome_sent: Mapped[int] = mapped_column(Integer)
    escalation_window: Mapped[int] = mapped_column(Integer)
    escalation_decided: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    area: Mapped[Area] = relationship(lazy="raise")
    created_by: Mapped[User | None] = relationship(lazy="raise")
