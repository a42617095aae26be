"""The action plan's rules: who may own an action, what a valid due date is, posting updates without losing
anyone's work, and the read models the pages, the deadlines dashboard and the applicant letters use.

Public API (used beyond this package):
- ``open_actions_due(before)``: open actions (not started / in progress) on plans that are not closed whose due
  date is before ``before``, oldest first, with ``plan``, ``plan.case`` (and its area) and ``owner_agency``
  loaded, in ONE query. For the deadlines dashboard and the escalation ladder: ``open_actions_due(today)`` is
  every overdue action; ``open_actions_due(today + timedelta(days=7))`` also catches those due within a week.
- ``victim_view_of_plan(case)``: only the actions marked ``victim_visible``, in their plain-English wording, for
  anything meant for the applicant (outcome letters, updates). Never the agencies' description.
- ``involved_agency_ids(case)``: the agencies that may own an action on the case (see its docstring).
- ``action_rag(action, today, calendar)``: the RAG state of one action, as shown everywhere.

Concurrency: every change to an action goes through ``_save``, which compares the version the person's form
was built from with the action's version, and lets SQLAlchemy's ``version_id_col`` guard the UPDATE itself
against a save that happens at the very same moment. Either way the loser gets :class:`StaleAction`, carrying
what the other person changed, and nothing of theirs is saved until they send it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, bindparam, func, literal, or_, select, text, union_all, update
from sqlalchemy import case as sql_case
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from trigger import audit
from trigger.action_tallies import AGENCY_ACTIONS, AGENCY_OPEN_ACTIONS
from trigger.area_policies.services import calendar_for_area, calendars_for_areas
from trigger.cases.redaction import victim_wording_problem
from trigger.domain.deadlines import DeadlineStatus, Rag, deadline_status
from trigger.domain.stages import Stage
from trigger.domain.workdays import Nation, WorkingCalendar, known_years
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import (
    Action,
    ActionDueDateChange,
    ActionPlan,
    ActionStatus,
    ActionUpdate,
    Agency,
    AgencyType,
    Area,
    Case,
    ContactMethod,
    Incident,
    IncidentReport,
    Meeting,
    MeetingStatus,
    PlanStatus,
    Priority,
    Recommendation,
    Role,
    UpdateFrequency,
    User,
    utcnow,
)
from trigger.models.actions import OPEN_ACTION_SQL, OPEN_STATUSES, UPDATE_NOTE_MAX

LONDON = ZoneInfo("Europe/London")


class StaleAction(Exception):
    """Someone else saved the action after this person's form was built. Nothing of theirs was saved."""

    def __init__(self, action: Action, updates: list[ActionUpdate], redatings: list[ActionDueDateChange]):
        super().__init__(f"action {action.id} was changed by someone else")
        self.action = action
        self.updates = updates
        self.redatings = redatings


# ---- reading ------------------------------------------------------------------------------------------------


#: Built once, with the case as a bind parameter: the statement and its loader options cost about a millisecond
#: of SQLAlchemy work to build on every view of the plan (issue 19).
_PLAN_WITH_ACTIONS = (
    select(ActionPlan)
    .where(ActionPlan.case_id == bindparam("case_id"))
    .options(
        selectinload(ActionPlan.actions).options(
            joinedload(Action.owner_agency),
            joinedload(Action.owner_user),
            joinedload(Action.meeting),
        )
    )
)


def load_plan(case: Case) -> ActionPlan | None:
    """The case's plan with every action and owner the plan page shows (fixed query count); their history
    entries come from plan_histories."""
    return db.session.scalar(_PLAN_WITH_ACTIONS, {"case_id": case.id})


def load_action(action_id: int) -> Action | None:
    """One action with its plan, case (and area) and owner; its history entries come from action_history."""
    return db.session.scalar(
        select(Action)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.plan).joinedload(ActionPlan.case),
            joinedload(Action.owner_agency),
            joinedload(Action.owner_user),
            joinedload(Action.meeting),
        )
    )


# ---- an action's history, as the pages show it ----------------------------------------------------------------
#
# Rows, not ORM objects: the plan page shows every update of every action (the busiest plan of the scale-10 data
# has 96), and loading each as an ActionUpdate with its author and agency cost more than the rest of the
# page (issue 19). Built once, with bind parameters.


class UpdateEntry(NamedTuple):
    """One progress update in an action's history."""

    action_id: int
    created_at: datetime
    author_name: str
    agency_name: str | None  # the author's agency at the time (None: partnership staff)
    status_from: ActionStatus
    status_to: ActionStatus
    note: str
    reason: str


class RedatingEntry(NamedTuple):
    """One change of an action's due date in its history."""

    action_id: int
    changed_at: datetime
    changed_by_name: str | None
    from_date: date
    to_date: date
    reason: str


@dataclass
class History:
    """An action's updates and due-date changes, oldest first."""

    updates: list[UpdateEntry] = field(default_factory=list)
    redatings: list[RedatingEntry] = field(default_factory=list)


class Histories(dict):
    """Each action's History by action id; an action with none has an empty one."""

    def __missing__(self, action_id: int) -> History:
        return History()


_UPDATE_ENTRIES = (
    select(
        ActionUpdate.action_id,
        ActionUpdate.created_at,
        User.name,
        Agency.name,
        ActionUpdate.status_from,
        ActionUpdate.status_to,
        ActionUpdate.note,
        ActionUpdate.reason,
    )
    .join(User, ActionUpdate.author_id == User.id)
    .outerjoin(Agency, ActionUpdate.author_agency_id == Agency.id)
    .order_by(ActionUpdate.created_at, ActionUpdate.id)
)
_REDATING_ENTRIES = (
    select(
        ActionDueDateChange.action_id,
        ActionDueDateChange.changed_at,
        User.name,
        ActionDueDateChange.from_date,
        ActionDueDateChange.to_date,
        ActionDueDateChange.reason,
    )
    .outerjoin(User, ActionDueDateChange.changed_by_id == User.id)
    .order_by(ActionDueDateChange.changed_at, ActionDueDateChange.id)
)
_OF_PLAN = select(Action.id).where(Action.plan_id == bindparam("plan_id")).scalar_subquery()
_PLAN_UPDATES = _UPDATE_ENTRIES.where(ActionUpdate.action_id.in_(_OF_PLAN))
_PLAN_REDATINGS = _REDATING_ENTRIES.where(ActionDueDateChange.action_id.in_(_OF_PLAN))
_ACTION_UPDATES = _UPDATE_ENTRIES.where(ActionUpdate.action_id == bindparam("action_id"))
_ACTION_REDATINGS = _REDATING_ENTRIES.where(ActionDueDateChange.action_id == bindparam("action_id"))


def _histories(updates, redatings, parameters: dict) -> Histories:
    histories = Histories()
    for row in db.session.execute(updates, parameters):
        histories.setdefault(row[0], History()).updates.append(UpdateEntry._make(row))
    for row in db.session.execute(redatings, parameters):
        histories.setdefault(row[0], History()).redatings.append(RedatingEntry._make(row))
    return histories


def plan_histories(plan: ActionPlan | None) -> Histories:
    """The history of every action of the plan, in two queries whatever their number."""
    if plan is None:
        return Histories()
    return _histories(_PLAN_UPDATES, _PLAN_REDATINGS, {"plan_id": plan.id})


def action_history(action: Action) -> History:
    return _histories(_ACTION_UPDATES, _ACTION_REDATINGS, {"action_id": action.id})[action.id]


def calendar_for_case(case: Case) -> WorkingCalendar:
    return calendar_for_area(case.area)


class RagState(NamedTuple):
    """What a RAG tag shows: the colour and its words (a DeadlineStatus has both too, and stands in for one)."""

    rag: Rag
    label: str


_FINISHED_RAG = {status: RagState(Rag.GREY, status.label) for status in ActionStatus}


def action_rag(action: Action, today: date, calendar: WorkingCalendar) -> RagState | DeadlineStatus:
    """Red/amber/green for one action: by its due date while open; grey, with the outcome, once finished."""
    if action.status is ActionStatus.COMPLETED:
        return deadline_status(action.due_on, action.completed_on, today, calendar)
    if not action.status.is_open:
        return _FINISHED_RAG[action.status]
    return deadline_status(action.due_on, None, today, calendar)


@dataclass
class ActionRow:
    """An action as a list shows it."""

    action: Action
    rag: RagState | DeadlineStatus
    overdue: bool = False
    context: str = ""


def plan_rows(plan: ActionPlan | None, case: Case, today: date) -> list[ActionRow]:
    if plan is None or not plan.actions:
        return []
    calendar = calendar_for_case(case)
    return [ActionRow(a, action_rag(a, today, calendar), _overdue(a, today)) for a in plan.actions]


def _overdue(action: Action, today: date) -> bool:
    return action.status.is_open and action.due_on < today


def my_actions(user: User, today: date) -> list[ActionRow]:
    """The actions the user's agency owns, on every case: overdue first, then by due date, finished ones last.

    Two queries whatever the number of actions (the actions with their case and area; the areas' calendars).
    """
    if user.agency_id is None:
        return []
    is_open = Action.status.in_([s.value for s in OPEN_STATUSES])
    actions = (
        db.session.scalars(
            select(Action)
            .join(Action.plan)
            .join(ActionPlan.case)
            .where(Action.owner_agency_id == user.agency_id)
            .options(contains_eager(Action.plan).contains_eager(ActionPlan.case), joinedload(Action.owner_user))
            .order_by(
                sql_case((is_open & (Action.due_on < today), 0), (is_open, 1), else_=2),
                Action.due_on,
                Action.id,
            )
        )
        .unique()
        .all()
    )
    calendars = calendars_for_areas({a.plan.case.area.id: a.plan.case.area for a in actions}.values())
    return [
        ActionRow(
            a,
            action_rag(a, today, calendars[a.plan.case.area_id]),
            _overdue(a, today),
            context=f"{a.plan.case.area.name}: {_one_line(a.description)}",
        )
        for a in actions
    ]


MY_ACTIONS_PER_PAGE = 50


class MyAction(NamedTuple):
    """The columns of an action that "My actions" shows (no ORM object, and a tuple rather than a frozen dataclass,
    whose constructor costs five times as much: a page lists fifty of them)."""

    id: int
    number: int
    description: str
    status: ActionStatus
    due_on: date
    completed_on: date | None
    case_id: int
    case_reference: str
    owner_name: str | None


@dataclass
class MyActionsPage:
    """One page of "My actions" and the totals the page states (an agency may own thousands of actions)."""

    open_rows: list[ActionRow]
    finished_rows: list[ActionRow]
    page: int
    pages: int
    total: int
    open_total: int
    overdue: int

    @property
    def rows(self) -> list[ActionRow]:
        """The page's rows in order: open ones (overdue first), then finished ones."""
        return self.open_rows + self.finished_rows


_MINE = Action.owner_agency_id == bindparam("agency_id", type_=Integer)
_OPEN = text(f"actions.{OPEN_ACTION_SQL}")  # word for word, for the partial index
_TODAY = bindparam("today", type_=Date)
_BEFORE_TODAY = Action.due_on < _TODAY


def _counted(*where):
    return select(func.count()).select_from(Action).where(_MINE, *where).scalar_subquery()


#: "My actions"' totals (all, open, overdue), built once: every view of the page runs it. All and open are read from
#: the tallies the database keeps (counting them walked every action the agency ever owned: 21,676 for the police
#: in the scale-10 data, 4,166 of them open); overdue ones are counted from the partial index of open actions.
_MY_ACTION_TOTALS = select(AGENCY_ACTIONS, AGENCY_OPEN_ACTIONS, _counted(_OPEN, _BEFORE_TODAY))
#: The three runs of "My actions", in page order: overdue, the other open actions, the finished ones.
_MY_ACTION_RUNS = (
    (_OPEN, _BEFORE_TODAY),
    (_OPEN, Action.due_on >= _TODAY),
    (Action.status.not_in([s.value for s in OPEN_STATUSES]),),
)
_MY_ACTION_COLUMNS = (
    Action.id,
    Action.number,
    Action.description,
    Action.status,
    Action.due_on,
    Action.completed_on,
    ActionPlan.case_id,
    Case.reference,
    Case.area_id,
    Area.name.label("area_name"),
    Area.nation,
    User.name,
)


#: The columns of _my_action_rows, in order: my_actions_page reads them by position.
_MY_ACTION_ROW_COLUMNS = (
    "id",
    "number",
    "description",
    "status",
    "due_on",
    "completed_on",
    "case_id",
    "reference",
    "area_id",
    "area_name",
    "nation",
    "name",
    "part",
)
#: The run of finished actions in _MY_ACTION_RUNS; a status from its value (a dictionary is quicker than the enum).
_FINISHED_RUN = 2
_STATUS_OF = {status.value: status for status in ActionStatus}
#: A page's rows in page order: run (part), due date, id.
_PAGE_ORDER = itemgetter(12, 4, 0)


class _AreaOfRow(NamedTuple):
    """An area as a page's rows carry it: enough for calendars_for_areas."""

    id: int
    name: str
    nation: Nation


@lru_cache(maxsize=8)
def _my_action_rows(runs: tuple[int, ...]):
    """The rows of the runs a page falls in, one UNION ALL, built once per combination of runs (six at most):
    each run's LIMIT and OFFSET are values (limit_N, offset_N)."""
    parts = [
        select(
            select(*_MY_ACTION_COLUMNS, literal(run).label("part"))
            .join(ActionPlan, Action.plan_id == ActionPlan.id)
            .join(Case, ActionPlan.case_id == Case.id)
            .join(Area, Case.area_id == Area.id)
            .outerjoin(User, Action.owner_user_id == User.id)
            .where(_MINE, *_MY_ACTION_RUNS[run])
            .order_by(Action.due_on, Action.id)
            .limit(bindparam(f"limit_{run}", type_=Integer))
            .offset(bindparam(f"offset_{run}", type_=Integer))
            .subquery()
        )
        for run in runs
    ]
    return union_all(*parts)


def my_actions_page(user: User, today: date, page: int = 1, per_page: int = MY_ACTIONS_PER_PAGE) -> MyActionsPage:
    """`my_actions` one page at a time, in the same order (overdue, open, finished), with the totals.

    Three queries whatever the number of actions: the totals, the page's rows (with their areas), the areas'
    closure days (their calendars). The
    order is three runs, each by due date: overdue, then the other open actions (both read from the partial index
    of open actions, ix_actions_open_owner_agency_id_due_on), then the finished ones; the totals say which runs a
    page falls in, so no query sorts all of an agency's actions. The statements are built once (module level and
    _my_action_rows): building and keying them cost SQLAlchemy more than running them.
    """
    if user.agency_id is None:
        return MyActionsPage([], [], 1, 1, 0, 0, 0)
    values: dict = {"agency_id": user.agency_id, "today": today}
    total, open_total, overdue = db.session.execute(_MY_ACTION_TOTALS, values).one()
    # The tallies agree with the counts (the triggers keep them, `flask recount-actions` repairs them); should they
    # ever not, the page must still make sense (no negative run, which PostgreSQL would refuse as a LIMIT).
    open_total = max(open_total, overdue)
    total = max(total, open_total)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    sizes = (overdue, open_total - overdue, total - open_total)
    start, end = (page - 1) * per_page, page * per_page
    runs, offset = [], 0
    for run, size in enumerate(sizes):
        if start < offset + size and end > offset and size:
            skip = max(0, start - offset)
            runs.append(run)
            values[f"limit_{run}"] = min(end, offset + size) - offset - skip
            values[f"offset_{run}"] = skip
        offset += size
    found = db.session.execute(_my_action_rows(tuple(runs)), values).all() if runs else []
    # Rows read by position: a Row's attribute access costs half a microsecond, and a page reads twelve a row.
    found.sort(key=_PAGE_ORDER)
    # the rows carry their area's name and nation: the calendars need no query of the areas
    areas = {r[8]: _AreaOfRow(r[8], r[9], r[10]) for r in found}
    calendars = calendars_for_areas(areas.values())
    open_rows: list[ActionRow] = []
    finished_rows: list[ActionRow] = []
    for id_, number, description, status, due_on, completed_on, case_id, ref, area_id, area, _, owner, part in found:
        action = MyAction(id_, number, description, _STATUS_OF[status], due_on, completed_on, case_id, ref, owner)
        (finished_rows if part == _FINISHED_RUN else open_rows).append(
            ActionRow(
                action,
                action_rag(action, today, calendars[area_id]),
                _overdue(action, today),
                context=f"{area}: {_one_line(description)}",
            )
        )
    return MyActionsPage(open_rows, finished_rows, page, pages, total, open_total, overdue)


def _one_line(text: str, limit: int = 120) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def open_actions_due(before: date) -> list[Action]:
    """Open actions due before ``before`` on plans that are not closed, oldest due first. ONE query: ``plan``,
    ``plan.case`` (with its area) and ``owner_agency`` come loaded. See the module docstring."""
    return list(
        db.session.scalars(
            select(Action)
            .join(Action.plan)
            .join(ActionPlan.case)
            .join(Action.owner_agency)
            .where(
                Action.status.in_([s.value for s in OPEN_STATUSES]),
                Action.due_on < before,
                ActionPlan.status != PlanStatus.CLOSED,
            )
            .options(
                contains_eager(Action.plan).contains_eager(ActionPlan.case),
                contains_eager(Action.owner_agency),
            )
            .order_by(Action.due_on, Action.id)
        ).unique()
    )


@dataclass(frozen=True)
class VictimPlanItem:
    """One action as the applicant may see it: the plain-English wording, never the agencies' description."""

    wording: str
    status: str
    due_on: date


def victim_view_of_plan(case: Case) -> list[VictimPlanItem]:
    """The plan in plain English for the applicant: only actions marked victim_visible (and so worded)."""
    rows = db.session.execute(
        select(Action.victim_wording, Action.status, Action.due_on)
        .join(ActionPlan, Action.plan_id == ActionPlan.id)
        .where(ActionPlan.case_id == case.id, Action.victim_visible.is_(True), Action.victim_wording != "")
        .order_by(Action.due_on, Action.id)
    )
    return [VictimPlanItem(wording, ActionStatus(status).label, due_on) for wording, status, due_on in rows]


def changes_since(action: Action, version: int) -> tuple[list[ActionUpdate], list[ActionDueDateChange]]:
    updates = db.session.scalars(
        select(ActionUpdate)
        .where(ActionUpdate.action_id == action.id, ActionUpdate.action_version > version)
        .options(joinedload(ActionUpdate.author), joinedload(ActionUpdate.author_agency))
        .order_by(ActionUpdate.id)
    ).all()
    redatings = db.session.scalars(
        select(ActionDueDateChange)
        .where(ActionDueDateChange.action_id == action.id, ActionDueDateChange.action_version > version)
        .options(joinedload(ActionDueDateChange.changed_by))
        .order_by(ActionDueDateChange.id)
    ).all()
    return list(updates), list(redatings)


# ---- who may own an action -----------------------------------------------------------------------------------


def involved_agency_ids(case: Case) -> set[int]:
    """Agencies "involved" in a case, and so allowed to own its actions (if active):

    - an agency an incident on the case was reported to (it holds the history), or
    - an agency that already owns an action on the case (a reassignment may move work back), or
    - any relevant body (council, police, health, housing: the bodies with the statutory duty, 2014 Act s.104),
      which a review may always task even if the victim never reported to it.
    - an agency a review meeting of the case made a recommendation to (the action may carry it out).
    Other partners (fire, youth services, restorative justice ...) become involved through a reported incident
    or a recommendation.
    """
    reported = select(IncidentReport.agency_id).join(Incident).where(Incident.case_id == case.id)
    owning = select(Action.owner_agency_id).join(ActionPlan).where(ActionPlan.case_id == case.id)
    recommended = (
        select(Recommendation.agency_id)
        .join(Meeting, Recommendation.meeting_id == Meeting.id)
        .where(Meeting.case_id == case.id)
    )
    relevant = [t for t in AgencyType if t.is_relevant_body]
    return set(
        db.session.scalars(
            select(Agency.id).where(
                or_(
                    Agency.id.in_(reported),
                    Agency.id.in_(owning),
                    Agency.id.in_(recommended),
                    Agency.agency_type.in_(relevant),
                )
            )
        )
    )


def owner_agency_choices(case: Case) -> list[tuple[str, str]]:
    ids = involved_agency_ids(case)
    agencies = db.session.scalars(
        select(Agency).where(Agency.id.in_(ids), Agency.active.is_(True)).order_by(Agency.name)
    ).all()
    return [("", "Choose an agency")] + [(str(a.id), a.name) for a in agencies]


def owner_user_choices(case: Case, agency_id: int | None = None) -> list[tuple[str, str]]:
    """The people an action may be named to: active representatives of the owning agency once it is known (an
    action being changed, a form sent back), otherwise of the agencies involved in the case; labelled with their
    agency. Never every representative in the county (_owner checks the agency matches as well)."""
    agency_ids = {agency_id} if agency_id else involved_agency_ids(case)
    users = db.session.scalars(
        select(User)
        .where(User.role == Role.AGENCY_REP, User.active.is_(True), User.agency_id.in_(agency_ids))
        .options(selectinload(User.agency))
        .order_by(User.name)
    ).all()
    return [("", "No named person")] + [
        (str(u.id), f"{u.name} ({u.agency.name})" if u.agency else u.name) for u in users
    ]


def meeting_choices(case: Case, include_id: int | None = None) -> list[tuple[str, str]]:
    """The case's meetings, newest first (cancelled ones only if already chosen), for "Agreed at a meeting"."""
    meetings = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.case_id == case.id, or_(Meeting.status != MeetingStatus.CANCELLED, Meeting.id == (include_id or -1))
        )
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    ).all()
    return [("", "Not agreed at a meeting")] + [
        (str(m.id), f"{m.kind.label} on {_long(m.starts_at.astimezone(LONDON).date())}") for m in meetings
    ]


def _meeting(case: Case, meeting_id: int | None, current_id: int | None = None) -> Meeting | None:
    """The case's meeting a form named. Another case's meeting (a forged id) or a cancelled one is refused."""
    if meeting_id is None:
        return None
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.case_id != case.id:
        raise FieldError("meeting_id", "Choose one of this case's review meetings, or “Not agreed at a meeting”")
    if meeting.status is MeetingStatus.CANCELLED and meeting.id != current_id:
        raise FieldError("meeting_id", "That meeting was cancelled: choose a meeting that took place")
    return meeting


def recommendation_of(case: Case, recommendation_id: int | None) -> Recommendation | None:
    """A recommendation of one of the case's meetings (None for none, or for another case's: a forged id)."""
    if recommendation_id is None:
        return None
    recommendation = db.session.get(Recommendation, recommendation_id)
    if recommendation is None:
        return None
    meeting = db.session.get(Meeting, recommendation.meeting_id)
    return recommendation if meeting is not None and meeting.case_id == case.id else None


@dataclass(frozen=True)
class ActionDraft:
    """What "Make this an action" puts on the action form, taken from a recommendation."""

    description: str
    owner_agency_id: int | None
    meeting_id: int
    restricted: bool
    victim_visible: bool
    victim_wording: str


def draft_from_recommendation(case: Case, recommendation: Recommendation) -> ActionDraft:
    """The recommendation's words, body, meeting and sharing, ready to be saved as an action in one step. The
    body is proposed as the owner only if it may own the case's actions (active and involved)."""
    agency = db.session.get(Agency, recommendation.agency_id)
    owner = agency.id if agency is not None and agency.active and agency.id in involved_agency_ids(case) else None
    return ActionDraft(
        description=recommendation.text,
        owner_agency_id=owner,
        meeting_id=recommendation.meeting_id,
        restricted=bool(recommendation.restricted),
        victim_visible=bool(recommendation.victim_visible),
        victim_wording=recommendation.victim_wording or "",
    )


def _owner(case: Case, agency_id: int | None, user_id: int | None) -> tuple[Agency, User | None]:
    agency = db.session.get(Agency, agency_id) if agency_id else None
    if agency is None:
        raise FieldError("owner_agency_id", "Choose the agency that owns the action")
    if not agency.active:
        raise FieldError("owner_agency_id", f"{agency.name} is no longer active: choose another agency")
    if agency.id not in involved_agency_ids(case):
        raise FieldError(
            "owner_agency_id",
            f"{agency.name} is not involved in this case: choose an agency on the case or a relevant body",
        )
    person = db.session.get(User, user_id) if user_id else None
    if user_id and (person is None or not person.active):
        raise FieldError("owner_user_id", "Choose an active person, or no named person")
    if person is not None and person.agency_id != agency.id:
        raise FieldError("owner_user_id", f"{person.name} does not work for {agency.name}")
    return agency, person


# ---- dates ----------------------------------------------------------------------------------------------------


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _created_on(action: Action) -> date:
    return action.created_at.astimezone(LONDON).date()


def _check_due(due_on: date | None, not_before: date, why: str) -> date:
    if due_on is None:
        raise FieldError("due_on", "Enter the due date")
    years = known_years()
    if due_on.year >= years.stop:
        raise FieldError("due_on", f"The due date must be before 1 January {years.stop}")
    if due_on < not_before:
        raise FieldError("due_on", f"The due date must be {why} ({_long(not_before)}) or later")
    return due_on


# ---- the plan ------------------------------------------------------------------------------------------------


def plan_for(case: Case, actor: User | None = None) -> ActionPlan:
    """The case's plan, started (live) the first time an action is added or the plan's settings are saved."""
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.case_id == case.id))
    if plan is None:
        plan = ActionPlan(case_id=case.id, status=PlanStatus.LIVE)
        db.session.add(plan)
        db.session.flush()
        audit.record(
            "plan.started",
            "action_plan",
            plan.id,
            f"Started the action plan of {case.reference}",
            case_id=case.id,
            actor=actor,
        )
    return plan


def save_plan_settings(
    case: Case,
    *,
    status: PlanStatus,
    closed_reason: str,
    frequency: UpdateFrequency | None,
    method: ContactMethod | None,
    consulted: bool,
    consulted_on: date | None,
    actor: User,
    today: date,
) -> ActionPlan:
    closed_reason = (closed_reason or "").strip()
    if status is PlanStatus.CLOSED and not closed_reason:
        raise FieldError("closed_reason", "Enter why the plan is being closed")
    if consulted and consulted_on is None:
        raise FieldError("victim_consulted_on", "Enter the date the victim was consulted on the draft plan")
    if consulted_on is not None and consulted_on > today:
        raise FieldError("victim_consulted_on", "The date the victim was consulted must be today or in the past")
    plan = plan_for(case, actor)
    before = _plan_snapshot(plan)
    plan.status = status
    plan.closed_reason = closed_reason if status is PlanStatus.CLOSED else ""
    plan.victim_update_frequency = frequency
    plan.victim_update_method = method
    plan.victim_consulted = consulted
    plan.victim_consulted_on = consulted_on if consulted else None
    after = _plan_snapshot(plan)
    if before["status"] != after["status"]:
        # Action.plan_closed follows the plan's status (and the case's: trigger.deadlines.opening)
        db.session.execute(
            update(Action)
            .where(Action.plan_id == plan.id)
            .values(plan_closed=status is PlanStatus.CLOSED or case.stage is Stage.CLOSED)
        )
    if before != after:
        action_name = "plan.status_changed" if before["status"] != after["status"] else "plan.changed"
        audit.record(
            action_name,
            "action_plan",
            plan.id,
            f"Action plan of {case.reference}: {status.label}",
            audit.changes(before, after),
            case_id=case.id,
            actor=actor,
        )
    return plan


def _plan_snapshot(plan: ActionPlan) -> dict:
    return {
        "status": plan.status.value if plan.status else None,
        "closed_reason": plan.closed_reason,
        "victim_update_frequency": plan.victim_update_frequency.value if plan.victim_update_frequency else None,
        "victim_update_method": plan.victim_update_method.value if plan.victim_update_method else None,
        "victim_consulted": bool(plan.victim_consulted),
        "victim_consulted_on": plan.victim_consulted_on.isoformat() if plan.victim_consulted_on else None,
    }


def _ensure_plan_open(plan: ActionPlan, field_name: str) -> None:
    if plan.status is PlanStatus.CLOSED:
        raise FieldError(field_name, "This action plan is closed: reopen it before changing its actions")


def _check_wording(case: Case, description: str, victim_wording: str, victim_visible: bool) -> tuple[str, str]:
    description = (description or "").strip()
    victim_wording = (victim_wording or "").strip()
    if not description:
        raise FieldError("description", "Enter what the agency will do")
    if victim_visible and not victim_wording:
        raise FieldError(
            "victim_wording",
            "Enter the plain-English wording the victim will see, or do not share this action with the victim",
        )
    if victim_visible and (problem := victim_wording_problem(case, victim_wording)):
        raise FieldError("victim_wording", problem)
    return description, victim_wording


# ---- actions ------------------------------------------------------------------------------------------------


def create_action(
    case: Case,
    *,
    description: str,
    victim_wording: str,
    victim_visible: bool,
    owner_agency_id: int | None,
    owner_user_id: int | None,
    source_note: str,
    due_on: date | None,
    priority: Priority,
    actor: User,
    today: date,
    meeting_id: int | None = None,
    restricted: bool = False,
    recommendation_id: int | None = None,
) -> Action:
    """Add an action to the case's plan (starting the plan if needed). With ``recommendation_id`` the action is
    linked to that recommendation of one of the case's meetings (another case's is refused)."""
    description, victim_wording = _check_wording(case, description, victim_wording, victim_visible)
    agency, person = _owner(case, owner_agency_id, owner_user_id)
    meeting = _meeting(case, meeting_id)
    recommendation = recommendation_of(case, recommendation_id)
    if recommendation_id is not None and recommendation is None:
        raise FieldError(
            "description",
            "The recommendation this action was to carry out is not one of this "
            "case's: add the action from the case's own minutes",
        )
    due_on = _check_due(due_on, today, "today")
    plan = plan_for(case, actor)
    _ensure_plan_open(plan, "description")
    values = dict(
        plan_id=plan.id,
        plan_closed=case.stage is Stage.CLOSED,  # the plan itself is open (_ensure_plan_open)
        description=description,
        victim_wording=victim_wording,
        victim_visible=victim_visible,
        restricted=restricted,
        owner_agency_id=agency.id,
        owner_user_id=person.id if person else None,
        source_note=(source_note or "").strip(),
        meeting_id=meeting.id if meeting else None,
        recommendation_id=recommendation.id if recommendation else None,
        due_on=due_on,
        original_due_on=due_on,
        priority=priority,
        status=ActionStatus.NOT_STARTED,
        created_by_id=actor.id,
    )
    action = _insert_numbered(values)
    audit.record(
        "action.created",
        "action",
        action.id,
        f"Added action {action.number} for {agency.name} on {case.reference}, due {_long(due_on)}"
        + (" (from a recommendation)" if recommendation else ""),
        {
            "owner_agency": agency.name,
            "due_on": due_on.isoformat(),
            "victim_visible": victim_visible,
            "restricted": restricted,
            "number": action.number,
            "meeting_id": action.meeting_id,
            "recommendation_id": action.recommendation_id,
        },
        case_id=case.id,
        actor=actor,
    )
    return action


def _insert_numbered(values: dict, attempts: int = 3) -> Action:
    """Insert the action with the next number of its plan. Someone adding an action to the same plan at the
    same moment may take that number first (the UNIQUE (plan_id, number) refuses ours): count again and retry."""
    for attempt in range(attempts):
        action = Action(**values)
        try:
            with db.session.begin_nested():
                db.session.add(action)
        except IntegrityError:
            if attempt == attempts - 1:
                raise
            continue
        return action
    raise AssertionError("unreachable")


def edit_action(
    action: Action,
    *,
    expected_version: int | None,
    description: str,
    victim_wording: str,
    victim_visible: bool,
    owner_agency_id: int | None,
    owner_user_id: int | None,
    source_note: str,
    priority: Priority,
    actor: User,
    meeting_id: int | None = None,
    restricted: bool | None = None,
) -> Action:
    """Change what an action says, who owns it (a reassignment), its priority and the meeting it was agreed at.
    Not its due date or status."""
    _check_version(action, expected_version)
    case = action.plan.case
    _ensure_plan_open(action.plan, "description")
    description, victim_wording = _check_wording(case, description, victim_wording, victim_visible)
    agency, person = _owner(case, owner_agency_id, owner_user_id)
    meeting = _meeting(case, meeting_id, current_id=action.meeting_id)
    before = _action_snapshot(action)
    action.description = description
    action.victim_wording = victim_wording
    action.victim_visible = victim_visible
    if restricted is not None:
        action.restricted = restricted
    action.owner_agency_id = agency.id
    action.owner_user_id = person.id if person else None
    action.source_note = (source_note or "").strip()
    action.meeting_id = meeting.id if meeting else None
    action.priority = priority
    after = _action_snapshot(action)
    if before == after:
        return action
    reassigned = before["owner_agency_id"] != after["owner_agency_id"]
    _save(action, expected_version)
    audit.record(
        "action.reassigned" if reassigned else "action.changed",
        "action",
        action.id,
        f"{'Reassigned to ' + agency.name if reassigned else 'Changed'} an action on {case.reference}",
        _audited_changes(before, after),
        case_id=case.id,
        actor=actor,
    )
    return action


_WORDS = ("description", "victim_wording", "source_note")


def _audited_changes(before: dict, after: dict) -> dict:
    """The changes for the audit trail. A restricted action's words stay out of it (the trail is read by
    auditors and shows on the timeline): only that they changed."""
    changes = audit.changes(before, after)
    if before.get("restricted") or after.get("restricted"):
        changes = {
            key: (["(restricted)", "(restricted)"] if key in _WORDS else value) for key, value in changes.items()
        }
    return changes


def _action_snapshot(action: Action) -> dict:
    return {
        "description": action.description,
        "victim_wording": action.victim_wording,
        "victim_visible": bool(action.victim_visible),
        "restricted": bool(action.restricted),
        "owner_agency_id": action.owner_agency_id,
        "owner_user_id": action.owner_user_id,
        "source_note": action.source_note,
        "meeting_id": action.meeting_id,
        "priority": action.priority.value if action.priority else None,
    }


def change_due_date(
    action: Action, *, expected_version: int | None, due_on: date | None, reason: str, actor: User
) -> Action:
    """Re-date an action. The reason is kept, and so is the original due date."""
    _check_version(action, expected_version)
    _ensure_plan_open(action.plan, "due_on")
    due_on = _check_due(due_on, _created_on(action), "the same as or after the date the action was created")
    if due_on == action.due_on:
        raise FieldError("due_on", f"The action is already due on {_long(due_on)}: enter a different date")
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", "Enter why the due date is changing")
    change = ActionDueDateChange(
        action_id=action.id,
        from_date=action.due_on,
        to_date=due_on,
        reason=reason,
        changed_by_id=actor.id,
        action_version=action.version + 1,
    )
    db.session.add(change)
    old = action.due_on
    action.due_on = due_on
    _save(action, expected_version)
    said = "" if action.restricted else f": {reason}"  # a restricted action's words stay out of the trail
    audit.record(
        "action.redated",
        "action",
        action.id,
        f"Due date changed from {_long(old)} to {_long(due_on)}{said}",
        {"from": old.isoformat(), "to": due_on.isoformat(), "reason": "" if action.restricted else reason},
        case_id=action.plan.case_id,
        actor=actor,
    )
    return action


def post_update(
    action: Action,
    *,
    expected_version: int | None,
    note: str,
    status: ActionStatus,
    reason: str,
    actor: User,
    today: date,
) -> ActionUpdate:
    """A progress update in one step: a note, the (possibly unchanged) status, and the reason a status needs.

    Kept with author, agency and time, and never edited. Raises StaleAction when someone else saved the action
    after the form was built (the caller shows what they changed and keeps this person's text).
    """
    _check_version(action, expected_version)
    _ensure_plan_open(action.plan, "note")
    note = (note or "").strip()
    reason = (reason or "").strip()
    if not note:
        raise FieldError(
            "note", "Enter a progress note" if status is not ActionStatus.COMPLETED else "Enter what was done"
        )
    if len(note) > UPDATE_NOTE_MAX:
        raise FieldError("note", f"The note must be {UPDATE_NOTE_MAX} characters or fewer")
    if status.needs_reason and not reason:
        raise FieldError("reason", f"Enter why the action is marked “{status.label.lower()}”")
    previous = action.status
    update = ActionUpdate(
        action_id=action.id,
        author_id=actor.id,
        author_agency_id=actor.agency_id,
        note=note,
        status_from=previous,
        status_to=status,
        reason=reason if status.needs_reason else "",
        action_version=action.version + 1,
    )
    db.session.add(update)
    action.status = status
    if status is ActionStatus.COMPLETED:
        if previous is not ActionStatus.COMPLETED:
            action.completed_on = today
        action.status_reason = note
    else:
        action.completed_on = None
        action.status_reason = reason if status.needs_reason else ""
    _save(action, expected_version)
    what = f"{previous.label} → {status.label}" if previous is not status else f"still {status.label.lower()}"
    audit.record(
        "action.updated",
        "action",
        action.id,
        f"Update on an action of {action.plan.case.reference} ({what})",
        {"status_from": previous.value, "status_to": status.value, "update_id": update.id},
        case_id=action.plan.case_id,
        actor=actor,
    )
    return update


def _check_version(action: Action, expected_version: int | None) -> None:
    """The form's version must be the action's: otherwise someone saved it since the form was built."""
    if expected_version is None or expected_version != action.version:
        _raise_stale(action, expected_version)


def _save(action: Action, expected_version: int | None) -> None:
    """Flush the action's UPDATE now, guarded by its version, so a simultaneous save is caught here."""
    # Touching updated_at makes every save an UPDATE of the row, so every save bumps and checks the version
    # (an update that only adds a note would otherwise leave the action row alone).
    action.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        fresh = load_action(action.id)
        _raise_stale(fresh or action, expected_version)


def _raise_stale(action: Action, expected_version: int | None):
    updates, redatings = changes_since(action, expected_version or 0)
    raise StaleAction(action, updates, redatings)
