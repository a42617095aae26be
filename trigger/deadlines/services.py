"""The deadlines of cases: opened and met as a case moves through its stages, extended, recomputed, shown on
the case page and the dashboard, and chased by the reminder ladder (`flask deadlines run`).

Public API (other packages call these names):

- ``open_deadline(case, kind, anchor, *, cycle=None) -> CaseDeadline``
- ``meet_deadline(case, kind, on) -> CaseDeadline | None``
- ``extend_deadline(deadline, new_due, reason, actor) -> CaseDeadline``
- ``deadlines_of(case, today) -> list[tuple[CaseDeadline, DeadlineStatus]]``
- ``recompute_open_deadlines(case) -> list[CaseDeadline]``
- ``on_stage_change(case, old, new, on)``: called by trigger.cases.services (create_case and move_to) only.
- ``run_reminders(today) -> RunReport``: what `flask deadlines run` does.
- ``assign_coordinator(case, coordinator_id, by=) -> bool``: the coordinator who looks after a case (and gets its
  reminders); set by create_case for a coordinator who records one, and on acknowledgement if still unset.

Opening and meeting a deadline as a stage changes is not audited separately: the stage change is (by move_to),
and the deadline row keeps its anchor, due and met dates. Extensions, recomputes and the agencies' information
being marked received are people's decisions, each audited with the case id.

Never a silently wrong date: when a year has no bank-holiday data the due date is left empty (NULL) and every
page that shows it names the missing year; `recompute_open_deadlines` fills it in once the data exists.
"""

from __future__ import annotations

import dataclasses
import heapq
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import (String, Text, and_, bindparam, case, exists, func, literal, null, or_, select, type_coerce,
                        union_all, update)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from trigger import audit
from trigger.area_policies.services import (
    calendar_for_area,
    calendars_for_areas,
    timescale_for_area,
)
from trigger.domain.deadlines import (
    DeadlineKind,
    DeadlineStatus,
    Rag,
    compute_due,
    deadline_status,
)
from trigger.domain.reminders import DEFAULT_LADDER, Ladder, Rung, reminder_windows
from trigger.domain.stages import DECISION_STAGES, Stage
from trigger.domain.workdays import HolidayDataMissing, WorkingCalendar
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import (
    Action,
    ActionPlan,
    Agency,
    Area,
    Case,
    Notification,
    OutboxMessage,
    OutboxStatus,
    PlanStatus,
    Role,
    ThresholdDecision,
    User,
    utcnow,
)
from trigger.models.actions import OPEN_STATUSES
from trigger.models.base import UTCDateTime
from trigger.models.deadlines import AreaReminderLadder, CaseDeadline, SentReminder
from trigger.notifications.services import absolute_url

LONDON = ZoneInfo("Europe/London")

#: The applicant's own window to ask for an escalation: a date to show, not work for staff to chase.
APPLICANT_WINDOWS = frozenset({DeadlineKind.ESCALATION_REQUEST})

#: How far ahead the dashboard looks, in working days.
SOON_WORKING_DAYS = 5

#: Rows the dashboard lists per section; the heading gives the full count.
DASHBOARD_LIMIT = 25


def london_today() -> date:
    """Today's date where the partnership works (a server in UTC would otherwise be wrong after 11pm in summer)."""
    return datetime.now(LONDON).date()


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# ---- opening and meeting deadlines ------------------------------------------------------------------------


def _deadlines_of_kind(case: Case, kind: DeadlineKind) -> list[CaseDeadline]:
    return list(db.session.scalars(
        select(CaseDeadline).where(CaseDeadline.case_id == case.id, CaseDeadline.kind == kind)
        .order_by(CaseDeadline.cycle)
    ))


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
    deadline = CaseDeadline(case_id=case.id, kind=kind, cycle=cycle, anchor_on=anchor, due_on=due,
                            original_due_on=due, case_closed=case.stage is Stage.CLOSED)
    try:
        with db.session.begin_nested():
            db.session.add(deadline)
    except IntegrityError:  # opened by a concurrent request a moment ago: that one is the deadline
        return db.session.scalars(select(CaseDeadline).where(
            CaseDeadline.case_id == case.id, CaseDeadline.kind == kind, CaseDeadline.cycle == cycle)).one()
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
        raise FieldError("new_due", f"There is no bank-holiday data for {missing.year}, so a date in that year "
                                    "cannot be checked: choose an earlier date") from None
    if not working:
        why = calendar.holiday_name(new_due) or ("a weekend" if new_due.weekday() >= 5 else "not a working day")
        raise FieldError("new_due", f"{new_due:%A} {long_date(new_due)} is not a working day ({why}): "
                                    "choose a working day")
    if deadline.due_on is not None and new_due <= deadline.due_on:
        raise FieldError("new_due", f"The new due date must be after the current due date, "
                                    f"{long_date(deadline.due_on)}")
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
    audit.record("deadline.extended", "case_deadline", deadline.id,
                 f"Extended: {deadline.kind.label} from {long_date(before) if before else 'no date'} to "
                 f"{long_date(new_due)}: {reason}"[:500],
                 {"kind": deadline.kind.value, "from": before.isoformat() if before else None,
                  "to": new_due.isoformat(), "original_due_on": deadline.original_due_on.isoformat()
                  if deadline.original_due_on else None, "reason": reason},
                 actor=actor, case_id=case.id)
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
        d for d in db.session.scalars(select(CaseDeadline).where(
            CaseDeadline.case_id == case.id, CaseDeadline.met_on.is_(None)).order_by(CaseDeadline.id))
        # The applicant was told the escalation window in the outcome letter, and an extension was agreed with
        # people: a policy change moves neither.
        if not d.was_extended and not (d.kind in APPLICANT_WINDOWS and d.due_on is not None)
    ]
    # Count every date before changing any, so that a missing year changes nothing at all.
    new_dates = [compute_due(d.kind, d.anchor_on, policy, calendar) for d in to_recount]
    for deadline, due in zip(to_recount, new_dates, strict=True):
        if due != deadline.due_on:
            details.append({"kind": deadline.kind.value, "to": due.isoformat(),
                            "from": deadline.due_on.isoformat() if deadline.due_on else None})
            deadline.due_on = deadline.original_due_on = due
            changed.append(deadline)
    audit.record("deadline.recomputed", "case", case.id,
                 f"Recomputed the open deadlines with the current timescales of {case.area.name}: "
                 f"{len(changed)} changed", {"changes": details}, actor=actor, case_id=case.id)
    return changed


def mark_information_received(case: Case, on: date) -> CaseDeadline:
    """The coordinator has every relevant body's information. Raises FieldError when it cannot be recorded."""
    if on is None:
        raise FieldError("received_on", "Enter the date the last agency's information arrived")
    if on > london_today():
        raise FieldError("received_on", "The date the information arrived must be today or in the past")
    if on < case.received_on:
        raise FieldError("received_on",
                         "The date the information arrived must be the same as or after the date received")
    deadline = meet_deadline(case, DeadlineKind.INFORMATION, on)
    if deadline is None:
        raise FieldError("received_on", "The agencies' information is already recorded as received")
    audit.record("deadline.information_received", "case_deadline", deadline.id,
                 f"The agencies' information was all received on {long_date(on)}",
                 {"met_on": on.isoformat(), "due_on": deadline.due_on.isoformat() if deadline.due_on else None},
                 case_id=case.id)
    return deadline


def _decision_date(case: Case) -> date | None:
    return db.session.scalar(select(ThresholdDecision.decided_on).where(ThresholdDecision.case_id == case.id)
                             .order_by(ThresholdDecision.id.desc()).limit(1))


def _close_with_the_stage(case: Case, kind: DeadlineKind, on: date, why: str) -> None:
    """Close a deadline the case has moved past (met on ``on``), saying so in the audit trail."""
    deadline = meet_deadline(case, kind, on)
    if deadline is not None:
        audit.record("deadline.closed_by_stage", "case_deadline", deadline.id,
                     f"“{kind.label}” closed on {long_date(on)}: {why}", {"met_on": on.isoformat()},
                     case_id=case.id)


def on_stage_change(case: Case, old: Stage | None, new: Stage, on: date | None = None) -> None:
    """Open and meet the stage deadlines a move of ``case`` from ``old`` to ``new`` implies (DOMAIN.md section 2).

    The agencies' information is met by a coordinator ("Mark the agencies' information received"), never by a
    stage; escalation deadlines are opened and met by trigger.escalations through open_deadline/meet_deadline.
    """
    on = on or london_today()
    if (old is Stage.CLOSED) != (new is Stage.CLOSED):
        db.session.execute(update(CaseDeadline).where(CaseDeadline.case_id == case.id)
                           .values(case_closed=new is Stage.CLOSED))
    if old is None and new is Stage.RECEIVED:
        for kind in (DeadlineKind.ACKNOWLEDGE, DeadlineKind.INFORMATION, DeadlineKind.THRESHOLD_DECISION):
            open_deadline(case, kind, case.received_on)
    elif new is Stage.ACKNOWLEDGED:
        meet_deadline(case, DeadlineKind.ACKNOWLEDGE, on)
        _coordinator_acknowledging(case)
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


# ---- how deadlines stand ------------------------------------------------------------------------------------


def _status_of(deadline: CaseDeadline, case: Case, today: date, calendar: WorkingCalendar) -> DeadlineStatus:
    """deadline_status, with the two cases it does not know: a closed case and the applicant's own window.

    Raises HolidayDataMissing when the due date was never counted or cannot be compared with today.
    """
    if deadline.due_on is None:
        # Ask the calendar again: it names the missing year (or, if the data has arrived since, says to recount).
        compute_due(deadline.kind, deadline.anchor_on, timescale_for_area(case.area), calendar)
        raise HolidayDataMissing(deadline.anchor_on.year, calendar.nation,
                                 reason="The due date was not counted when the deadline opened; press "
                                        "“Recompute” now that bank-holiday data exists")
    status = deadline_status(deadline.due_on, deadline.met_on, today, calendar)
    if deadline.met_on is not None:
        return status
    if deadline.kind in APPLICANT_WINDOWS:
        if today <= deadline.due_on:
            return dataclasses.replace(status, rag=Rag.GREEN,
                                       label=f"Open: the applicant may ask until {long_date(deadline.due_on)}")
        return dataclasses.replace(status, rag=Rag.GREY, label=f"Closed on {long_date(deadline.due_on)}: no request")
    if case.stage is Stage.CLOSED:
        return dataclasses.replace(status, rag=Rag.GREY, label="Not needed: the case is closed")
    return status


_DEADLINES_OF = select(CaseDeadline).where(CaseDeadline.case_id == bindparam("case_id"))  # built once
_KIND_ORDER = {kind: n for n, kind in enumerate(DeadlineKind)}


def _all_deadlines(case: Case) -> list[CaseDeadline]:
    rows = db.session.scalars(_DEADLINES_OF, {"case_id": case.id}).all()
    return sorted(rows, key=lambda d: (d.cycle, _KIND_ORDER[d.kind], d.id))


def deadlines_of(case: Case, today: date) -> list[tuple[CaseDeadline, DeadlineStatus]]:
    """Every deadline of ``case`` with how it stands on ``today``. Raises HolidayDataMissing (never guesses)."""
    calendar = calendar_for_area(case.area)
    return [(d, _status_of(d, case, today, calendar)) for d in _all_deadlines(case)]


@dataclass
class DeadlineRow:
    deadline: CaseDeadline
    status: DeadlineStatus | None  # None: could not be counted, see problem
    problem: str | None = None


@dataclass
class CaseDeadlines:
    """What the case page's "Deadlines" section shows."""

    rows: list[DeadlineRow]
    problems: list[str]  # one sentence per missing year, for the warning banner
    information_open: bool
    coordinator: User | None = None  # who looks after the case (None: every coordinator gets its reminders)


def case_deadlines(case: Case, today: date) -> CaseDeadlines:
    """deadlines_of for the case page: a year without holiday data becomes a loud message, not an error page."""
    calendar = calendar_for_area(case.area)
    rows, problems = [], []
    for deadline in _all_deadlines(case):
        try:
            rows.append(DeadlineRow(deadline, _status_of(deadline, case, today, calendar)))
        except HolidayDataMissing as missing:
            message = (f"No bank-holiday data for {missing.year} ({missing.nation.label}): the deadlines that "
                       f"reach into {missing.year} cannot be counted, so no date is shown for them. Ask an "
                       "administrator to update the bank-holiday data; do not count the days by hand from "
                       "this page.")
            if message not in problems:
                problems.append(message)
            rows.append(DeadlineRow(deadline, None, f"Cannot be counted: no bank-holiday data for {missing.year}"))
    information_open = any(r.deadline.kind is DeadlineKind.INFORMATION and r.deadline.met_on is None for r in rows)
    coordinator = db.session.get(User, case.coordinator_id) if case.coordinator_id else None
    return CaseDeadlines(rows, problems, information_open and case.stage is not Stage.CLOSED, coordinator)


# ---- the coordinator who looks after a case -------------------------------------------------------------------


def coordinator_choices() -> list[tuple[str, str]]:
    """The active coordinators, for a select: (id, name)."""
    return [(str(u.id), u.name) for u in db.session.scalars(
        select(User).where(User.active.is_(True), User.role == Role.COORDINATOR).order_by(User.name, User.id))]


def assign_coordinator(case: Case, coordinator_id: int | None, *, by: User | None) -> bool:
    """Make an active coordinator the one who looks after ``case`` (audited); False when nothing changed.

    Raises FieldError("coordinator_id") for anyone who is not an active coordinator.
    """
    user = db.session.get(User, coordinator_id) if coordinator_id else None
    if user is None or not user.active or user.role is not Role.COORDINATOR:
        raise FieldError("coordinator_id", "Choose an active coordinator")
    if case.coordinator_id == user.id:
        return False
    before = db.session.get(User, case.coordinator_id) if case.coordinator_id else None
    case.coordinator_id = user.id
    audit.record("case.coordinator_assigned", "case", case.id,
                 f"Coordinator: {user.name}" + (f" (was {before.name})" if before else ""),
                 {"from": before.id if before else None, "to": user.id}, actor=by, case_id=case.id)
    return True


def _coordinator_acknowledging(case: Case) -> None:
    """A coordinator who acknowledges a case nobody looks after yet takes it on."""
    from flask import has_request_context
    from flask_login import current_user

    if case.coordinator_id is not None or not has_request_context() or not current_user.is_authenticated:
        return
    user = current_user._get_current_object()
    if user.role is Role.COORDINATOR:
        assign_coordinator(case, user.id, by=user)


def load_deadline(case: Case, deadline_id: int) -> CaseDeadline | None:
    return db.session.scalar(select(CaseDeadline).where(CaseDeadline.id == deadline_id,
                                                        CaseDeadline.case_id == case.id))


# ---- the reminder ladder of each area -----------------------------------------------------------------------

LADDER_FIELDS = ("days_before", "on_the_day", "when_overdue", "escalate_after")


def _ladder_of(row: AreaReminderLadder | None) -> Ladder:
    return DEFAULT_LADDER if row is None else Ladder(**{name: getattr(row, name) for name in LADDER_FIELDS})


def ladder_for_area(area: Area) -> Ladder:
    return _ladder_of(db.session.scalar(select(AreaReminderLadder).where(AreaReminderLadder.area_id == area.id)))


def ladders_for_areas(areas: Iterable[Area]) -> dict[int, Ladder]:
    """ladder_for_area for many areas in one query, keyed by area id."""
    ids = [a.id for a in areas]
    rows = {r.area_id: r for r in db.session.scalars(
        select(AreaReminderLadder).where(AreaReminderLadder.area_id.in_(ids)))}
    return {area_id: _ladder_of(rows.get(area_id)) for area_id in ids}


def save_ladder(area: Area, values: dict, *, by: User | None) -> bool:
    """Change an area's reminder ladder (audited); False when nothing changed. Raises FieldError."""
    try:
        new = Ladder(**{name: values[name] for name in LADDER_FIELDS})
    except ValueError as refusal:
        field_name = "days_before" if "advance" in str(refusal) else "escalate_after"
        raise FieldError(field_name, str(refusal)) from None
    row = db.session.scalar(select(AreaReminderLadder).where(AreaReminderLadder.area_id == area.id))
    before = dataclasses.asdict(_ladder_of(row))
    diff = audit.changes(before, dataclasses.asdict(new))
    if not diff:
        return False
    if row is None:
        row = AreaReminderLadder(area_id=area.id)
        db.session.add(row)
    for name in LADDER_FIELDS:
        setattr(row, name, getattr(new, name))
    row.updated_by_id = by.id if by else None
    db.session.flush()
    audit.record("area.reminders_changed", "area", area.id, f"Changed the reminder ladder of {area.name}",
                 {"changes": diff}, actor=by)
    return True


# ---- the reminder run (`flask deadlines run`) -----------------------------------------------------------------
#
# Set-based, so that the number of SQL statements does not grow with the number of deadlines:
#
# 1. Each area's ladder and working calendar become date ranges for today (trigger.domain.reminders
#    reminder_windows: "due between 11 and 12 June gets the 2-day advance reminder", "due on or before 3 June is
#    escalated"), exactly the rule `rungs_due` applies to one deadline.
# 2. One INSERT ... SELECT per item kind and rung claims every reminder due, in `sent_reminders`, tagged with this
#    run's id. Its UNIQUE (item, due date, rung) key is the exactly-once guarantee: ON CONFLICT DO NOTHING skips a
#    reminder another run has claimed (a second run, or one on another machine at the same moment, which waits
#    for the first to commit), so each reminder is in exactly one run's digests. The due date is in the key, so
#    an extended deadline or a re-dated action is reminded about again for its new date.
# 3. One SELECT reads back what this run claimed, and each person (or agency contact address) gets one digest:
#    one in-product notification and one email listing their items, most urgent first.

_OPEN_ACTION = [s.value for s in OPEN_STATUSES]

DEADLINE_ITEM, ACTION_ITEM = "deadline", "action"

#: Item lines in one digest; the rest are counted ("and 12 more: see your dashboard").
DIGEST_LINES = 50

#: Characters of an action's description quoted in a digest line.
DESCRIPTION_CHARS = 60

DASHBOARD_PATH = "/dashboard"

_URGENCY = {Rung.ESCALATE: 0, Rung.OVERDUE: 1, Rung.DUE_TODAY: 2, Rung.BEFORE: 3}
_SECTIONS = {Rung.ESCALATE: "Escalated to the chairs and the coordinator", Rung.OVERDUE: "Overdue",
             Rung.DUE_TODAY: "Due today", Rung.BEFORE: "Coming up"}


@dataclass
class RunReport:
    deadlines_checked: int = 0  # open case deadlines the staff chase
    actions_checked: int = 0  # open actions
    due: int = 0  # reminders (an item at one rung of its ladder) due today and claimed by this run
    digests: int = 0  # people and agency addresses written to
    notifications: int = 0  # newly queued in-product notifications (one per person)
    emails: int = 0  # newly queued emails (one per person or agency address)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"Checked {self.deadlines_checked} open case deadline(s) and {self.actions_checked} open action(s): "
                f"{self.due} reminder(s) newly due, sent as {self.digests} digest(s): {self.emails} email(s) and "
                f"{self.notifications} notification(s) newly queued.")
        if not self.due:
            text += " Every reminder due today had already been queued."
        return text + "".join(f"\n{p}" for p in self.problems)


@dataclass(frozen=True)
class _Window:
    """One rung in a group of areas that share its date range and key."""

    area_ids: tuple[int, ...]
    low: date | None  # None: no lower bound
    high: date | None  # None: no upper bound; low == high: that day only
    exclusive_high: bool = False  # due_on < high (overdue) rather than <=
    key: str = ""


def _windows_by_rung(today: date, areas: list[Area], ladders: dict[int, Ladder],
                     calendars: dict[int, WorkingCalendar], report: RunReport) -> dict[Rung, list[_Window]]:
    """Each rung's date ranges, areas with the same range and key grouped (usually one group per rung)."""
    groups: dict[Rung, dict[tuple, list[int]]] = {rung: {} for rung in Rung}
    for area in areas:
        ladder = ladders[area.id]
        try:
            windows = reminder_windows(today, ladder, calendars[area.id])
        except HolidayDataMissing as missing:
            report.problems.append(f"{area.name}: no reminders were sent: {missing}")
            continue
        if windows.before is not None:
            groups[Rung.BEFORE].setdefault((*windows.before, False, ladder.key(Rung.BEFORE)), []).append(area.id)
        if windows.due_today:
            groups[Rung.DUE_TODAY].setdefault((today, today, False, ladder.key(Rung.DUE_TODAY)), []).append(area.id)
        if windows.overdue:
            groups[Rung.OVERDUE].setdefault((None, today, True, ladder.key(Rung.OVERDUE)), []).append(area.id)
        if windows.escalate_until is not None:
            groups[Rung.ESCALATE].setdefault((None, windows.escalate_until, False, ladder.key(Rung.ESCALATE)),
                                             []).append(area.id)
    return {rung: [_Window(tuple(ids), *spec) for spec, ids in found.items()] for rung, found in groups.items()
            if found}


def _window_condition(windows: list[_Window], due_column, area_column):
    """(area in group 1 AND due_on in range 1) OR ...; and the rung key of the row's area as a SQL expression."""
    conditions, keys = [], []
    for window in windows:
        parts = [area_column.in_(window.area_ids)]
        if window.low is not None:
            parts.append(due_column >= window.low)
        if window.high is not None:
            parts.append(due_column < window.high if window.exclusive_high else due_column <= window.high)
        conditions.append(and_(*parts))
        keys.append(window.key)
    if len(set(keys)) == 1:
        key = literal(keys[0], String(20))
    else:
        key = case(*[(area_column.in_(w.area_ids), w.key) for w in windows], else_=keys[0])
    return or_(*conditions), key


def _open_deadlines_select(*columns):
    return (select(*columns).select_from(CaseDeadline).join(Case, CaseDeadline.case_id == Case.id)
            .where(CaseDeadline.met_on.is_(None), CaseDeadline.kind.not_in([k.value for k in APPLICANT_WINDOWS]),
                   Case.stage != Stage.CLOSED))


def _open_actions_select(*columns):
    return (select(*columns).select_from(Action).join(ActionPlan, Action.plan_id == ActionPlan.id)
            .join(Case, ActionPlan.case_id == Case.id)
            .where(Action.status.in_(_OPEN_ACTION), ActionPlan.status != PlanStatus.CLOSED,
                   Case.stage != Stage.CLOSED))


def _claim(item_kind: str, rung_windows: list[_Window], run_id: str, now: datetime) -> None:
    """INSERT INTO sent_reminders ... SELECT the open items of one kind in one rung's windows ... ON CONFLICT DO
    NOTHING: this run now owns the reminders it inserted."""
    if item_kind == DEADLINE_ITEM:
        item_id, due, opener = CaseDeadline.id, CaseDeadline.due_on, _open_deadlines_select
    else:
        item_id, due, opener = Action.id, Action.due_on, _open_actions_select
    condition, key = _window_condition(rung_windows, due, Case.area_id)
    sent = SentReminder.__table__.c
    already = exists().where(sent.item_kind == item_kind, sent.item_id == item_id, sent.due_on == due,
                             sent.rung_key == key)
    # Ordered, so that two runs at once meet their first shared row first and one simply waits for the other.
    rows = (opener(literal(item_kind, String(10)), item_id, due, key, literal(run_id, String(36)),
                   literal(now, UTCDateTime()))
            .where(due.is_not(None), condition, ~already).order_by(item_id))
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(SentReminder.__table__)
                 .from_select(["item_kind", "item_id", "due_on", "rung_key", "run_id", "created_at"], rows)
                 .on_conflict_do_nothing(index_elements=["item_kind", "item_id", "due_on", "rung_key"]))
    db.session.execute(statement)


@dataclass
class _Line:
    """One item in one person's digest."""

    rung: Rung
    due: date
    reference: str
    what: str
    status: str
    link: str
    # What an email may say: emails leave the system (and may reach an agency's shared inbox), so an action is
    # named by its number and agency there, never by its text, which can name people. The notification in the
    # product shows the text.
    email_what: str


@dataclass
class _Digest:
    to: str
    user_id: int | None  # None: an agency's shared address (an email, no notification)
    key: str
    lines: dict[tuple[str, int], _Line] = field(default_factory=dict)

    def add(self, item: tuple[str, int], line: _Line) -> None:
        """One line per item: an item both overdue and escalated is listed once, as escalated."""
        there = self.lines.get(item)
        if there is None or _URGENCY[line.rung] < _URGENCY[there.rung]:
            self.lines[item] = line


def _digest_text(digest: _Digest, *, email: bool = False) -> tuple[str, list[str], str]:
    """(subject, body paragraphs, link) of one digest, for the product or (``email``) for an email."""
    total = len(digest.lines)
    # Only the first lines are shown: pick them without sorting a coordinator's thousands of items.
    lines = heapq.nsmallest(DIGEST_LINES, digest.lines.values(),
                            key=lambda ln: (_URGENCY[ln.rung], ln.due, ln.reference, ln.what))
    late = sum(1 for ln in digest.lines.values() if ln.rung is Rung.OVERDUE or ln.rung is Rung.ESCALATE)
    subject = f"Trigger: {total} deadline reminder{'' if total == 1 else 's'}"
    if late:
        subject += f" ({late} overdue)"
    link = lines[0].link if total == 1 else DASHBOARD_PATH
    paragraphs = []
    section = None
    for line in lines:
        if line.rung is not section:
            section = line.rung
            paragraphs.append(f"{_SECTIONS[section]}:")
        what = line.email_what if email else line.what
        paragraphs.append(f"- {line.reference}: {what}: due {long_date(line.due)} ({line.status})")
    if total > DIGEST_LINES:
        paragraphs.append(f"And {total - DIGEST_LINES} more: see your dashboard.")
    return subject, paragraphs, link


def _email_body(paragraphs: list[str], link: str) -> str:
    text = ""
    for paragraph in paragraphs:
        text += ("\n" if paragraph.startswith("- ") else "\n\n") + paragraph
    return f"{text.strip()}\n\nSign in to Trigger to see it: {absolute_url(link)}"


def _truncated(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def run_reminders(today: date | None = None) -> RunReport:
    """Queue every reminder the ladders call for on ``today``, once, as one digest per person. The caller commits.

    A constant number of SQL statements whatever the number of deadlines, actions and reminders.
    """
    today = today or london_today()
    report = RunReport()
    run_id, now = uuid.uuid4().hex, utcnow()
    areas = list(db.session.scalars(select(Area).order_by(Area.id)))
    calendars = calendars_for_areas(areas)
    ladders = ladders_for_areas(areas)
    report.deadlines_checked, report.actions_checked = db.session.execute(select(
        _open_deadlines_select(func.count()).scalar_subquery(),
        _open_actions_select(func.count()).scalar_subquery(),
    )).one()

    windows = _windows_by_rung(today, areas, ladders, calendars, report)
    for item_kind in (DEADLINE_ITEM, ACTION_ITEM):
        for rung in Rung:
            if rung in windows:
                _claim(item_kind, windows[rung], run_id, now)
    # Counted rather than summed from rowcount, which not every driver reports for INSERT ... SELECT.
    report.due = db.session.scalar(select(func.count()).select_from(SentReminder).where(SentReminder.run_id == run_id))
    if not report.due:
        return report

    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)).all()
    by_id = {u.id: u for u in users}
    coordinators = [u for u in users if u.role is Role.COORDINATOR]
    chairs = [u for u in users if u.role is Role.CHAIR]
    agencies = {a.id: a for a in db.session.execute(select(Agency.id, Agency.name, Agency.contact_email))}

    sent = SentReminder.__table__.c
    claimed = union_all(
        select(sent.item_kind, sent.item_id, sent.due_on, sent.rung_key, Case.id, Case.reference, Case.area_id,
               Case.coordinator_id, type_coerce(CaseDeadline.kind, Text()).label("what"), null().label("agency_id"),
               null().label("owner_user_id"), null().label("number"))
        .join(CaseDeadline, and_(sent.item_kind == DEADLINE_ITEM, sent.item_id == CaseDeadline.id))
        .join(Case, CaseDeadline.case_id == Case.id).where(sent.run_id == run_id),
        select(sent.item_kind, sent.item_id, sent.due_on, sent.rung_key, Case.id, Case.reference, Case.area_id,
               # Emails leave the product: a restricted action's words are read there, never in a reminder.
               Case.coordinator_id, case((Action.restricted.is_(True), null()), else_=Action.description),
               Action.owner_agency_id, Action.owner_user_id, Action.number)
        .join(Action, and_(sent.item_kind == ACTION_ITEM, sent.item_id == Action.id))
        .join(ActionPlan, Action.plan_id == ActionPlan.id).join(Case, ActionPlan.case_id == Case.id)
        .where(sent.run_id == run_id),
    )

    digests: dict[tuple[str, int], _Digest] = {}

    def to_user(user: User) -> _Digest:
        digest = digests.get(("user", user.id))
        if digest is None:
            digest = digests[("user", user.id)] = _Digest(user.email, user.id, f"digest:{run_id}:user:{user.id}")
        return digest

    def to_agency(agency_id: int, address: str) -> _Digest:
        digest = digests.get(("agency", agency_id))
        if digest is None:
            digest = digests[("agency", agency_id)] = _Digest(address, None, f"digest:{run_id}:agency:{agency_id}")
        return digest

    # Tens of thousands of items share a handful of answers: who looks after a case (by its coordinator id), how a
    # due date stands, who gets an action's reminder (by owner, agency and rung). Each is worked out once.
    case_targets: dict[tuple[int | None, bool], list[_Digest]] = {}

    def case_people(coordinator_id: int | None, escalated: bool) -> list[_Digest]:
        if (coordinator_id, escalated) not in case_targets:
            assigned = by_id.get(coordinator_id)
            people = [assigned] if assigned is not None and assigned.role is Role.COORDINATOR else coordinators
            if escalated:
                people = people + [c for c in chairs if c not in people]
            case_targets[(coordinator_id, escalated)] = [to_user(u) for u in people]
        return case_targets[(coordinator_id, escalated)]

    action_targets: dict[tuple[int | None, int, bool], list[_Digest]] = {}

    def action_people(owner_user_id: int | None, agency_id: int, overdue: bool) -> list[_Digest]:
        if (owner_user_id, agency_id, overdue) not in action_targets:
            owner = by_id.get(owner_user_id)
            targets = [to_user(owner)] if owner is not None else []
            shared = (agencies[agency_id].contact_email or "").strip()
            if shared and (overdue or owner is None) and (owner is None or shared.lower() != owner.email.lower()):
                targets.append(to_agency(agency_id, shared))
            action_targets[(owner_user_id, agency_id, overdue)] = targets
        return action_targets[(owner_user_id, agency_id, overdue)]

    statuses: dict[tuple[int, date, bool], str] = {}

    def status_text(area_id: int, due: date, escalated: bool) -> str:
        if (area_id, due, escalated) not in statuses:
            label = deadline_status(due, None, today, calendars[area_id]).label.lower()
            statuses[(area_id, due, escalated)] = f"{label}: escalated" if escalated else label
        return statuses[(area_id, due, escalated)]

    rung_of_key = {}
    for ladder in set(ladders.values()):
        for rung in Rung:
            rung_of_key[ladder.key(rung)] = rung
    nobody = 0
    deadlines_to_nobody = False
    for (item_kind, item_id, due, rung_key, case_id, reference, area_id, coordinator_id, what, agency_id,
         owner_user_id, number) in db.session.execute(claimed):
        rung = rung_of_key.get(rung_key) or _rung_of_key(rung_key)
        escalated = rung is Rung.ESCALATE
        status = status_text(area_id, due, escalated)
        if item_kind == DEADLINE_ITEM:
            label = DeadlineKind(what).label
            line = _Line(rung, due, reference, label, status, f"/cases/{case_id}", label)
            targets = case_people(coordinator_id, escalated)
            deadlines_to_nobody = deadlines_to_nobody or not targets
        else:
            agency = agencies[agency_id]
            said = (f"action “{_truncated(what, DESCRIPTION_CHARS)}” ({agency.name})" if what is not None
                    else f"a restricted action ({agency.name})")
            line = _Line(rung, due, reference, said,
                         status, f"/cases/{case_id}/plan", f"action {number} ({agency.name})")
            targets = (case_people(coordinator_id, True) if escalated
                       else action_people(owner_user_id, agency_id, rung is Rung.OVERDUE))
            if not targets:
                nobody += 1
        item = (item_kind, item_id)
        for digest in targets:
            digest.add(item, line)

    notifications, emails = [], []
    for digest in digests.values():
        subject, paragraphs, link = _digest_text(digest)
        subject = subject[:300]
        email_paragraphs = _digest_text(digest, email=True)[1]
        if digest.user_id is not None:
            notifications.append({"user_id": digest.user_id, "subject": subject, "body": "\n\n".join(paragraphs),
                                      "link": link, "created_at": now, "dedupe_key": digest.key})
        emails.append({"to_address": digest.to[:254], "user_id": digest.user_id, "subject": subject,
                           "body": _email_body(email_paragraphs, link), "status": OutboxStatus.QUEUED.value, "attempts": 0,
                           "next_attempt_at": now, "created_at": now, "updated_at": now, "dedupe_key": digest.key})
    if notifications:
        db.session.execute(Notification.__table__.insert(), notifications)
    if emails:
        db.session.execute(OutboxMessage.__table__.insert(), emails)
    report.digests, report.notifications, report.emails = len(digests), len(notifications), len(emails)

    if nobody:
        report.problems.append(f"{nobody} action reminder(s) had nobody to go to: the action has no owner and "
                               "its agency has no contact email address.")
    if deadlines_to_nobody:
        report.problems.append("There is no active coordinator: case deadline reminders went to nobody.")
    return report


def _rung_of_key(key: str) -> Rung:
    """The rung of a key written under a ladder that has since changed (the run only reads its own rows, so rare)."""
    if key.startswith("before"):
        return Rung.BEFORE
    if key.startswith("overdue:"):
        return Rung.ESCALATE
    return Rung(key)


# ---- the case list -----------------------------------------------------------------------------------------------


def _staff_open_deadline(case_id_column):
    return and_(CaseDeadline.case_id == case_id_column, CaseDeadline.met_on.is_(None),
                CaseDeadline.kind.not_in([k.value for k in APPLICANT_WINDOWS]))


def overdue_condition(today: date):
    """A WHERE condition on Case: open cases with an overdue stage deadline or an overdue open action."""
    overdue_deadline = exists(select(CaseDeadline.id).where(_staff_open_deadline(Case.id),
                                                            CaseDeadline.due_on < today))
    overdue_action = exists(
        select(Action.id).join(ActionPlan, Action.plan_id == ActionPlan.id)
        .where(ActionPlan.case_id == Case.id, ActionPlan.status != PlanStatus.CLOSED,
               Action.status.in_(_OPEN_ACTION), Action.due_on < today)
    )
    return (Case.stage != Stage.CLOSED) & or_(overdue_deadline, overdue_action)


def next_due_expression():
    """The earliest open stage deadline of the Case row (NULL if none), for ORDER BY."""
    return (select(func.min(CaseDeadline.due_on)).where(_staff_open_deadline(Case.id))
            .correlate(Case).scalar_subquery())


def next_deadlines(case_ids: list[int]) -> dict[int, tuple[DeadlineKind, date]]:
    """The next open stage deadline of each case, in one query (for a page of the case list)."""
    if not case_ids:
        return {}
    rows = db.session.execute(
        select(CaseDeadline.case_id, CaseDeadline.kind, CaseDeadline.due_on)
        .where(CaseDeadline.case_id.in_(case_ids), CaseDeadline.met_on.is_(None), CaseDeadline.due_on.is_not(None),
               CaseDeadline.kind.not_in([k.value for k in APPLICANT_WINDOWS]))
        .order_by(CaseDeadline.case_id, CaseDeadline.due_on.desc())
    )
    found: dict[int, tuple[DeadlineKind, date]] = {}
    for case_id, kind, due in rows:
        found[case_id] = (DeadlineKind(kind), due)  # the last one written per case is the earliest
    return found
