"""The facts the "what happens next" task list is decided from (trigger.domain.case_tasks), read in a fixed
number of queries whatever the size of the case, and the page each task opens.

No HTML here. The rules (which tasks, which status) are in the domain module; this module only reads the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import bindparam, exists, func, select, true

from trigger.authz import visible_meetings
from trigger.domain.case_tasks import CaseFacts, MeetingFacts, Task, TaskKey, tasks_for
from trigger.extensions import db
from trigger.models import (
    Action,
    ActionPlan,
    Attendee,
    AttendeeStatus,
    Case,
    DocumentKind,
    Escalation,
    IssuedDocument,
    Meeting,
    MeetingStatus,
    MinuteItem,
    MinuteRevision,
    MinutesApproval,
    Role,
    ThresholdDecision,
    User,
    utcnow,
)
from trigger.models.actions import OPEN_STATUSES


@dataclass(frozen=True)
class ShownTask:
    """A task as the page shows it: the rule's answer and the page it opens (None: nothing to click)."""

    task: Task
    url: str | None


# The task list's facts in two statements whatever the size of the case, built once with bind parameters (issue
# 19: the summary is the busiest page of a case). The first reads the case: which letters went out, whether the
# threshold is decided, the plan's actions (and the reader's agency's), the escalation waiting for a decision and
# the latest meeting that was not cancelled; the second, only when there is such a meeting, reads that meeting.
_KINDS_ASKED = (DocumentKind.ACKNOWLEDGEMENT, DocumentKind.THRESHOLD_DECISION, DocumentKind.OUTCOME)
_LATEST_MEETING = (
    select(Meeting.id, Meeting.case_id, Meeting.starts_at, Meeting.status, Meeting.chair_id)
    .where(Meeting.case_id == bindparam("case_id"), Meeting.status != MeetingStatus.CANCELLED)
    .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    .limit(1)
    .subquery("latest")
)
_PLAN_ACTIONS = select(func.count(Action.id)).join(ActionPlan, Action.plan_id == ActionPlan.id)


def case_facts_statement(*more):
    """The first statement: the task list's facts about the case, and ``more`` columns read in the same statement
    (trigger.cases.summary adds the rest of the summary's). Parameters: case_id, agency_id (the reader's agency
    when they are an agency representative, else None). Build it once."""
    return (
        select(
            *(
                exists()
                .where(IssuedDocument.case_id == bindparam("case_id"), IssuedDocument.kind == kind)
                .label(f"issued_{index}")
                for index, kind in enumerate(_KINDS_ASKED)
            ),
            exists().where(ThresholdDecision.case_id == bindparam("case_id")).label("decided"),
            _PLAN_ACTIONS.where(ActionPlan.case_id == bindparam("case_id")).scalar_subquery().label("actions"),
            _PLAN_ACTIONS.where(
                ActionPlan.case_id == bindparam("case_id"), Action.owner_agency_id == bindparam("agency_id")
            )
            .scalar_subquery()
            .label("my_actions"),
            _PLAN_ACTIONS.where(
                ActionPlan.case_id == bindparam("case_id"),
                Action.owner_agency_id == bindparam("agency_id"),
                Action.status.in_(sorted(OPEN_STATUSES)),
            )
            .scalar_subquery()
            .label("my_open"),
            select(Escalation.id)
            .where(Escalation.case_id == bindparam("case_id"), Escalation.outcome.is_(None))
            .order_by(Escalation.id.desc())
            .limit(1)
            .scalar_subquery()
            .label("escalation_id"),
            _LATEST_MEETING.c.id,
            _LATEST_MEETING.c.case_id,
            _LATEST_MEETING.c.starts_at,
            _LATEST_MEETING.c.status,
            _LATEST_MEETING.c.chair_id,
            *more,
        )
        .select_from(Case)
        .outerjoin(_LATEST_MEETING, true())
        .where(Case.id == bindparam("case_id"))
    )


_CASE_FACTS = case_facts_statement()
_MEETING_FACTS = select(
    select(func.count(Attendee.id)).where(Attendee.meeting_id == bindparam("meeting_id")).scalar_subquery(),
    select(func.count(Attendee.id))
    .where(Attendee.meeting_id == bindparam("meeting_id"), Attendee.invited_at.is_(None))
    .scalar_subquery(),
    exists().where(
        MinuteRevision.item_id == MinuteItem.id,
        MinuteItem.meeting_id == bindparam("meeting_id"),
        func.length(MinuteRevision.text) > 0,
    ),
    exists().where(MinutesApproval.meeting_id == bindparam("meeting_id")),
    # The reader's own invitation (an agency representative's): None when they were not invited.
    select(Attendee.status)
    .where(
        Attendee.meeting_id == bindparam("meeting_id"),
        Attendee.user_id == bindparam("user_id"),
        Attendee.invited_at.is_not(None),
    )
    .limit(1)
    .scalar_subquery(),
)


@dataclass(frozen=True)
class GatheredFacts:
    facts: CaseFacts
    meeting_id: int | None  # the meeting the facts are about
    escalation_id: int | None  # the latest escalation waiting for a decision


def fact_parameters(case: Case, viewer: User) -> dict:
    rep = viewer.role is Role.AGENCY_REP and viewer.agency_id is not None
    return {"case_id": case.id, "agency_id": viewer.agency_id if rep else None}


def task_facts(case: Case, viewer: User, now: datetime | None = None, row=None) -> GatheredFacts:
    """The facts about ``case`` for ``viewer``'s task list, and the meeting and escalation they are about.
    ``row``: the first statement's row when the caller already read it (case_facts_statement)."""
    now = now or utcnow()
    rep = viewer.role is Role.AGENCY_REP and viewer.agency_id is not None
    if row is None:
        row = db.session.execute(_CASE_FACTS, fact_parameters(case, viewer)).one()
    meeting = row if row.id is not None else None
    if meeting is not None and not visible_meetings(viewer, case, [meeting]):
        meeting = None  # deny by default: a meeting the reader may not open tells their list nothing
    meeting_facts = None
    invitation = None
    if meeting is not None:
        attendees, uninvited, written, approved, own_status = db.session.execute(
            _MEETING_FACTS, {"meeting_id": meeting.id, "user_id": viewer.id}
        ).one()
        meeting_facts = MeetingFacts(
            started=meeting.starts_at <= now,
            held=meeting.status is MeetingStatus.HELD,
            attendees=attendees,
            uninvited=uninvited,
            minutes_written=bool(written),
            minutes_approved=bool(approved),
            reader_chairs=meeting.chair_id == viewer.id,
        )
        if rep and meeting.status is MeetingStatus.SCHEDULED and own_status is not None:
            invitation = own_status is AttendeeStatus.INVITED
    facts = CaseFacts(
        stage=case.stage.value,
        role=viewer.role.value,
        decided=bool(row.decided),
        issued=frozenset(kind.value for index, kind in enumerate(_KINDS_ASKED) if row[index]),
        meeting=meeting_facts,
        actions=row.actions,
        my_actions=row.my_actions if rep else 0,
        my_open_actions=row.my_open if rep else 0,
        my_invitation_pending=invitation,
        escalation_undecided=row.escalation_id is not None,
    )
    return GatheredFacts(facts, meeting.id if meeting is not None else None, row.escalation_id)


def shown_tasks(case: Case, viewer: User, gathered: GatheredFacts | None = None) -> list[ShownTask]:
    """The viewer's tasks on ``case``, each with the page that does it (one click away)."""
    gathered = gathered or task_facts(case, viewer)
    shown = []
    for task in tasks_for(gathered.facts):
        url = _url_of(task.key, case.id, gathered.meeting_id, gathered.escalation_id) if task.actionable else None
        shown.append(ShownTask(task, url if task.status.value != "cannot-start" else None))
    return shown


def _url_of(key: TaskKey, case_id: int, meeting_id: int | None, escalation_id: int | None) -> str | None:
    meeting = {"case_id": case_id, "meeting_id": meeting_id}
    urls = {
        TaskKey.ACKNOWLEDGE: lambda: url_for("documents.acknowledge", case_id=case_id),
        TaskKey.DECIDE_THRESHOLD: lambda: url_for("threshold.decide", case_id=case_id),
        TaskKey.SEND_DECISION_LETTER: lambda: url_for("documents.issue", case_id=case_id, kind="threshold-decision"),
        TaskKey.BOOK_MEETING: lambda: url_for("meetings.new", case_id=case_id),
        TaskKey.SEND_INVITATIONS: lambda: url_for("meetings.attendees", **meeting),
        TaskKey.TAKE_ATTENDANCE: lambda: url_for("meetings.attendance", **meeting),
        TaskKey.WRITE_MINUTES: lambda: url_for("meetings.minutes", **meeting),
        TaskKey.APPROVE_MINUTES: lambda: url_for("meetings.approve", **meeting),
        TaskKey.AGREE_ACTIONS: lambda: url_for("actions.plan", case_id=case_id),
        TaskKey.ISSUE_OUTCOME: lambda: url_for("documents.issue", case_id=case_id, kind="outcome"),
        TaskKey.ANSWER_INVITATION: lambda: url_for("meetings.my_meetings"),
        TaskKey.UPDATE_ACTIONS: lambda: url_for("actions.plan", case_id=case_id),
        TaskKey.ESCALATION_OUTCOME: lambda: url_for("escalations.decide", escalation_id=escalation_id),
    }
    needs_meeting = {TaskKey.SEND_INVITATIONS, TaskKey.TAKE_ATTENDANCE, TaskKey.WRITE_MINUTES, TaskKey.APPROVE_MINUTES}
    if (key in needs_meeting and meeting_id is None) or (key is TaskKey.ESCALATION_OUTCOME and escalation_id is None):
        return None
    return urls[key]()
