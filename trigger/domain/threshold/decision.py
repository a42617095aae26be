"""Deciding and explaining: which rule met the threshold (or none), the summary sentence for the letter and the
reasons a coordinator can read out."""

from __future__ import annotations

from collections.abc import Sequence

from trigger.domain.threshold.dates import _complaints, _months, format_date
from trigger.domain.threshold.inputs import IncidentInput, ThresholdPolicy
from trigger.domain.threshold.records import _Group, _Linked, _People
from trigger.domain.threshold.verdicts import Basis, IncidentVerdict, ThresholdEvaluation


def _decide(
    records: Sequence[IncidentInput],
    verdicts: tuple[IncidentVerdict, ...],
    in_time: Sequence[_Group],
    policy: ThresholdPolicy,
    people: _People,
    linked: _Linked,
) -> ThresholdEvaluation:
    count = sum(1 for v in verdicts if v.qualifies)
    hate = next((g for g in in_time if g.is_hate), None) if policy.hate_incident_suffices else None
    complainants = len(people.keys | linked.keys)

    if count >= policy.qualifying_complaints:
        basis = Basis.COMPLAINT_COUNT
    elif hate is not None:
        basis = Basis.HATE_INCIDENT
    elif policy.distinct_complainants is not None and complainants >= policy.distinct_complainants:
        basis = Basis.DISTINCT_COMPLAINANTS
    else:
        basis = Basis.NOT_MET

    met = basis is not Basis.NOT_MET
    rules = _rule_lines(count, hate, complainants, policy, people, linked)
    incident_lines = [
        (verdict, _incident_line(record, verdict)) for record, verdict in zip(records, verdicts, strict=True)
    ]
    discretion = [] if met else _discretion_lines(policy)
    return ThresholdEvaluation(
        met=met,
        qualifying_count=count,
        verdicts=verdicts,
        basis=basis,
        summary=_summary(basis, count, hate, complainants, policy, linked),
        reasons=(*rules, *(line for _, line in incident_lines), *discretion),
        applicant_reasons=(*rules, *(line for verdict, line in incident_lines if not verdict.bookkeeping), *discretion),
        complainants=people.names,
    )


def _count_phrase(count: int, policy: ThresholdPolicy) -> str:
    return (
        f"{_complaints(count)} in the {_months(policy.window_months)} before the application"
        f" (the area's policy requires {policy.qualifying_complaints})"
    )


def _applications(n: int) -> str:
    return "1 other application" if n == 1 else f"{n} other applications"


def _summary(
    basis: Basis, count: int, hate: _Group | None, complainants: int, policy: ThresholdPolicy, linked: _Linked
) -> str:
    if basis is Basis.COMPLAINT_COUNT:
        return f"Threshold met: {_count_phrase(count, policy)}."
    if basis is Basis.HATE_INCIDENT:
        assert hate is not None
        return (
            f"Threshold met: a hate incident on {format_date(hate.occurred_on)} was reported in time"
            " (the area's policy treats one hate incident as enough)."
        )
    if basis is Basis.DISTINCT_COMPLAINANTS:
        across = (
            f", counting {_applications(linked.applications)} about the same problem" if linked.applications else ""
        )
        return (
            f"Threshold met: {complainants} different people made complaints in time{across}"
            f" (the area's policy treats {policy.distinct_complainants} as enough)."
        )
    return f"Threshold not met: {_count_phrase(count, policy)}."


def _rule_lines(
    count: int, hate: _Group | None, complainants: int, policy: ThresholdPolicy, people: _People, linked: _Linked
) -> list[str]:
    occasions = " (incidents on separate occasions only)" if policy.require_separate_occasions else ""
    lines = [f"Qualifying complaints: {count}{occasions}; the area's policy requires {policy.qualifying_complaints}."]
    if policy.hate_incident_suffices:
        lines.append(
            f"Incident {hate.number} on {format_date(hate.occurred_on)} is a hate incident reported in time;"
            " the area's policy treats one as enough."
            if hate is not None
            else "No hate incident was reported in time; the area's policy would treat one as enough."
        )
    if policy.distinct_complainants is not None:
        people_here = len(people.names)
        counted = "1 person" if complainants == 1 else f"{complainants} different people"
        named = f" ({_and(people.names)})" if people.names else ""
        if linked.applications:
            more = complainants - people_here
            here = "1 person" if people_here == 1 else f"{people_here} people"
            counted += (
                f": {here} on this application{named} and {more} more on"
                f" {_applications(linked.applications)} linked as about the same problem"
            )
        else:
            counted += named
        lines.append(
            f"Complaints in time came from {counted}; the area's policy treats"
            f" {policy.distinct_complainants} different people as enough."
        )
        if linked.unevaluated:
            lines.append(
                f"{_applications(linked.unevaluated).capitalize()} linked as about the same problem could not be"
                " evaluated (its incidents need checking), so its complainants are not counted."
            )
    return lines


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _incident_line(record: IncidentInput, verdict: IncidentVerdict) -> str:
    status = "counts" if verdict.qualifies else "does not count"
    return f"Incident {verdict.number} on {format_date(record.occurred_on)} {status}: {verdict.reason}"


def _discretion_lines(policy: ThresholdPolicy) -> list[str]:
    lines = [
        "The relevant bodies may still decide the threshold is met, considering the persistence of the behaviour,"
        " the harm or potential harm to the victim, and the adequacy of the response so far."
    ]
    if policy.vulnerability_override_allowed:
        lines.append(
            "A senior manager may also decide the threshold is met because of the victim's vulnerability"
            " (the area's policy allows this override)."
        )
    return lines
