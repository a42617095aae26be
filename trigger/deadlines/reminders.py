"""The reminder run (`flask deadlines run`): ``run_reminders(today) -> RunReport`` queues every reminder the areas'
ladders call for today, once, as one digest per person.

Set-based, so that the number of SQL statements does not grow with the number of deadlines:

1. Each area's ladder and working calendar become date ranges for today (trigger.domain.reminders
   reminder_windows: "due between 11 and 12 June gets the 2-day advance reminder", "due on or before 3 June is
   escalated"), exactly the rule `rungs_due` applies to one deadline.
2. One INSERT ... SELECT per item kind and rung claims every reminder due, in `sent_reminders`, tagged with this
   run's id (after a SELECT EXISTS of the same rows, so that a run with nothing new to claim takes no write lock).
   Its UNIQUE (item, due date, rung) key is the exactly-once guarantee: ON CONFLICT DO NOTHING skips a
   reminder another run has claimed (a second run, or one on another machine at the same moment, which waits
   for the first to commit), so each reminder is in exactly one run's digests. The due date is in the key, so
   an extended deadline or a re-dated action is reminded about again for its new date.
3. One SELECT reads back what this run claimed, and each person (or agency contact address) gets one digest:
   one in-product notification and one email listing their items, most urgent first.
"""

from __future__ import annotations

import heapq
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import String, Text, and_, case, exists, func, literal, null, or_, select, type_coerce, union_all
from sqlalchemy.dialects import postgresql, sqlite

from trigger.area_policies.services import calendars_for_areas
from trigger.deadlines.dates import APPLICANT_WINDOWS, london_today, long_date
from trigger.deadlines.ladders import ladders_for_areas
from trigger.domain.deadlines import DeadlineKind, deadline_status
from trigger.domain.reminders import Ladder, Rung, reminder_windows
from trigger.domain.stages import Stage
from trigger.domain.workdays import HolidayDataMissing, WorkingCalendar
from trigger.extensions import db
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
    User,
    utcnow,
)
from trigger.models.actions import OPEN_STATUSES
from trigger.models.base import UTCDateTime
from trigger.models.deadlines import CaseDeadline, SentReminder
from trigger.notifications.services import absolute_url

_OPEN_ACTION = [s.value for s in OPEN_STATUSES]

DEADLINE_ITEM, ACTION_ITEM = "deadline", "action"

#: Item lines in one digest; the rest are counted ("and 12 more: see your dashboard").
DIGEST_LINES = 50

#: Characters of an action's description quoted in a digest line.
DESCRIPTION_CHARS = 60

DASHBOARD_PATH = "/dashboard"

_URGENCY = {Rung.ESCALATE: 0, Rung.OVERDUE: 1, Rung.DUE_TODAY: 2, Rung.BEFORE: 3}
_SECTIONS = {
    Rung.ESCALATE: "Escalated to the chairs and the coordinator",
    Rung.OVERDUE: "Overdue",
    Rung.DUE_TODAY: "Due today",
    Rung.BEFORE: "Coming up",
}


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
        text = (
            f"Checked {self.deadlines_checked} open case deadline(s) and {self.actions_checked} open action(s): "
            f"{self.due} reminder(s) newly due, sent as {self.digests} digest(s): {self.emails} email(s) and "
            f"{self.notifications} notification(s) newly queued."
        )
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


def _windows_by_rung(
    today: date, areas: list[Area], ladders: dict[int, Ladder], calendars: dict[int, WorkingCalendar], report: RunReport
) -> dict[Rung, list[_Window]]:
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
            groups[Rung.ESCALATE].setdefault(
                (None, windows.escalate_until, False, ladder.key(Rung.ESCALATE)), []
            ).append(area.id)
    return {
        rung: [_Window(tuple(ids), *spec) for spec, ids in found.items()] for rung, found in groups.items() if found
    }


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
    return (
        select(*columns)
        .select_from(CaseDeadline)
        .join(Case, CaseDeadline.case_id == Case.id)
        .where(
            CaseDeadline.met_on.is_(None),
            CaseDeadline.kind.not_in([k.value for k in APPLICANT_WINDOWS]),
            Case.stage != Stage.CLOSED,
        )
    )


def _open_actions_select(*columns):
    return (
        select(*columns)
        .select_from(Action)
        .join(ActionPlan, Action.plan_id == ActionPlan.id)
        .join(Case, ActionPlan.case_id == Case.id)
        .where(Action.status.in_(_OPEN_ACTION), ActionPlan.status != PlanStatus.CLOSED, Case.stage != Stage.CLOSED)
    )


def _claim(item_kind: str, rung_windows: list[_Window], run_id: str, now: datetime) -> None:
    """INSERT INTO sent_reminders ... SELECT the open items of one kind in one rung's windows ... ON CONFLICT DO
    NOTHING: this run now owns the reminders it inserted."""
    if item_kind == DEADLINE_ITEM:
        item_id, due, opener = CaseDeadline.id, CaseDeadline.due_on, _open_deadlines_select
    else:
        item_id, due, opener = Action.id, Action.due_on, _open_actions_select
    condition, key = _window_condition(rung_windows, due, Case.area_id)
    sent = SentReminder.__table__.c
    already = exists().where(
        sent.item_kind == item_kind, sent.item_id == item_id, sent.due_on == due, sent.rung_key == key
    )
    # Ordered, so that two runs at once meet their first shared row first and one simply waits for the other.
    rows = (
        opener(
            literal(item_kind, String(10)), item_id, due, key, literal(run_id, String(36)), literal(now, UTCDateTime())
        )
        .where(due.is_not(None), condition, ~already)
        .order_by(item_id)
    )
    # Read first: on SQLite an INSERT holds the database's one write lock from its first row read until the run
    # commits, and every signed-in request that writes (a case viewed, a session touched) would wait behind it
    # although most runs find nothing new to claim. A run that finds something pays one read twice.
    if not db.session.scalar(select(rows.exists())):
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(SentReminder.__table__)
        .from_select(["item_kind", "item_id", "due_on", "rung_key", "run_id", "created_at"], rows)
        .on_conflict_do_nothing(index_elements=["item_kind", "item_id", "due_on", "rung_key"])
    )
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
    lines = heapq.nsmallest(
        DIGEST_LINES, digest.lines.values(), key=lambda ln: (_URGENCY[ln.rung], ln.due, ln.reference, ln.what)
    )
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
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
    report.deadlines_checked, report.actions_checked = db.session.execute(
        select(
            _open_deadlines_select(func.count()).scalar_subquery(),
            _open_actions_select(func.count()).scalar_subquery(),
        )
    ).one()

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
        select(
            sent.item_kind,
            sent.item_id,
            sent.due_on,
            sent.rung_key,
            Case.id,
            Case.reference,
            Case.area_id,
            Case.coordinator_id,
            type_coerce(CaseDeadline.kind, Text()).label("what"),
            null().label("agency_id"),
            null().label("owner_user_id"),
            null().label("number"),
        )
        .join(CaseDeadline, and_(sent.item_kind == DEADLINE_ITEM, sent.item_id == CaseDeadline.id))
        .join(Case, CaseDeadline.case_id == Case.id)
        .where(sent.run_id == run_id),
        select(
            sent.item_kind,
            sent.item_id,
            sent.due_on,
            sent.rung_key,
            Case.id,
            Case.reference,
            Case.area_id,
            # Emails leave the product: a restricted action's words are read there, never in a reminder.
            Case.coordinator_id,
            case((Action.restricted.is_(True), null()), else_=Action.description),
            Action.owner_agency_id,
            Action.owner_user_id,
            Action.number,
        )
        .join(Action, and_(sent.item_kind == ACTION_ITEM, sent.item_id == Action.id))
        .join(ActionPlan, Action.plan_id == ActionPlan.id)
        .join(Case, ActionPlan.case_id == Case.id)
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
    for (
        item_kind,
        item_id,
        due,
        rung_key,
        case_id,
        reference,
        area_id,
        coordinator_id,
        what,
        agency_id,
        owner_user_id,
        number,
    ) in db.session.execute(claimed):
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
            said = (
                f"action “{_truncated(what, DESCRIPTION_CHARS)}” ({agency.name})"
                if what is not None
                else f"a restricted action ({agency.name})"
            )
            line = _Line(
                rung, due, reference, said, status, f"/cases/{case_id}/plan", f"action {number} ({agency.name})"
            )
            targets = (
                case_people(coordinator_id, True)
                if escalated
                else action_people(owner_user_id, agency_id, rung is Rung.OVERDUE)
            )
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
            notifications.append(
                {
                    "user_id": digest.user_id,
                    "subject": subject,
                    "body": "\n\n".join(paragraphs),
                    "link": link,
                    "created_at": now,
                    "dedupe_key": digest.key,
                }
            )
        emails.append(
            {
                "to_address": digest.to[:254],
                "user_id": digest.user_id,
                "subject": subject,
                "body": _email_body(email_paragraphs, link),
                "status": OutboxStatus.QUEUED.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
                "dedupe_key": digest.key,
            }
        )
    if notifications:
        db.session.execute(Notification.__table__.insert(), notifications)
    if emails:
        db.session.execute(OutboxMessage.__table__.insert(), emails)
    report.digests, report.notifications, report.emails = len(digests), len(notifications), len(emails)

    if nobody:
        report.problems.append(
            f"{nobody} action reminder(s) had nobody to go to: the action has no owner and "
            "its agency has no contact email address."
        )
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
