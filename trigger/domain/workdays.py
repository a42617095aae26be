"""Working days for statutory timescales: weekends, the nation's bank holidays and local closures.

Every Community Trigger deadline (acknowledge within 5 working days, decide the threshold within 10, and so
on) is counted in working days, so a wrong calendar means wrong dates on letters sent to victims. Two rules
shape this module:

* **Never silently degrade.** The ``holidays`` package computes any year by rule, so an empty or missing year
  would otherwise look like "no bank holidays" and quietly shift every deadline. A calendar therefore only
  trusts an explicit range of years and raises :class:`HolidayDataMissing` the moment a computation touches a
  year outside it, or a year for which the data is empty or plainly incomplete.
* **Cheap enough for batches.** Reports recompute deadlines for every case, so each year is turned once into
  a sorted list of working-day ordinals and every query is a dictionary look-up plus a binary search.

Counting convention (the one statutory guidance and published local procedures use): the start date is day 0,
and "5 working days after receipt" is the fifth working day *after* the day of receipt, whatever day of the
week the application arrived.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

import holidays

__all__ = [
    "CLOSURE_NAME",
    "DEFAULT_SUPPORTED_YEARS",
    "HolidayDataMissing",
    "HolidaySource",
    "Nation",
    "WorkingCalendar",
    "known_years",
    "library_holidays",
]


class Nation(StrEnum):
    """The bank-holiday list an area follows. England and Wales share one list; the other two differ."""

    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"

    @property
    def label(self) -> str:
        """The nation's name as written in messages to people."""
        return _NATION_LABELS[self]


_NATION_LABELS: Mapping[Nation, str] = {
    Nation.ENGLAND_AND_WALES: "England and Wales",
    Nation.SCOTLAND: "Scotland",
    Nation.NORTHERN_IRELAND: "Northern Ireland",
}

# Subdivision codes of holidays.country_holidays("GB", ...). England's and Wales's lists are identical
# ("WLS" exists too), so one code serves both.
_GB_SUBDIVISION: Mapping[Nation, str] = {
    Nation.ENGLAND_AND_WALES: "ENG",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}

#: Years whose bank holidays we trust by default. Past years include the one-off days (jubilees, the state
#: funeral, the coronation) the package records; far-future years cannot know about one-off days yet, so the
#: range stops where a deadline could plausibly fall within the life of a release.
DEFAULT_SUPPORTED_YEARS: range = range(2000, 2040)

#: The name given to a local closure day (e.g. an office shut between Christmas and New Year).
CLOSURE_NAME = "Local closure day"

#: Where bank holidays come from: (nation, year) -> {date: name}. The default reads the ``holidays``
#: package; a deployment could instead pass GOV.UK's published bank-holidays feed, and tests pass fakes.
HolidaySource = Callable[[Nation, int], Mapping[date, str]]


class HolidayDataMissing(Exception):
    """A deadline computation needed a year for which no trustworthy bank-holiday data exists.

    Raised rather than counting as if the year had no holidays, because a deadline that is silently one or
    two days early would be printed on a letter to a victim.
    """

    def __init__(self, year: int, nation: Nation, reason: str = "No bank-holiday data") -> None:
        self.year = year
        self.nation = nation
        super().__init__(
            f"{reason} for {year} ({nation.label}): deadlines cannot be counted. "
            "Update the holidays package or the supported range."
        )


def known_years() -> range:
    """The years a calendar trusts unless it is given its own ``years_supported``."""
    return DEFAULT_SUPPORTED_YEARS


@lru_cache(maxsize=512)
def _library_holidays_cached(subdivision: str, year: int) -> tuple[tuple[date, str], ...]:
    # Cached across calendars because building a year in the package costs far more than a look-up, and
    # calendars are cheap objects that may be created per request.
    generated = holidays.country_holidays("GB", subdiv=subdivision, years=year, observed=True)
    return tuple(sorted((day, name) for day, name in generated.items() if day.year == year))


def library_holidays(nation: Nation, year: int) -> Mapping[date, str]:
    """Bank holidays for one year from the ``holidays`` package, substitute ("observed") days included."""
    return dict(_library_holidays_cached(_GB_SUBDIVISION[nation], year))


@dataclass(frozen=True, slots=True)
class _Year:
    """One year, precomputed: sorted ordinals of its working days, and its named non-working days."""

    working: list[int]
    named: Mapping[date, str]


class WorkingCalendar:
    """Working days for one nation, with an area's own closure days, over an explicit range of years.

    Counting rules, which every deadline relies on:

    * ``add_working_days(d, n)`` with ``n > 0`` is the n-th working day strictly after ``d``; with ``n < 0``
      the |n|-th working day strictly before ``d``; with ``n == 0`` it is ``d`` itself.
    * ``working_days_between(start, end)`` counts the working days after ``start`` up to and including
      ``end`` (and, mirrored, minus the working days before ``start`` down to and including ``end`` when
      ``end`` is earlier), so that ``working_days_between(d, add_working_days(d, n)) == n`` for every ``d``
      and ``n``.
    """

    def __init__(
        self,
        nation: Nation,
        closures: Iterable[date] = frozenset(),
        years_supported: range = DEFAULT_SUPPORTED_YEARS,
        *,
        source: HolidaySource = library_holidays,
    ) -> None:
        if years_supported.step != 1 or len(years_supported) == 0:
            raise ValueError(
                f"years_supported must be a non-empty range of consecutive years, not {years_supported!r}."
            )
        self.nation = Nation(nation)
        self.closures: frozenset[date] = frozenset(closures)
        self.years_supported = years_supported
        self._source = source
        self._years: dict[int, _Year] = {}

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar({self.nation.label!r}, {len(self.closures)} closure days, "
            f"years {self.years_supported.start}-{self.years_supported.stop - 1})"
        )

    # ---- questions about single days -------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True unless ``day`` is a weekend, a bank holiday of the nation, or a local closure day."""
        working = self._year(day.year).working
        ordinal = day.toordinal()
        index = bisect.bisect_left(working, ordinal)
        return index < len(working) and working[index] == ordinal

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, otherwise the first working day after it."""
        if self.is_working_day(day):
            return day
        return self.add_working_days(day, 1)

    def holiday_name(self, day: date) -> str | None:
        """Why a weekday is not a working day ("Good Friday", "Local closure day"), or None if it is one.

        Weekends get a name only when a holiday falls on them (e.g. Boxing Day on a Saturday).
        """
        return self._year(day.year).named.get(day)

    def holidays_in(self, year: int) -> list[tuple[date, str]]:
        """Every named non-working day of ``year``, in date order: bank holidays, substitutes, closures."""
        return sorted(self._year(year).named.items())

    # ---- counting ---------------------------------------------------------------------------------

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (before it when ``n`` is negative); ``start`` when n == 0.

        ``start`` need not be a working day: an application received on a Saturday is acknowledged within
        5 working days counting from the Monday as day 1.
        """
        self._year(start.year)  # even n == 0 must not vouch for a year we know nothing about
        if n > 0:
            return self._forward(start, n)
        if n < 0:
            return self._backward(start, -n)
        return start

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier.

        For ``end < start`` it is minus the working days from ``end`` up to but excluding ``start``: the
        mirror image of the forward count, which keeps ``add_working_days`` and this function exact inverses.
        """
        inclusive = end >= start  # which edge is counted flips with the direction
        if start.year == end.year:  # most counts (a list page asks one a row): one year's days, two bisections
            working = self._year(start.year).working
            find = bisect.bisect_right if inclusive else bisect.bisect_left
            return find(working, end.toordinal()) - find(working, start.toordinal())
        base = min(start.year, end.year)
        upto_end = self._count_upto(end, base, inclusive=inclusive)
        return upto_end - self._count_upto(start, base, inclusive=inclusive)

    # ---- internals ----------------------------------------------------------------------------------

    def _forward(self, start: date, n: int) -> date:
        year = start.year
        working = self._year(year).working
        index = bisect.bisect_right(working, start.toordinal()) + n - 1
        while index >= len(working):
            index -= len(working)
            year += 1
            working = self._year(year).working
        return date.fromordinal(working[index])

    def _backward(self, start: date, n: int) -> date:
        year = start.year
        working = self._year(year).working
        index = bisect.bisect_left(working, start.toordinal()) - n
        while index < 0:
            year -= 1
            working = self._year(year).working
            index += len(working)
        return date.fromordinal(working[index])

    def _count_upto(self, day: date, base_year: int, *, inclusive: bool) -> int:
        """Working days from 1 January of ``base_year`` up to ``day`` (including ``day`` if ``inclusive``).

        Used in pairs with the same base year, so only the difference matters; every year in between is
        loaded, so counting across a missing year raises instead of skipping it.
        """
        total = sum(len(self._year(year).working) for year in range(base_year, day.year))
        working = self._year(day.year).working
        ordinal = day.toordinal()
        found = bisect.bisect_right(working, ordinal) if inclusive else bisect.bisect_left(working, ordinal)
        return total + found

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            cached = self._years[year] = self._build_year(year)
        return cached

    def _build_year(self, year: int) -> _Year:
        if year not in self.years_supported:
            raise HolidayDataMissing(year, self.nation)
        supplied = self._source(self.nation, year)
        bank_holidays = {day: name for day, name in supplied.items() if day.year == year}
        _check_complete(bank_holidays, year, self.nation)
        named = {day: CLOSURE_NAME for day in self.closures if day.year == year}
        named.update(bank_holidays)  # a bank holiday's own name is more useful than "closure"
        return _Year(working=_working_ordinals(year, named.keys()), named=named)


def _check_complete(bank_holidays: Mapping[date, str], year: int, nation: Nation) -> None:
    """Refuse a year whose data is empty, or lacks Christmas Day, which every UK nation always has."""
    if not bank_holidays:
        raise HolidayDataMissing(year, nation)
    if date(year, 12, 25) not in bank_holidays:
        raise HolidayDataMissing(year, nation, reason="Incomplete bank-holiday data (no Christmas Day)")


def _working_ordinals(year: int, non_working: Iterable[date]) -> list[int]:
    """Sorted ordinals of the weekdays of ``year`` that are not in ``non_working``."""
    closed = {day.toordinal() for day in non_working}
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    # date.fromordinal(o).weekday() == (o - 1) % 7, Monday being 0: skip Saturdays (5) and Sundays (6).
    return [o for o in range(first, last + 1) if (o - 1) % 7 < 5 and o not in closed]
