"""The deadlines dashboard: what is overdue, due today and due soon, across case deadlines and actions, as the
signed-in user may see it (DOMAIN.md section 4). A fixed number of queries whatever the amount of data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, column, false, func, literal, or_, select, text, union_all

from trigger.area_policies.services import calendars_for_areas
from trigger.deadlines.services import APPLICANT_WINDOWS, DASHBOARD_LIMIT, SOON_WORKING_DAYS
from trigger.domain.deadlines import DeadlineKind, DeadlineStatus, deadline_status
from trigger.domain.stages import Stage
from trigger.domain.workdays import HolidayDataMissing
from trigger.extensions import db
from trigger.models import Action, ActionPlan, Agency, Area, Case, PlanStatus, Role, User
from trigger.models.actions import OPEN_ACTION_SQL
from trigger.models.deadlines import LIVE_DEADLINE_SQL, CaseDeadline

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
    number: int | None = None  # an action's number on its plan (trigger.models.actions): "Action 3" everywhere


@dataclass
class DashboardSection:
    key: str
    title: str
    items: list[DashboardItem]
    total: int
    #: True when there are more than ``total`` (COUNT_CAP): the page says "more than 1,000".
    capped: bool = False

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


#: Each section counts its rows up to this many and then says "more than": an exact count of thousands of
#: overdue items costs a join per row on every view (about 3 microseconds each on SQLite), and no one acts on the
#: difference between 2,000 and 3,000 overdue: they filter by area or agency, and then the counts are exact.
COUNT_CAP = 200


@dataclass(frozen=True)
class _Source:
    """One kind of dashboard row: its columns, tables, filters, and the due-date column they are ordered by."""

    table: type
    columns: tuple
    joins: tuple  # the last ones may serve only the columns (see counted_joins)
    where: tuple
    due: object
    order: tuple
    counted_joins: int  # how many of the joins the WHERE terms need (the counts skip the others)


def _buckets(source: _Source, area_of, today: date, soon_until: dict[int, date]) -> dict[str, tuple]:
    """The WHERE terms of each section. "Soon" ends on a different day in each area (its own calendar)."""
    ends = set(soon_until.values())
    if len(ends) == 1:  # the usual case: every area's calendar gives the same day
        soon = source.due <= ends.pop()
    elif ends:
        soon = or_(*(and_(area_of == aid, source.due <= until) for aid, until in soon_until.items()))
    else:
        soon = false()
    return {"overdue": (source.due < today,), "today": (source.due == today,), "soon": (source.due > today, soon)}


def _base(source: _Source, *columns, joins: tuple | None = None):
    statement = select(*columns).select_from(source.table)
    for join in source.joins if joins is None else joins:
        statement = statement.join(*join)
    return statement.where(*source.where)


def _run(statement):
    """On PostgreSQL, execute with the values written into the SQL (dates, ids, limits and enum values, all from
    this module; compiling them in costs about 2 ms, so SQLite, which plans every statement afresh, is spared).

    psycopg 3 prepares a statement on the server after its fifth run, and PostgreSQL may then plan it once for any
    dates (a generic plan) that reads every open item: 250 ms a request instead of 35 ms at scale. With the values
    in the text, each day's statements are planned for that day's dates.
    """
    if db.engine.dialect.name != "postgresql":
        return db.session.execute(statement)
    sql = statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    return db.session.execute(text(str(sql)).columns(*(column(c.name, c.type) for c in statement.selected_columns)))


def _first_rows_and_counts(source: _Source, buckets: dict[str, tuple]):
    """Two statements whatever the amount of data: the first DASHBOARD_LIMIT rows of each section (each an
    ``ORDER BY due LIMIT`` an index answers), and each section's count, stopped at COUNT_CAP + 1 rows."""
    firsts = [
        select(_base(source, *source.columns, literal(key).label("bucket")).where(*terms)
               .order_by(*source.order).limit(DASHBOARD_LIMIT).subquery())
        for key, terms in buckets.items()
    ]
    rows = _run(union_all(*firsts)).all()
    counts = [
        select(func.count()).select_from(_base(source, literal(1), joins=source.joins[:source.counted_joins])
                                    .where(*terms).limit(COUNT_CAP + 1).subquery())
        .scalar_subquery().label(key)
        for key, terms in buckets.items()
    ]
    totals = _run(select(*counts)).one()._asdict()
    return rows, totals


def dashboard(user: User, today: date, *, area_id: int | None = None, agency_id: int | None = None) -> Dashboard:
    """Overdue, due today and due soon, across case deadlines and actions, as ``user`` may see them.

    A fixed number of queries whatever the amount of data (areas, closure days, two per source): each section
    lists its first DASHBOARD_LIMIT rows of each source and counts up to COUNT_CAP of them.
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
        # LIVE_DEADLINE_SQL word for word, so that the partial index of open deadlines of open cases serves it
        # (the stage test stays: it is what the page means, the column is how it is found quickly).
        where = [text(f"case_deadlines.{LIVE_DEADLINE_SQL}"), CaseDeadline.due_on <= horizon,
                 Case.stage != Stage.CLOSED]
        if role is Role.PCC_REVIEWER:
            where += [CaseDeadline.kind == DeadlineKind.ESCALATION_DECISION, Case.stage == Stage.ESCALATED]
        else:
            where.append(CaseDeadline.kind.not_in([k.value for k in APPLICANT_WINDOWS]))
        if area_id:
            where.append(Case.area_id == area_id)
        source = _Source(
            CaseDeadline,
            (CaseDeadline.id, CaseDeadline.kind, CaseDeadline.due_on, Case.id.label("case_id"), Case.reference,
             Case.area_id),
            ((Case, CaseDeadline.case_id == Case.id),), tuple(where), CaseDeadline.due_on,
            (CaseDeadline.due_on, CaseDeadline.id), 1,
        )
        rows, totals = _first_rows_and_counts(source, _buckets(source, Case.area_id, today, soon_until))
        for row in rows:
            st, problem = status(row.due_on, row.area_id)
            items[row.bucket].append(DashboardItem("deadline", row.id, DeadlineKind(row.kind).label, row.case_id,
                                                   row.reference, names[row.area_id], None, row.due_on, st, problem))
        deadline_totals.update(totals)
    if shows_actions:
        # OPEN_ACTION_SQL word for word, so that the partial indexes of open actions by due date serve it.
        where = [text(f"actions.{OPEN_ACTION_SQL}"), Action.due_on <= horizon,
                 ActionPlan.status != PlanStatus.CLOSED, Case.stage != Stage.CLOSED]
        if area_id:
            where.append(Case.area_id == area_id)
        if agency_id:
            where.append(Action.owner_agency_id == agency_id)
        source = _Source(
            Action,
            (Action.id, Action.number, Action.due_on, Agency.name.label("agency_name"), Case.id.label("case_id"),
             Case.reference, Case.area_id),
            ((ActionPlan, Action.plan_id == ActionPlan.id), (Case, ActionPlan.case_id == Case.id),
             (Agency, Action.owner_agency_id == Agency.id)),
            tuple(where), Action.due_on, (Action.due_on, Action.id), 2,
        )
        rows, totals = _first_rows_and_counts(source, _buckets(source, Case.area_id, today, soon_until))
        for row in rows:
            st, problem = status(row.due_on, row.area_id)
            items[row.bucket].append(DashboardItem("action", row.id, f"Action {row.number}", row.case_id,
                                                   row.reference, names[row.area_id], row.agency_name, row.due_on,
                                                   st, problem, number=row.number))
        action_totals.update(totals)
    sections = []
    for key, title in SECTIONS:
        listed = sorted(items[key], key=lambda i: (i.due_on, i.case_reference, i.source, i.item_id))
        listed = listed[:DASHBOARD_LIMIT]  # each source gave its first ones; the most urgent of both are kept
        total = deadline_totals[key] + action_totals[key]
        capped = deadline_totals[key] > COUNT_CAP or action_totals[key] > COUNT_CAP
        sections.append(DashboardSection(key, title, listed, min(total, COUNT_CAP) if capped else total, capped))
    return Dashboard(sections, areas, shows_deadlines, shows_actions, agency_id, problems)
