"""Working-day arithmetic, checked the way a chair would check a deadline on a letter: by hand, against the
published bank holidays, and against a slow day-by-day count."""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trigger.domain.workdays import (
    CLOSURE_NAME,
    HolidayDataMissing,
    Nation,
    WorkingCalendar,
    known_years,
    library_holidays,
)

ENGLAND = WorkingCalendar(Nation.ENGLAND_AND_WALES)
SCOTLAND = WorkingCalendar(Nation.SCOTLAND)
NORTHERN_IRELAND = WorkingCalendar(Nation.NORTHERN_IRELAND)
CALENDARS = {
    Nation.ENGLAND_AND_WALES: ENGLAND,
    Nation.SCOTLAND: SCOTLAND,
    Nation.NORTHERN_IRELAND: NORTHERN_IRELAND,
}

CHRISTMAS_CLOSURE_2026 = [date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)]
ENGLAND_WITH_CLOSURE = WorkingCalendar(Nation.ENGLAND_AND_WALES, closures=CHRISTMAS_CLOSURE_2026)

# England and Wales bank holidays that fall on weekdays, as published on GOV.UK.
ENGLAND_AND_WALES_BANK_HOLIDAYS = {
    2024: [
        date(2024, 1, 1), date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 6),
        date(2024, 5, 27), date(2024, 8, 26), date(2024, 12, 25), date(2024, 12, 26),
    ],
    2025: [
        date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5),
        date(2025, 5, 26), date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26),
    ],
    2026: [
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
        date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
    ],
    2027: [
        date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3),
        date(2027, 5, 31), date(2027, 8, 30), date(2027, 12, 27), date(2027, 12, 28),
    ],
}  # fmt: skip

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def weekday_holidays(calendar: WorkingCalendar, year: int) -> list[date]:
    return [day for day, _ in calendar.holidays_in(year) if day.weekday() < SAT]


# ---- a slow, obviously correct reference ------------------------------------------------------------

_SUBDIVISION = {Nation.ENGLAND_AND_WALES: "ENG", Nation.SCOTLAND: "SCT", Nation.NORTHERN_IRELAND: "NIR"}


@functools.cache
def reference_bank_holidays(nation: Nation, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=_SUBDIVISION[nation], years=year))


def reference_is_working(nation: Nation, closures: set[date], day: date) -> bool:
    bank = reference_bank_holidays(nation, day.year)
    return day.weekday() < SAT and day not in bank and day not in closures


def reference_add(nation: Nation, closures: set[date], start: date, n: int) -> date:
    step = timedelta(days=1 if n > 0 else -1)
    day, remaining = start, abs(n)
    while remaining:
        day += step
        if reference_is_working(nation, closures, day):
            remaining -= 1
    return day


# ---- nations and the library's subdivisions ----------------------------------------------------------


def test_nation_values_and_labels() -> None:
    assert [str(n) for n in Nation] == ["england-and-wales", "scotland", "northern-ireland"]
    assert [n.label for n in Nation] == ["England and Wales", "Scotland", "Northern Ireland"]
    assert WorkingCalendar("scotland").nation is Nation.SCOTLAND


def test_england_list_serves_wales_because_they_are_identical() -> None:
    for year in known_years():
        wales = holidays.country_holidays("GB", subdiv="WLS", years=year)
        assert library_holidays(Nation.ENGLAND_AND_WALES, year) == dict(wales), year


def test_unknown_nation_is_rejected() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar("wales")  # type: ignore[arg-type]


# ---- England and Wales bank holidays -----------------------------------------------------------------


@pytest.mark.parametrize("year", sorted(ENGLAND_AND_WALES_BANK_HOLIDAYS))
def test_england_and_wales_weekday_bank_holidays_match_gov_uk(year: int) -> None:
    assert weekday_holidays(ENGLAND, year) == ENGLAND_AND_WALES_BANK_HOLIDAYS[year]


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 4, 18), "Good Friday"),
        (date(2025, 4, 21), "Easter Monday"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 26), "Boxing Day"),  # a Saturday: named, but a weekend anyway
        (date(2026, 12, 28), "Boxing Day (observed)"),
        (date(2027, 12, 25), "Christmas Day"),
        (date(2027, 12, 27), "Christmas Day (observed)"),
        (date(2027, 12, 28), "Boxing Day (observed)"),
        (date(2022, 6, 3), "Platinum Jubilee of Elizabeth II"),
        (date(2022, 9, 19), "State Funeral of Queen Elizabeth II"),
        (date(2023, 5, 8), "Coronation of Charles III"),
        (date(2020, 5, 8), "May Day"),  # moved from Monday 4 May for VE Day 75
    ],
)
def test_england_and_wales_holiday_names(day: date, name: str) -> None:
    assert ENGLAND.holiday_name(day) == name
    assert not ENGLAND.is_working_day(day)


def test_christmas_substitute_days_fall_on_the_following_weekdays() -> None:
    assert date(2026, 12, 25).weekday() == FRI
    assert date(2026, 12, 26).weekday() == SAT
    assert date(2027, 12, 25).weekday() == SAT
    assert [ENGLAND.is_working_day(date(2026, 12, d)) for d in range(24, 30)] == [
        True, False, False, False, False, True,
    ]  # fmt: skip
    assert [ENGLAND.is_working_day(date(2027, 12, d)) for d in range(24, 30)] == [
        True, False, False, False, False, True,
    ]  # fmt: skip


def test_may_day_2020_moved_so_monday_4_may_2020_was_a_working_day() -> None:
    assert ENGLAND.is_working_day(date(2020, 5, 4))


def test_holidays_in_lists_names_in_date_order() -> None:
    assert ENGLAND.holidays_in(2026) == [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 5, 4), "May Day"),
        (date(2026, 5, 25), "Spring Bank Holiday"),
        (date(2026, 8, 31), "Late Summer Bank Holiday"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 26), "Boxing Day"),
        (date(2026, 12, 28), "Boxing Day (observed)"),
    ]


# ---- Scotland ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_scotland_has_2_january(year: int) -> None:
    assert SCOTLAND.holiday_name(date(year, 1, 2)) == "New Year Holiday"
    assert ENGLAND.is_working_day(date(year, 1, 2))


def test_scotland_2_january_2027_is_a_saturday_so_monday_4_january_is_the_substitute() -> None:
    assert date(2027, 1, 2).weekday() == SAT
    assert SCOTLAND.holiday_name(date(2027, 1, 4)) == "New Year Holiday (observed)"
    assert not SCOTLAND.is_working_day(date(2027, 1, 4))
    assert ENGLAND.is_working_day(date(2027, 1, 4))


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2024, 12, 2), "Saint Andrew's Day (observed)"),  # 30 Nov 2024 was a Saturday
        (date(2025, 12, 1), "Saint Andrew's Day (observed)"),  # 30 Nov 2025 is a Sunday
        (date(2026, 11, 30), "Saint Andrew's Day"),
        (date(2027, 11, 30), "Saint Andrew's Day"),
        (date(2025, 8, 4), "Summer Bank Holiday"),  # first Monday of August in Scotland
    ],
)
def test_scottish_holidays(day: date, name: str) -> None:
    assert SCOTLAND.holiday_name(day) == name
    assert not SCOTLAND.is_working_day(day)
    assert ENGLAND.is_working_day(day)


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_easter_monday_and_late_august_are_working_days_in_scotland(year: int) -> None:
    published = ENGLAND_AND_WALES_BANK_HOLIDAYS[year]
    easter_monday, late_summer = published[2], published[5]
    assert ENGLAND.holiday_name(easter_monday) == "Easter Monday"
    assert ENGLAND.holiday_name(late_summer) == "Late Summer Bank Holiday"
    assert SCOTLAND.is_working_day(easter_monday)
    assert SCOTLAND.is_working_day(late_summer)


# ---- Northern Ireland ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2024, 7, 12), "Battle of the Boyne"),
        (date(2025, 7, 14), "Battle of the Boyne (observed)"),  # 12 July 2025 is a Saturday
        (date(2027, 7, 12), "Battle of the Boyne"),
        (date(2025, 3, 17), "Saint Patrick's Day"),
        (date(2024, 3, 18), "Saint Patrick's Day (observed)"),  # 17 March 2024 was a Sunday
    ],
)
def test_northern_ireland_holidays(day: date, name: str) -> None:
    assert NORTHERN_IRELAND.holiday_name(day) == name
    assert not NORTHERN_IRELAND.is_working_day(day)
    assert ENGLAND.is_working_day(day)
    assert SCOTLAND.is_working_day(day)


def test_northern_ireland_keeps_easter_monday() -> None:
    assert not NORTHERN_IRELAND.is_working_day(date(2025, 4, 21))


# ---- single days ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("calendar", CALENDARS.values(), ids=str)
def test_weekends_are_never_working_days(calendar: WorkingCalendar) -> None:
    assert not calendar.is_working_day(date(2025, 6, 7))  # Saturday
    assert not calendar.is_working_day(date(2025, 6, 8))  # Sunday
    assert calendar.is_working_day(date(2025, 6, 9))  # Monday
    assert calendar.holiday_name(date(2025, 6, 7)) is None


def test_an_ordinary_weekday_has_no_holiday_name() -> None:
    assert ENGLAND.holiday_name(date(2025, 6, 11)) is None


def test_closure_days_are_not_working_days_and_are_named() -> None:
    for day in CHRISTMAS_CLOSURE_2026:
        assert ENGLAND.is_working_day(day)
        assert not ENGLAND_WITH_CLOSURE.is_working_day(day)
        assert ENGLAND_WITH_CLOSURE.holiday_name(day) == CLOSURE_NAME == "Local closure day"


def test_a_closure_on_a_bank_holiday_keeps_the_bank_holiday_name() -> None:
    calendar = WorkingCalendar(Nation.ENGLAND_AND_WALES, closures=[date(2026, 12, 25), date(2026, 12, 24)])
    assert calendar.holidays_in(2026)[-4:] == [
        (date(2026, 12, 24), CLOSURE_NAME),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 26), "Boxing Day"),
        (date(2026, 12, 28), "Boxing Day (observed)"),
    ]


def test_closures_accept_any_iterable_and_do_not_leak_between_calendars() -> None:
    calendar = WorkingCalendar(Nation.ENGLAND_AND_WALES, closures=(d for d in CHRISTMAS_CLOSURE_2026))
    assert calendar.closures == frozenset(CHRISTMAS_CLOSURE_2026)
    assert ENGLAND.is_working_day(date(2026, 12, 29))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 6, 11), date(2025, 6, 11)),  # a working Wednesday is its own next working day
        (date(2025, 6, 7), date(2025, 6, 9)),  # Saturday -> Monday
        (date(2025, 4, 18), date(2025, 4, 22)),  # Good Friday -> Tuesday after Easter Monday
        (date(2026, 12, 25), date(2026, 12, 29)),
        (date(2027, 12, 25), date(2027, 12, 29)),
    ],
)
def test_next_working_day(day: date, expected: date) -> None:
    assert ENGLAND.next_working_day(day) == expected


def test_next_working_day_skips_closures_into_the_new_year() -> None:
    assert ENGLAND_WITH_CLOSURE.next_working_day(date(2026, 12, 25)) == date(2027, 1, 4)


# ---- adding working days, checked by hand --------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "start", "n", "expected"),
    [
        # Mon 21 Dec 2026: Tue 22, Wed 23, Thu 24, (Fri 25 Christmas, weekend, Mon 28 Boxing Day
        # substitute), Tue 29, Wed 30.
        (ENGLAND, date(2026, 12, 21), 5, date(2026, 12, 30)),
        # Same, office shut 29-31 Dec: Tue 22, Wed 23, Thu 24, (Fri 1 Jan, weekend), Mon 4, Tue 5 Jan.
        (ENGLAND_WITH_CLOSURE, date(2026, 12, 21), 5, date(2027, 1, 5)),
        # Received Fri 19 Dec 2025: Mon 22, Tue 23, Wed 24, (Thu 25, Fri 26, weekend), Mon 29, Tue 30.
        (ENGLAND, date(2025, 12, 19), 5, date(2025, 12, 30)),
        # Wed 16 Apr 2025: Thu 17, (Good Friday, weekend, Easter Monday), Tue 22 ... Fri 25.
        (ENGLAND, date(2025, 4, 16), 5, date(2025, 4, 25)),
        # Scotland works on Easter Monday: Thu 17, Mon 21, Tue 22, Wed 23, Thu 24.
        (SCOTLAND, date(2025, 4, 16), 5, date(2025, 4, 24)),
        # NI: 12 July 2025 is a Saturday, so Monday 14 is the substitute.
        (NORTHERN_IRELAND, date(2025, 7, 11), 1, date(2025, 7, 15)),
        (ENGLAND, date(2025, 7, 11), 1, date(2025, 7, 14)),
        # Scotland: Fri 1 Jan, Mon 4 Jan 2027 (2 January substitute).
        (SCOTLAND, date(2026, 12, 31), 1, date(2027, 1, 5)),
        (ENGLAND, date(2026, 12, 31), 1, date(2027, 1, 4)),
        # An application received on a Saturday: Monday is day 1.
        (ENGLAND, date(2025, 7, 5), 1, date(2025, 7, 7)),
        (ENGLAND, date(2025, 7, 5), 5, date(2025, 7, 11)),
        (ENGLAND, date(2025, 6, 13), 1, date(2025, 6, 16)),  # Friday + 1 -> Monday
        (ENGLAND, date(2025, 6, 9), 4, date(2025, 6, 13)),  # within one week
        # Zero is the start itself, working day or not.
        (ENGLAND, date(2025, 6, 11), 0, date(2025, 6, 11)),
        (ENGLAND, date(2025, 6, 7), 0, date(2025, 6, 7)),
        (ENGLAND, date(2026, 12, 25), 0, date(2026, 12, 25)),
        # Backwards, for "remind 5 working days before": Tue 5 Jan 2027 -> Mon 4, Thu 31, Wed 30, Tue 29,
        # (Mon 28, weekend, Fri 25), Thu 24 Dec.
        (ENGLAND, date(2027, 1, 5), -5, date(2026, 12, 24)),
        (ENGLAND, date(2026, 12, 29), -1, date(2026, 12, 24)),
        (ENGLAND, date(2026, 12, 26), -1, date(2026, 12, 24)),  # the working day before a Saturday
        (ENGLAND, date(2025, 6, 16), -1, date(2025, 6, 13)),  # Monday - 1 -> Friday
        (ENGLAND, date(2025, 4, 22), -1, date(2025, 4, 17)),  # back over Easter
    ],
)
def test_add_working_days_by_hand(calendar: WorkingCalendar, start: date, n: int, expected: date) -> None:
    assert calendar.add_working_days(start, n) == expected


def test_add_working_days_over_several_years_matches_a_day_by_day_count() -> None:
    start = date(2023, 3, 15)
    for n in (253, 600, -600, 1000):
        assert ENGLAND.add_working_days(start, n) == reference_add(Nation.ENGLAND_AND_WALES, set(), start, n)


# ---- counting between dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "start", "end", "expected"),
    [
        (ENGLAND, date(2025, 6, 11), date(2025, 6, 11), 0),
        (ENGLAND, date(2025, 6, 7), date(2025, 6, 7), 0),
        (ENGLAND, date(2025, 6, 13), date(2025, 6, 16), 1),  # Friday to Monday
        (ENGLAND, date(2025, 6, 13), date(2025, 6, 14), 0),  # Friday to Saturday
        (ENGLAND, date(2025, 6, 14), date(2025, 6, 16), 1),  # Saturday to Monday
        (ENGLAND, date(2026, 12, 21), date(2026, 12, 30), 5),
        (ENGLAND_WITH_CLOSURE, date(2026, 12, 21), date(2027, 1, 5), 5),
        (ENGLAND, date(2026, 12, 30), date(2026, 12, 21), -5),
        (ENGLAND, date(2025, 6, 16), date(2025, 6, 13), -1),  # Monday back to Friday
        (ENGLAND, date(2025, 6, 14), date(2025, 6, 13), -1),  # Saturday back to Friday
        (ENGLAND, date(2025, 6, 16), date(2025, 6, 14), 0),  # Monday back to Saturday
        # 2025 in England and Wales: 261 weekdays less 8 bank holidays.
        (ENGLAND, date(2025, 1, 1), date(2026, 1, 1), 253),
        (ENGLAND, date(2026, 1, 1), date(2025, 1, 1), -253),
        (SCOTLAND, date(2025, 1, 1), date(2026, 1, 1), 252),  # 2 Jan and St Andrew's, no Easter Monday/Aug
        (ENGLAND, date(2025, 4, 17), date(2025, 4, 22), 1),  # Thursday to Tuesday over Easter
        (SCOTLAND, date(2025, 4, 17), date(2025, 4, 22), 2),
    ],
)
def test_working_days_between(calendar: WorkingCalendar, start: date, end: date, expected: int) -> None:
    assert calendar.working_days_between(start, end) == expected


# ---- properties ---------------------------------------------------------------------------------------

# 300 working days is about 14 months, so every result stays inside the supported years.
dates = st.dates(min_value=date(2001, 3, 1), max_value=date(2038, 10, 31))
counts = st.integers(min_value=-300, max_value=300)
nations = st.sampled_from(list(Nation))


@given(nation=nations, start=dates, n=counts)
def test_counting_undoes_adding(nation: Nation, start: date, n: int) -> None:
    calendar = CALENDARS[nation]
    assert calendar.working_days_between(start, calendar.add_working_days(start, n)) == n


@given(nation=nations, start=dates, end=dates)
def test_adding_undoes_counting_when_the_end_is_a_working_day(nation: Nation, start: date, end: date) -> None:
    calendar = CALENDARS[nation]
    end = calendar.next_working_day(end)
    assert calendar.add_working_days(start, calendar.working_days_between(start, end)) == end


@given(nation=nations, start=dates, n=counts.filter(bool))
def test_a_non_zero_shift_always_lands_on_a_working_day_on_the_right_side(nation: Nation, start: date, n: int) -> None:
    calendar = CALENDARS[nation]
    result = calendar.add_working_days(start, n)
    assert calendar.is_working_day(result)
    assert result > start if n > 0 else result < start


@given(nation=nations, start=dates, n=counts)
def test_adding_is_strictly_increasing_in_n(nation: Nation, start: date, n: int) -> None:
    calendar = CALENDARS[nation]
    assert calendar.add_working_days(start, n) < calendar.add_working_days(start, n + 1)


@given(nation=nations, a=dates, b=dates, n=counts)
def test_adding_never_reorders_start_dates(nation: Nation, a: date, b: date, n: int) -> None:
    calendar = CALENDARS[nation]
    early, late = sorted((a, b))
    assert calendar.add_working_days(early, n) <= calendar.add_working_days(late, n)


@given(nation=nations, a=dates, b=dates)
def test_counting_is_antisymmetric_between_working_days(nation: Nation, a: date, b: date) -> None:
    calendar = CALENDARS[nation]
    a, b = calendar.next_working_day(a), calendar.next_working_day(b)
    assert calendar.working_days_between(a, b) == -calendar.working_days_between(b, a)


@settings(max_examples=60, deadline=None)
@given(
    nation=nations,
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 6, 30)),
    n=st.integers(min_value=-40, max_value=40),
    closures=st.sets(st.dates(min_value=date(2023, 10, 1), max_value=date(2027, 10, 31)), max_size=30),
)
def test_matches_a_day_by_day_count(nation: Nation, start: date, n: int, closures: set[date]) -> None:
    calendar = WorkingCalendar(nation, closures=closures)
    assert calendar.add_working_days(start, n) == reference_add(nation, closures, start, n)
    assert calendar.is_working_day(start) == reference_is_working(nation, closures, start)


@given(nation=nations, day=dates)
def test_next_working_day_is_the_first_working_day_on_or_after(nation: Nation, day: date) -> None:
    calendar = CALENDARS[nation]
    result = calendar.next_working_day(day)
    assert result >= day
    assert calendar.is_working_day(result)
    assert not any(calendar.is_working_day(day + timedelta(days=i)) for i in range((result - day).days))


# ---- missing holiday data is an error, never a silent zero ---------------------------------------------


def test_default_supported_years() -> None:
    assert known_years() == range(2000, 2040)
    assert ENGLAND.years_supported == known_years()


def test_a_year_after_the_supported_range_raises_with_a_message_naming_the_year() -> None:
    with pytest.raises(HolidayDataMissing) as raised:
        ENGLAND.is_working_day(date(2041, 3, 3))
    assert str(raised.value) == (
        "No bank-holiday data for 2041 (England and Wales): deadlines cannot be counted. "
        "Update the holidays package or the supported range."
    )
    assert raised.value.year == 2041
    assert raised.value.nation is Nation.ENGLAND_AND_WALES


@pytest.mark.parametrize(
    ("call", "year"),
    [
        (lambda c: c.add_working_days(date(2039, 12, 30), 5), 2040),  # runs off the end of the range
        (lambda c: c.add_working_days(date(2000, 1, 4), -5), 1999),  # runs off the start
        (lambda c: c.add_working_days(date(2040, 1, 6), 0), 2040),  # even a zero shift
        (lambda c: c.working_days_between(date(2039, 6, 1), date(2040, 1, 10)), 2040),
        (lambda c: c.working_days_between(date(2040, 1, 10), date(2039, 6, 1)), 2040),
        (lambda c: c.next_working_day(date(2039, 12, 31)), 2040),  # a Saturday: Monday is in 2040
        (lambda c: c.holiday_name(date(1999, 12, 31)), 1999),
        (lambda c: c.holidays_in(2045), 2045),
    ],
)
def test_every_operation_refuses_unsupported_years(call, year: int) -> None:
    with pytest.raises(HolidayDataMissing, match=f"for {year} "):
        call(SCOTLAND)


def test_the_last_supported_day_still_works() -> None:
    # Tue 20 Dec 2039: Wed 21, Thu 22, Fri 23, (weekend, Mon 26 and Tue 27 Christmas), Wed 28, Thu 29.
    assert ENGLAND.add_working_days(date(2039, 12, 20), 5) == date(2039, 12, 29)


def test_the_supported_range_is_configurable() -> None:
    calendar = WorkingCalendar(Nation.ENGLAND_AND_WALES, years_supported=range(2024, 2027))
    assert calendar.add_working_days(date(2026, 12, 21), 5) == date(2026, 12, 30)
    with pytest.raises(HolidayDataMissing, match="2027"):
        calendar.add_working_days(date(2026, 12, 21), 9)
    with pytest.raises(HolidayDataMissing, match="2023"):
        calendar.is_working_day(date(2023, 6, 1))


def test_a_year_the_library_cannot_generate_is_missing_even_when_configured() -> None:
    calendar = WorkingCalendar(Nation.NORTHERN_IRELAND, years_supported=range(2100, 2102))
    assert calendar.is_working_day(date(2100, 6, 1))
    with pytest.raises(HolidayDataMissing, match="No bank-holiday data for 2101 \\(Northern Ireland\\)"):
        calendar.is_working_day(date(2101, 6, 1))


def test_an_empty_year_from_the_source_is_missing_not_holiday_free() -> None:
    calendar = WorkingCalendar(Nation.SCOTLAND, source=lambda nation, year: {})
    with pytest.raises(HolidayDataMissing, match="No bank-holiday data for 2030 \\(Scotland\\)"):
        calendar.add_working_days(date(2030, 5, 1), 5)


def test_a_year_without_christmas_is_incomplete() -> None:
    calendar = WorkingCalendar(
        Nation.ENGLAND_AND_WALES, source=lambda nation, year: {date(year, 1, 1): "New Year's Day"}
    )
    with pytest.raises(HolidayDataMissing, match="Incomplete bank-holiday data .* for 2030"):
        calendar.is_working_day(date(2030, 5, 1))


def test_a_custom_source_is_used_and_asked_once_per_year() -> None:
    asked: list[tuple[Nation, int]] = []

    def source(nation: Nation, year: int) -> dict[date, str]:
        asked.append((nation, year))
        return {date(year, 12, 25): "Christmas Day", date(year, 6, 2): "Founders' Day"}

    calendar = WorkingCalendar(Nation.SCOTLAND, source=source)
    assert calendar.holiday_name(date(2026, 6, 2)) == "Founders' Day"
    for start in (date(2026, 1, 5) + timedelta(days=i) for i in range(360)):
        calendar.add_working_days(start, 20)
    assert asked == [(Nation.SCOTLAND, 2026), (Nation.SCOTLAND, 2027)]


@pytest.mark.parametrize("years", [range(2000, 2040, 2), range(2030, 2030)])
def test_years_supported_must_be_consecutive_and_non_empty(years: range) -> None:
    with pytest.raises(ValueError, match="years_supported"):
        WorkingCalendar(Nation.ENGLAND_AND_WALES, years_supported=years)


def test_repr_is_readable() -> None:
    assert repr(ENGLAND_WITH_CLOSURE) == "WorkingCalendar('England and Wales', 3 closure days, years 2000-2039)"
