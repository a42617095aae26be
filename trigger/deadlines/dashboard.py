"""The deadlines dashboard: what is overdue, due today and due soon, across case deadlines and actions, as the
signed-in user may see it (DOMAIN.md section 4). A fixed number of queries whatever the amount of data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case as sql_case, false, func, literal, or_, select

from trigger.area_policies.services import calendars_for_areas
from trigger.deadlines.services import _OPEN_ACTION, APPLICANT_WINDOWS, DASHBOARD_LIMIT, SOON_WORKING_DAYS
from trigger.domain.deadlines import DeadlineKind, DeadlineStatus, deadline_status
from trigger.domain.stages import Stage
from trigger.domain.workdays import HolidayDataMissing
from trigger.extensions import db
from trigger.models import Action, ActionPlan, Agency, Area, Case, PlanStatus, Role, User
from trigger.models.deadlines import CaseDeadline


# ---- the dashboard -------------------------------------------------------------------------------------------

SECTIONS = (("overdue", "Overdue"), ("today", "Due today"),
            ("soon", f"Due in the next {SOON_WORKING_DAYS} working days"))

#: Who sees what on the dashboard (DOMAIN.md section 4).
STAFF = frozenset({Role.ADMIN, Role.COORDINATOR, Role.CHAIR})


@dataclass
class DashboardItem:
    source: str  # "deadline" or "action"
    item_id: int
    what: str
    case_id: int
    case_reference: str
    area_name: str
    agency_name: str | None
    due_on: date
    status: DeadlineStatus | None
    problem: str | None = None


@dataclass
class DashboardSection:
    key: str
    title: str
    items: list[DashboardItem]
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.items)


@dataclass
class Dashboard:
    sections: list[DashboardSection]
    areas: list[Area]
    shows_deadlines: bool
    shows_actions: bool
    agency_id: int | None
    problems: list[str]


def _bucket(due, area_id, today: date, soon_until: dict[int, date]):
    soon = or_(*(and_(area_id == aid, due <= until) for aid, until in soon_until.items())) if soon_until else false()
    return sql_case((due < today, literal("overdue")), (due == today, literal("today")), (soon, literal("soon")),
                    else_=literal("later"))


def _windowed(statement_columns, bucket, order, where, joins):
    inner = select(*statement_columns, bucket.label("bucket"),
                   func.row_number().over(partition_by=bucket, order_by=order).label("rn"),
                   func.count().over(partition_by=bucket).label("total"))
    for join in joins:
        inner = inner.join(*join)
    inner = inner.where(*where).subquery()
    return select(inner).where(inner.c.bucket != "later", inner.c.rn <= DASHBOARD_LIMIT).order_by(
        inner.c.bucket, inner.c.rn)


def dashboard(user: User, today: date, *, area_id: int | None = None, agency_id: int | None = None) -> Dashboard:
    """Overdue, due today and due soon, across case deadlines and actions, as ``user`` may see them.

    A fixed number of queries whatever the amount of data (areas, closure days, one per source): each section
    lists the first DASHBOARD_LIMIT rows and counts them all.
    """
    role = user.role
    if role is Role.AGENCY_REP:
        agency_id = user.agency_id  # their agency's actions only, whatever the URL says
    shows_actions = role in STAFF or role is Role.AGENCY_REP
    shows_deadlines = (role in STAFF and agency_id is None) or role is Role.PCC_REVIEWER
    areas = db.session.scalars(select(Area).order_by(Area.name)).all()
    calendars = calendars_for_areas(areas)
    problems: list[str] = []
    soon_until: dict[int, date] = {}
    for area in areas:
        if area_id and area.id != area_id:
            continue
        try:
            soon_until[area.id] = calendars[area.id].add_working_days(today, SOON_WORKING_DAYS)
        except HolidayDataMissing as missing:
            problems.append(f"{area.name}: {missing}")
            soon_until[area.id] = today
    horizon = max(soon_until.values(), default=today)
    names = {a.id: a.name for a in areas}
    items: dict[str, list[DashboardItem]] = defaultdict(list)
    deadline_totals: dict[str, int] = defaultdict(int)
    action_totals: dict[str, int] = defaultdict(int)

    def status(due: date, area: int) -> tuple[DeadlineStatus | None, str | None]:
        try:
            return deadline_status(due, None, today, calendars[area]), None
        except HolidayDataMissing as missing:
            return None, f"Cannot be counted: no bank-holiday data for {missing.year}"

    if shows_deadlines:
        where = [CaseDeadline.met_on.is_(None), CaseDeadline.due_on <= horizon, Case.stage != Stage.CLOSED]
        if role is Role.PCC_REVIEWER:
            where += [CaseDeadline.kind == DeadlineKind.ESCALATION_DECISION, Case.stage == Stage.ESCALATED]
        else:
            where.append(CaseDeadline.kind.not_in([k.value for k in APPLICANT_WINDOWS]))
        if area_id:
            where.append(Case.area_id == area_id)
        rows = db.session.execute(_windowed(
            (CaseDeadline.id, CaseDeadline.kind, CaseDeadline.due_on, Case.id.label("case_id"), Case.reference,
             Case.area_id),
            _bucket(CaseDeadline.due_on, Case.area_id, today, soon_until),
            (CaseDeadline.due_on, CaseDeadline.id), where, [(Case, CaseDeadline.case_id == Case.id)],
        ))
        for row in rows:
            st, problem = status(row.due_on, row.area_id)
            items[row.bucket].append(DashboardItem("deadline", row.id, DeadlineKind(row.kind).label, row.case_id,
                                                   row.reference, names[row.area_id], None, row.due_on, st, problem))
            deadline_totals[row.bucket] = row.total
    if shows_actions:
        where = [Action.status.in_(_OPEN_ACTION), Action.due_on <= horizon, ActionPlan.status != PlanStatus.CLOSED,
                 Case.stage != Stage.CLOSED]
        if area_id:
            where.append(Case.area_id == area_id)
        if agency_id:
            where.append(Action.owner_agency_id == agency_id)
        rows = db.session.execute(_windowed(
            (Action.id, Action.due_on, Agency.name.label("agency_name"), Case.id.label("case_id"), Case.reference,
             Case.area_id),
            _bucket(Action.due_on, Case.area_id, today, soon_until),
            (Action.due_on, Action.id), where,
            [(ActionPlan, Action.plan_id == ActionPlan.id), (Case, ActionPlan.case_id == Case.id),
             (Agency, Action.owner_agency_id == Agency.id)],
        ))
        for row in rows:
            st, problem = status(row.due_on, row.area_id)
            items[row.bucket].append(DashboardItem("action", row.id, f"Action {row.id}", row.case_id,
                                                   row.reference, names[row.area_id], row.agency_name, row.due_on,
                                                   st, problem))
            action_totals[row.bucket] = row.total
    sections = []
    for key, title in SECTIONS:
        listed = sorted(items[key], key=lambda i: (i.due_on, i.case_reference, i.source, i.item_id))
        listed = listed[:DASHBOARD_LIMIT]  # each source gave its first ones; the most urgent of both are kept
        sections.append(DashboardSection(key, title, listed, deadline_totals[key] + action_totals[key]))
    return Dashboard(sections, areas, shows_deadlines, shows_actions, agency_id, problems)
