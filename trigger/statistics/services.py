"""The statistics report: reads the rows the counting rules need and hands them to trigger.domain.statistics.

A handful of set-based queries (one per kind of event, each bounded by the period and, when asked, the area),
never one per case. What counts and how is decided by the pure functions; this module only says which rows may
matter: every "not met" decision and every held meeting of a case up to the end of the period (an earlier one
makes a later one a repeat), events dated in the period for the rest. No HTML here; no access rules either
(trigger.authz decides who may ask, the routes and the CLI ask it).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, or_, select, true

from trigger.area_policies.services import calendars_for_areas
from trigger.deadlines.dates import APPLICANT_WINDOWS
from trigger.domain import statistics as rules
from trigger.domain.charts import BarChart, bar_chart
from trigger.domain.deadlines import DeadlineKind
from trigger.domain.workdays import HolidayDataMissing
from trigger.extensions import db
from trigger.models import (
    Action,
    ActionPlan,
    Agency,
    Area,
    Case,
    DecisionOutcome,
    Escalation,
    EscalationOutcome,
    Meeting,
    MeetingStatus,
    Recommendation,
    ThresholdDecision,
)
from trigger.models.actions import ActionStatus
from trigger.models.deadlines import CaseDeadline

LONDON = ZoneInfo("Europe/London")

#: The deadlines staff are measured against (the applicant's own window to escalate is not one of them).
TIMELINESS_KINDS = [kind for kind in DeadlineKind if kind not in APPLICANT_WINDOWS]

#: How many financial years the page offers, counting back from the current one.
YEARS_OFFERED = 6


class UnknownArea(LookupError):
    """An area name or id that does not exist (or that this person may not see)."""


@dataclass
class AreaFigures:
    area_id: int | None
    name: str
    figures: rules.Figures


@dataclass
class Report:
    period: rules.Period
    area: Area | None  # None: all areas
    rows: list[AreaFigures]  # one per area in scope, by name
    total: rules.Figures
    timeliness: list[rules.TimelinessLine]
    escalations: rules.EscalationFigures
    actions: list[rules.AgencyActions]
    charts: dict[str, BarChart] = field(default_factory=dict)

    @property
    def scope_label(self) -> str:
        return self.area.name if self.area is not None else "All areas"


# ---- areas ---------------------------------------------------------------------------------------------------


def all_areas() -> list[Area]:
    return list(db.session.scalars(select(Area).order_by(Area.name)))


def area_named(name: str) -> Area:
    """The area with this name, ignoring case and surrounding spaces (as typed on a command line)."""
    area = db.session.scalar(select(Area).where(func.lower(Area.name) == name.strip().lower()))
    if area is None:
        raise UnknownArea(f"There is no area called “{name.strip()}”.")
    return area


def area_by_id(area_id: int) -> Area:
    area = db.session.get(Area, area_id)
    if area is None:
        raise UnknownArea("Choose an area from the list.")
    return area


def years_offered(today: date) -> list[int]:
    current = rules.financial_year_of(today)
    return list(range(current, current - YEARS_OFFERED, -1))


# ---- reading the rows ----------------------------------------------------------------------------------------


def _utc_bounds(period: rules.Period) -> tuple[datetime, datetime]:
    """UTC instants that surely enclose the period's London days (a day either side; trimmed in Python)."""
    return (
        datetime.combine(period.start - timedelta(days=1), time.min, UTC),
        datetime.combine(period.end + timedelta(days=2), time.min, UTC),
    )


def _rows(query):
    """Plain rows through the session's connection (same transaction), without the ORM's per-row work: these
    queries return tens of thousands of rows at scale and need no objects."""
    return db.session.connection().execute(query).all()


def _london_day(moment: datetime) -> date:
    """The day in Europe/London of a UTC time. London is UTC or UTC+1, so only a time from 23:00 UTC can fall on
    the next day: the time zone arithmetic (the slow part, 8,000 meetings a year at scale) is left to those."""
    return moment.date() if moment.hour < 23 else moment.astimezone(LONDON).date()


def _in_scope(column, area_ids: list[int] | None):
    return column.in_(area_ids) if area_ids is not None else true()


def _applications(period, area_ids) -> list[rules.Application]:
    rows = _rows(
        select(Case.id, Case.area_id, Case.received_on).where(
            Case.received_on.between(period.start, period.end), _in_scope(Case.area_id, area_ids)
        )
    )
    return [rules.Application(*row) for row in rows]


def _not_met_decisions(period, area_ids) -> list[rules.Decision]:
    not_met = ThresholdDecision.outcome == DecisionOutcome.NOT_MET
    in_period = select(ThresholdDecision.case_id).where(
        not_met, ThresholdDecision.decided_on.between(period.start, period.end)
    )
    rows = _rows(
        select(ThresholdDecision.case_id, Case.area_id, ThresholdDecision.decided_on)
        .join(Case, Case.id == ThresholdDecision.case_id)
        .where(
            not_met,
            ThresholdDecision.decided_on <= period.end,
            ThresholdDecision.case_id.in_(in_period),
            _in_scope(Case.area_id, area_ids),
        )
    )
    return [rules.Decision(case_id, area_id, decided_on, True) for case_id, area_id, decided_on in rows]


def _closures(period, area_ids) -> list[rules.Closure]:
    decided = exists().where(ThresholdDecision.case_id == Case.id)
    rows = _rows(
        select(Case.id, Case.area_id, Case.closed_on, decided).where(
            Case.closed_on.between(period.start, period.end), _in_scope(Case.area_id, area_ids)
        )
    )
    return [
        rules.Closure(case_id, area_id, closed_on, bool(was_decided))
        for case_id, area_id, closed_on, was_decided in rows
    ]


def _meetings(period, area_ids) -> tuple[list[rules.HeldMeeting], list[rules.Referral]]:
    start, end = _utc_bounds(period)
    # A restorative conference brings the parties together; it is not the agencies' case review.
    held = and_(Meeting.status == MeetingStatus.HELD, Meeting.is_restorative_conference.is_(False))
    cases_in_period = select(Meeting.case_id).where(held, Meeting.starts_at >= start, Meeting.starts_at < end)
    has_recommendations = exists().where(Recommendation.meeting_id == Meeting.id)
    rows = _rows(
        select(Meeting.case_id, Case.area_id, Meeting.id, Meeting.starts_at, has_recommendations)
        .join(Case, Case.id == Meeting.case_id)
        .where(held, Meeting.starts_at < end, Meeting.case_id.in_(cases_in_period), _in_scope(Case.area_id, area_ids))
    )
    meetings = [
        rules.HeldMeeting(case_id, area_id, meeting_id, _london_day(starts_at), bool(recs))
        for case_id, area_id, meeting_id, starts_at, recs in rows
    ]
    referrals = [
        rules.Referral(*row)
        for row in _rows(
            select(Escalation.case_id, Escalation.decided_on).where(
                Escalation.outcome == EscalationOutcome.UPHELD,
                Escalation.decided_on <= period.end,
                Escalation.case_id.in_(cases_in_period),
            )
        )
    ]
    return meetings, referrals


def _deadlines(period, area_ids, areas: list[Area]) -> list[rules.DeadlineRow]:
    calendars = calendars_for_areas(areas)
    rows = _rows(
        select(CaseDeadline.kind, Case.area_id, CaseDeadline.anchor_on, CaseDeadline.due_on, CaseDeadline.met_on)
        .join(Case, Case.id == CaseDeadline.case_id)
        .where(
            CaseDeadline.met_on.between(period.start, period.end),
            CaseDeadline.kind.in_([kind.value for kind in TIMELINESS_KINDS]),
            _in_scope(Case.area_id, area_ids),
        )
    )
    counted: dict[tuple[int, date, date], int | None] = {}  # many deadlines share an area, anchor and day met

    def working_days(area_id: int, anchor_on: date, met_on: date) -> int | None:
        key = (area_id, anchor_on, met_on)
        if key not in counted:
            calendar = calendars.get(area_id)
            try:
                counted[key] = calendar.working_days_between(anchor_on, met_on) if calendar is not None else None
            except HolidayDataMissing:
                counted[key] = None
        return counted[key]

    return [
        rules.DeadlineRow(kind, due_on, met_on, working_days(area_id, anchor_on, met_on))
        for kind, area_id, anchor_on, due_on, met_on in rows
    ]


def _escalations(period, area_ids) -> list[rules.EscalationRow]:
    rows = _rows(
        select(
            Escalation.received_on,
            Escalation.late,
            Escalation.decision_due_on,
            Escalation.decided_on,
            Escalation.outcome,
        )
        .join(Case, Case.id == Escalation.case_id)
        .where(
            or_(
                Escalation.received_on.between(period.start, period.end),
                Escalation.decided_on.between(period.start, period.end),
            ),
            _in_scope(Case.area_id, area_ids),
        )
    )
    return [
        rules.EscalationRow(
            received_on,
            bool(late),
            due_on,
            decided_on,
            None if outcome is None else outcome is EscalationOutcome.UPHELD,
        )
        for received_on, late, due_on, decided_on, outcome in rows
    ]


def _actions(period, area_ids) -> list[rules.ActionRow]:
    query = (
        select(Agency.name, Action.due_on, Action.completed_on)
        .join(Agency, Agency.id == Action.owner_agency_id)
        .where(Action.status == ActionStatus.COMPLETED, Action.completed_on.between(period.start, period.end))
    )
    if area_ids is not None:
        query = query.join(ActionPlan, ActionPlan.id == Action.plan_id).join(
            Case, and_(Case.id == ActionPlan.case_id, Case.area_id.in_(area_ids))
        )
    return [rules.ActionRow(*row) for row in _rows(query)]


# ---- the report ----------------------------------------------------------------------------------------------


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a report is counted.

    A year at scale is some 45,000 small tuples, none of them in a reference cycle; each batch of 700 new objects
    sets off a collection that walks every object the process holds (the app, its templates, SQLAlchemy's
    caches), which measured as half of the report's CPU time (bench/statistics_bench.py). Reference counting
    still frees everything at once; the collector resumes, as it was, when the report is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def statutory_figures(period: rules.Period, area: Area | None = None) -> tuple[list[AreaFigures], rules.Figures]:
    """The four figures (and withdrawn) per area in scope, by area name, and their total."""
    with _no_cycle_collection():
        return _statutory_figures(period, area)


def _statutory_figures(period: rules.Period, area: Area | None) -> tuple[list[AreaFigures], rules.Figures]:
    areas = [area] if area is not None else all_areas()
    area_ids = [area.id] if area is not None else None
    meetings, referrals = _meetings(period, area_ids)
    per_area, total = rules.statutory_figures(
        period,
        [a.id for a in areas],
        applications=_applications(period, area_ids),
        decisions=_not_met_decisions(period, area_ids),
        meetings=meetings,
        referrals=referrals,
        closures=_closures(period, area_ids),
    )
    return [AreaFigures(a.id, a.name, per_area[a.id]) for a in areas], total


def build_report(period: rules.Period, area: Area | None = None) -> Report:
    """Everything the statistics page shows, for one area or all of them."""
    with _no_cycle_collection():
        return _build_report(period, area)


def _build_report(period: rules.Period, area: Area | None) -> Report:
    areas = [area] if area is not None else all_areas()
    area_ids = [area.id] if area is not None else None
    rows, total = _statutory_figures(period, area)
    report = Report(
        period=period,
        area=area,
        rows=rows,
        total=total,
        timeliness=rules.timeliness(
            _deadlines(period, area_ids, areas), period, [kind.value for kind in TIMELINESS_KINDS]
        ),
        escalations=rules.escalation_figures(_escalations(period, area_ids), period),
        actions=rules.actions_by_agency(_actions(period, area_ids), period),
    )
    report.charts = charts(report)
    return report


def kind_label(kind: str) -> str:
    return DeadlineKind(kind).label


def charts(report: Report) -> dict[str, BarChart]:
    """The page's charts by the section they illustrate; each one's figures are also in a table beside it."""
    t = report.total
    result = {
        "figures": bar_chart(
            f"The four statutory figures, {report.scope_label}",
            [
                ("Applications", t.applications),
                ("Threshold not met", t.threshold_not_met),
                ("Reviews carried out", t.reviews),
                ("Reviews with recommendations", t.reviews_with_recommendations),
            ],
        )
    }
    if report.area is None and report.rows:
        result["areas"] = bar_chart("Applications by area", [(r.name, r.figures.applications) for r in report.rows])
    result["timeliness"] = bar_chart(
        "Stage deadlines met on time (percentage)",
        [(kind_label(line.kind), line.percent_on_time) for line in report.timeliness],
        unit="%",
    )
    if report.actions:
        result["actions"] = bar_chart(
            "Actions completed on time by agency (percentage)",
            [(line.agency, line.percent_on_time) for line in report.actions],
            unit="%",
        )
    return result


# ---- CSV -----------------------------------------------------------------------------------------------------

REPORT_HEADER = ["section", "area", "measure", "value"]


def report_rows(report: Report) -> list[list[object]]:
    """The whole report as long-format rows (one figure a row), for the page's CSV export."""
    period = [
        ["period", report.scope_label, "from", report.period.start],
        ["period", report.scope_label, "to", report.period.end],
    ]
    figures = []
    for row in [*report.rows, AreaFigures(None, "All areas", report.total)]:
        f = row.figures
        figures += [
            ["statutory figures", row.name, "applications", f.applications],
            ["statutory figures", row.name, "threshold not met", f.threshold_not_met],
            ["statutory figures", row.name, "reviews carried out", f.reviews],
            ["statutory figures", row.name, "reviews with recommendations", f.reviews_with_recommendations],
            ["statutory figures", row.name, "withdrawn or closed before a decision", f.withdrawn],
        ]
    scope = report.scope_label
    timeliness = []
    for line in report.timeliness:
        label = kind_label(line.kind)
        timeliness += [
            ["timeliness", scope, f"{label}: met", line.met],
            ["timeliness", scope, f"{label}: met on time", line.on_time],
            ["timeliness", scope, f"{label}: percent on time", line.percent_on_time],
            ["timeliness", scope, f"{label}: median working days", line.median_working_days],
            ["timeliness", scope, f"{label}: not measured", line.not_measured],
        ]
    e = report.escalations
    escalations = [
        ["escalations", scope, "received", e.received],
        ["escalations", scope, "received after the window (accepted late)", e.received_late],
        ["escalations", scope, "decided", e.decided],
        ["escalations", scope, "upheld", e.upheld],
        ["escalations", scope, "not upheld", e.not_upheld],
        ["escalations", scope, "decided on time", e.decided_on_time],
        ["escalations", scope, "percent decided on time", e.percent_on_time],
    ]
    actions = []
    for line in report.actions:
        actions += [
            ["actions", line.agency, "completed", line.completed],
            ["actions", line.agency, "completed on time", line.on_time],
            ["actions", line.agency, "percent on time", line.percent_on_time],
        ]
    return period + figures + timeliness + escalations + actions


def publication_rows(rows: list[AreaFigures], total: rules.Figures) -> list[list[object]]:
    return [row.figures.publication_row(row.name) for row in rows] + [total.publication_row("All areas")]
