"""Checking the incidents: the one validation entry point (`validate`), shared by the intake forms and `evaluate`,
which refuses to decide on data it finds wrong."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from trigger.domain.threshold.dates import format_date
from trigger.domain.threshold.inputs import IncidentId, IncidentInput


INCIDENT_IN_FUTURE = "The date of the incident must be today or in the past"
REPORT_IN_FUTURE = "The date reported must be today or in the past"
REPORT_BEFORE_INCIDENT = "The date reported must be the same as or after the date of the incident"


@dataclass(frozen=True)
class Problem:
    """A message and where it belongs, e.g. ("incidents", 0, "reports", 1, "reported_on").

    The incident part of the path is the incident's id; the report part is the report's `index` (its position
    among the incident's reports when not given).
    """

    path: tuple[str | int, ...]
    message: str


def validate(incidents: Sequence[IncidentInput], *, today: date | None) -> list[Problem]:
    """Every problem that stops `incidents` being saved or evaluated (empty when there are none).

    The one entry point for the rules on dates and links: the intake forms, imports and any API call it to put
    each message next to its field, and `evaluate` calls it to refuse the same input with the same messages.
    `today` None skips the "not in the future" checks (for re-checking links only).
    """
    problems: list[Problem] = []
    for incident in incidents:
        at = ("incidents", incident.id)
        if today is not None and incident.occurred_on > today:
            problems.append(Problem((*at, "occurred_on"), INCIDENT_IN_FUTURE))
        for position, report in enumerate(incident.reports):
            here = (*at, "reports", position if report.index is None else report.index, "reported_on")
            if today is not None and report.reported_on > today:
                problems.append(Problem(here, REPORT_IN_FUTURE))
            elif report.reported_on < incident.occurred_on:
                problems.append(Problem(here, REPORT_BEFORE_INCIDENT))
    problems.extend(
        Problem(("incidents", incident_id, "same_as"), message)
        for incident_id, message in _structure_problems(incidents)
    )
    return problems


def check_incidents(incidents: Sequence[IncidentInput]) -> list[str]:
    """The problems in how `incidents` refer to each other (ids, same-as links), as messages.

    Kept for the same-as form, which re-checks the links it is about to change; everything else calls `validate`.
    """
    return [message for _, message in _structure_problems(incidents)]


def _structure_problems(incidents: Sequence[IncidentInput]) -> list[tuple[IncidentId, str]]:
    problems: list[tuple[IncidentId, str]] = []
    by_id: dict[IncidentId, IncidentInput] = {}
    for incident in incidents:
        if incident.id in by_id:
            problems.append((incident.id, f"Incident {incident.id} appears more than once."))
        by_id[incident.id] = incident
    for incident in incidents:
        problems.extend((incident.id, message) for message in _link_problems(incident, by_id))
    return problems


def _link_problems(incident: IncidentInput, by_id: dict[IncidentId, IncidentInput]) -> list[str]:
    if incident.same_as is None:
        return []
    target = by_id.get(incident.same_as)
    if incident.same_as == incident.id:
        return [f"Incident {incident.id} is marked as the same as itself."]
    if target is None:
        return [f"Incident {incident.id} is marked as the same as incident {incident.same_as}, which is not listed."]
    if target.occurred_on != incident.occurred_on:
        return [
            f"Incident {incident.id} ({format_date(incident.occurred_on)}) is marked as the same as incident"
            f" {target.id}, which has a different date ({format_date(target.occurred_on)})."
        ]
    if _root_id(incident.id, {i: r.same_as for i, r in by_id.items()}) is None:
        return [f"Incident {incident.id} is in a loop of incidents each marked as the same as another."]
    return []


def _root_id(incident_id: IncidentId, links: dict[IncidentId, IncidentId | None]) -> IncidentId | None:
    """Follow same-as links to the record that counts; None if the links loop or break."""
    seen: set[IncidentId] = set()
    current: IncidentId | None = incident_id
    while current is not None and links.get(current) is not None:
        if current in seen:
            return None
        seen.add(current)
        current = links[current]
    return current if current in links else None
