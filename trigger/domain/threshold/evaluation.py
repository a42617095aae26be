"""`evaluate`: is the threshold met for an application, with a verdict for every incident and the reasons."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from trigger.domain.threshold.dates import format_date
from trigger.domain.threshold.decision import _decide
from trigger.domain.threshold.inputs import IncidentId, IncidentInput, ThresholdPolicy
from trigger.domain.threshold.records import (
    APPLICANT,
    _Linked,
    _People,
    _display_names,
    _incident_key,
    _merge,
    normalise_name,
)
from trigger.domain.threshold.time_rules import _apply_separate_occasions, _assess
from trigger.domain.threshold.validation import Problem, _root_id, validate
from trigger.domain.threshold.verdicts import IncidentVerdict, LinkedApplication, ReasonCode, ThresholdEvaluation


def evaluate(
    incidents: Iterable[IncidentInput],
    policy: ThresholdPolicy,
    application_date: date,
    *,
    applicant_name: str | None = None,
    linked: Sequence[LinkedApplication] = (),
    today: date | None = None,
) -> ThresholdEvaluation:
    """Decide whether the threshold is met for an application made on `application_date`.

    `applicant_name` lets a complainant typed as the applicant's own name count as the applicant. `linked` are
    other applications about the same problem, whose complainants count towards the different-complainants rule.

    Raises ValueError if `validate` finds problems (a report before its incident, a date after `today` - by
    default the real today -, contradictory links): a decision built on wrong data could not be explained.
    """
    records = sorted(incidents, key=_incident_key)
    numbers = {record.id: n for n, record in enumerate(records, start=1)}
    problems = validate(records, today=date.today() if today is None else today)
    if problems:
        raise ValueError(
            "Cannot evaluate the threshold: " + " ".join(_described(p, records, numbers) for p in problems)
        )
    applicant_key = normalise_name(applicant_name)
    names = _display_names(records, applicant_key)
    groups, links, copies = _merge(records, numbers, applicant_key)
    verdicts_by_id = {group.incident_id: _assess(group, policy, application_date) for group in groups}
    if policy.require_separate_occasions:
        verdicts_by_id = _apply_separate_occasions(groups, verdicts_by_id)

    by_id = {record.id: record for record in records}
    verdicts = tuple(
        verdicts_by_id[record.id]
        if record.id in verdicts_by_id
        else _copy_verdict(record, by_id[_root_id(record.id, links)], numbers, automatic=record.id in copies)
        for record in records
    )
    # Incidents that pass the time rules. The hate and complainant rules look at all of them: a same-occasion
    # incident is still a complaint made in time, even where it adds nothing to the count of separate occasions.
    in_time = [
        group
        for group in groups
        if verdicts_by_id[group.incident_id].reason_code in (ReasonCode.QUALIFIES, ReasonCode.SAME_OCCASION)
    ]
    people = _People.of(in_time, names, applicant_key)
    others = _linked_people(linked, policy, today) if policy.distinct_complainants is not None else _Linked()
    return _decide(records, verdicts, in_time, policy, people, others)


def _described(problem: Problem, records: Sequence[IncidentInput], numbers: dict[IncidentId, int]) -> str:
    incident_id = problem.path[1]
    record = next((r for r in records if r.id == incident_id), None)
    if record is None or problem.path[-1] == "same_as":
        return problem.message
    return f"Incident {numbers[incident_id]} ({format_date(record.occurred_on)}): {problem.message}."


def _copy_verdict(
    record: IncidentInput, root: IncidentInput, numbers: dict[IncidentId, int], *, automatic: bool
) -> IncidentVerdict:
    if automatic:
        return IncidentVerdict(
            incident_id=record.id,
            qualifies=False,
            reason_code=ReasonCode.IDENTICAL_COPY,
            reason=(
                f"Recorded more than once: identical in every detail to incident {numbers[root.id]}, so it is"
                f" counted once, as incident {numbers[root.id]}. If it was a separate incident, the coordinator"
                " can count it separately."
            ),
            number=numbers[record.id],
            counted_as=root.id,
        )
    return IncidentVerdict(
        incident_id=record.id,
        qualifies=False,
        reason_code=ReasonCode.DUPLICATE,
        reason=(
            f"Recorded more than once: this is the same incident as incident {numbers[root.id]} on"
            f" {format_date(record.occurred_on)}, so it is assessed once, as incident {numbers[root.id]}."
        ),
        number=numbers[record.id],
        counted_as=root.id,
    )


def _linked_people(linked: Sequence[LinkedApplication], policy: ThresholdPolicy, today: date | None) -> _Linked:
    keys: set[str] = set()
    unevaluated = 0
    for n, application in enumerate(sorted(linked, key=lambda a: a.reference)):
        try:
            result = evaluate(
                application.incidents,
                policy,
                application.application_date,
                applicant_name=application.applicant_name,
                today=today,
            )
        except ValueError:
            unevaluated += 1
            continue
        applicant_key = normalise_name(application.applicant_name)
        for name in result.complainants:
            if name == APPLICANT:
                # An applicant with no name recorded is still one person, different from everyone else.
                keys.add(applicant_key or f"\0applicant of linked application {n}")
            else:
                keys.add(normalise_name(name))
    return _Linked(frozenset(keys), len(linked) - unevaluated, unevaluated)
