"""Checks on the incidents in an application, before anything is saved. Pure: no Flask, no database.

Both intake routes (staff and public) turn their form entries into `IncidentEntry` values and call
`check_application`, which adds the form's own checks to the domain's one validation entry point
(trigger.domain.threshold.validation.validate). Each problem names the entry and field it belongs to (`path`), so the form can show the
message next to the field, and the same rules hold wherever an application comes from (form, import, API).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from trigger.domain.threshold.inputs import IncidentInput, ReportInput
from trigger.domain.threshold.validation import Problem, validate

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


def check_application(
    incidents: Sequence[IncidentEntry],
    *,
    today: date,
    known_agency_ids: Collection[str],
    require_report: bool = True,
) -> list[Problem]:
    """Everything wrong with the incidents of one application (empty when they can be saved).

    This module checks what only a form can get wrong (a missing date or description, an unknown agency); the
    rules on the dates themselves (not in the future, a report not before its incident) come from the one
    validation entry point, trigger.domain.threshold.validation.validate, which the evaluator applies too - so a case
    that intake accepted can always be evaluated, with the same messages everywhere.

    `known_agency_ids` are the agencies an entry may name (as strings, as a form sends them); any other value
    is a forged or stale id. `require_report` is True for staff intake, where each incident must say which
    agency it was reported to; an applicant may not know, so the public form leaves it optional.
    """
    if not incidents:
        return [Problem(("incidents", 0, "occurred_on"), "Add at least one incident: enter the date it happened")]
    by_incident: dict[int, list[Problem]] = {}
    for problem in validate(_dated_inputs(incidents), today=today):
        by_incident.setdefault(int(problem.path[1]), []).append(problem)
    problems: list[Problem] = []
    for incident in incidents:
        problems.extend(_entry_problems(incident, known_agency_ids, require_report))
        problems.extend(by_incident.get(incident.index, []))
    return problems


def _entry_problems(incident: IncidentEntry, known_agency_ids: Collection[str], require_report: bool) -> list[Problem]:
    at = ("incidents", incident.index)
    problems: list[Problem] = []
    if incident.occurred_on is None:
        problems.append(Problem((*at, "occurred_on"), "Enter the date the incident happened"))
    if not incident.description.strip():
        problems.append(Problem((*at, "description"), "Describe what happened"))
    if require_report and not incident.reports:
        problems.append(Problem((*at, "reports", 0, "agency_id"), "Choose the agency this incident was reported to"))
    for report in incident.reports:
        here = (*at, "reports", report.index)
        if not report.agency_id:
            problems.append(Problem((*here, "agency_id"), "Choose the agency it was reported to"))
        elif report.agency_id not in known_agency_ids:
            problems.append(Problem((*here, "agency_id"), "Choose an agency from the list"))
        if report.reported_on is None:
            problems.append(Problem((*here, "reported_on"), "Enter the date it was reported"))
    return problems


def _dated_inputs(incidents: Sequence[IncidentEntry]) -> list[IncidentInput]:
    """The entries whose dates are filled in, as the domain validates them (ids and indexes are form positions)."""
    return [
        IncidentInput(
            id=incident.index,
            occurred_on=incident.occurred_on,
            reports=tuple(
                ReportInput(r.agency_id or "", "", r.reported_on, index=r.index)
                for r in incident.reports
                if r.reported_on is not None
            ),
        )
        for incident in incidents
        if incident.occurred_on is not None
    ]


def to_threshold_inputs(incidents: Sequence[IncidentEntry], agency_names: dict[str, str]) -> list[IncidentInput]:
    """The entries as threshold inputs (ids are form positions), for a preview evaluation."""
    return [
        IncidentInput(
            id=incident.index,
            occurred_on=incident.occurred_on or date.min,
            is_hate=incident.is_hate,
            description=incident.description,
            reports=tuple(
                ReportInput(
                    r.agency_id or "", agency_names.get(r.agency_id or "", "an agency"), r.reported_on, index=r.index
                )
                for r in incident.reports
                if r.reported_on is not None
            ),
        )
        for incident in incidents
    ]
