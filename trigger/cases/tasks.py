"""The facts the "what happens next" task list is decided from (trigger.domain.case_tasks), read in a fixed
number of queries whatever the size of the case, and the page each task opens.

No HTML here. The rules (which tasks, which status) are in the domain module; this module only reads the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import exists, func, select

from trigger.authz import visible_meetings
from trigger.domain.case_tasks import CaseFacts, MeetingFacts, Task, TaskKey, tasks_for
from trigger.extensions import db
from trigger.models import (
    Action,
    ActionPlan,
    Attendee,
    AttendeeStatus,
    Case,
    Escalation,
    IssuedDocument,
    Meeting,
    MeetingStatus,
    MinuteItem,
    MinuteRevision,
    MinutesApproval,
    Role,
    User,
    utcnow,
)
from trigger.models.actions import OPEN_STATUSES


@dataclass(frozen=True)
class ShownTask:
    """A task as the page shows it: the rule's answer and the page it opens (None: nothing to click)."""

    task: Task
    url: str | None


def task_facts(case: Case, viewer: User, now: datetime | None = None) -> tuple[CaseFacts, int | None]:
    """The facts about ``case`` for ``viewer``'s task list, and the id of the meeting they are about."""
    now = now or utcnow()
    issued = frozenset(
        kind.value
        for kind in db.session.scalars(select(IssuedDocument.kind).where(IssuedDocument.case_id == case.id).distinct())
    )
    meeting = db.session.scalar(
        select(Meeting)
        .where(Meeting.case_id == case.id, Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(1)
    )
    if meeting is not None and not visible_meetings(viewer, case, [meeting]):
        meeting = None  # deny by default: a meeting the reader may not open tells their list nothing
    meeting_facts = None
    if meeting is not None:
        attendees, uninvited = db.session.execute(
            select(func.count(Attendee.id), func.count(Attendee.id).filter(Attendee.invited_at.is_(None))).where(
                Attendee.meeting_id == meeting.id
            )
        ).one()
        written = db.session.scalar(
            select(
                exists().where(
                    MinuteRevision.item_id == MinuteItem.id,
                    MinuteItem.meeting_id == meeting.id,
                    func.length(MinuteRevision.text) > 0,
                )
            )
        )
        approved = db.session.scalar(select(exists().where(MinutesApproval.meeting_id == meeting.id)))
        meeting_facts = MeetingFacts(
            started=meeting.starts_at <= now,
            held=meeting.status is MeetingStatus.HELD,
            attendees=attendees,
            uninvited=uninvited,
            minutes_written=bool(written),
            minutes_approved=bool(approved),
            reader_chairs=meeting.chair_id == viewer.id,
        )
    plan_actions = select(Action).join(ActionPlan, Action.plan_id == ActionPlan.id).where(ActionPlan.case_id == case.id)
    actions = db.session.scalar(select(func.count()).select_from(plan_actions.subquery()))
    my_actions = my_open = 0
    invitation = None
    if viewer.role is Role.AGENCY_REP and viewer.agency_id is not None:
        mine = plan_actions.where(Action.owner_agency_id == viewer.agency_id).subquery()
        my_actions, my_open = db.session.execute(
            select(func.count(), func.count().filter(mine.c.status.in_(sorted(OPEN_STATUSES)))).select_from(mine)
        ).one()
        if meeting is not None and meeting.status is MeetingStatus.SCHEDULED:
            status = db.session.scalar(
                select(Attendee.status)
                .where(
                    Attendee.meeting_id == meeting.id, Attendee.user_id == viewer.id, Attendee.invited_at.is_not(None)
                )
                .limit(1)
            )
            invitation = None if status is None else status is AttendeeStatus.INVITED
    undecided = db.session.scalar(select(exists().where(Escalation.case_id == case.id, Escalation.outcome.is_(None))))
    facts = CaseFacts(
        stage=case.stage.value,
        role=viewer.role.value,
        decided=bool(case.decisions),
        issued=issued,
        meeting=meeting_facts,
        actions=actions,
        my_actions=my_actions,
        my_open_actions=my_open,
        my_invitation_pending=invitation,
        escalation_undecided=bool(undecided),
    )
    return facts, meeting.id if meeting is not None else None


def shown_tasks(case: Case, viewer: User, now: datetime | None = None) -> list[ShownTask]:
    """The viewer's tasks on ``case``, each with the page that does it (one click away)."""
    facts, meeting_id = task_facts(case, viewer, now)
    escalation_id = None
    if facts.escalation_undecided:
        escalation_id = db.session.scalar(
            select(Escalation.id)
            .where(Escalation.case_id == case.id, Escalation.outcome.is_(None))
            .order_by(Escalation.id.desc())
            .limit(1)
        )
    shown = []
    for task in tasks_for(facts):
        url = _url_of(task.key, case.id, meeting_id, escalation_id) if task.actionable else None
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
