"""The statutory figures of the Community Trigger and the timeliness report: how each one is counted.

Each relevant body must publish, at least yearly, four figures per area (DOMAIN.md section 7): the applications
received, the times the threshold was not met, the case reviews carried out and the reviews that resulted in
recommendations. This module is the one place that says what counts; the statistics page prints the same rules
(COUNTING_RULES), the CLI and the publication PDF use the same functions. Pure: no Flask, no database. The
service (trigger.statistics.services) reads plain rows and hands them here.

Every figure is counted **by the date of its event** (an application by the date received, a "not met" by the
date decided, a review by the date its meeting was held), so the figures of consecutive periods add up and an
application received in March and decided in April counts once as received in March and once as not met in
April.
"""

from __future__ import annotations

import statistics as _stats
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

__all__ = [
    "COUNTING_RULES",
    "PUBLICATION_HEADER",
    "ActionRow",
    "AgencyActions",
    "Application",
    "Closure",
    "DeadlineRow",
    "Decision",
    "EscalationFigures",
    "EscalationRow",
    "Figures",
    "HeldMeeting",
    "Period",
    "PeriodError",
    "Referral",
    "TimelinessLine",
    "actions_by_agency",
    "count_applications",
    "count_reviews",
    "count_threshold_not_met",
    "count_withdrawn",
    "escalation_figures",
    "financial_year",
    "financial_year_of",
    "parse_date_parts",
    "percent",
    "review_meetings",
    "statutory_figures",
    "timeliness",
]

#: The publication CSV's (and `flask statistics`') header, exactly.
PUBLICATION_HEADER = ["area", "applications", "threshold_not_met", "reviews", "reviews_with_recommendations"]

#: The counting rules in plain English, as printed on the statistics page and the publication PDF.
COUNTING_RULES: tuple[tuple[str, str], ...] = (
    (
        "Applications",
        "Each application counts once, on the date it was received, whatever happened to it later (an application "
        "withdrawn or closed before a decision still counts as received).",
    ),
    (
        "Threshold not met",
        "A case counts once, on the date of its first decision that the threshold was not met. A later decision on "
        "the same case (reconsidered, or after an upheld escalation) does not count it again, and a case later "
        "found to meet the threshold stays counted: it was not met at the time.",
    ),
    (
        "Reviews carried out",
        "A review is carried out on the date its case review meeting is held (a meeting recorded as held; scheduled "
        "and cancelled meetings, and restorative conferences between the parties, do not count). A case counts once for its first meeting held; further meetings to "
        "review the action plan do not count again. A case referred back by an upheld escalation counts again only "
        "when a new meeting is held after the escalation decision.",
    ),
    (
        "Reviews with recommendations",
        "A review counted above whose meeting recorded at least one recommendation, in the same period as the review.",
    ),
    (
        "Withdrawn or closed before a decision",
        "A case closed before any threshold decision, on the date it was closed. Not one of the four statutory "
        "figures; shown so that applications minus decisions can be explained.",
    ),
    (
        "Timeliness",
        "A stage deadline counts in the period in which it was met: on time when met on or before its due date (an "
        "extended deadline, extended with a recorded reason, against its extended date). Working days are counted "
        "from the event the deadline runs from to the day it was met, with the area's bank holidays and closure "
        "days. A deadline whose due date could not be counted (no bank-holiday data) is shown as not measured.",
    ),
    (
        "Escalations",
        "Counted on the date the request was received; outcomes on the date decided, on time when decided on or "
        "before the decision's due date.",
    ),
    (
        "Actions completed on time",
        "An action counts in the period in which it was completed, against its owner agency: on time when completed "
        "on or before its due date (as re-dated, with a reason, if it was).",
    ),
)


# ---- periods and dates ------------------------------------------------------------------------------------------


class PeriodError(ValueError):
    """A date or date range a person typed that cannot be used; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive range of dates."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError("to", "The end date must be the same as or after the start date")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def label(self) -> str:
        fy = financial_year_of(self.start)
        if self == financial_year(fy):
            return f"Financial year {fy}-{(fy + 1) % 100:02d} (1 April {fy} to 31 March {fy + 1})"
        return f"{_long(self.start)} to {_long(self.end)}"


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def financial_year(start_year: int) -> Period:
    """April to March: financial_year(2026) is 1 April 2026 to 31 March 2027."""
    return Period(date(start_year, 4, 1), date(start_year + 1, 3, 31))


def financial_year_of(day: date) -> int:
    """The year in which the financial year holding ``day`` starts."""
    return day.year if day.month >= 4 else day.year - 1


def parse_date_parts(field: str, what: str, day: str | None, month: str | None, year: str | None) -> date:
    """A date from the three boxes of a GOV.UK date input, or PeriodError with the GOV.UK wording."""
    parts = {"day": (day or "").strip(), "month": (month or "").strip(), "year": (year or "").strip()}
    missing = [name for name, value in parts.items() if not value]
    if len(missing) == 3:
        raise PeriodError(field, f"Enter the {what}")
    if missing:
        raise PeriodError(field, f"The {what} must include a {' and '.join(missing)}")
    if not all(value.isdigit() for value in parts.values()):
        raise PeriodError(field, f"The {what} must be a real date, like 1 4 2026")
    if len(parts["year"]) != 4:
        raise PeriodError(field, f"The {what}'s year must include 4 numbers")
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        raise PeriodError(field, f"The {what} must be a real date, like 1 4 2026") from None


# ---- the rows the service reads ----------------------------------------------------------------------------------
#
# Named tuples, not dataclasses: the service makes tens of thousands of them per report at scale, and a tuple is
# the cheapest object Python builds.


class Application(NamedTuple):
    case_id: int
    area_id: int
    received_on: date


class Decision(NamedTuple):
    """One threshold decision (only "not met" ones matter here, but any may be passed)."""

    case_id: int
    area_id: int
    decided_on: date
    not_met: bool


class Closure(NamedTuple):
    """A closed case: ``decided`` says whether it ever had a threshold decision."""

    case_id: int
    area_id: int
    closed_on: date
    decided: bool


class HeldMeeting(NamedTuple):
    """A case review meeting recorded as held, on its date in Europe/London."""

    case_id: int
    area_id: int
    meeting_id: int
    held_on: date
    has_recommendations: bool


class Referral(NamedTuple):
    """An upheld escalation: the case was referred back on ``decided_on``."""

    case_id: int
    decided_on: date


@dataclass(slots=True)
class Figures:
    """The four statutory figures (and the withdrawn count) for one area or all of them."""

    applications: int = 0
    threshold_not_met: int = 0
    reviews: int = 0
    reviews_with_recommendations: int = 0
    withdrawn: int = 0

    def add(self, other: Figures) -> None:
        self.applications += other.applications
        self.threshold_not_met += other.threshold_not_met
        self.reviews += other.reviews
        self.reviews_with_recommendations += other.reviews_with_recommendations
        self.withdrawn += other.withdrawn

    def publication_row(self, area: str) -> list[object]:
        return [area, self.applications, self.threshold_not_met, self.reviews, self.reviews_with_recommendations]


# ---- the statutory figures ---------------------------------------------------------------------------------------


def count_applications(applications: Iterable[Application], period: Period) -> Counter[int]:
    """Applications per area: each case once, by the date received."""
    seen: set[int] = set()
    counts: Counter[int] = Counter()
    for app in applications:
        if app.received_on in period and app.case_id not in seen:
            seen.add(app.case_id)
            counts[app.area_id] += 1
    return counts


def count_threshold_not_met(decisions: Iterable[Decision], period: Period) -> Counter[int]:
    """Cases per area whose *first* "not met" decision is dated in the period (see COUNTING_RULES).

    ``decisions`` must include every "not met" decision of a case up to the end of the period (earlier ones
    decide that a later one is a repeat).
    """
    first: dict[int, Decision] = {}
    for decision in decisions:
        if not decision.not_met:
            continue
        known = first.get(decision.case_id)
        if known is None or decision.decided_on < known.decided_on:
            first[decision.case_id] = decision
    return Counter(d.area_id for d in first.values() if d.decided_on in period)


def count_withdrawn(closures: Iterable[Closure], period: Period) -> Counter[int]:
    """Cases per area closed in the period without any threshold decision."""
    return Counter(c.area_id for c in closures if not c.decided and c.closed_on in period)


def review_meetings(meetings: Iterable[HeldMeeting], referrals: Iterable[Referral] = ()) -> list[HeldMeeting]:
    """The held meetings that count as case reviews, at any date.

    A case's first held meeting is a review. After each upheld escalation (a referral back), the first meeting
    held *after* the escalation decision is a new review; if none has been held yet, nothing more counts. Other
    meetings review the action plan and are not counted again. Ties on one day are broken by meeting id.
    """
    by_case: dict[int, list[HeldMeeting]] = defaultdict(list)
    for meeting in meetings:
        by_case[meeting.case_id].append(meeting)
    referred: dict[int, list[date]] = defaultdict(list)
    for referral in referrals:
        referred[referral.case_id].append(referral.decided_on)
    counted: list[HeldMeeting] = []
    for case_id, held in by_case.items():
        held.sort(key=lambda m: (m.held_on, m.meeting_id))
        chosen = {held[0].meeting_id: held[0]}
        for decided_on in referred.get(case_id, ()):
            after = next((m for m in held if m.held_on > decided_on), None)
            if after is not None:
                chosen.setdefault(after.meeting_id, after)
        counted.extend(chosen.values())
    return counted


def count_reviews(
    meetings: Iterable[HeldMeeting], referrals: Iterable[Referral], period: Period
) -> tuple[Counter[int], Counter[int]]:
    """(reviews, reviews with recommendations) per area, by the date the review's meeting was held.

    ``meetings`` must include every held meeting of a case up to the end of the period (an earlier meeting
    makes a later one a follow-up, not a review).
    """
    reviews: Counter[int] = Counter()
    with_recommendations: Counter[int] = Counter()
    for meeting in review_meetings(meetings, referrals):
        if meeting.held_on in period:
            reviews[meeting.area_id] += 1
            if meeting.has_recommendations:
                with_recommendations[meeting.area_id] += 1
    return reviews, with_recommendations


def statutory_figures(
    period: Period,
    area_ids: Iterable[int],
    applications: Iterable[Application] = (),
    decisions: Iterable[Decision] = (),
    meetings: Iterable[HeldMeeting] = (),
    referrals: Iterable[Referral] = (),
    closures: Iterable[Closure] = (),
) -> tuple[dict[int, Figures], Figures]:
    """The figures per area (every area in ``area_ids``, zeros included) and for all of them together."""
    apps = count_applications(applications, period)
    not_met = count_threshold_not_met(decisions, period)
    reviews, with_recs = count_reviews(meetings, referrals, period)
    withdrawn = count_withdrawn(closures, period)
    per_area = {
        area_id: Figures(apps[area_id], not_met[area_id], reviews[area_id], with_recs[area_id], withdrawn[area_id])
        for area_id in area_ids
    }
    total = Figures()
    for figures in per_area.values():
        total.add(figures)
    return per_area, total


# ---- timeliness --------------------------------------------------------------------------------------------------


def percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` as a whole percentage (half rounds up), None when there is nothing to divide."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


def _median(values: list[int]) -> float | int | None:
    """The median, as a whole number when it is one (the median of an even count may end in .5)."""
    if not values:
        return None
    middle = float(_stats.median(values))
    return int(middle) if middle.is_integer() else middle


class DeadlineRow(NamedTuple):
    """A met stage deadline: ``working_days`` from its anchor to the day it was met (None: not countable)."""

    kind: str
    due_on: date | None
    met_on: date
    working_days: int | None


@dataclass(frozen=True, slots=True)
class TimelinessLine:
    kind: str
    met: int
    on_time: int
    not_measured: int
    median_working_days: float | int | None

    @property
    def measured(self) -> int:
        return self.met - self.not_measured

    @property
    def percent_on_time(self) -> int | None:
        return percent(self.on_time, self.measured)


def timeliness(rows: Iterable[DeadlineRow], period: Period, kinds: Iterable[str]) -> list[TimelinessLine]:
    """One line per deadline kind (in ``kinds``' order): met in the period, on time, median working days."""
    met: Counter[str] = Counter()
    on_time: Counter[str] = Counter()
    unmeasured: Counter[str] = Counter()
    days: dict[str, list[int]] = defaultdict(list)
    start, end = period.start, period.end
    for row in rows:
        if not start <= row.met_on <= end:
            continue
        met[row.kind] += 1
        if row.due_on is None:
            unmeasured[row.kind] += 1
        elif row.met_on <= row.due_on:
            on_time[row.kind] += 1
        if row.working_days is not None:
            days[row.kind].append(row.working_days)
    return [TimelinessLine(kind, met[kind], on_time[kind], unmeasured[kind], _median(days[kind])) for kind in kinds]


# ---- escalations -------------------------------------------------------------------------------------------------


class EscalationRow(NamedTuple):
    received_on: date
    late: bool
    decision_due_on: date
    decided_on: date | None
    upheld: bool | None  # None while undecided


@dataclass(slots=True)
class EscalationFigures:
    received: int = 0
    received_late: int = 0
    decided: int = 0
    upheld: int = 0
    not_upheld: int = 0
    decided_on_time: int = 0

    @property
    def percent_on_time(self) -> int | None:
        return percent(self.decided_on_time, self.decided)


def escalation_figures(rows: Iterable[EscalationRow], period: Period) -> EscalationFigures:
    figures = EscalationFigures()
    for row in rows:
        if row.received_on in period:
            figures.received += 1
            figures.received_late += row.late
        if row.decided_on is not None and row.decided_on in period:
            figures.decided += 1
            if row.upheld:
                figures.upheld += 1
            else:
                figures.not_upheld += 1
            if row.decided_on <= row.decision_due_on:
                figures.decided_on_time += 1
    return figures


# ---- actions -----------------------------------------------------------------------------------------------------


class ActionRow(NamedTuple):
    agency: str
    due_on: date
    completed_on: date


@dataclass(frozen=True, slots=True)
class AgencyActions:
    agency: str
    completed: int
    on_time: int

    @property
    def percent_on_time(self) -> int | None:
        return percent(self.on_time, self.completed)


def actions_by_agency(rows: Iterable[ActionRow], period: Period) -> list[AgencyActions]:
    """Completed actions per owner agency (agencies with none in the period are left out), by agency name."""
    completed: Counter[str] = Counter()
    on_time: Counter[str] = Counter()
    start, end = period.start, period.end
    for row in rows:
        if start <= row.completed_on <= end:
            completed[row.agency] += 1
            on_time[row.agency] += row.completed_on <= row.due_on
    return [AgencyActions(name, completed[name], on_time[name]) for name in sorted(completed, key=str.casefold)]
