"""reminder_windows (trigger.domain.reminders): the date ranges the set-based reminder run tests in SQL give exactly
the rungs `rungs_due` gives, for every due date, across Christmas, Easter, the Scottish 2 January and weekends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from trigger.domain.reminders import Ladder, Rung, reminder_windows, rungs_due
from trigger.domain.workdays import Nation, WorkingCalendar

LADDERS = [
    Ladder(),
    Ladder(days_before=0, on_the_day=False, when_overdue=False, escalate_after=1),
    Ladder(days_before=1, escalate_after=2),
    Ladder(days_before=7, on_the_day=True, when_overdue=False, escalate_after=20),
    Ladder(days_before=20, escalate_after=60),
]


def _days(start: date, end: date, step: int = 1):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=step)


@pytest.mark.parametrize("nation", list(Nation))
@pytest.mark.parametrize("ladder", LADDERS, ids=lambda ladder: f"{ladder.days_before}-{ladder.escalate_after}")
def test_the_windows_give_the_same_rungs_as_the_ladder_for_every_due_date(nation, ladder):
    calendar = WorkingCalendar(nation, closures={date(2026, 12, 29), date(2026, 12, 30)})
    # Every 3rd day over three years (every weekday and weekend position is reached), plus every day of the
    # Christmas, New Year and Easter fortnights, as "today".
    todays = set(_days(date(2025, 1, 1), date(2027, 12, 31), 3))
    for start, end in [
        (date(2025, 12, 18), date(2026, 1, 12)),
        (date(2026, 12, 18), date(2027, 1, 12)),
        (date(2026, 3, 28), date(2026, 4, 10)),
        (date(2027, 3, 20), date(2027, 4, 2)),
    ]:
        todays.update(_days(start, end))
    mismatches = []
    for today in sorted(todays):
        windows = reminder_windows(today, ladder, calendar)
        for due in _days(today - timedelta(days=100), today + timedelta(days=35)):
            expected = rungs_due(due, today, ladder, calendar)
            if windows.rungs(due) != expected:
                mismatches.append((today, due, windows.rungs(due), expected))
    assert mismatches == []


def test_the_windows_across_christmas_in_scotland():
    calendar = WorkingCalendar(Nation.SCOTLAND)
    # Thursday 24 December 2026; 25, 28 (Boxing Day substitute), 1 and 4 January (2 January substitute) are off.
    windows = reminder_windows(date(2026, 12, 24), Ladder(), calendar)
    assert windows.before == (date(2026, 12, 25), date(2026, 12, 30))  # 29 and 30 are 1 and 2 working days ahead
    assert windows.escalate_until == date(2026, 12, 17)  # 18, 21, 22, 23, 24: five working days
    after_new_year = reminder_windows(date(2027, 1, 5), Ladder(), calendar)
    # After the 24th: 29, 30, 31 December and 5 January (1 and 4 January are off) are four working days.
    assert after_new_year.escalate_until == date(2026, 12, 23)
    assert after_new_year.rungs(date(2026, 12, 24)) == [Rung.OVERDUE]
    assert after_new_year.rungs(date(2026, 12, 23)) == [Rung.OVERDUE, Rung.ESCALATE]


def test_switched_off_rungs_have_no_window():
    quiet = reminder_windows(
        date(2026, 6, 10),
        Ladder(days_before=0, on_the_day=False, when_overdue=False),
        WorkingCalendar(Nation.ENGLAND_AND_WALES),
    )
    assert quiet.before is None and not quiet.due_today and not quiet.overdue
    assert quiet.rungs(date(2026, 6, 3)) == [Rung.ESCALATE]  # escalation cannot be switched off (1 to 60)
