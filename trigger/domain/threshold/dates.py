"""Calendar months as the threshold counts them (inclusive, the day clamped to the month's end), and the dates and
periods written out in the reasons."""

from __future__ import annotations

import calendar
from datetime import date


_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def add_months(d: date, n: int) -> date:
    """Return the date `n` calendar months after `d` (before it, if `n` is negative).

    The day is clamped to the last day of the target month, so 31 January plus one month is 28 February (29 in a
    leap year). This is how people count "one month after" and how UK courts read calendar-month periods, and it
    avoids the drift of "30 days" or "183 days" approximations.
    """
    year, month_index = divmod(d.year * 12 + (d.month - 1) + n, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(d.day, last_day))


def format_date(d: date) -> str:
    """Write a date the way letters do: "3 May 2026".

    Built by hand rather than with strftime: `%-d` is not portable (it fails on Windows) and `%B` follows the
    process locale, while letters must always read the same.
    """
    return f"{d.day} {_MONTH_NAMES[d.month - 1]} {d.year}"


def _months(n: int) -> str:
    return "1 month" if n == 1 else f"{n} months"


def _days_after_incident(days: int) -> str:
    if days == 0:
        return "the day of the incident"
    if days == 1:
        return "1 day after the incident"
    return f"{days} days after the incident"


def _complaints(n: int) -> str:
    if n == 0:
        return "no qualifying complaints"
    return "1 qualifying complaint" if n == 1 else f"{n} qualifying complaints"
