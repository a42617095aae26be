"""How the deadlines of a case stand today: on time, due soon, overdue, met, or not needed; for the case page.

Raises or names HolidayDataMissing rather than guess: a due date that could not be counted is never shown.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select

from trigger.area_policies.services import calendar_for_area, timescale_for_area
from trigger.deadlines.dates import APPLICANT_WINDOWS, long_date
from trigger.domain.deadlines import DeadlineKind, DeadlineStatus, Rag, compute_due, deadline_status
from trigger.domain.stages import Stage
from trigger.domain.workdays import HolidayDataMissing, WorkingCalendar
from trigger.extensions import db
from trigger.models import Case
from trigger.models.deadlines import CaseDeadline


def _status_of(deadline: CaseDeadline, case: Case, today: date, calendar: WorkingCalendar) -> DeadlineStatus:
    """deadline_status, with the two cases it does not know: a closed case and the applicant's own window.

    Raises HolidayDataMissing when the due date was never counted or cannot be compared with today.
    """
    if deadline.due_on is None:
        # Ask the calendar again: it names the missing year (or, if the data has arrived since, says to recount).
        compute_due(deadline.kind, deadline.anchor_on, timescale_for_area(case.area), calendar)
        raise HolidayDataMissing(
            deadline.anchor_on.year,
            calendar.nation,
            reason="The due date was not counted when the deadline opened; press "
            "“Recompute” now that bank-holiday data exists",
        )
    status = deadline_status(deadline.due_on, deadline.met_on, today, calendar)
    if deadline.met_on is not None:
        return status
    if deadline.kind in APPLICANT_WINDOWS:
        if today <= deadline.due_on:
            return dataclasses.replace(
                status, rag=Rag.GREEN, label=f"Open: the applicant may ask until {long_date(deadline.due_on)}"
            )
        return dataclasses.replace(status, rag=Rag.GREY, label=f"Closed on {long_date(deadline.due_on)}: no request")
    if case.stage is Stage.CLOSED:
        return dataclasses.replace(status, rag=Rag.GREY, label="Not needed: the case is closed")
    return status


_DEADLINES_OF = select(CaseDeadline).where(CaseDeadline.case_id == bindparam("case_id"))  # built once
_KIND_ORDER = {kind: n for n, kind in enumerate(DeadlineKind)}


def _all_deadlines(case: Case) -> list[CaseDeadline]:
    rows = db.session.scalars(_DEADLINES_OF, {"case_id": case.id}).all()
    return sorted(rows, key=lambda d: (d.cycle, _KIND_ORDER[d.kind], d.id))


def deadlines_of(case: Case, today: date) -> list[tuple[CaseDeadline, DeadlineStatus]]:
    """Every deadline of ``case`` with how it stands on ``today``. Raises HolidayDataMissing (never guesses)."""
    calendar = calendar_for_area(case.area)
    return [(d, _status_of(d, case, today, calendar)) for d in _all_deadlines(case)]


@dataclass
class DeadlineRow:
    deadline: CaseDeadline
    status: DeadlineStatus | None  # None: could not be counted, see problem
    problem: str | None = None


@dataclass
class CaseDeadlines:
    """What the case page's "Deadlines" section shows."""

    rows: list[DeadlineRow]
    problems: list[str]  # one sentence per missing year, for the warning banner
    information_open: bool
    coordinator: Any = None  # who looks after the case, (id, name) (None: every coordinator gets its reminders)


def case_deadlines(case: Case, today: date, *, coordinator: Any = None) -> CaseDeadlines:
    """deadlines_of for the case page: a year without holiday data becomes a loud message, not an error page.
    ``coordinator``: who looks after the case, (id, name), as the caller read it (trigger.cases.summary)."""
    calendar = calendar_for_area(case.area)
    rows, problems = [], []
    for deadline in _all_deadlines(case):
        try:
            rows.append(DeadlineRow(deadline, _status_of(deadline, case, today, calendar)))
        except HolidayDataMissing as missing:
            message = (
                f"No bank-holiday data for {missing.year} ({missing.nation.label}): the deadlines that "
                f"reach into {missing.year} cannot be counted, so no date is shown for them. Ask an "
                "administrator to update the bank-holiday data; do not count the days by hand from "
                "this page."
            )
            if message not in problems:
                problems.append(message)
            rows.append(DeadlineRow(deadline, None, f"Cannot be counted: no bank-holiday data for {missing.year}"))
    information_open = any(r.deadline.kind is DeadlineKind.INFORMATION and r.deadline.met_on is None for r in rows)
    return CaseDeadlines(rows, problems, information_open and case.stage is not Stage.CLOSED, coordinator)
