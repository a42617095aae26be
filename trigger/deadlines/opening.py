"""Opening and meeting the deadlines of cases as they move through their stages; extending and recomputing them.

Public API (other packages call these names):

- ``open_deadline(case, kind, anchor, *, cycle=None) -> CaseDeadline``
- ``meet_deadline(case, kind, on) -> CaseDeadline | None``
- ``extend_deadline(deadline, new_due, reason, actor) -> CaseDeadline``
- ``recompute_open_deadlines(case) -> list[CaseDeadline]``
- ``on_stage_change(case, old, new, on)``: called by trigger.cases.services (create_case and move_to) only.

Opening and meeting a deadline as a stage changes is not audited separately: the stage change is (by move_to),
and the deadline row keeps its anchor, due and met dates. Extensions, recomputes and the agencies' information
being marked received are people's decisions, each audited with the case id.

Never a silently wrong date: when a year has no bank-holiday data the due date is left empty (NULL) and every
page that shows it names the missing year; `recompute_open_deadlines` fills it in once the data exists.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from trigger import audit
from trigger.area_policies.services import calendar_for_area, timescale_for_area
from trigger.deadlines.coordinator import coordinator_acknowledging
from trigger.deadlines.dates import APPLICANT_WINDOWS, london_today, long_date
from trigger.domain.deadlines import DeadlineKind, compute_due
from trigger.domain.stages import DECISION_STAGES, Stage
from trigger.domain.workdays import HolidayDataMissing
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import Action, ActionPlan, Area, Case, PlanStatus, ThresholdDecision, User, utcnow
from trigger.models.deadlines import CaseDeadline


def _deadlines_of_kind(case: Case, kind: DeadlineKind) -> list[CaseDeadline]:
    return list(
        db.session.scalars(
            select(CaseDeadline)
            .where(CaseDeadline.case_id == case.id, CaseDeadline.kind == kind)
            .order_by(CaseDeadline.cycle)
        )
    )


def _count_due(kind: DeadlineKind, anchor: date, area: Area) -> date | None:
    """The due date, or None when a year it crosses has no bank-holiday data (see the module docstring)."""
    try:
        return compute_due(kind, anchor, timescale_for_area(area), calendar_for_area(area))
    except HolidayDataMissing:
        return None


def open_deadline(case: Case, kind: DeadlineKind, anchor: date, *, cycle: int | None = None) -> CaseDeadline:
    """Open the deadline ``kind`` of ``case``, counted in working days from ``anchor`` under the area's current
    timescales and calendar. Idempotent: the same case, kind and cycle give back the deadline already there.

    ``cycle=None`` means "the current one": the open deadline of that kind if there is one, else a new cycle
    (1 for the first, then one more than the last: a case referred back after an escalation starts again).
    """
    kind = DeadlineKind(kind)
    existing = _deadlines_of_kind(case, kind)
    if cycle is None:
        still_open = [d for d in existing if d.met_on is None]
        if still_open:
            return still_open[-1]
        cycle = existing[-1].cycle + 1 if existing else 1
    else:
        for deadline in existing:
            if deadline.cycle == cycle:
                return deadline
    due = _count_due(kind, anchor, case.area)
    deadline = CaseDeadline(
        case_id=case.id,
        kind=kind,
        cycle=cycle,
        anchor_on=anchor,
        due_on=due,
        original_due_on=due,
        case_closed=case.stage is Stage.CLOSED,
    )
    try:
        with db.session.begin_nested():
            db.session.add(deadline)
    except IntegrityError:  # opened by a concurrent request a moment ago: that one is the deadline
        return db.session.scalars(
            select(CaseDeadline).where(
                CaseDeadline.case_id == case.id, CaseDeadline.kind == kind, CaseDeadline.cycle == cycle
            )
        ).one()
    return deadline


def meet_deadline(case: Case, kind: DeadlineKind, on: date) -> CaseDeadline | None:
    """Mark the open deadline ``kind`` of ``case`` as met on ``on``; None (and nothing changes) if none is open."""
    kind = DeadlineKind(kind)
    open_ones = [d for d in _deadlines_of_kind(case, kind) if d.met_on is None]
    if not open_ones:
        return None
    deadline = open_ones[-1]
    deadline.met_on = on
    return deadline


def extend_deadline(deadline: CaseDeadline, new_due: date, reason: str, actor: User | None) -> CaseDeadline:
    """Move an open deadline to a later working day, for a reason; the original date is kept and shown.

    Raises FieldError("new_due" or "reason") when refused; nothing changes then.
    """
    case = db.session.get(Case, deadline.case_id)
    reason = (reason or "").strip()
    if deadline.met_on is not None:
        raise FieldError("new_due", f"This deadline was met on {long_date(deadline.met_on)}: it cannot be extended")
    if new_due is None:
        raise FieldError("new_due", "Enter the new due date")
    calendar = calendar_for_area(case.area)
    try:
        working = calendar.is_working_day(new_due)
    except HolidayDataMissing as missing:
        raise FieldError(
            "new_due",
            f"There is no bank-holiday data for {missing.year}, so a date in that year "
            "cannot be checked: choose an earlier date",
        ) from None
    if not working:
        why = calendar.holiday_name(new_due) or ("a weekend" if new_due.weekday() >= 5 else "not a working day")
        raise FieldError(
            "new_due", f"{new_due:%A} {long_date(new_due)} is not a working day ({why}): choose a working day"
        )
    if deadline.due_on is not None and new_due <= deadline.due_on:
        raise FieldError(
            "new_due", f"The new due date must be after the current due date, {long_date(deadline.due_on)}"
        )
    if new_due <= deadline.anchor_on:
        raise FieldError("new_due", f"The new due date must be after {long_date(deadline.anchor_on)}")
    if not reason:
        raise FieldError("reason", "Give the reason for the extension")
    before = deadline.due_on
    if deadline.original_due_on is None:
        deadline.original_due_on = before
    deadline.due_on = new_due
    deadline.extended_reason = reason
    deadline.extended_by_id = actor.id if actor is not None else None
    deadline.extended_at = utcnow()
    audit.record(
        "deadline.extended",
        "case_deadline",
        deadline.id,
        f"Extended: {deadline.kind.label} from {long_date(before) if before else 'no date'} to "
        f"{long_date(new_due)}: {reason}"[:500],
        {
            "kind": deadline.kind.value,
            "from": before.isoformat() if before else None,
            "to": new_due.isoformat(),
            "original_due_on": deadline.original_due_on.isoformat() if deadline.original_due_on else None,
            "reason": reason,
        },
        actor=actor,
        case_id=case.id,
    )
    return deadline


def recompute_open_deadlines(case: Case, actor: User | None = None) -> list[CaseDeadline]:
    """Apply the area's current timescales and calendar to the open deadlines of ``case`` (a coordinator's
    decision, audited). Extended deadlines keep their agreed date. Returns the deadlines whose date changed.

    Raises HolidayDataMissing if a date still cannot be counted.
    """
    policy, calendar = timescale_for_area(case.area), calendar_for_area(case.area)
    changed: list[CaseDeadline] = []
    details = []
    to_recount = [
        d
        for d in db.session.scalars(
            select(CaseDeadline)
            .where(CaseDeadline.case_id == case.id, CaseDeadline.met_on.is_(None))
            .order_by(CaseDeadline.id)
        )
        # The applicant was told the escalation window in the outcome letter, and an extension was agreed with
        # people: a policy change moves neither.
        if not d.was_extended and not (d.kind in APPLICANT_WINDOWS and d.due_on is not None)
    ]
    # Count every date before changing any, so that a missing year changes nothing at all.
    new_dates = [compute_due(d.kind, d.anchor_on, policy, calendar) for d in to_recount]
    for deadline, due in zip(to_recount, new_dates, strict=True):
        if due != deadline.due_on:
            details.append(
                {
                    "kind": deadline.kind.value,
                    "to": due.isoformat(),
                    "from": deadline.due_on.isoformat() if deadline.due_on else None,
                }
            )
            deadline.due_on = deadline.original_due_on = due
            changed.append(deadline)
    audit.record(
        "deadline.recomputed",
        "case",
        case.id,
        f"Recomputed the open deadlines with the current timescales of {case.area.name}: {len(changed)} changed",
        {"changes": details},
        actor=actor,
        case_id=case.id,
    )
    return changed


def mark_information_received(case: Case, on: date) -> CaseDeadline:
    """The coordinator has every relevant body's information. Raises FieldError when it cannot be recorded."""
    if on is None:
        raise FieldError("received_on", "Enter the date the last agency's information arrived")
    if on > london_today():
        raise FieldError("received_on", "The date the information arrived must be today or in the past")
    if on < case.received_on:
        raise FieldError(
            "received_on", "The date the information arrived must be the same as or after the date received"
        )
    deadline = meet_deadline(case, DeadlineKind.INFORMATION, on)
    if deadline is None:
        raise FieldError("received_on", "The agencies' information is already recorded as received")
    audit.record(
        "deadline.information_received",
        "case_deadline",
        deadline.id,
        f"The agencies' information was all received on {long_date(on)}",
        {"met_on": on.isoformat(), "due_on": deadline.due_on.isoformat() if deadline.due_on else None},
        case_id=case.id,
    )
    return deadline


def _decision_date(case: Case) -> date | None:
    return db.session.scalar(
        select(ThresholdDecision.decided_on)
        .where(ThresholdDecision.case_id == case.id)
        .order_by(ThresholdDecision.id.desc())
        .limit(1)
    )


def _close_with_the_stage(case: Case, kind: DeadlineKind, on: date, why: str) -> None:
    """Close a deadline the case has moved past (met on ``on``), saying so in the audit trail."""
    deadline = meet_deadline(case, kind, on)
    if deadline is not None:
        audit.record(
            "deadline.closed_by_stage",
            "case_deadline",
            deadline.id,
            f"“{kind.label}” closed on {long_date(on)}: {why}",
            {"met_on": on.isoformat()},
            case_id=case.id,
        )


def on_stage_change(case: Case, old: Stage | None, new: Stage, on: date | None = None) -> None:
    """Open and meet the stage deadlines a move of ``case`` from ``old`` to ``new`` implies (DOMAIN.md section 2).

    The agencies' information is met by a coordinator ("Mark the agencies' information received"), never by a
    stage; escalation deadlines are opened and met by trigger.escalations through open_deadline/meet_deadline.
    """
    on = on or london_today()
    if (old is Stage.CLOSED) != (new is Stage.CLOSED):
        db.session.execute(
            update(CaseDeadline).where(CaseDeadline.case_id == case.id).values(case_closed=new is Stage.CLOSED)
        )
        # Action.plan_closed: closing the case closes its actions' plan for the dashboard; reopening it reopens
        # them unless the plan itself is closed.
        plans = select(ActionPlan.id).where(ActionPlan.case_id == case.id)
        if new is not Stage.CLOSED:
            plans = plans.where(ActionPlan.status != PlanStatus.CLOSED)
        db.session.execute(
            update(Action)
            .where(Action.plan_id.in_(plans))
            .values(plan_closed=new is Stage.CLOSED)
            .execution_options(synchronize_session=False)
        )
    if old is None and new is Stage.RECEIVED:
        for kind in (DeadlineKind.ACKNOWLEDGE, DeadlineKind.INFORMATION, DeadlineKind.THRESHOLD_DECISION):
            open_deadline(case, kind, case.received_on)
    elif new is Stage.ACKNOWLEDGED:
        meet_deadline(case, DeadlineKind.ACKNOWLEDGE, on)
        coordinator_acknowledging(case)
    elif new in DECISION_STAGES:
        decided_on = _decision_date(case) or on
        # A decision letter sent straight after receipt is also the acknowledgement (receipt -> decision is an
        # allowed move), so an acknowledgement still open is met by it rather than left to go red.
        meet_deadline(case, DeadlineKind.ACKNOWLEDGE, decided_on)
        meet_deadline(case, DeadlineKind.THRESHOLD_DECISION, decided_on)
        # The decision was made on the information gathered by then: gathering it is over, and a deadline left
        # open would stay "next" on the case list for the rest of the case's life.
        _close_with_the_stage(case, DeadlineKind.INFORMATION, decided_on, "the threshold was decided")
        if new is Stage.THRESHOLD_MET:
            open_deadline(case, DeadlineKind.MEETING, decided_on)
    elif new is Stage.REVIEW_HELD:
        meet_deadline(case, DeadlineKind.MEETING, on)
        open_deadline(case, DeadlineKind.OUTCOME, on)
    elif new is Stage.OUTCOME_SENT:
        meet_deadline(case, DeadlineKind.OUTCOME, on)
        open_deadline(case, DeadlineKind.ESCALATION_REQUEST, on)


def load_deadline(case: Case, deadline_id: int) -> CaseDeadline | None:
    return db.session.scalar(
        select(CaseDeadline).where(CaseDeadline.id == deadline_id, CaseDeadline.case_id == case.id)
    )
