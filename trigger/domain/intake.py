"""Checks on the incidents in an application, before anything is saved. Pure: no Flask, no database.

Both intake routes (staff and public) turn their form entries into `IncidentEntry` values and call
`check_application`. Each problem names the entry and field it belongs to (`path`), so the form can show the
message next to the field, and the same rules hold wherever an application comes from (form, import, API).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from trigger.domain.threshold import IncidentInput, ReportInput, check_incidents

__all__ = ["IncidentEntry", "Problem", "ReportEntry", "check_application", "to_threshold_inputs"]


@dataclass(frozen=True)
class ReportEntry:
    """One report of an incident as entered. `index` is its position in the form (blank entries skipped)."""

    index: int
    agency_id: str | None
    reported_on: date | None


@dataclass(frozen=True)
class IncidentEntry:
    index: int
    occurred_on: date | None
    description: str
    is_hate: bool = False
    reports: tuple[ReportEntry, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Problem:
    """A message and where it belongs, e.g. ("incidents", 0, "reports", 1, "reported_on")."""

    path: tuple[str | int, ...]
    message: str


def check_application(
    incidents: Sequence[IncidentEntry],
    *,
    today: date,
    known_agency_ids: Collection[str],
    require_report: bool = True,
) -> list[Problem]:
    """Everything wrong with the incidents of one application (empty when they can be saved).

    `known_agency_ids` are the agencies an entry may name (as strings, as a form sends them); any other value
    is a forged or stale id. `require_report` is True for staff intake, where each incident must say which
    agency it was reported to; an applicant may not know, so the public form leaves it optional.
    """
    if not incidents:
        return [Problem(("incidents", 0, "occurred_on"), "Add at least one incident: enter the date it happened")]
    problems: list[Problem] = []
    for incident in incidents:
        problems.extend(_incident_problems(incident, today, known_agency_ids, require_report))
    if not problems:
        # Ids are positions in the form, so duplicates and same-as links cannot arise here today; the shared
        # check still runs so that the rules evaluate() relies on are enforced at the door.
        problems.extend(Problem(("incidents", 0, "occurred_on"), message)
                        for message in check_incidents(to_threshold_inputs(incidents, {})))
    return problems


def _incident_problems(
    incident: IncidentEntry, today: date, known_agency_ids: Collection[str], require_report: bool
) -> list[Problem]:
    at = ("incidents", incident.index)
    problems: list[Problem] = []
    occurred = incident.occurred_on
    if occurred is None:
        problems.append(Problem((*at, "occurred_on"), "Enter the date the incident happened"))
    elif occurred > today:
        problems.append(Problem((*at, "occurred_on"), "The date of the incident must be today or in the past"))
    if not incident.description.strip():
        problems.append(Problem((*at, "description"), "Describe what happened"))
    if require_report and not incident.reports:
        problems.append(
            Problem((*at, "reports", 0, "agency_id"), "Choose the agency this incident was reported to")
        )
    for report in incident.reports:
        problems.extend(_report_problems(report, at, occurred, today, known_agency_ids))
    return problems


def _report_problems(
    report: ReportEntry, at: tuple, occurred: date | None, today: date, known_agency_ids: Collection[str]
) -> list[Problem]:
    here = (*at, "reports", report.index)
    problems: list[Problem] = []
    if not report.agency_id:
        problems.append(Problem((*here, "agency_id"), "Choose the agency it was reported to"))
    elif report.agency_id not in known_agency_ids:
        problems.append(Problem((*here, "agency_id"), "Choose an agency from the list"))
    reported = report.reported_on
    if reported is None:
        problems.append(Problem((*here, "reported_on"), "Enter the date it was reported"))
    elif reported > today:
        problems.append(Problem((*here, "reported_on"), "The date reported must be today or in the past"))
    elif occurred is not None and reported < occurred:
        problems.append(
            Problem((*here, "reported_on"), "The date reported must be the same as or after the date of the incident")
        )
    return problems


def to_threshold_inputs(incidents: Sequence[IncidentEntry], agency_names: dict[str, str]) -> list[IncidentInput]:
    """The entries as threshold inputs (ids are form positions), for checking or a preview evaluation."""
    return [
        IncidentInput(
            id=incident.index,
            occurred_on=incident.occurred_on or date.min,
            is_hate=incident.is_hate,
            reports=tuple(
                ReportInput(r.agency_id or "", agency_names.get(r.agency_id or "", "an agency"), r.reported_on)
                for r in incident.reports
                if r.reported_on is not None
            ),
        )
        for incident in incidents
    ]
