"""Threshold policies per area (versioned rows), the evaluation of a case, and recording the decision.

The rules themselves are pure (trigger.domain.threshold); this module feeds them the case's rows and stores
what was decided, with the advice and the policy it was given under, so a decision can always be explained
later even after the policy has changed.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from trigger import audit
from trigger.cases.services import move_to
from trigger.domain.stages import Stage, transition_problem
from trigger.domain.threshold.evaluation import evaluate
from trigger.domain.threshold.inputs import IncidentInput, ReportInput, ThresholdPolicy
from trigger.domain.threshold.records import number_incidents
from trigger.domain.threshold.validation import check_incidents
from trigger.domain.threshold.verdicts import LinkedApplication, ThresholdEvaluation
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import (
    Area,
    AreaThresholdPolicy,
    Case,
    CaseLink,
    DecisionOutcome,
    Incident,
    ThresholdDecision,
    User,
)

POLICY_FIELDS = AreaThresholdPolicy.POLICY_FIELDS


# ---- policies ---------------------------------------------------------------------------------------------


#: Built once (the case page's threshold advice asks on every view).
_CURRENT_POLICY_ROW = (
    select(AreaThresholdPolicy)
    .where(AreaThresholdPolicy.area_id == bindparam("area_id"))
    .order_by(AreaThresholdPolicy.version.desc())
    .limit(1)
)


def current_policy_row(area_id: int) -> AreaThresholdPolicy | None:
    return db.session.scalar(_CURRENT_POLICY_ROW, {"area_id": area_id})


def policy_for_area(area_id: int) -> tuple[ThresholdPolicy, int | None]:
    """The area's current policy and its version (None: the statutory defaults, never edited)."""
    row = current_policy_row(area_id)
    return (row.to_policy(), row.version) if row else (ThresholdPolicy(), None)


def policy_versions(area_id: int) -> list[AreaThresholdPolicy]:
    return list(
        db.session.scalars(
            select(AreaThresholdPolicy)
            .where(AreaThresholdPolicy.area_id == area_id)
            .order_by(AreaThresholdPolicy.version.desc())
        )
    )


def save_policy(area: Area, values: dict, *, actor: User) -> AreaThresholdPolicy | None:
    """Add a new version of the area's policy. Returns None when nothing changed. Applies to new decisions only.

    Raises FieldError("qualifying_complaints", ...) if the domain refuses the policy (the form's own limits
    normally catch that first).
    """
    try:
        policy = ThresholdPolicy(**{name: values[name] for name in POLICY_FIELDS})
    except ValueError as error:
        raise FieldError("qualifying_complaints", str(error).removeprefix("Invalid threshold policy: ")) from None
    current, version = policy_for_area(area.id)
    before, after = dataclasses.asdict(current), dataclasses.asdict(policy)
    if version is not None and before == after:
        return None
    next_version = (
        db.session.scalar(select(func.max(AreaThresholdPolicy.version)).where(AreaThresholdPolicy.area_id == area.id))
        or 0
    ) + 1
    row = AreaThresholdPolicy(area_id=area.id, version=next_version, created_by_id=actor.id, **after)
    db.session.add(row)
    db.session.flush()
    audit.record(
        "threshold_policy.changed",
        "area",
        area.id,
        f"Threshold policy for {area.name} is now version {next_version} (applies to new decisions only)",
        {"version": next_version, "changes": audit.changes(before, after)},
    )
    return row


# ---- evaluating a case ------------------------------------------------------------------------------------


def threshold_inputs(case: Case) -> list[IncidentInput]:
    """The case's incidents as the pure rules see them (the case must have incidents and reports loaded)."""
    return [
        IncidentInput(
            id=incident.id,
            occurred_on=incident.occurred_on,
            is_hate=incident.is_hate,
            reports=tuple(
                ReportInput(r.agency_id, r.agency.name, r.reported_on, r.agency_reference or "")
                for r in incident.reports
            ),
            complainant=incident.complainant_name or None,
            same_as=incident.same_as_id,
            occurred_time=incident.occurred_time,
            description=incident.description,
            keep_separate=incident.kept_separate,
        )
        for incident in case.incidents
    ]


# ---- applications about the same problem ------------------------------------------------------------------


def same_problem_links(case: Case) -> list[CaseLink]:
    """The links of `case` the coordinator confirmed as the same problem, from either side."""
    return list(
        db.session.scalars(
            select(CaseLink)
            .where(CaseLink.same_problem, or_(CaseLink.case_id == case.id, CaseLink.linked_case_id == case.id))
            .order_by(CaseLink.id)
        )
    )


def _linked_applications(case: Case) -> tuple[list[LinkedApplication], frozenset[int]]:
    ids = {link.linked_case_id if link.case_id == case.id else link.case_id for link in same_problem_links(case)}
    if not ids:
        return [], frozenset()
    others = db.session.scalars(
        select(Case)
        .where(Case.id.in_(ids))
        .options(selectinload(Case.incidents).selectinload(Incident.reports))
        .order_by(Case.id)
    ).all()
    return (
        [
            LinkedApplication(other.reference, other.received_on, tuple(threshold_inputs(other)), other.applicant_name)
            for other in others
        ],
        frozenset(ids),
    )


def mark_same_problem(case: Case, other_id: int, same: bool) -> Case:
    """Confirm (or withdraw) that `case` and a case flagged as possibly linked to it are about the same problem.

    Only a flagged link can be confirmed: the finder (trigger.cases.services.flag_links) is what says two cases
    share an address or a person. Raises FieldError("same_problem") otherwise. Audited on both cases.
    """
    links = db.session.scalars(
        select(CaseLink).where(
            or_(
                (CaseLink.case_id == case.id) & (CaseLink.linked_case_id == other_id),
                (CaseLink.case_id == other_id) & (CaseLink.linked_case_id == case.id),
            )
        )
    ).all()
    if not links:
        raise FieldError("same_problem", "Choose a case flagged as possibly linked to this one")
    other = links[0].linked_case if links[0].case_id == case.id else links[0].case
    if all(link.same_problem == same for link in links):
        return other
    for link in links:
        link.same_problem = same
    summary = (
        "Linked as about the same problem as {}: complainants are counted across both"
        if same
        else "No longer counted as about the same problem as {}"
    )
    for this, that in ((case, other), (other, case)):
        audit.record(
            "case.same_problem_changed",
            "case",
            this.id,
            summary.format(that.reference),
            {"linked_case_id": that.id, "same_problem": same},
            case_id=this.id,
        )
    return other


@dataclasses.dataclass(frozen=True)
class Advice:
    """The product's evaluation of a case under its area's current policy, or why it could not evaluate."""

    evaluation: ThresholdEvaluation | None
    policy: ThresholdPolicy
    policy_version: int | None
    problem: str | None = None
    numbers: dict[int, int] = dataclasses.field(default_factory=dict)
    """Each incident's number within the case (1 to n by date), even when the evaluation was refused."""
    same_problem_ids: frozenset[int] = frozenset()
    """The cases linked to this one as about the same problem."""


def advise(case: Case) -> Advice:
    policy, version = policy_for_area(case.area_id)
    inputs = threshold_inputs(case)
    linked, linked_ids = _linked_applications(case)
    numbers = number_incidents(inputs)
    try:
        evaluation = evaluate(
            inputs, policy, case.received_on, applicant_name=case.applicant_name, linked=linked, today=date.today()
        )
    except ValueError as error:
        return Advice(None, policy, version, str(error), numbers, linked_ids)
    return Advice(evaluation, policy, version, None, numbers, linked_ids)


def evaluation_snapshot(evaluation: ThresholdEvaluation) -> dict:
    return {
        "met": evaluation.met,
        "qualifying_count": evaluation.qualifying_count,
        "basis": evaluation.basis.value,
        "summary": evaluation.summary,
        "reasons": list(evaluation.reasons),
        "applicant_reasons": list(evaluation.applicant_reasons),
        "complainants": list(evaluation.complainants),
        "verdicts": [
            {
                "incident_id": v.incident_id,
                "number": v.number,
                "qualifies": v.qualifies,
                "reason_code": v.reason_code.value,
                "reason": v.reason,
            }
            for v in evaluation.verdicts
        ],
    }


# ---- recording the decision -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DecisionInput:
    outcome: str
    reasons: str
    decision_maker_name: str
    decided_on: date
    difference_reason: str = ""
    vulnerability_reason: str = ""
    letter_includes_evaluation: bool = False


def record_decision(case: Case, data: DecisionInput, *, actor: User) -> ThresholdDecision:
    """Record the bodies' decision, keep the advice and policy beside it, and move the case's stage.

    A decision that differs from the product's evaluation needs a reason; an override needs the area to allow
    it and a reason about the victim's vulnerability.
    """
    try:
        outcome = DecisionOutcome(data.outcome)
    except ValueError:
        raise FieldError("outcome", "Choose whether the threshold is met") from None
    target = Stage.THRESHOLD_MET if outcome.is_met else Stage.THRESHOLD_NOT_MET
    # Leaving "escalated" needs the reviewing body's outcome (trigger.escalations), which may refer it back.
    problem = (
        f"{case.reference} is escalated: a new decision can be recorded once the reviewing body's outcome is recorded"
        if case.stage is Stage.ESCALATED
        else transition_problem(case.stage, target)
    )
    if problem:
        raise FieldError("outcome", problem)
    advice = advise(case)
    if advice.evaluation is None:
        raise FieldError("outcome", f"The incidents need checking before a decision: {advice.problem}")
    if data.decided_on > date.today():
        raise FieldError("decided_on", "The date of the decision must be today or in the past")
    if data.decided_on < case.received_on:
        raise FieldError("decided_on", "The date of the decision must be the same as or after the date received")

    if outcome is DecisionOutcome.MET_BY_OVERRIDE:
        if not advice.policy.vulnerability_override_allowed:
            raise FieldError("outcome", f"{case.area.name}'s policy does not allow a vulnerability override")
        if advice.evaluation.met:
            raise FieldError("outcome", "The evaluation already finds the threshold met: choose “Threshold met”")
        if not data.vulnerability_reason.strip():
            raise FieldError("vulnerability_reason", "Explain the victim's vulnerability that justifies the override")
    differs = outcome.is_met != advice.evaluation.met
    # An override always differs from the evaluation (it is refused when the evaluation finds the threshold met),
    # and its vulnerability reason is why: asking for a second reason would only make the coordinator repeat it.
    difference_reason = data.difference_reason.strip() or (
        data.vulnerability_reason.strip() if outcome is DecisionOutcome.MET_BY_OVERRIDE else ""
    )
    if differs and not difference_reason:
        advice_text = "met" if advice.evaluation.met else "not met"
        raise FieldError(
            "difference_reason", f"The evaluation says the threshold is {advice_text}: explain why the decision differs"
        )

    decision = ThresholdDecision(
        case_id=case.id,
        outcome=outcome,
        reasons=data.reasons.strip(),
        vulnerability_reason=data.vulnerability_reason.strip() if outcome is DecisionOutcome.MET_BY_OVERRIDE else "",
        decision_maker_name=data.decision_maker_name.strip(),
        decided_by_id=actor.id,
        decided_on=data.decided_on,
        evaluation=evaluation_snapshot(advice.evaluation),
        policy={**dataclasses.asdict(advice.policy), "version": advice.policy_version},
        policy_version=advice.policy_version,
        differs_from_advice=differs,
        difference_reason=difference_reason if differs else "",
        letter_includes_evaluation=data.letter_includes_evaluation,
    )
    db.session.add(decision)
    db.session.flush()
    audit.record(
        "threshold.decided",
        "case",
        case.id,
        f"{outcome.label}, decided by {decision.decision_maker_name} on {data.decided_on:%d/%m/%Y}"
        + (" (differs from the evaluation)" if differs else ""),
        {
            "decision_id": decision.id,
            "outcome": outcome.value,
            "differs_from_advice": differs,
            "advice_met": advice.evaluation.met,
            "policy_version": advice.policy_version,
        },
        case_id=case.id,
    )
    move_to(case, target, f"Threshold decision: {outcome.label.lower()}", audit_details={"decision_id": decision.id})
    return decision


# ---- marking duplicate incidents --------------------------------------------------------------------------


def same_day_incidents(case: Case, incident: Incident) -> list[Incident]:
    """The case's other incidents on the same date: the ones `incident` may be marked the same as."""
    return [i for i in case.incidents if i.id != incident.id and i.occurred_on == incident.occurred_on]


def mark_same_as(case: Case, incident: Incident, same_as_id: int | None, *, numbers: dict[int, int]) -> None:
    """Record that `incident` is the same incident as another on the case (None: a separate incident, which also
    undoes the automatic counting-once of a record identical to another).

    `numbers` are the incidents' numbers within the case, for the messages and the audit trail.

    The other incident must be on the same case and date, not itself, and the links must not loop; the pure
    rules (check_incidents) decide, so the evaluation can never meet a link it would refuse. Audited.
    """
    if same_as_id is not None:
        if same_as_id == incident.id:
            raise FieldError("same_as_id", "An incident cannot be the same as itself: choose another incident")
        target = next((i for i in case.incidents if i.id == same_as_id), None)
        if target is None:
            raise FieldError("same_as_id", "Choose an incident recorded on this case")
        if target.occurred_on != incident.occurred_on:
            raise FieldError(
                "same_as_id",
                "Choose an incident on the same date: incidents on different dates are different incidents",
            )
        inputs = [
            dataclasses.replace(i, same_as=same_as_id) if i.id == incident.id else i for i in threshold_inputs(case)
        ]
        problems = check_incidents(inputs)
        if any("loop" in problem for problem in problems):
            raise FieldError(
                "same_as_id",
                f"Incident {numbers.get(target.id, target.id)} is already counted as"
                f" incident {numbers.get(incident.id, incident.id)}: marking this one as"
                " the same as it would make a loop",
            )
        if problems:
            raise FieldError("same_as_id", " ".join(problems))
    before = incident.same_as_id
    kept_separate = same_as_id is None
    if before == same_as_id and incident.kept_separate == kept_separate:
        return
    incident.same_as_id = same_as_id
    incident.kept_separate = kept_separate
    number = numbers.get(incident.id, incident.id)
    summary = (
        f"Marked incident {number} as the same incident as incident {numbers.get(same_as_id, same_as_id)}: counted once"
        if same_as_id is not None
        else f"Marked incident {number} as a separate incident"
    )
    audit.record(
        "incident.same_as_changed",
        "incident",
        incident.id,
        summary,
        {
            "same_as_id": [before, same_as_id],
            "kept_separate": kept_separate,
            "occurred_on": incident.occurred_on.isoformat(),
        },
        case_id=case.id,
    )
