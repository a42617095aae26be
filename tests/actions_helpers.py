"""Small factories shared by the action plan tests (tests/actions/)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from trigger.extensions import db
from trigger.models import Action, ActionPlan, ActionStatus, Area, Case, Channel, PlanStatus, Priority

_refs = count(1)


def make_case(area: Area, *, applicant: str = "Pat Applicant") -> Case:
    case = Case(
        reference=f"CT-2026-{next(_refs):04d}",
        area_id=area.id,
        received_on=date.today(),
        channel=Channel.PHONE,
        applicant_name=applicant,
    )
    db.session.add(case)
    db.session.commit()
    return case


def make_action(
    case: Case,
    agency,
    *,
    description: str = "Patrol the park on Friday evenings",
    due_in_days: int = 10,
    status: ActionStatus = ActionStatus.NOT_STARTED,
    victim_visible: bool = False,
    victim_wording: str = "",
) -> Action:
    plan = db.session.query(ActionPlan).filter_by(case_id=case.id).one_or_none()
    if plan is None:
        plan = ActionPlan(case_id=case.id, status=PlanStatus.LIVE)
        db.session.add(plan)
        db.session.flush()
    due = date.today() + timedelta(days=due_in_days)
    action = Action(
        plan_id=plan.id,
        description=description,
        owner_agency_id=agency.id,
        due_on=due,
        original_due_on=due,
        priority=Priority.MEDIUM,
        status=status,
        completed_on=date.today() if status is ActionStatus.COMPLETED else None,
        status_reason="n/a" if status.needs_reason else "",
        victim_visible=victim_visible,
        victim_wording=victim_wording,
    )
    db.session.add(action)
    db.session.commit()
    return action
