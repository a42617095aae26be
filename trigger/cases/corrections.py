"""Correcting a case's details after intake: the applicant's details and each incident's, with a reason, audited.

No HTML here. A correction names what changed (old -> new) in the audit event's details, read by administrators
and auditors in the audit trail, and only which details changed and why in its summary, which the case's
timeline shows to everyone who may see the case. Like every other audited edit, the old and new values are
personal data held in the audit trail; the timeline of an anonymised case shows none of it
(trigger.cases.timeline_filter) and an anonymised case cannot be corrected (that would put personal data back).

Two people correcting the same details at once: each form carries the details it was opened with
(`details_token`); a save whose details no longer match is refused with `StaleDetails`, which
carries what the details are now, so nothing anyone saved is overwritten unseen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, time
from enum import Enum
from typing import Any


from trigger import audit
from trigger.cases.services import normalise_postcode, phone_key
from trigger.deadlines.dates import london_today
from trigger.forms import FieldError
from trigger.governance.retention import is_anonymised
from trigger.models import Case, ContactMethod, HowReported, Incident, PreferredFormat, User

#: The applicant's details that can be corrected, with the words the audit summary uses for each.
APPLICANT_FIELDS = {
    "applicant_name": "name",
    "applicant_address": "address",
    "applicant_postcode": "postcode",
    "applicant_phone": "telephone",
    "applicant_email": "email address",
    "applicant_date_of_birth": "date of birth",
    "preferred_contact": "preferred contact",
    "preferred_format": "format",
    "language": "language",
    "communication_needs": "communication needs",
    "vulnerabilities": "vulnerabilities",
    "advocate_details": "advocate",
}
INCIDENT_FIELDS = {
    "occurred_on": "date",
    "occurred_time": "time",
    "description": "what happened",
    "is_hate": "hate incident",
    "complainant_name": "complainant",
}
REPORT_FIELDS = {
    "reported_on": "date reported",
    "agency_reference": "agency's reference",
    "how_reported": "how reported",
    "what_was_done": "what the agency did",
}
REASON_MAX = 1000


class StaleDetails(Exception):
    """The details changed since the form was opened. ``current`` is what they are now (as `snapshot_*` gives)."""

    def __init__(self, current: dict[str, Any], token: str) -> None:
        super().__init__("stale")
        self.current = current
        self.token = token


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def snapshot_applicant(case: Case) -> dict[str, Any]:
    return {name: _plain(getattr(case, name)) for name in APPLICANT_FIELDS}


def snapshot_incident(incident: Incident) -> dict[str, Any]:
    values = {name: _plain(getattr(incident, name)) for name in INCIDENT_FIELDS}
    for number, report in enumerate(incident.reports, start=1):
        for name in REPORT_FIELDS:
            values[f"report_{number}_{name}"] = _plain(getattr(report, name))
    return values


def details_token(snapshot: dict[str, Any]) -> str:
    """The details as a form was opened with them, carried by the form (they are on the page already): a stale
    save is refused, and the page can then tell which details the other person changed and which this one did."""
    return json.dumps(snapshot, sort_keys=True, default=str, separators=(",", ":"))


def opened_with(token: str | None) -> dict[str, Any]:
    """The details a form says it was opened with ({} for anything that is not such a token)."""
    try:
        value = json.loads(token or "")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass
class Correction:
    """What a correction changed: {field: [old, new]} and the words for the summary."""

    changes: dict[str, list[Any]]
    described: list[str]


def _check(case: Case, reason: str, before: dict, expected_token: str) -> str:
    if is_anonymised(case.id):
        raise FieldError("reason", "This case has been anonymised: its details can no longer be corrected")
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", "Give the reason for the correction")
    if len(reason) > REASON_MAX:
        raise FieldError("reason", f"The reason must be {REASON_MAX} characters or fewer")
    current_token = details_token(before)
    if expected_token != current_token:
        raise StaleDetails(before, current_token)
    return reason


def correct_applicant(
    case: Case, values: dict[str, Any], *, reason: str, expected_token: str, actor: User
) -> Correction:
    """Correct the applicant's details. Raises FieldError (nothing changed, no reason, anonymised case) or
    StaleDetails; nothing is saved then."""
    before = snapshot_applicant(case)
    reason = _check(case, reason, before, expected_token)
    new = {name: values.get(name, getattr(case, name)) for name in APPLICANT_FIELDS}
    new["applicant_postcode"] = normalise_postcode(new["applicant_postcode"])
    new["applicant_email"] = (new["applicant_email"] or "").strip().lower()
    new["preferred_contact"] = ContactMethod(new["preferred_contact"])
    new["preferred_format"] = PreferredFormat(new["preferred_format"])
    if new["preferred_contact"] is ContactMethod.EMAIL and not new["applicant_email"]:
        raise FieldError("applicant_email", "Enter an email address, or choose another way to contact the applicant")
    after = {name: _plain(value) for name, value in new.items()}
    changes = audit.changes(before, after)
    if not changes:
        raise FieldError("reason", "Nothing has been changed: change a detail, or go back to the case")
    for name, value in new.items():
        setattr(case, name, value)
    case.applicant_phone_key = phone_key(case.applicant_phone)
    described = [APPLICANT_FIELDS[name] for name in changes]
    audit.record(
        "case.corrected",
        "case",
        case.id,
        f"Corrected the applicant's {', '.join(described)}: {reason}",
        {"what": "applicant", "reason": reason, "changes": changes},
        actor=actor,
        case_id=case.id,
    )
    return Correction(changes, described)


def correct_incident(
    case: Case,
    incident: Incident,
    number: int,
    values: dict[str, Any],
    reports: list[dict[str, Any]],
    *,
    reason: str,
    expected_token: str,
    actor: User,
) -> Correction:
    """Correct one incident and its reports (not which agency a report went to: that decides who may see the
    case). Raises FieldError or StaleDetails; nothing is saved then."""
    before = snapshot_incident(incident)
    reason = _check(case, reason, before, expected_token)
    occurred_on = values["occurred_on"]
    if occurred_on > case.received_on:
        raise FieldError(
            "occurred_on",
            "The date of the incident must be on or before the date the application "
            f"was received ({case.received_on.strftime('%d/%m/%Y')})",
        )
    for entry, report in zip(reports, incident.reports, strict=False):
        if entry["reported_on"] < occurred_on:
            raise FieldError(
                "occurred_on",
                f"The incident's date must be on or before the date it was reported to {report.agency.name}",
            )
        if entry["reported_on"] > london_today():
            raise FieldError("occurred_on", "A date reported must be today or in the past")
    after = {name: _plain(values[name]) for name in INCIDENT_FIELDS}
    for number_, entry in enumerate(reports[: len(incident.reports)], start=1):
        for name in REPORT_FIELDS:
            after[f"report_{number_}_{name}"] = _plain(entry[name] or (None if name == "how_reported" else entry[name]))
    changes = audit.changes(before, after)
    if not changes:
        raise FieldError("reason", "Nothing has been changed: change a detail, or go back to the incidents")
    for name in INCIDENT_FIELDS:
        setattr(incident, name, values[name])
    for entry, report in zip(reports, incident.reports, strict=False):
        report.reported_on = entry["reported_on"]
        report.agency_reference = entry["agency_reference"]
        report.how_reported = HowReported(entry["how_reported"]) if entry["how_reported"] else None
        report.what_was_done = entry["what_was_done"]
    described = []
    for name in changes:
        if name.startswith("report_"):
            _, report_number, field = name.split("_", 2)
            agency = incident.reports[int(report_number) - 1].agency.name
            words = f"{REPORT_FIELDS[field]} ({agency})"
        else:
            words = INCIDENT_FIELDS[name]
        if words not in described:
            described.append(words)
    audit.record(
        "incident.corrected",
        "incident",
        incident.id,
        f"Corrected incident {number}'s {', '.join(described)}: {reason}",
        {"what": "incident", "incident_id": incident.id, "reason": reason, "changes": changes},
        actor=actor,
        case_id=case.id,
    )
    return Correction(changes, described)
