"""Stage deadlines of a Community Trigger case and how each one stands today.

The lifecycle (DOMAIN.md section 2) sets each stage a number of working days counted from an earlier event:
acknowledge 5 working days after receipt, hold the meeting 20 working days after the threshold decision, and
so on. Areas publish their own figures, so the numbers live in a :class:`TimescalePolicy` per area, and the
defaults here are the ones the product ships.

:func:`deadline_status` turns a due date into what a coordinator or chair needs to see on a dashboard: a
state, a RAG colour and a plain-English label such as "Overdue by 2 working days".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache

from trigger.domain.workdays import WorkingCalendar

__all__ = [
    "ANCHOR_OF",
    "MAX_WORKING_DAYS",
    "MIN_WORKING_DAYS",
    "PUBLISHED_RANGES",
    "DeadlineKind",
    "DeadlineState",
    "DeadlineStatus",
    "Rag",
    "TimescalePolicy",
    "compute_due",
    "deadline_status",
    "describe_timescale",
]


# ---- how a deadline stands ---------------------------------------------------------------------------


class DeadlineState(StrEnum):
    """Where a deadline stands on a given day."""

    DONE_ON_TIME = "done-on-time"
    DONE_LATE = "done-late"
    DUE_LATER = "due-later"
    DUE_SOON = "due-soon"
    DUE_TODAY = "due-today"
    OVERDUE = "overdue"


class Rag(StrEnum):
    """Red/amber/green, answering one question: does this need someone's attention now?

    Finished work needs nobody's attention, so it is GREY whether it was on time or late; the lateness is
    kept in the state and label, which is what timeliness reports count.
    """

    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    GREY = "grey"


_RAG_OF: Mapping[DeadlineState, Rag] = {
    DeadlineState.DONE_ON_TIME: Rag.GREY,
    DeadlineState.DONE_LATE: Rag.GREY,
    DeadlineState.DUE_LATER: Rag.GREEN,
    DeadlineState.DUE_SOON: Rag.AMBER,
    DeadlineState.DUE_TODAY: Rag.AMBER,
    DeadlineState.OVERDUE: Rag.RED,
}


@dataclass(frozen=True, slots=True)
class DeadlineStatus:
    """A deadline as shown to people.

    ``working_days`` is how many working days late (DONE_LATE), overdue (OVERDUE) or still to go (DUE_SOON,
    DUE_LATER); it is 0 for DONE_ON_TIME and DUE_TODAY.
    """

    state: DeadlineState
    rag: Rag
    working_days: int
    label: str


def deadline_status(
    due: date,
    completed_on: date | None,
    today: date,
    calendar: WorkingCalendar,
    soon_within: int = 5,
) -> DeadlineStatus:
    """How a deadline due on ``due`` stands on ``today``.

    Done on or before the due date is on time; after it, late. An open deadline is due today, due soon (within
    ``soon_within`` working days, amber, so the coordinator acts before the victim has to chase), due later
    (green) or overdue (red).

    A date other than ``due`` is never "0 working days" away: a deadline missed on Friday is reported on the
    Saturday as overdue by 1 working day, because the earliest it can now be met is already a day late.
    (Computed due dates are always working days; this only matters for hand-entered ones and weekends.)
    """
    if soon_within < 0:
        raise ValueError(f"soon_within must be 0 or more working days, not {soon_within}.")
    if completed_on is not None:
        return _finished(due, completed_on, calendar)
    if today == due:
        return _status(DeadlineState.DUE_TODAY, 0)
    if today > due:
        return _status(DeadlineState.OVERDUE, _at_least_one(calendar.working_days_between(due, today)))
    remaining = _at_least_one(calendar.working_days_between(today, due))
    return _status(DeadlineState.DUE_SOON if remaining <= soon_within else DeadlineState.DUE_LATER, remaining)


def _finished(due: date, completed_on: date, calendar: WorkingCalendar) -> DeadlineStatus:
    if completed_on <= due:
        return _status(DeadlineState.DONE_ON_TIME, 0)
    return _status(DeadlineState.DONE_LATE, _at_least_one(calendar.working_days_between(due, completed_on)))


def _at_least_one(working_days: int) -> int:
    return max(1, working_days)


@cache
def _status(state: DeadlineState, working_days: int) -> DeadlineStatus:
    """One shared, immutable value per state and count: a list page asks for the same few statuses on every row."""
    return DeadlineStatus(state, _RAG_OF[state], working_days, _label(state, working_days))


def _label(state: DeadlineState, working_days: int) -> str:
    span = _working_days_phrase(working_days)
    match state:
        case DeadlineState.DONE_ON_TIME:
            return "Done on time"
        case DeadlineState.DONE_LATE:
            return f"Done {span} late"
        case DeadlineState.DUE_TODAY:
            return "Due today"
        case DeadlineState.OVERDUE:
            return f"Overdue by {span}"
        case _:
            return f"Due in {span}"


def _working_days_phrase(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n} working days"


# ---- stage timescales ----------------------------------------------------------------------------------


class DeadlineKind(StrEnum):
    """The stage deadlines of one case (DOMAIN.md section 2)."""

    ACKNOWLEDGE = "acknowledge"
    INFORMATION = "information"
    THRESHOLD_DECISION = "threshold-decision"
    MEETING = "meeting"
    OUTCOME = "outcome"
    ESCALATION_REQUEST = "escalation-request"
    ESCALATION_DECISION = "escalation-decision"

    @property
    def label(self) -> str:
        """The stage's name as written in settings pages and messages."""
        return _KIND_LABELS[self]


_KIND_LABELS: Mapping[DeadlineKind, str] = {
    DeadlineKind.ACKNOWLEDGE: "Acknowledge the application",
    DeadlineKind.INFORMATION: "Gather information from the agencies",
    DeadlineKind.THRESHOLD_DECISION: "Decide whether the threshold is met",
    DeadlineKind.MEETING: "Hold the case review meeting",
    DeadlineKind.OUTCOME: "Send the outcome letter",
    DeadlineKind.ESCALATION_REQUEST: "Ask for an escalation",
    DeadlineKind.ESCALATION_DECISION: "Decide the escalation",
}

#: What each deadline counts from, in words that follow "N working days ...".
ANCHOR_OF: Mapping[DeadlineKind, str] = {
    DeadlineKind.ACKNOWLEDGE: "after the application was received",
    DeadlineKind.INFORMATION: "after the application was received",
    DeadlineKind.THRESHOLD_DECISION: "after the application was received",
    DeadlineKind.MEETING: "after the threshold decision",
    DeadlineKind.OUTCOME: "after the case review meeting",
    DeadlineKind.ESCALATION_REQUEST: "after the outcome letter was sent",
    DeadlineKind.ESCALATION_DECISION: "after the escalation request was received",
}

#: Ranges found in published local procedures, inclusive. Advice only: a value outside them is allowed
#: (an area may decide differently) but a settings page should point it out.
PUBLISHED_RANGES: Mapping[DeadlineKind, tuple[int, int]] = {
    DeadlineKind.ACKNOWLEDGE: (1, 10),
    DeadlineKind.THRESHOLD_DECISION: (10, 21),
    DeadlineKind.MEETING: (5, 28),
    DeadlineKind.OUTCOME: (5, 10),
}

#: Hard limits. Zero would make a deadline fall on the day of the event itself; more than 60 working days
#: (about three months) is no longer a timescale anyone could publish, and is almost certainly a typo.
MIN_WORKING_DAYS = 1
MAX_WORKING_DAYS = 60


@dataclass(frozen=True, slots=True)
class TimescalePolicy:
    """An area's stage timescales in working days; the defaults are those of DOMAIN.md section 2."""

    acknowledge: int = 5
    information_gathered: int = 10
    threshold_decision: int = 10
    meeting_held: int = 20
    outcome_sent: int = 5
    escalation_window: int = 20
    escalation_decided: int = 20

    def __post_init__(self) -> None:
        for kind, field_name in _FIELD_OF.items():
            _check_working_days(kind, getattr(self, field_name))

    def days_for(self, kind: DeadlineKind) -> int:
        """Working days allowed for ``kind``, counted from its anchor event."""
        return int(getattr(self, _FIELD_OF[kind]))

    def outside_published_ranges(self) -> list[str]:
        """Plain-English warnings for timescales outside the ranges other areas publish (may be empty)."""
        warnings = []
        for kind, (low, high) in PUBLISHED_RANGES.items():
            days = self.days_for(kind)
            if not low <= days <= high:
                warnings.append(
                    f"{kind.label}: {_working_days_phrase(days)} is outside the published range of "
                    f"{low} to {high} working days."
                )
        return warnings


_FIELD_OF: Mapping[DeadlineKind, str] = {
    DeadlineKind.ACKNOWLEDGE: "acknowledge",
    DeadlineKind.INFORMATION: "information_gathered",
    DeadlineKind.THRESHOLD_DECISION: "threshold_decision",
    DeadlineKind.MEETING: "meeting_held",
    DeadlineKind.OUTCOME: "outcome_sent",
    DeadlineKind.ESCALATION_REQUEST: "escalation_window",
    DeadlineKind.ESCALATION_DECISION: "escalation_decided",
}


def _check_working_days(kind: DeadlineKind, days: object) -> None:
    # bool is an int subclass; True would otherwise pass as "1 working day".
    if not isinstance(days, int) or isinstance(days, bool):
        raise TypeError(f"{kind.label}: the timescale must be a whole number of working days, not {days!r}.")
    if not MIN_WORKING_DAYS <= days <= MAX_WORKING_DAYS:
        raise ValueError(
            f"{kind.label}: the timescale must be between {MIN_WORKING_DAYS} and {MAX_WORKING_DAYS} "
            f"working days, not {days}."
        )


def compute_due(kind: DeadlineKind, anchor: date, policy: TimescalePolicy, calendar: WorkingCalendar) -> date:
    """The due date of ``kind``, counted in working days from ``anchor`` (see :data:`ANCHOR_OF`).

    The anchor day itself is day 0, so the result is always a working day strictly after it.
    """
    return calendar.add_working_days(anchor, policy.days_for(kind))


def describe_timescale(kind: DeadlineKind, policy: TimescalePolicy) -> str:
    """The timescale in words for letters and settings pages.

    For example "5 working days after the application was received".
    """
    return f"{_working_days_phrase(policy.days_for(kind))} {ANCHOR_OF[kind]}"
