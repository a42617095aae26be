"""The case list's deadline expressions: which cases are overdue, and each case's next stage deadline, as SQL
for the case list and the CSV export."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, bindparam, exists, func, or_, select

from trigger.deadlines.dates import APPLICANT_WINDOWS
from trigger.domain.deadlines import DeadlineKind
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import Action, ActionPlan, Case, PlanStatus
from trigger.models.actions import OPEN_STATUSES
from trigger.models.deadlines import CaseDeadline

_OPEN_ACTION = [s.value for s in OPEN_STATUSES]


def _staff_open_deadline(case_id_column):
    return and_(
        CaseDeadline.case_id == case_id_column,
        CaseDeadline.met_on.is_(None),
        CaseDeadline.kind.not_in([k.value for k in APPLICANT_WINDOWS]),
    )


def overdue_condition(today: date):
    """A WHERE condition on Case: open cases with an overdue stage deadline or an overdue open action."""
    overdue_deadline = exists(select(CaseDeadline.id).where(_staff_open_deadline(Case.id), CaseDeadline.due_on < today))
    overdue_action = exists(
        select(Action.id)
        .join(ActionPlan, Action.plan_id == ActionPlan.id)
        .where(
            ActionPlan.case_id == Case.id,
            ActionPlan.status != PlanStatus.CLOSED,
            Action.status.in_(_OPEN_ACTION),
            Action.due_on < today,
        )
    )
    return (Case.stage != Stage.CLOSED) & or_(overdue_deadline, overdue_action)


def next_due_expression():
    """The earliest open stage deadline of the Case row (NULL if none), for ORDER BY."""
    return select(func.min(CaseDeadline.due_on)).where(_staff_open_deadline(Case.id)).correlate(Case).scalar_subquery()


#: Built once (every view of the case list runs it).
_NEXT_DEADLINES = (
    select(CaseDeadline.case_id, CaseDeadline.kind, CaseDeadline.due_on)
    .where(
        CaseDeadline.case_id.in_(bindparam("case_ids", expanding=True)),
        CaseDeadline.met_on.is_(None),
        CaseDeadline.due_on.is_not(None),
        CaseDeadline.kind.not_in([k.value for k in APPLICANT_WINDOWS]),
    )
    .order_by(CaseDeadline.case_id, CaseDeadline.due_on.desc())
)


def next_deadlines(case_ids: list[int]) -> dict[int, tuple[DeadlineKind, date]]:
    """The next open stage deadline of each case, in one query (for a page of the case list)."""
    if not case_ids:
        return {}
    rows = db.session.execute(_NEXT_DEADLINES, {"case_ids": list(case_ids)})
    found: dict[int, tuple[DeadlineKind, date]] = {}
    for case_id, kind, due in rows:
        found[case_id] = (DeadlineKind(kind), due)  # the last one written per case is the earliest
    return found
