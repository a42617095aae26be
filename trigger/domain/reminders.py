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
from datetime import date
from enum import StrEnum

from trigger.domain.workdays import WorkingCalendar

__all__ = ["DEFAULT_LADDER", "Ladder", "Rung", "reminder_horizon", "rungs_due"]


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
