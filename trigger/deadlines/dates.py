"""Dates as the deadlines count and show them: today where the partnership works, a date written out in full,
and which deadlines are the applicant's own window rather than work for staff to chase."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from trigger.domain.deadlines import DeadlineKind

LONDON = ZoneInfo("Europe/London")

#: The applicant's own window to ask for an escalation: a date to show, not work for staff to chase.
APPLICANT_WINDOWS = frozenset({DeadlineKind.ESCALATION_REQUEST})


def london_today() -> date:
    """Today's date where the partnership works (a server in UTC would otherwise be wrong after 11pm in summer)."""
    return datetime.now(LONDON).date()


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
