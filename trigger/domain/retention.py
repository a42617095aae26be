"""Retention rules, without Flask or a database: when a closed case is due for anonymisation, which cases a run
takes, how long operational records are kept, and how other people's names are redacted from free text.

A case closed on ``closed_on`` in an area keeping cases ``years`` years is due on the same day ``years`` years
later (29 February becomes 28 February in a year without one). A case under a legal hold is never due.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

#: Default retention of a closed case, in years (DOMAIN.md section 6: typically 3-6 years after closure).
DEFAULT_RETENTION_YEARS = 6
MIN_RETENTION_YEARS = 1
MAX_RETENTION_YEARS = 30

#: Operational records, purged on their own schedule (days).
LOGIN_ATTEMPT_DAYS = 30
PUBLIC_SUBMISSION_DAYS = 30
ENDED_SESSION_DAYS = 30
DEFAULT_SENT_EMAIL_BODY_DAYS = 90

#: What anonymised fields say instead of the personal data they held.
REMOVED = "[removed under the retention policy]"
ANONYMISED_APPLICANT = "Anonymised applicant"
ANONYMISED_VICTIM = "Anonymised victim"
ANONYMISED_PERSON = "Anonymised person"
ANONYMISED_ATTENDEE = "Anonymised attendee"
ANONYMISED_RECIPIENT = "Anonymised recipient"
REDACTED = "[redacted: another person]"


def add_years(day: date, years: int) -> date:
    """``day`` moved ``years`` years on (or back, if negative); 29 February becomes 28 February when needed."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def due_on(closed_on: date, years: int) -> date:
    """The day a case closed on ``closed_on`` becomes due for anonymisation."""
    return add_years(closed_on, years)


def latest_due_closure(today: date, years: int) -> date:
    """The latest closure date that is due by ``today``: a case is due iff ``closed_on <= latest_due_closure``.

    Lets the database select due cases with one comparison per area (due_on is monotonic in closed_on).
    """
    cutoff = add_years(today, -years)
    while due_on(cutoff + timedelta(days=1), years) <= today:
        cutoff += timedelta(days=1)
    while due_on(cutoff, years) > today:
        cutoff -= timedelta(days=1)
    return cutoff


class Verdict(StrEnum):
    DUE = "due"
    HELD = "held"
    NOT_YET = "not-yet"
    OPEN = "open"
    ALREADY_ANONYMISED = "already-anonymised"


@dataclass(frozen=True)
class CaseFacts:
    """What the rule needs to know about one case."""

    closed_on: date | None
    is_closed: bool
    on_hold: bool
    anonymised: bool


def verdict(facts: CaseFacts, years: int, today: date) -> Verdict:
    """Is the case due for anonymisation today? A hold wins over everything but an anonymisation already done."""
    if facts.anonymised:
        return Verdict.ALREADY_ANONYMISED
    if not facts.is_closed or facts.closed_on is None:
        return Verdict.OPEN
    if due_on(facts.closed_on, years) > today:
        return Verdict.NOT_YET
    if facts.on_hold:
        return Verdict.HELD
    return Verdict.DUE


def validate_retention_years(years: int | None) -> str | None:
    """An error message for an unacceptable retention period, or None."""
    if years is None:
        return "Enter the retention period in whole years, like 6"
    if not MIN_RETENTION_YEARS <= years <= MAX_RETENTION_YEARS:
        return f"The retention period must be between {MIN_RETENTION_YEARS} and {MAX_RETENTION_YEARS} years"
    return None


def redact(text: str, names: Iterable[str]) -> str:
    """``text`` with every whole-word occurrence of any of ``names`` (case-insensitive) replaced by REDACTED.

    Used by subject access exports: free text about one person often names others (a neighbour, a child).
    Names shorter than 3 characters are ignored (they would match ordinary words).
    """
    wanted = sorted({name.strip() for name in names if name and len(name.strip()) >= 3}, key=len, reverse=True)
    if not text or not wanted:
        return text
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(name) for name in wanted) + r")\b", re.IGNORECASE)
    return pattern.sub(REDACTED, text)
