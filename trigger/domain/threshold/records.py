"""Numbering, copies and complainants: incidents numbered 1 to n by date, records that repeat another merged into
one incident, and the different people who complained."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time

from trigger.domain.threshold.inputs import IncidentId, IncidentInput, ReportInput
from trigger.domain.threshold.validation import _root_id, _structure_problems


def _id_key(incident_id: IncidentId) -> tuple[int, int, str]:
    # A total order over mixed int and str ids, so results never depend on the order incidents were given in.
    if isinstance(incident_id, int):
        return (0, incident_id, "")
    return (1, 0, str(incident_id))


def _incident_key(incident: IncidentInput) -> tuple:
    # By date, then time (an incident with no time first), then id: the order incidents are numbered in.
    when = incident.occurred_time
    return (incident.occurred_on, when is not None, when or time.min, _id_key(incident.id))


def number_incidents(incidents: Iterable[IncidentInput]) -> dict[IncidentId, int]:
    """Each incident's number within its case, 1 to n by date then time: "Incident 2" on pages and letters,
    rather than a database id shared by every case."""
    return {incident.id: n for n, incident in enumerate(sorted(incidents, key=_incident_key), start=1)}


def _report_key(report: ReportInput) -> tuple[date, str, str, str]:
    return (report.reported_on, report.agency_name, str(report.agency_id), report.reference)


def normalise_name(name: str | None) -> str:
    """A name as compared: case, accents' forms, spaces and punctuation ignored ("Ann  Lee." is "ann lee")."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _person_key(complainant: str | None, applicant_key: str) -> str:
    """Who complained, as compared: "" is the applicant (a blank name or the applicant's own name)."""
    key = normalise_name(complainant)
    return "" if key == applicant_key else key


def _copy_key(incident: IncidentInput, applicant_key: str) -> tuple:
    """Everything that makes a record what it is: two records with the same key are one complaint entered twice."""
    return (
        incident.occurred_on,
        incident.occurred_time,
        " ".join(incident.description.split()),
        incident.is_hate,
        _person_key(incident.complainant, applicant_key),
        frozenset((str(r.agency_id), r.reported_on, r.reference.strip()) for r in incident.reports),
    )


def _identical_copies(records: Sequence[IncidentInput], applicant_key: str) -> dict[IncidentId, IncidentId]:
    """Records identical to an earlier one (in numbering order) -> that earlier record. Records already marked as
    the same as another, or that the coordinator kept separate, are left alone."""
    first: dict[tuple, IncidentId] = {}
    copies: dict[IncidentId, IncidentId] = {}
    for record in records:
        if record.same_as is not None:
            continue
        key = _copy_key(record, applicant_key)
        if key in first and not record.keep_separate:
            copies[record.id] = first[key]
        else:
            first.setdefault(key, record.id)
    return copies


def repeated_records(
    incidents: Iterable[IncidentInput], *, applicant_name: str | None = None
) -> dict[IncidentId, IncidentId]:
    """Records that only repeat another -> the record they are counted as: the ones marked as the same incident,
    and the ones identical in every field (unless kept separate). Letters that list the applicant's incidents
    leave these out, as the evaluation counts them once. With broken links, only the marked ones are given."""
    records = sorted(incidents, key=_incident_key)
    if _structure_problems(records):
        return {r.id: r.same_as for r in records if r.same_as is not None}
    numbers = {record.id: n for n, record in enumerate(records, start=1)}
    _, links, _ = _merge(records, numbers, normalise_name(applicant_name))
    roots = {record.id: _root_id(record.id, links) for record in records}
    return {record_id: root for record_id, root in roots.items() if root is not None and root != record_id}


@dataclass(frozen=True)
class _Group:
    """One real incident: a record plus any records marked as (or identical to) the same incident, merged."""

    incident_id: IncidentId
    number: int
    occurred_on: date
    occurred_time: time | None
    is_hate: bool
    reports: tuple[ReportInput, ...]
    complainants: frozenset[str]


def _display_names(records: Sequence[IncidentInput], applicant_key: str) -> dict[str, str]:
    """One way of writing each complainant, chosen independently of the input order (the first, sorted)."""
    written: dict[str, set[str]] = {}
    for record in records:
        key = _person_key(record.complainant, applicant_key)
        if key:
            written.setdefault(key, set()).add(" ".join((record.complainant or "").split()))
    return {key: sorted(forms)[0] for key, forms in written.items()}


def _merge(
    records: Sequence[IncidentInput], numbers: dict[IncidentId, int], applicant_key: str
) -> tuple[list[_Group], dict[IncidentId, IncidentId | None], dict[IncidentId, IncidentId]]:
    copies = _identical_copies(records, applicant_key)
    links = {record.id: record.same_as if record.same_as is not None else copies.get(record.id) for record in records}
    members: dict[IncidentId, list[IncidentInput]] = {}
    for record in records:
        root = _root_id(record.id, links)
        assert root is not None  # validate refused loops and broken links; copies point at roots
        members.setdefault(root, []).append(record)
    by_id = {record.id: record for record in records}
    groups = []
    for root, group in members.items():
        # A report recorded on two copies (the same agency on the same day) is one report.
        reports: dict[tuple, ReportInput] = {}
        for report in sorted((r for member in group for r in member.reports), key=_report_key):
            reports.setdefault((str(report.agency_id), report.reported_on), report)
        groups.append(
            _Group(
                incident_id=root,
                number=numbers[root],
                occurred_on=by_id[root].occurred_on,
                occurred_time=by_id[root].occurred_time,
                is_hate=any(member.is_hate for member in group),
                reports=tuple(reports.values()),
                complainants=frozenset(_person_key(member.complainant, applicant_key) for member in group),
            )
        )
    return sorted(groups, key=lambda g: g.number), links, copies


APPLICANT = "the applicant"


@dataclass(frozen=True)
class _People:
    """The different people whose complaints in time count here: keys as compared, names as shown."""

    keys: frozenset[str]
    names: tuple[str, ...]

    @classmethod
    def of(cls, in_time: Sequence[_Group], names: dict[str, str], applicant_key: str) -> _People:
        keys = frozenset().union(*(g.complainants for g in in_time))
        shown = ([APPLICANT] if "" in keys else []) + sorted(names[k] for k in keys if k)
        # Across applications the applicant is a person like any other: compare them by their name.
        compared = frozenset(applicant_key if k == "" else k for k in keys)
        return cls(compared, tuple(shown))


@dataclass(frozen=True)
class _Linked:
    """What the linked applications add: people not already counted here, how many applications, and how many
    could not be evaluated."""

    keys: frozenset[str] = frozenset()
    applications: int = 0
    unevaluated: int = 0
