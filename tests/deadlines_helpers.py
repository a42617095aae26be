"""Small factories for the deadline tests (tests/deadlines/)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta
from itertools import count

from sqlalchemy import event

from trigger.domain.deadlines import DeadlineKind
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import Action, ActionPlan, Case, Channel, PlanStatus, Priority
from trigger.models.deadlines import CaseDeadline

_refs = count(1)


def bare_case(area, *, stage: Stage = Stage.RECEIVED, received_on: date | None = None, coordinator=None) -> Case:
    """A case row without the intake machinery (no deadlines opened)."""
    case = Case(
        reference=f"DL-2026-{next(_refs):04d}",
        area_id=area.id,
        received_on=received_on or date(2026, 1, 5),
        channel=Channel.PHONE,
        applicant_name="Pat Applicant",
        stage=stage,
        coordinator_id=coordinator.id if coordinator is not None else None,
    )
    if stage is Stage.CLOSED:
        case.closure_reason, case.closed_on, case.applicant_told_on = "Withdrawn", case.received_on, case.received_on
    db.session.add(case)
    db.session.commit()
    return case


def deadline(case: Case, kind: DeadlineKind, due: date, *, anchor: date | None = None) -> CaseDeadline:
    row = CaseDeadline(
        case_id=case.id,
        kind=kind,
        cycle=1,
        anchor_on=anchor or due - timedelta(days=30),
        due_on=due,
        original_due_on=due,
        case_closed=case.stage is Stage.CLOSED,
    )
    db.session.add(row)
    db.session.commit()
    return row


def action(
    case: Case, agency, due: date, *, owner=None, description: str = "Patrol the park on Friday evenings"
) -> Action:
    plan = db.session.query(ActionPlan).filter_by(case_id=case.id).one_or_none()
    if plan is None:
        plan = ActionPlan(case_id=case.id, status=PlanStatus.LIVE)
        db.session.add(plan)
        db.session.flush()
    row = Action(
        plan_id=plan.id,
        description=description,
        owner_agency_id=agency.id,
        owner_user_id=owner.id if owner else None,
        due_on=due,
        original_due_on=due,
        priority=Priority.MEDIUM,
        plan_closed=plan.status is PlanStatus.CLOSED or case.stage is Stage.CLOSED,  # as the services keep it
    )
    db.session.add(row)
    db.session.commit()
    return row


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count_one(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_one)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count_one)


def emails_to(address: str) -> list:
    """The queued emails to one address, oldest first."""
    from sqlalchemy import select

    from trigger.models import OutboxMessage

    db.session.expire_all()
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id))
    )
