"""My meetings: the case review meetings a chair chairs or an agency representative is invited to.

Read-only queries for the page /my-meetings (trigger.meetings.routes): upcoming first (soonest at the top), then
past (latest at the top). Each row is checked with can_view_meeting: a person sees only what they may.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from trigger.authz import can_view_meeting
from trigger.extensions import db
from trigger.models import Attendee, Case, Meeting, MeetingStatus, Role, User, utcnow


@dataclass
class MyMeeting:
    meeting: Meeting
    case: Case
    as_chair: bool
    invitation: Attendee | None  # this person's own invitation, when they are on the attendee list

    @property
    def can_answer(self) -> bool:
        return (
            self.invitation is not None
            and self.meeting.status is MeetingStatus.SCHEDULED
            and self.meeting.starts_at > utcnow()
        )


@dataclass
class MyMeetings:
    upcoming: list[MyMeeting]
    past: list[MyMeeting]


def my_meetings(user: User, now: datetime | None = None, limit: int = 100) -> MyMeetings:
    now = now or utcnow()
    invited = select(Attendee.meeting_id).where(Attendee.user_id == user.id)
    mine = [Meeting.id.in_(invited)]
    if user.role is Role.CHAIR:
        mine.append(Meeting.chair_id == user.id)
    meetings = db.session.scalars(
        select(Meeting)
        .where(or_(*mine))
        .options(selectinload(Meeting.attendees))
        .order_by(Meeting.starts_at.desc())
        .limit(limit)
    ).all()
    cases = {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_({m.case_id for m in meetings})))}
    rows = []
    for meeting in meetings:
        if not can_view_meeting(user, meeting):
            continue
        invitation = next((a for a in meeting.attendees if a.user_id == user.id), None)
        rows.append(MyMeeting(meeting, cases[meeting.case_id], meeting.chair_id == user.id, invitation))
    upcoming = sorted(
        (r for r in rows if r.meeting.starts_at > now and r.meeting.status is MeetingStatus.SCHEDULED),
        key=lambda r: r.meeting.starts_at,
    )
    past = [r for r in rows if r not in upcoming]
    return MyMeetings(upcoming, past)
