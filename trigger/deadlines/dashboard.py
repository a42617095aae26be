"""The deadlines dashboard: what is overdue, due today and due soon, across case deadlines and actions, as the
signed-in user may see it (DOMAIN.md section 4). A fixed number of queries whatever the amount of data."""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
)

from trigger.area_policies.services import calendars_for_areas
from trigger.domain.deadlines import DeadlineKind, DeadlineStatus, deadline_status
from trigger.domain.stages import Stage
from trigger.domain.workdays import HolidayDataMissing
from trigger.extensions import db
from trigger.models import Action, ActionPlan, Agency, Area, Case, Role, User
from trigger.models.actions import LIVE_ACTION_SQL
from trigger.models.deadlines import LIVE_DEADLINE_SQL, CaseDeadline

# ---- the dashboard -------------------------------------------------------------------------------------------

#: How far ahead the dashboard looks, in working days.
SOON_WORKING_DAYS = 5

#: Rows the dashboard lists per section; the heading gives the full count.
DASHBOARD_LIMIT = 25

SECTIONS = (
    ("overdue", "Overdue"),
    ("today", "Due today"),
    ("soon", f"Due in the next {SOON_WORKING_DAYS} working days"),
)

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
    areas: list  # rows of (id, name, nation)
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


#: The values every dashboard statement takes (built once per shape: _deadline_statements, _action_statements).
_TODAY = bindparam("today", type_=Date)
_SOON_UNTIL = bindparam("soon_until", type_=Date)
_HORIZON = bindparam("horizon", type_=Date)
_AREA_ID = bindparam("area_id", type_=Integer)
_AGENCY_ID = bindparam("agency_id", type_=Integer)
_LIMIT = bindparam("limit", type_=Integer)
_CAP = bindparam("cap", type_=Integer)


def _buckets(source: _Source, area_of, soon: tuple | None) -> dict[str, tuple]:
    """The WHERE terms of each section. "Soon" ends on a different day in each area (its own calendar): ``soon``
    is None when every area's calendar gives the same day (the usual case: the ``soon_until`` value), else the
    (area id, last day) of each area."""
    if soon is None:
        soon_term = source.due <= _SOON_UNTIL
    elif soon:
        soon_term = or_(*(and_(area_of == aid, source.due <= until) for aid, until in soon))
    else:
        soon_term = false()
    return {
        "overdue": (source.due < _TODAY,),
        "today": (source.due == _TODAY,),
        "soon": (source.due > _TODAY, soon_term),
    }


def _base(source: _Source, *columns, joins: tuple | None = None):
    statement = select(*columns).select_from(source.table)
    for join in source.joins if joins is None else joins:
        statement = statement.join(*join)
    return statement.where(*source.where)


_GENERIC_PLANS = text("SET LOCAL plan_cache_mode = force_generic_plan")
_DEFAULT_PLANS = text("SET LOCAL plan_cache_mode = DEFAULT")


@contextmanager
def _planned_once():
    """On PostgreSQL, the dashboard's statements are planned once per connection for any dates (a generic plan,
    kept once psycopg prepares a statement after its fifth run), not planned again on every view.

    Planning its statements cost PostgreSQL 3 to 4.5 ms a view. A generic plan used to be a trap here: it read
    every open item through the joins that told whether a plan or case was closed (250 ms a request at scale),
    so until migration c5d2e8a4f7b9 the statements ran unprepared. Now the partial indexes of live actions and
    live deadlines (LIVE_ACTION_SQL, LIVE_DEADLINE_SQL, in the SQL text, not parameters) answer whatever the dates,
    and on the scale-10 data a coordinator's view (all areas) fell from 24 to 16 ms of wall time; filtered by an
    area (40 ms), an agency (13 ms) or both (20 ms), or an agency representative's (12-15 ms), it is no worse
    (issue 19; bench/README.md). SET LOCAL lasts only until the request's transaction ends, and the setting is put
    back for the rest of the request.
    """
    if db.engine.dialect.name != "postgresql":
        yield
        return
    db.session.execute(_GENERIC_PLANS)
    try:
        yield
    finally:
        db.session.execute(_DEFAULT_PLANS)


def _first_rows_and_counts(source: _Source, name: str, buckets: dict[str, tuple]) -> tuple[list, list]:
    """The parts of the dashboard's two statements that read one source: the first DASHBOARD_LIMIT rows of each
    section (each an ``ORDER BY due LIMIT`` an index answers), with the source's name, and each section's count,
    stopped at COUNT_CAP + 1 rows, labelled ``<name>_<section>``."""
    firsts = [
        select(
            _base(source, *source.columns, literal(name).label("source"), literal(key).label("bucket"))
            .where(*terms)
            .order_by(*source.order)
            .limit(_LIMIT)
            .subquery()
        )
        for key, terms in buckets.items()
    ]
    counts = [
        select(func.count())
        .select_from(
            _base(source, literal(1), joins=source.joins[: source.counted_joins]).where(*terms).limit(_CAP).subquery()
        )
        .scalar_subquery()
        .label(f"{name}_{key}")
        for key, terms in buckets.items()
    ]
    return firsts, counts


@lru_cache(maxsize=64)
def _statements(deadlines: bool, actions: bool, pcc: bool, by_area: bool, by_agency: bool, soon: tuple | None):
    """The dashboard's two statements for one shape of dashboard, built once (building and keying statements of
    this size costs SQLAlchemy more than running them): the first rows of every section of both sources (one
    UNION ALL, the columns of both: a deadline's number and agency are NULL, an action's kind), and every count."""
    firsts, counts = [], []
    if deadlines:
        more = _deadline_statements(pcc, by_area, soon)
        firsts += more[0]
        counts += more[1]
    if actions:
        more = _action_statements(by_area, by_agency, soon)
        firsts += more[0]
        counts += more[1]
    return union_all(*firsts), select(*counts)


#: The columns of the first rows, in order (both sources): the dashboard reads them by position.
_FIRSTS_COLUMNS = (
    "id",
    "kind",
    "number",
    "agency_name",
    "due_on",
    "case_id",
    "reference",
    "area_id",
    "source",
    "bucket",
)

#: The columns a source has not, typed, so that the UNION ALL of both sources has one type per column.
_NO_KIND = cast(null(), String).label("kind")
_NO_NUMBER = cast(null(), Integer).label("number")
_NO_AGENCY = cast(null(), String).label("agency_name")


@lru_cache(maxsize=64)
def _deadline_statements(pcc: bool, by_area: bool, soon: tuple | None):
    """The case deadlines' parts of the dashboard's statements for one shape of dashboard."""
    # LIVE_DEADLINE_SQL word for word, so that the partial index of open deadlines of open cases serves it. Its
    # case_closed is the case's stage, kept by trigger.deadlines.opening.on_stage_change (the one place a stage
    # changes), so the counts read that index alone: joined to cases for a stage test as well, PostgreSQL took
    # the test for a filter it could not estimate and merge-joined all open deadlines with all cases (7 ms).
    # LIVE_DEADLINE_SQL already leaves out the applicant's windows (APPLICANT_WINDOWS; a test keeps the two in
    # step). A second test of the kind, with the kind as a value the planners cannot see, only cost time: on
    # PostgreSQL a generic plan must check it in every counted row, and on SQLite the three counts took 0.63 ms
    # with it and 0.42 ms without (scale-10 data, issue 19).
    where = [text(f"case_deadlines.{LIVE_DEADLINE_SQL}"), CaseDeadline.due_on <= _HORIZON]
    if pcc:
        where += [CaseDeadline.kind == DeadlineKind.ESCALATION_DECISION, Case.stage == Stage.ESCALATED]
    if by_area:
        where.append(Case.area_id == _AREA_ID)
    source = _Source(
        CaseDeadline,
        (
            CaseDeadline.id,
            CaseDeadline.kind,
            _NO_NUMBER,
            _NO_AGENCY,
            CaseDeadline.due_on,
            Case.id.label("case_id"),
            Case.reference,
            Case.area_id,
        ),
        ((Case, CaseDeadline.case_id == Case.id),),
        tuple(where),
        CaseDeadline.due_on,
        (CaseDeadline.due_on, CaseDeadline.id),
        1 if pcc or by_area else 0,  # the counts join cases only for a test on the case
    )
    return _first_rows_and_counts(source, "deadline", _buckets(source, Case.area_id, soon))


@lru_cache(maxsize=64)
def _action_statements(by_area: bool, by_agency: bool, soon: tuple | None):
    """The actions' parts of the dashboard's statements for one shape of dashboard."""
    # LIVE_ACTION_SQL word for word, so that the partial index of live actions by due date serves it: open
    # actions whose plan and case are open (Action.plan_closed), so the counts join nothing unless by area.
    where = [text(f"actions.{LIVE_ACTION_SQL}"), Action.due_on <= _HORIZON]
    if by_area:
        where.append(Case.area_id == _AREA_ID)
    if by_agency:
        where.append(Action.owner_agency_id == _AGENCY_ID)
    source = _Source(
        Action,
        (
            Action.id,
            _NO_KIND,
            Action.number,
            Agency.name.label("agency_name"),
            Action.due_on,
            Case.id.label("case_id"),
            Case.reference,
            Case.area_id,
        ),
        (
            (ActionPlan, Action.plan_id == ActionPlan.id),
            (Case, ActionPlan.case_id == Case.id),
            (Agency, Action.owner_agency_id == Agency.id),
        ),
        tuple(where),
        Action.due_on,
        (Action.due_on, Action.id),
        2 if by_area else 0,  # the counts join plans and cases only for the area
    )
    return _first_rows_and_counts(source, "action", _buckets(source, Case.area_id, soon))


_AREAS = select(Area.id, Area.name, Area.nation).order_by(Area.name)  # built once
_ACTIVE_AGENCIES = select(Agency.id, Agency.name).where(Agency.active.is_(True)).order_by(Agency.name)


def agency_options() -> list:
    """The active agencies for the dashboard's filter, as (id, name) rows."""
    return db.session.execute(_ACTIVE_AGENCIES).all()


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
    areas = db.session.execute(_AREAS).all()  # plain rows: id, name and nation are all the page needs
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
    ends = set(soon_until.values())
    soon = None if len(ends) == 1 else tuple(sorted(soon_until.items()))
    values = {
        "today": today,
        "soon_until": horizon,
        "horizon": horizon,
        "area_id": area_id,
        "agency_id": agency_id,
        "limit": DASHBOARD_LIMIT,
        "cap": COUNT_CAP + 1,
    }
    names = {a.id: a.name for a in areas}
    # Each source gives its first rows of each section; the most urgent of both are kept, and only those are made
    # into items (their status counts working days: half the rows read are not shown).
    found: dict[str, list[tuple]] = defaultdict(list)
    totals: dict[str, int] = defaultdict(int)
    if shows_deadlines or shows_actions:
        firsts, counts = _statements(
            shows_deadlines, shows_actions, role is Role.PCC_REVIEWER, bool(area_id), bool(agency_id), soon
        )
        with _planned_once():
            # read by position (see _FIRSTS_COLUMNS): a Row's attribute access costs half a microsecond
            for row in db.session.execute(firsts, values).all():
                found[row[9]].append((row[4], row[6], row[8], row[0], row))
            totals.update(db.session.execute(counts, values).one()._asdict())

    def item(source: str, row) -> DashboardItem:
        id_, kind, number, agency_name, due_on, case_id, reference, area, _, _ = row
        try:
            status, problem = deadline_status(due_on, None, today, calendars[area]), None
        except HolidayDataMissing as missing:
            status, problem = None, f"Cannot be counted: no bank-holiday data for {missing.year}"
        if source == "deadline":
            what = DeadlineKind(kind).label
            return DashboardItem("deadline", id_, what, case_id, reference, names[area], None, due_on, status, problem)
        return DashboardItem(
            "action",
            id_,
            f"Action {number}",
            case_id,
            reference,
            names[area],
            agency_name,
            due_on,
            status,
            problem,
            number=number,
        )

    sections = []
    for key, title in SECTIONS:
        # by due date, case reference, source and id, as before; each source gave its first ones
        kept = sorted(found[key], key=lambda f: f[:4])[:DASHBOARD_LIMIT]
        listed = [item(source, row) for _, _, source, _, row in kept]
        of_deadlines, of_actions = totals[f"deadline_{key}"], totals[f"action_{key}"]
        total = of_deadlines + of_actions
        capped = of_deadlines > COUNT_CAP or of_actions > COUNT_CAP
        sections.append(DashboardSection(key, title, listed, min(total, COUNT_CAP) if capped else total, capped))
    return Dashboard(sections, areas, shows_deadlines, shows_actions, agency_id, problems)
