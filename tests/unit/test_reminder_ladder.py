"""The reminder ladder (trigger.domain.reminders): which reminders a deadline calls for on a given day."""

from datetime import date

import pytest

from trigger.domain.reminders import Ladder, Rung, reminder_horizon, rungs_due
from trigger.domain.workdays import HolidayDataMissing, Nation, WorkingCalendar

CAL = WorkingCalendar(Nation.ENGLAND_AND_WALES)
DUE = date(2026, 12, 30)  # a Wednesday after Christmas (25th) and the substitute Boxing Day (28th)


@pytest.mark.parametrize(
    "today, expected",
    [
        (date(2026, 12, 21), []),  # 3 working days before (22, 23, 24, 29 ... ) - too early
        (date(2026, 12, 24), [Rung.BEFORE]),  # 2 working days before: Thursday 24th, then Tuesday 29th
        (date(2026, 12, 28), [Rung.BEFORE]),  # a missed run on a bank holiday still sends it (once, by its key)
        (DUE, [Rung.DUE_TODAY]),
        (date(2026, 12, 31), [Rung.OVERDUE]),
        (date(2027, 1, 7), [Rung.OVERDUE, Rung.ESCALATE]),  # 31st, 4th, 5th, 6th, 7th: 5 working days (1 Jan off)
    ],
)
def test_the_default_ladder_counts_working_days_across_christmas(today, expected):
    assert rungs_due(DUE, today, Ladder(), CAL) == expected


def test_escalation_comes_after_exactly_m_working_days():
    assert rungs_due(DUE, date(2027, 1, 6), Ladder(), CAL) == [Rung.OVERDUE]  # 4 working days (New Year's Day off)


def test_rungs_can_be_switched_off_and_keys_name_their_figures():
    quiet = Ladder(days_before=0, on_the_day=False, when_overdue=False, escalate_after=3)
    assert rungs_due(DUE, date(2026, 12, 29), quiet, CAL) == []
    assert rungs_due(DUE, DUE, quiet, CAL) == []
    assert rungs_due(DUE, date(2027, 1, 5), quiet, CAL) == [Rung.ESCALATE]
    assert Ladder().key(Rung.BEFORE) == "before:2" and Ladder().key(Rung.ESCALATE) == "overdue:5"
    assert reminder_horizon(date(2026, 12, 24), Ladder(), CAL) == DUE
    with pytest.raises(ValueError, match="0 to 20"):
        Ladder(days_before=21)


def test_a_year_without_holiday_data_is_refused_not_guessed():
    with pytest.raises(HolidayDataMissing, match="2045"):
        rungs_due(date(2045, 1, 10), date(2045, 1, 9), Ladder(), CAL)
