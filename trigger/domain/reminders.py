"""The reminder ladder: which reminders a deadline calls for on a given day. Pure: no Flask, no database.

One ladder serves case-stage deadlines and actions alike (DOMAIN.md section 8: "reminders that reach the SPOC
before the victim has to chase"):

* BEFORE - ``days_before`` working days before the due date, to the owner;
* DUE_TODAY - on the due date, to the owner;
* OVERDUE - once it is past due, to the owner (and, for an action, the agency's shared contact address);
* ESCALATE - once it is overdue by ``escalate_after`` working days, to the chairs and coordinators.

`rungs_due` answers "what should have gone out by today?". It is safe to ask every day, or twice a day, or after
a missed day: the caller queues each answer under a unique key, so a reminder already sent is never repeated,
and one that a missed run skipped still goes out. A rung that the deadline has moved past is not sent late
(nobody needs "due in 2 working days" about something already overdue).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from trigger.domain.workdays import WorkingCalendar

__all__ = ["DEFAULT_LADDER", "Ladder", "ReminderWindows", "Rung", "reminder_horizon", "reminder_windows", "rungs_due"]


class Rung(StrEnum):
    BEFORE = "before"
    DUE_TODAY = "today"
    OVERDUE = "overdue"
    ESCALATE = "escalate"


@dataclass(frozen=True, slots=True)
class Ladder:
    days_before: int = 2  # 0 turns the advance reminder off
    on_the_day: bool = True
    when_overdue: bool = True
    escalate_after: int = 5

    def __post_init__(self) -> None:
        if not 0 <= self.days_before <= 20:
            raise ValueError(f"The advance reminder must be 0 to 20 working days before, not {self.days_before}.")
        if not 1 <= self.escalate_after <= 60:
            raise ValueError(f"Escalation must be 1 to 60 working days after the due date, not {self.escalate_after}.")

    def key(self, rung: Rung) -> str:
        """The rung's part of a reminder's unique key: it names the figure, so changing it re-arms the rung."""
        if rung is Rung.BEFORE:
            return f"before:{self.days_before}"
        if rung is Rung.ESCALATE:
            return f"overdue:{self.escalate_after}"
        return rung.value


DEFAULT_LADDER = Ladder()


def rungs_due(due: date, today: date, ladder: Ladder, calendar: WorkingCalendar) -> list[Rung]:
    """The rungs of ``ladder`` that apply to a deadline due on ``due``, as of ``today``.

    May raise HolidayDataMissing (from the calendar): the caller reports it rather than guessing.
    """
    if today < due:
        if ladder.days_before and today >= calendar.add_working_days(due, -ladder.days_before):
            return [Rung.BEFORE]
        return []
    if today == due:
        return [Rung.DUE_TODAY] if ladder.on_the_day else []
    rungs = [Rung.OVERDUE] if ladder.when_overdue else []
    if calendar.working_days_between(due, today) >= ladder.escalate_after:
        rungs.append(Rung.ESCALATE)
    return rungs


def reminder_horizon(today: date, ladder: Ladder, calendar: WorkingCalendar) -> date:
    """Deadlines due after this date need nothing yet: lets a batch skip them in SQL."""
    return calendar.add_working_days(today, ladder.days_before) if ladder.days_before else today


@dataclass(frozen=True, slots=True)
class ReminderWindows:
    """`rungs_due` for one day, turned into date ranges a database can test: a batch asks "which due dates get
    which rung today?" once per area instead of asking the calendar once per deadline.

    ``before`` is the inclusive range of due dates that get the advance reminder (None: none does);
    ``due_today`` and ``overdue`` say whether those rungs are on; ``escalate_until`` is the latest due date that
    is escalated (every earlier one is too; None: nothing is).
    """

    today: date
    before: tuple[date, date] | None
    due_today: bool
    overdue: bool
    escalate_until: date | None

    def rungs(self, due: date) -> list[Rung]:
        """The rungs for a deadline due on ``due``: the same answer as ``rungs_due`` (tests prove it)."""
        if due > self.today:
            return [Rung.BEFORE] if self.before and self.before[0] <= due <= self.before[1] else []
        if due == self.today:
            return [Rung.DUE_TODAY] if self.due_today else []
        rungs = [Rung.OVERDUE] if self.overdue else []
        if self.escalate_until is not None and due <= self.escalate_until:
            rungs.append(Rung.ESCALATE)
        return rungs


def reminder_windows(today: date, ladder: Ladder, calendar: WorkingCalendar) -> ReminderWindows:
    """The due-date ranges for which ``rungs_due`` answers each rung on ``today``.

    Both rules are monotone in the due date (a later due date is never "more" due), so each is a range found by
    stepping over the few calendar days next to today with the very calendar functions `rungs_due` uses.
    May raise HolidayDataMissing.
    """
    before = None
    if ladder.days_before:
        last = None
        day = today + timedelta(days=1)
        # The advance reminder starts ``days_before`` working days ahead: at most a few weeks of calendar days.
        while calendar.add_working_days(day, -ladder.days_before) <= today:
            last = day
            day += timedelta(days=1)
        before = (today + timedelta(days=1), last) if last is not None else None
    # Overdue by ``escalate_after`` working days: the first candidate is that many calendar days back (a working
    # day count never exceeds the calendar day count); step back until the count reaches it.
    escalate_until = today - timedelta(days=ladder.escalate_after)
    while calendar.working_days_between(escalate_until, today) < ladder.escalate_after:
        escalate_until -= timedelta(days=1)
    return ReminderWindows(
        today=today,
        before=before,
        due_today=ladder.on_the_day,
        overdue=ladder.when_overdue,
        escalate_until=escalate_until,
    )
