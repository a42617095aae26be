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

Opening and meeting a deadline as a stage changes is not audited separately: the stage change is (by move_to),
and the deadline row keeps its anchor, due and met dates. Extensions, recomputes and the agencies' information
being marked received are people's decisions, each audited with the case id.

Never a silently wrong date: when a year has no bank-holiday data the due date is left empty (NULL) and every
page that shows it names the missing year; `recompute_open_deadlines` fills it in once the data exists.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, or_, select
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
from trigger.domain.reminders import DEFAULT_LADDER, Ladder, Rung, reminder_horizon, rungs_due
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
from trigger.models.deadlines import AreaReminderLadder, CaseDeadline

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
                            original_due_on=due)
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


def on_stage_change(case: Case, old: Stage | None, new: Stage, on: date | None = None) -> None:
    """Open and meet the stage deadlines a move of ``case`` from ``old`` to ``new`` implies (DOMAIN.md section 2).

    The agencies' information is met by a coordinator ("Mark the agencies' information received"), never by a
    stage; escalation deadlines are opened and met by trigger.escalations through open_deadline/meet_deadline.
    """
    on = on or london_today()
    if old is None and new is Stage.RECEIVED:
        for kind in (DeadlineKind.ACKNOWLEDGE, DeadlineKind.INFORMATION, DeadlineKind.THRESHOLD_DECISION):
            open_deadline(case, kind, case.received_on)
    elif new is Stage.ACKNOWLEDGED:
        meet_deadline(case, DeadlineKind.ACKNOWLEDGE, on)
    elif new in DECISION_STAGES:
        decided_on = _decision_date(case) or on
        # A decision letter sent straight after receipt is also the acknowledgement (receipt -> decision is an
        # allowed move), so an acknowledgement still open is met by it rather than left to go red.
        meet_deadline(case, DeadlineKind.ACKNOWLEDGE, decided_on)
        meet_deadline(case, DeadlineKind.THRESHOLD_DECISION, decided_on)
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


def _all_deadlines(case: Case) -> list[CaseDeadline]:
    order = {kind: n for n, kind in enumerate(DeadlineKind)}
    rows = db.session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case.id)).all()
    return sorted(rows, key=lambda d: (d.cycle, order[d.kind], d.id))


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
    return CaseDeadlines(rows, problems, information_open and case.stage is not Stage.CLOSED)


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
# Every open case deadline and open action is held against its area's ladder, and what is due is queued as a
# notification plus an email, exactly as notify_user / queue_email would, but in bulk: the number of SQL
# statements does not grow with the number of deadlines. Exactly-once is the database's job, not luck's: every
# reminder has a dedupe key (UNIQUE on notifications and on the outbox) and is inserted with ON CONFLICT DO
# NOTHING, so a second run, or a run on another machine at the same moment, inserts nothing new. The key holds
# the due date, so an extended deadline or a re-dated action is reminded about again for its new date.

_OPEN_ACTION = [s.value for s in OPEN_STATUSES]


@dataclass
class Reminder:
    key: str  # unique per recipient
    to: str
    user_id: int | None  # None: a shared agency address (email only, no in-product notification)
    subject: str
    body: str
    link: str


@dataclass
class RunReport:
    deadlines_checked: int = 0
    actions_checked: int = 0
    due: int = 0  # reminders the ladder called for today, queued before or now
    notifications: int = 0  # newly queued in-product notifications
    emails: int = 0  # newly queued emails
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"Checked {self.deadlines_checked} case deadline(s) and {self.actions_checked} action(s): "
                f"{self.due} reminder(s) due, {self.emails} email(s) and {self.notifications} notification(s) "
                "newly queued.")
        return text + "".join(f"\n{p}" for p in self.problems)


def _insert_ignoring_duplicates(table, rows: list[dict], returning=None):
    """INSERT ... ON CONFLICT (dedupe_key) DO NOTHING, batched by SQLAlchemy: what the UNIQUE key refuses is
    skipped (it was queued before, perhaps by another process a moment ago)."""
    if not rows:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
    if returning is None:
        db.session.execute(statement, rows)
        return []
    return list(db.session.execute(statement.returning(returning), rows).scalars())


def queue_reminders(reminders: list[Reminder]) -> tuple[int, int]:
    """Queue each reminder once: (notifications, emails) newly queued.

    Like notify_user: a reminder to a user is a notification first; its email is queued only if the
    notification was new. Emails to a shared agency address have no notification and are deduplicated alone.
    """
    now = utcnow()
    to_users = [r for r in reminders if r.user_id is not None]
    new_keys = set(_insert_ignoring_duplicates(
        Notification.__table__,
        [dict(user_id=r.user_id, subject=r.subject[:300], body=r.body, link=r.link, created_at=now,
              dedupe_key=r.key) for r in to_users],
        returning=Notification.__table__.c.dedupe_key,
    ))
    emails = [r for r in to_users if r.key in new_keys] + [r for r in reminders if r.user_id is None]
    queued = _insert_ignoring_duplicates(OutboxMessage.__table__, [
        dict(to_address=r.to[:254], user_id=r.user_id, subject=r.subject[:300],
             body=f"{r.body}\n\nSign in to Trigger to see it: {r.link}", status=OutboxStatus.QUEUED.value,
             attempts=0, next_attempt_at=now, created_at=now, updated_at=now, dedupe_key=r.key)
        for r in emails
    ], returning=OutboxMessage.__table__.c.dedupe_key)
    return len(new_keys), len(queued)


def _phrase(rung: Rung, status: DeadlineStatus) -> str:
    if rung is Rung.ESCALATE:
        return f"{status.label.lower()}: escalated to chairs and coordinators"
    return status.label.lower()


def run_reminders(today: date | None = None) -> RunReport:
    """Queue every reminder the ladders call for on ``today``, once. The caller commits."""
    today = today or london_today()
    report = RunReport()
    areas = db.session.scalars(select(Area)).all()
    calendars = calendars_for_areas(areas)
    ladders = ladders_for_areas(areas)
    horizon = today
    for area in areas:
        try:
            horizon = max(horizon, reminder_horizon(today, ladders[area.id], calendars[area.id]))
        except HolidayDataMissing as missing:
            report.problems.append(f"{area.name}: {missing}")

    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)).all()
    by_id = {u.id: u for u in users}
    coordinators = [u for u in users if u.role is Role.COORDINATOR]
    escalation_to = [u for u in users if u.role is Role.CHAIR] + coordinators
    agencies = {a.id: a for a in db.session.execute(select(Agency.id, Agency.name, Agency.contact_email))}

    deadlines = db.session.execute(
        select(CaseDeadline.id, CaseDeadline.kind, CaseDeadline.due_on, Case.id, Case.reference, Case.area_id)
        .join(Case, CaseDeadline.case_id == Case.id)
        .where(CaseDeadline.met_on.is_(None), CaseDeadline.due_on <= horizon,
               CaseDeadline.kind.not_in([k.value for k in APPLICANT_WINDOWS]), Case.stage != Stage.CLOSED)
    ).all()
    actions = db.session.execute(
        select(Action.id, Action.due_on, Action.owner_user_id, Action.owner_agency_id, Case.id, Case.reference,
               Case.area_id)
        .join(ActionPlan, Action.plan_id == ActionPlan.id)
        .join(Case, ActionPlan.case_id == Case.id)
        .where(Action.status.in_(_OPEN_ACTION), Action.due_on <= horizon,
               ActionPlan.status != PlanStatus.CLOSED, Case.stage != Stage.CLOSED)
    ).all()
    report.deadlines_checked, report.actions_checked = len(deadlines), len(actions)

    reminders: list[Reminder] = []
    missing_years: set[str] = set()

    def rungs_for(due: date, area_id: int) -> list[tuple[Rung, DeadlineStatus, Ladder]]:
        ladder, calendar = ladders[area_id], calendars[area_id]
        try:
            rungs = rungs_due(due, today, ladder, calendar)
            return [(rung, deadline_status(due, None, today, calendar), ladder) for rung in rungs]
        except HolidayDataMissing as missing:
            missing_years.add(str(missing))
            return []

    for deadline_id, kind, due, case_id, reference, area_id in deadlines:
        kind = DeadlineKind(kind)
        for rung, status, ladder in rungs_for(due, area_id):
            key = f"deadline:{deadline_id}:{due.isoformat()}:{ladder.key(rung)}"
            subject = f"{reference}: {kind.label} - {_phrase(rung, status)}"
            body = (f"Case {reference}: “{kind.label}” is due on {long_date(due)} ({status.label.lower()}).")
            for user in (escalation_to if rung is Rung.ESCALATE else coordinators):
                reminders.append(Reminder(f"{key}:user:{user.id}", user.email, user.id, subject, body,
                                          f"/cases/{case_id}"))

    nobody = 0
    for action_id, due, owner_user_id, agency_id, case_id, reference, area_id in actions:
        agency = agencies[agency_id]
        owner = by_id.get(owner_user_id)
        for rung, status, ladder in rungs_for(due, area_id):
            key = f"action:{action_id}:{due.isoformat()}:{ladder.key(rung)}"
            subject = f"{reference}: action {action_id} ({agency.name}) - {_phrase(rung, status)}"
            body = (f"An action owned by {agency.name} on case {reference} is due on {long_date(due)} "
                    f"({status.label.lower()}). Post an update on the action plan.")
            link = f"/cases/{case_id}/plan"
            if rung is Rung.ESCALATE:
                recipients = [(f"{key}:user:{u.id}", u.email, u.id) for u in escalation_to]
            else:
                recipients = [(f"{key}:user:{owner.id}", owner.email, owner.id)] if owner else []
                shared = (agency.contact_email or "").strip()
                if shared and (rung is Rung.OVERDUE or owner is None) and (owner is None or shared.lower()
                                                                           != owner.email.lower()):
                    recipients.append((f"{key}:agency:{agency_id}", shared, None))
            if not recipients:
                nobody += 1
            reminders.extend(Reminder(k, to, uid, subject, body, link) for k, to, uid in recipients)

    report.due = len(reminders)
    report.notifications, report.emails = queue_reminders(reminders)
    report.problems.extend(sorted(missing_years))
    if nobody:
        report.problems.append(f"{nobody} action reminder(s) had nobody to go to: the action has no owner and "
                               "its agency has no contact email address.")
    if not coordinators and deadlines:
        report.problems.append("There is no active coordinator: case deadline reminders went to nobody.")
    return report


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
