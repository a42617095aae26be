"""The stage deadlines of a case and each area's reminder ladder.

A `CaseDeadline` is opened when a stage starts (receipt opens "acknowledge", a threshold decision opens "hold
the meeting", ...) and met when the stage is completed; trigger.deadlines.opening is the only code that opens,
meets, extends or recomputes one. `cycle` lets a case that is referred back (an upheld escalation) get a new
deadline of the same kind while the first stays as history.

`due_on` is NULL only when it could not be counted because a year has no bank-holiday data: the case page says
so loudly instead of showing a date counted as if there were no holidays.

`SentReminder` is what makes `flask deadlines run` send each reminder exactly once: one row per item, due date
and rung, UNIQUE, inserted by the run that sends it (INSERT ... SELECT ... ON CONFLICT DO NOTHING). A run that
finds the row already there (a second run, or one on another machine at the same moment) leaves it to its owner.
The reminders themselves go out as one digest per person per run (a notification and an email).
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trigger.domain.deadlines import DeadlineKind
from trigger.models.accounts import User
from trigger.models.base import Base, Timestamped, UTCDateTime
from trigger.models.cases import Case
from trigger.models.organisation import Area, enum_column


#: The deadlines staff work on: open, of a case that is not closed, and not the applicant's own window to ask for an
#: escalation (trigger.deadlines.dates.APPLICANT_WINDOWS). The dashboard's queries repeat it word for word
#: (with the table name) so that both planners use ix_case_deadlines_live_due_on.
LIVE_DEADLINE_SQL = "met_on IS NULL AND case_closed = false AND kind <> 'escalation-request'"


class CaseDeadline(Timestamped, Base):
    """One stage deadline of one case (DOMAIN.md section 2), in working days from its anchor event."""

    __tablename__ = "case_deadlines"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "cycle", name="uq_case_deadlines_case_id_kind_cycle"),
        CheckConstraint("cycle >= 1", name="cycle_positive"),
        CheckConstraint("due_on IS NULL OR due_on > anchor_on", name="due_after_anchor"),
        CheckConstraint("extended_at IS NULL OR length(extended_reason) > 0", name="extension_has_reason"),
        # What `flask deadlines run` asks: open deadlines in due-date order, whatever the planner's statistics
        # say. (An index on (met_on, due_on) served the same until issue 19: SQLite's statistics cannot see that
        # most rows have met_on NULL, so it preferred that one to the dashboard's partial index below.)
        Index(
            "ix_case_deadlines_open_due_on",
            "due_on",
            "id",
            sqlite_where=text("met_on IS NULL"),
            postgresql_where=text("met_on IS NULL"),
        ),
        # The dashboard's sections without walking the open deadlines that closed cases keep (more of them every
        # year): the sections list open deadlines of cases that are not closed, in due-date order.
        Index(
            "ix_case_deadlines_live_due_on",
            "due_on",
            "id",
            sqlite_where=text(LIVE_DEADLINE_SQL),
            postgresql_where=text(LIVE_DEADLINE_SQL),
        ),
        # The case list's next deadline of each case on the page.
        Index(
            "ix_case_deadlines_open_case_id",
            "case_id",
            "due_on",
            sqlite_where=text("met_on IS NULL"),
            postgresql_where=text("met_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DeadlineKind] = mapped_column(enum_column(DeadlineKind, "deadline_kind"))
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    anchor_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    original_due_on: Mapped[date | None] = mapped_column(Date)
    met_on: Mapped[date | None] = mapped_column(Date)
    extended_reason: Mapped[str | None] = mapped_column(Text)
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Whether the case is closed, kept by trigger.deadlines.opening.on_stage_change (a closed case keeps its
    #: open deadlines, shown as "not needed"): the dashboard skips them without a join per row.
    case_closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    case: Mapped[Case] = relationship(lazy="raise")
    extended_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def is_open(self) -> bool:
        return self.met_on is None

    @property
    def was_extended(self) -> bool:
        return self.extended_at is not None


class AreaReminderLadder(Timestamped, Base):
    """When reminders go out in one area; an area without a row uses the defaults (see DEFAULT_LADDER).

    One row per area, edited in place; every change is audited with the old and new values.
    """

    __tablename__ = "area_reminder_ladders"
    __table_args__ = (
        CheckConstraint("days_before BETWEEN 0 AND 20", name="days_before_range"),
        CheckConstraint("escalate_after BETWEEN 1 AND 60", name="escalate_after_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), unique=True)
    days_before: Mapped[int] = mapped_column(Integer, default=2)  # 0: no advance reminder
    on_the_day: Mapped[bool] = mapped_column(Boolean, default=True)
    when_overdue: Mapped[bool] = mapped_column(Boolean, default=True)
    escalate_after: Mapped[int] = mapped_column(Integer, default=5)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    area: Mapped[Area] = relationship(lazy="raise")


class SentReminder(Base):
    """One reminder (an item, for its due date, at one rung of the ladder) claimed by one run of the reminders.

    Not a foreign key to the item: ``item_kind`` says which table ``item_id`` is in ('deadline': case_deadlines,
    'action': actions), and a row outliving its item is harmless. ``due_on`` is part of the key so that an
    extended deadline or a re-dated action is reminded about again; ``rung_key`` (Ladder.key) names the figure, so
    changing the ladder re-arms a rung.
    """

    __tablename__ = "sent_reminders"
    __table_args__ = (
        UniqueConstraint("item_kind", "item_id", "due_on", "rung_key", name="uq_sent_reminders_item_due_rung"),
        CheckConstraint("item_kind IN ('deadline', 'action')", name="item_kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_kind: Mapped[str] = mapped_column(String(10))
    item_id: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    rung_key: Mapped[str] = mapped_column(String(20))
    run_id: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
