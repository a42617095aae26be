"""Case review meetings: scheduling, the attendee list and invitations, responses, attendance, the victim's
participation, the agenda template, revisioned minutes, recommendations and the chair's approval.

No HTML here. Every change is audited in the caller's transaction, and emails are queued in the same
transaction (trigger.notifications.services.queue_email), so a refused request neither saves nor sends.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from trigger import audit
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.meetings.ics import CalendarEvent, build_ics, invitation_email, victim_invitation_email
from trigger.models import (
    Action,
    ActionPlan,
    Agency,
    AgencyType,
    AgendaTemplate,
    AgendaTemplateItem,
    Attendee,
    AttendeeKind,
    AttendeeStatus,
    Case,
    Incident,
    IncidentReport,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MinuteItem,
    MinuteRevision,
    MinutesApproval,
    Organisation,
    ParticipationKind,
    Recommendation,
    Role,
    User,
    VictimParticipation,
    VictimTookPart,
    utcnow,
)
from trigger.notifications.services import absolute_url, notify_user, queue_email

LONDON = ZoneInfo("Europe/London")

#: Used when no agenda template exists (the migration seeds the same items as the default template).
DEFAULT_AGENDA = (
    "Introductions and the confidentiality statement",
    "The victim's voice",
    "Each agency's chronology and current position",
    "Discussion",
    "Recommendations",
    "Actions",
    "Date of the next review",
)
RESPONSE_CHOICES = (AttendeeStatus.ACCEPTED, AttendeeStatus.APOLOGIES, AttendeeStatus.SUBSTITUTE)
ATTENDANCE_CHOICES = (AttendeeStatus.ATTENDED, AttendeeStatus.ABSENT, AttendeeStatus.APOLOGIES)


# ---- times ------------------------------------------------------------------------------------------------


def london_to_utc(day: date, at: time, field_name: str) -> datetime:
    """A wall-clock time in the UK as a UTC instant; refuses the hour that does not exist when clocks go forward."""
    local = datetime.combine(day, at, tzinfo=LONDON)
    utc = local.astimezone(ZoneInfo("UTC"))
    if utc.astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise FieldError(
            field_name,
            f"{at:%H:%M} does not exist in the UK on {day.day} {day:%B %Y} "
            "(the clocks go forward): choose another time",
        )
    return utc


def local(value: datetime) -> datetime:
    return value.astimezone(LONDON)


def when_text(meeting: Meeting) -> str:
    start, end = local(meeting.starts_at), local(meeting.ends_at)
    return f"{start.day} {start:%B %Y}, {_clock(start)} to {_clock(end)} (UK time)"


def _clock(value: datetime) -> str:
    return f"{value.strftime('%I').lstrip('0')}:{value:%M}{value:%p}".replace("AM", "am").replace("PM", "pm")


# ---- choices and loading ------------------------------------------------------------------------------------


def chair_choices() -> list[tuple[str, str]]:
    chairs = db.session.scalars(select(User).where(User.role == Role.CHAIR, User.active.is_(True)).order_by(User.name))
    return [("", "Choose the chair")] + [(str(u.id), u.name) for u in chairs]


def active_agency_choices() -> list[tuple[str, str]]:
    agencies = db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name))
    return [("", "No agency")] + [(str(a.id), a.name) for a in agencies]


#: A meeting with its minutes, recommendations, approval and the applicant's participation: what the minutes
#: pages show. Built once; the approval and the participation (one row or none each) come in the meeting's own
#: query, joined, not as two more queries (issue 19: each `selectinload` cost 1-1.5 ms of SQLAlchemy work a view).
_MEETING_WITH_MINUTES = (
    select(Meeting)
    .where(Meeting.id == bindparam("meeting_id"))
    .options(
        selectinload(Meeting.minute_items).selectinload(MinuteItem.revisions),
        selectinload(Meeting.recommendations),
        joinedload(Meeting.approval),
        joinedload(Meeting.victim_participation),
    )
)
#: ... and its attendee list, with each attendee's account and agency: every other meeting page.
_MEETING_WITH_ATTENDEES = _MEETING_WITH_MINUTES.options(selectinload(Meeting.attendees))


def load_meeting(meeting_id: int, *, attendees: bool = True) -> Meeting | None:
    """The meeting with what its pages show. ``attendees=False`` leaves the attendee list unloaded (reading it
    then raises): the minutes pages show none, and loading it, each attendee with their account and agency, was
    the dearest part of the minutes editor (issue 19)."""
    statement = _MEETING_WITH_ATTENDEES if attendees else _MEETING_WITH_MINUTES
    return db.session.scalar(statement, {"meeting_id": meeting_id})


#: Built once (the case page asks on every view).
_MEETINGS_OF = (
    select(Meeting).where(Meeting.case_id == bindparam("case_id")).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
)


def meetings_of(case: Case) -> list[Meeting]:
    """The case's meetings, latest first, without their attendees: the lists show none, and loading them cost the
    meetings section about 9 ms a view on a case with 169 attendees (issue 19)."""
    return list(db.session.scalars(_MEETINGS_OF, {"case_id": case.id}))


def is_approved(meeting: Meeting) -> bool:
    return meeting.approval is not None


# ---- scheduling -----------------------------------------------------------------------------------------------


@dataclass
class MeetingDetails:
    kind: str
    day: date
    start: time
    end: time
    place: str
    virtual_link: str
    chair_id: str
    is_restorative_conference: bool = False
    recorded_after_the_fact: bool = False


def _checked(details: MeetingDetails, now: datetime) -> tuple[datetime, datetime, User]:
    starts_at = london_to_utc(details.day, details.start, "start")
    ends_at = london_to_utc(details.day, details.end, "end")
    if ends_at <= starts_at:
        raise FieldError("end", "The end time must be after the start time")
    if details.recorded_after_the_fact:
        if starts_at > now:
            raise FieldError(
                "recorded_after_the_fact", "A meeting that already happened must have a date and start time in the past"
            )
    elif starts_at <= now:
        raise FieldError(
            "day",
            "The meeting must be in the future. If you are recording a meeting that already "
            "happened, tick “I am recording a meeting that already happened”",
        )
    chair = _resolve_chair(details.chair_id)
    return starts_at, ends_at, chair


def _resolve_chair(raw: str) -> User:
    try:
        chair = db.session.get(User, int(raw or ""))
    except ValueError:
        chair = None
    if chair is None or chair.role is not Role.CHAIR or not chair.active:
        raise FieldError("chair_id", "Choose the chair from the list")
    return chair


def schedule_meeting(case: Case, details: MeetingDetails, *, actor: User, now: datetime | None = None) -> Meeting:
    starts_at, ends_at, chair = _checked(details, now or utcnow())
    meeting = Meeting(
        case_id=case.id,
        kind=MeetingKind(details.kind),
        starts_at=starts_at,
        ends_at=ends_at,
        place=details.place or "",
        virtual_link=details.virtual_link or "",
        chair_id=chair.id,
        is_restorative_conference=details.is_restorative_conference,
        recorded_after_the_fact=details.recorded_after_the_fact,
        status=MeetingStatus.HELD if details.recorded_after_the_fact else MeetingStatus.SCHEDULED,
        ics_uid=f"meeting-{uuid.uuid4()}@trigger",
        ics_sequence=0,
        created_by_id=actor.id,
    )
    db.session.add(meeting)
    db.session.flush()
    for position, title in enumerate(agenda_titles(), start=1):
        db.session.add(MinuteItem(meeting_id=meeting.id, agenda_title=title, position=position))
    summary = f"Scheduled the {meeting.kind.label.lower()} for {when_text(meeting)}"
    if meeting.recorded_after_the_fact:
        summary = f"Recorded a {meeting.kind.label.lower()} that already happened on {when_text(meeting)}"
    audit.record(
        "meeting.scheduled",
        "meeting",
        meeting.id,
        summary,
        {"chair": chair.name, "recorded_after_the_fact": meeting.recorded_after_the_fact},
        case_id=case.id,
    )
    _follow_the_meeting(case, meeting)
    if not meeting.recorded_after_the_fact:
        _send_to_chair(meeting, chair, case)
    tell_chair(meeting, case, chair)
    return meeting


def _follow_the_meeting(case: Case, meeting: Meeting) -> None:
    """Move the case's stage with its review meeting, so nobody has to change it by hand: scheduled once a
    meeting is booked, held once it has happened (its attendance taken, or recorded after the fact). The stage
    deadlines follow (met on the meeting's day). A case at any other stage (e.g. escalated) is left alone."""
    from trigger.cases.services import move_to

    day = local(meeting.starts_at).date()
    if case.stage in (Stage.THRESHOLD_MET, Stage.PLAN_LIVE, Stage.REVIEW_HELD) and (
        meeting.status is MeetingStatus.SCHEDULED or meeting.recorded_after_the_fact
    ):
        move_to(
            case,
            Stage.REVIEW_SCHEDULED,
            f"{meeting.kind.label} arranged for {when_text(meeting)}",
            on=min(day, date.today()),
        )
    if case.stage is Stage.REVIEW_SCHEDULED and meeting.status is MeetingStatus.HELD:
        move_to(case, Stage.REVIEW_HELD, f"{meeting.kind.label} held on {when_text(meeting)}", on=day)


def reschedule_meeting(meeting: Meeting, case: Case, details: MeetingDetails, *, now: datetime | None = None) -> bool:
    """Change the time, place or chair. True if anything changed; attendees then get an update (SEQUENCE+1)."""
    if meeting.status is MeetingStatus.CANCELLED:
        raise FieldError("day", "This meeting has been cancelled: schedule a new one instead")
    if meeting.status is MeetingStatus.HELD and not meeting.recorded_after_the_fact:
        raise FieldError("day", "This meeting has been held: it cannot be moved")
    # A meeting recorded after the fact stays so. A scheduled one may turn out to have happened already (held
    # earlier than booked): the change form offers the same box as the booking form, so the error that asks for
    # it is never a dead end.
    now_recording = details.recorded_after_the_fact and not meeting.recorded_after_the_fact
    details.recorded_after_the_fact = meeting.recorded_after_the_fact or details.recorded_after_the_fact
    starts_at, ends_at, chair = _checked(details, now or utcnow())
    if now_recording:
        _record_as_held(meeting, case, starts_at, ends_at, chair, details)
        return True
    before = {
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "place": meeting.place,
        "virtual_link": meeting.virtual_link,
        "chair_id": meeting.chair_id,
        "kind": meeting.kind.value,
        "is_restorative_conference": meeting.is_restorative_conference,
    }
    after = {
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "place": details.place or "",
        "virtual_link": details.virtual_link or "",
        "chair_id": chair.id,
        "kind": details.kind,
        "is_restorative_conference": details.is_restorative_conference,
    }
    changes = audit.changes(before, after)
    if not changes:
        return False
    time_changed = "starts_at" in changes or "ends_at" in changes
    previous_chair = meeting.chair if meeting.chair_id != chair.id else None
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.place, meeting.virtual_link = details.place or "", details.virtual_link or ""
    meeting.chair_id, meeting.chair = chair.id, chair
    meeting.kind, meeting.is_restorative_conference = MeetingKind(details.kind), details.is_restorative_conference
    audit.record(
        "meeting.rescheduled",
        "meeting",
        meeting.id,
        f"Changed the meeting: now {when_text(meeting)}",
        {"changes": changes},
        case_id=case.id,
    )
    # The chair replaced gets the cancellation that takes the meeting out of their calendar, unless they are still
    # invited as an attendee (the same calendar event: a cancellation would take it out for that too).
    cancel_for_previous = (
        previous_chair is not None
        and not meeting.recorded_after_the_fact
        and not _invited_as_attendee(meeting, previous_chair)
    )
    if previous_chair is not None:
        tell_chair(meeting, case, chair, previous=previous_chair, previous_is_emailed=cancel_for_previous)
    if meeting.recorded_after_the_fact:
        return True
    meeting.ics_sequence += 1
    for attendee in meeting.attendees:
        if time_changed and attendee.status in RESPONSE_CHOICES:
            attendee.status, attendee.substitute_name = AttendeeStatus.INVITED, ""  # asked to answer again
        if attendee.invited_at is not None:  # someone not sent the invitation yet gets it, with the new time, later
            _send_invitation(meeting, case, attendee, update=True)
    # A new chair is invited (they have no earlier invitation to update).
    _send_to_chair(meeting, chair, case, update=previous_chair is None)
    if cancel_for_previous:
        _send_to_chair(meeting, previous_chair, case, cancel=True, replaced=True)
    return True


def _invited_as_attendee(meeting: Meeting, user: User) -> bool:
    email = (user.email or "").lower()
    return any(
        a.invited_at is not None and (a.user_id == user.id or (email and (a.email or "").lower() == email))
        for a in meeting.attendees
    )


def _record_as_held(
    meeting: Meeting, case: Case, starts_at: datetime, ends_at: datetime, chair: User, details: MeetingDetails
) -> None:
    """A scheduled meeting that already took place (earlier than booked): its real time, now held. Nobody is
    emailed: the meeting is over, and the attendance, minutes and victim's participation are recorded next. If
    someone else chaired it, both chairs are told in the product: the one who did approves the minutes."""
    previous_chair = meeting.chair if meeting.chair_id != chair.id else None
    before = {
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "status": meeting.status.value,
        "recorded_after_the_fact": False,
        "chair_id": meeting.chair_id,
    }
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.place, meeting.virtual_link = details.place or "", details.virtual_link or ""
    meeting.chair_id, meeting.chair = chair.id, chair
    meeting.kind, meeting.is_restorative_conference = MeetingKind(details.kind), details.is_restorative_conference
    meeting.recorded_after_the_fact, meeting.status = True, MeetingStatus.HELD
    after = {
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "status": meeting.status.value,
        "recorded_after_the_fact": True,
        "chair_id": chair.id,
    }
    audit.record(
        "meeting.rescheduled",
        "meeting",
        meeting.id,
        f"Recorded that the meeting already happened, on {when_text(meeting)}",
        {"changes": audit.changes(before, after)},
        case_id=case.id,
    )
    _follow_the_meeting(case, meeting)
    if previous_chair is not None:
        tell_chair(meeting, case, chair, previous=previous_chair)  # recorded after the fact: no email


def cancel_meeting(meeting: Meeting, case: Case, reason: str) -> None:
    if meeting.status is not MeetingStatus.SCHEDULED:
        raise FieldError("reason", f"This meeting cannot be cancelled: it is {meeting.status.label.lower()}")
    if not (reason or "").strip():
        raise FieldError("reason", "Enter the reason for cancelling the meeting")
    meeting.status, meeting.cancelled_reason = MeetingStatus.CANCELLED, reason.strip()
    meeting.ics_sequence += 1
    audit.record(
        "meeting.cancelled",
        "meeting",
        meeting.id,
        f"Cancelled the meeting of {when_text(meeting)}",
        {"reason": meeting.cancelled_reason},
        case_id=case.id,
    )
    for attendee in meeting.attendees:
        if attendee.invited_at is not None:
            _send_invitation(meeting, case, attendee, cancel=True)
    _send_to_chair(meeting, meeting.chair, case, cancel=True)


# ---- telling the chair ----------------------------------------------------------------------------------------


def tell_chair(
    meeting: Meeting, case: Case, chair: User, *, previous: User | None = None, previous_is_emailed: bool = False
) -> None:
    """Whoever is made a meeting's chair is told in the product (a notification linking to the meeting) and by
    email, as other people given work are; the chair it replaces (``previous``) is told too, by email only when
    the caller is not already sending them one (``previous_is_emailed``: the calendar cancellation). No case
    details beyond the reference: the email leaves the product. A meeting recorded after it happened emails nobody
    (the coordinator is told "no invitations were sent"): the notification waits in the product."""
    link = f"/cases/{case.id}/meetings/{meeting.id}"
    kind = meeting.kind.label.lower()
    email = not meeting.recorded_after_the_fact
    notify_user(
        chair,
        f"You are the chair of the {kind} for case {case.reference}",
        f"You have been made the chair of the {kind} for case {case.reference}, {when_text(meeting)}. "
        "As the chair you run the meeting, record how the applicant took part, and approve the minutes.",
        link=link,
        email=email,
    )
    if previous is not None and previous.id != chair.id:
        notify_user(
            previous,
            f"You are no longer the chair of the {kind} for case {case.reference}",
            f"{chair.name} is now the chair of the {kind} for case {case.reference}, {when_text(meeting)}.",
            link=link,
            email=email and not previous_is_emailed,
        )


# ---- invitations --------------------------------------------------------------------------------------------


def meeting_title(meeting: Meeting, case: Case) -> str:
    return f"{meeting.kind.label}: case {case.reference}"


def _process_name() -> str:
    org = db.session.get(Organisation, 1)
    return org.process_name.label if org is not None else "ASB Case Review"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _queue(
    meeting: Meeting,
    case: Case,
    *,
    key: str,
    to: str,
    name: str,
    user: User | None,
    update: bool = False,
    cancel: bool = False,
    respond_url: str = "",
    victim: bool = False,
    replaced: bool = False,
) -> None:
    settings = current_app.config["TRIGGER_SETTINGS"]
    title = meeting_title(meeting, case)
    # The victim's calendar says what the meeting is to them, in their words (no meeting kinds, no chair).
    summary = f"Meeting about your {_process_name()} ({case.reference})" if victim else title
    event = CalendarEvent(
        uid=meeting.ics_uid,
        sequence=meeting.ics_sequence,
        summary=summary,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=meeting.place or meeting.virtual_link,
        description=(f"{summary}." if victim else f"{title}. Chair: {meeting.chair.name}.")
        + (f" Join online: {meeting.virtual_link}" if meeting.virtual_link else ""),
        url=meeting.virtual_link,
        organizer_email=settings.mail_from,
        organizer_name=_process_name(),
        attendee_email=to,
        attendee_name=name,
    )
    if victim:
        org = db.session.get(Organisation, 1)
        subject, body = victim_invitation_email(
            recipient_name=name,
            reference=case.reference,
            when=when_text(meeting),
            place=meeting.place,
            virtual_link=meeting.virtual_link,
            update=update,
            cancel=cancel,
            process_name=_process_name(),
            sender=org.name if org else "",
            contact_phone=org.contact_phone if org else "",
            contact_email=org.contact_email if org else "",
        )
    else:
        subject, body = invitation_email(
            recipient_name=name,
            title=title,
            when=when_text(meeting),
            place=meeting.place,
            virtual_link=meeting.virtual_link,
            chair_name=meeting.chair.name,
            update=update,
            cancel=cancel,
            cancel_reason=meeting.cancelled_reason,
            respond_url=respond_url,
            process_name=_process_name(),
            replaced=replaced,
        )
    method = "cancel" if cancel else "request"
    queue_email(
        to,
        subject,
        body,
        user=user,
        attachments=[("meeting.ics", f"text/calendar; method={method.upper()}", build_ics(event, cancel=cancel))],
        dedupe_key=f"meeting:{meeting.id}:{key}:seq:{meeting.ics_sequence}:{method}",
    )


def _send_to_chair(
    meeting: Meeting, chair: User, case: Case, *, update: bool = False, cancel: bool = False, replaced: bool = False
) -> None:
    if chair.active and chair.email:
        _queue(
            meeting,
            case,
            key=f"chair:{chair.id}",
            to=chair.email,
            name=chair.name,
            user=chair,
            update=update,
            cancel=cancel,
            replaced=replaced,
        )


def _send_invitation(
    meeting: Meeting, case: Case, attendee: Attendee, *, update: bool = False, cancel: bool = False
) -> bool:
    """Email one attendee the .ics (and, for an agency representative, a fresh link to answer)."""
    to = attendee.user.email if attendee.user is not None else attendee.email
    if not to or meeting.recorded_after_the_fact:
        return False
    respond_url = ""
    if attendee.kind is AttendeeKind.AGENCY_REPRESENTATIVE and not cancel:
        token = secrets.token_urlsafe(32)
        attendee.response_token_hash = _hash(token)  # the previous link stops working
        # PUBLIC_URL alone, never the request's Host or X-Forwarded-Host: a forged header must not send this
        # single-use link to another site (and the path without the request's script root, as PUBLIC_URL has it).
        respond_url = absolute_url(f"/meetings/respond?token={token}")
    attendee.invited_at = utcnow()
    _queue(
        meeting,
        case,
        key=f"attendee:{attendee.id}",
        to=to,
        name=attendee.name,
        user=attendee.user,
        update=update,
        cancel=cancel,
        respond_url=respond_url,
        victim=attendee.kind is AttendeeKind.APPLICANT,
    )
    return True


# ---- the attendee list ----------------------------------------------------------------------------------------


@dataclass
class ProposedAgency:
    agency: Agency
    representatives: list[User] = field(default_factory=list)
    involved: bool = False  # proposed: the case involves it (see involved_agencies)
    relevant_body: bool = False
    why: list[str] = field(default_factory=list)  # why it is proposed, for the coordinator


@dataclass
class AgencyProposals:
    """The attendee list's agencies: those the case involves, proposed and ticked; every other active agency,
    still addable."""

    proposed: list[ProposedAgency]
    others: list[ProposedAgency]

    def ticked_keys(self, invited_users: set[int], invited_inboxes: set[int]) -> list[str]:
        """The boxes ticked when the page opens: each proposed agency's representatives not yet invited, or its
        shared inbox when it has no representative."""
        keys = []
        for proposal in self.proposed:
            if not proposal.agency.active:
                continue
            if proposal.representatives:
                keys += [f"user:{u.id}" for u in proposal.representatives if u.id not in invited_users]
            elif proposal.agency.contact_email and proposal.agency.id not in invited_inboxes:
                keys.append(f"agency:{proposal.agency.id}")
        return keys


def involved_agencies(case: Case) -> dict[int, list[str]]:
    """{agency id: why} for the agencies this case involves:

    - an incident on the case was reported to it (it holds the history the meeting needs);
    - it owns an action on the case's plan, or was on the attendee list of an earlier meeting of the case;
    - it is the council of the case's own area (a council whose name contains the area's name, such as
      "Severnbury District Council" for Severnbury): the district council has the duty to review, but the other
      district councils of the county have nothing to do with this case.
    """
    why: dict[int, list[str]] = {}

    def add(ids, reason: str) -> None:
        for agency_id in ids:
            if agency_id is not None and reason not in why.setdefault(agency_id, []):
                why[agency_id].append(reason)

    add(
        db.session.scalars(
            select(IncidentReport.agency_id)
            .join(Incident, Incident.id == IncidentReport.incident_id)
            .where(Incident.case_id == case.id)
        ),
        "incidents were reported to it",
    )
    add(
        db.session.scalars(
            select(Action.owner_agency_id)
            .join(ActionPlan, ActionPlan.id == Action.plan_id)
            .where(ActionPlan.case_id == case.id)
        ),
        "it owns actions on the plan",
    )
    add(
        db.session.scalars(
            select(Attendee.agency_id)
            .join(Meeting, Meeting.id == Attendee.meeting_id)
            .where(Meeting.case_id == case.id, Attendee.agency_id.is_not(None))
        ),
        "it was invited to a meeting on this case",
    )
    area_name = (case.area.name or "").strip().lower()
    if area_name:
        councils = db.session.execute(
            select(Agency.id, Agency.name).where(Agency.agency_type == AgencyType.COUNCIL, Agency.active.is_(True))
        )
        # "Severnbury District Council" for the area Severnbury; never "North Severnbury District Council".
        add(
            [agency_id for agency_id, name in councils if name.lower().startswith(area_name + " ")],
            "it is the council for this area",
        )
    return why


def proposed_agencies(case: Case) -> AgencyProposals:
    """The agencies the case involves (inactive ones too, to be explained), then every other active agency."""
    why = involved_agencies(case)
    agencies = db.session.scalars(
        select(Agency).where(Agency.active.is_(True) | Agency.id.in_(list(why))).order_by(Agency.name)
    ).all()
    reps = db.session.scalars(
        select(User)
        .where(User.role == Role.AGENCY_REP, User.active.is_(True), User.agency_id.in_([a.id for a in agencies]))
        .order_by(User.name)
    ).all()
    proposed, others = [], []
    for agency in agencies:
        proposal = ProposedAgency(
            agency=agency,
            representatives=[u for u in reps if u.agency_id == agency.id],
            involved=agency.id in why,
            relevant_body=agency.agency_type.is_relevant_body,
            why=why.get(agency.id, []),
        )
        (proposed if proposal.involved else others).append(proposal)
    proposed.sort(key=lambda p: (not p.agency.active, p.agency.name.lower()))  # an inactive one last, explained
    # Others: the relevant bodies (the duty to review) first, then the partners, each by name.
    others.sort(key=lambda p: (not p.relevant_body, p.agency.name.lower()))
    return AgencyProposals(proposed=proposed, others=others)


def _check_can_invite(meeting: Meeting) -> None:
    if meeting.status is MeetingStatus.CANCELLED:
        raise FieldError("invite", "This meeting has been cancelled: nobody can be invited to it")


def invite_from_proposals(meeting: Meeting, case: Case, keys: list[str]) -> list[Attendee]:
    """Add the ticked people: "user:<id>" (an agency representative) or "agency:<id>" (its shared inbox)."""
    _check_can_invite(meeting)
    if not keys:
        raise FieldError("invite", "Tick at least one person or agency to invite")
    present_users = {a.user_id for a in meeting.attendees if a.user_id}
    present_inboxes = {a.agency_id for a in meeting.attendees if a.user_id is None and a.agency_id}
    added = []
    for key in dict.fromkeys(keys):
        kind, _, raw_id = key.partition(":")
        if not raw_id.isdigit() or kind not in ("user", "agency"):
            raise FieldError("invite", "Choose people from the list")
        if kind == "user":
            user = db.session.get(User, int(raw_id))
            if user is None or user.role is not Role.AGENCY_REP or not user.active:
                raise FieldError("invite", "Choose people from the list")
            _check_agency_active(user.agency, "invite")
            if user.id in present_users:
                continue
            attendee = Attendee(
                meeting_id=meeting.id,
                kind=AttendeeKind.AGENCY_REPRESENTATIVE,
                agency_id=user.agency_id,
                agency=user.agency,
                user_id=user.id,
                user=user,
                name=user.name,
                email=user.email,
                role_at_meeting=f"Representative of {user.agency.name}",
            )
        else:
            agency = db.session.get(Agency, int(raw_id))
            if agency is None:
                raise FieldError("invite", "Choose people from the list")
            _check_agency_active(agency, "invite")
            if not agency.contact_email:
                raise FieldError("invite", f"{agency.name} has no shared contact email: invite a named person")
            if agency.id in present_inboxes:
                continue
            attendee = Attendee(
                meeting_id=meeting.id,
                kind=AttendeeKind.AGENCY_REPRESENTATIVE,
                agency_id=agency.id,
                agency=agency,
                name=agency.name,
                email=agency.contact_email,
                role_at_meeting=f"Representative of {agency.name}",
            )
        added.append(_add_attendee(meeting, case, attendee))
    return added


def _check_agency_active(agency: Agency | None, field_name: str) -> None:
    if agency is not None and not agency.active:
        raise FieldError(
            field_name,
            f"{agency.name} is inactive and cannot be invited. An administrator can make "
            "it active again if it still takes part",
        )


@dataclass
class PersonDetails:
    kind: str
    name: str
    email: str = ""
    role_at_meeting: str = ""
    agency_id: str = ""
    consent_recorded_on: date | None = None


def add_person(meeting: Meeting, case: Case, person: PersonDetails) -> Attendee:
    """A named person, usually without an account: the applicant, an advocate, an observer, an agency's person."""
    _check_can_invite(meeting)
    kind = AttendeeKind(person.kind)
    agency = None
    if person.agency_id:
        agency = db.session.get(Agency, int(person.agency_id)) if person.agency_id.isdigit() else None
        if agency is None:
            raise FieldError("agency_id", "Choose the agency from the list")
        _check_agency_active(agency, "agency_id")
    if kind is AttendeeKind.AGENCY_REPRESENTATIVE and agency is None:
        raise FieldError("agency_id", "Choose the agency this person represents")
    if kind is AttendeeKind.ALLEGED_PERPETRATOR:
        if not meeting.is_restorative_conference:
            raise FieldError("kind", "An alleged perpetrator can only take part in a restorative conference")
        if person.consent_recorded_on is None:
            raise FieldError("consent_recorded_on", "Enter the date the alleged perpetrator consented to take part")
    email = (person.email or "").strip().lower()
    attendee = Attendee(
        meeting_id=meeting.id,
        kind=kind,
        agency_id=agency.id if agency else None,
        agency=agency,
        name=person.name.strip(),
        email=email,
        role_at_meeting=(person.role_at_meeting or "").strip(),
        consent_recorded_on=person.consent_recorded_on if kind is AttendeeKind.ALLEGED_PERPETRATOR else None,
    )
    return _add_attendee(meeting, case, attendee)


#: People on the victim's side are added first and emailed only when the coordinator sends the invitations: the
#: coordinator usually talks to the victim (and agrees who speaks for them) before anything reaches them.
SENT_LATER = frozenset({AttendeeKind.APPLICANT, AttendeeKind.ADVOCATE})


def _add_attendee(meeting: Meeting, case: Case, attendee: Attendee) -> Attendee:
    db.session.add(attendee)
    db.session.flush()
    meeting.attendees.append(attendee)
    sent = (
        meeting.status is MeetingStatus.SCHEDULED
        and attendee.kind not in SENT_LATER
        and _send_invitation(meeting, case, attendee)
    )
    audit.record(
        "meeting.attendee_added",
        "meeting",
        meeting.id,
        f"Added {attendee.name} ({attendee.kind.label.lower()}) to the attendee list"
        + (", invitation sent" if sent else ""),
        {"attendee_id": attendee.id, "agency_id": attendee.agency_id, "invited": sent},
        case_id=case.id,
    )
    return attendee


def awaiting_invitation(meeting: Meeting) -> list[Attendee]:
    """People on the list with an email address who have not been sent the invitation yet."""
    if meeting.status is not MeetingStatus.SCHEDULED or meeting.recorded_after_the_fact:
        return []
    return [a for a in meeting.attendees if a.invited_at is None and (a.user.email if a.user is not None else a.email)]


def send_invitations(meeting: Meeting, case: Case) -> list[Attendee]:
    """Email the invitation to everyone on the list who has not had it yet. Raises FieldError if nobody waits."""
    _check_can_invite(meeting)
    waiting = awaiting_invitation(meeting)
    if not waiting:
        raise FieldError("send", "Everyone on the list with an email address has already been sent the invitation")
    sent = [a for a in waiting if _send_invitation(meeting, case, a)]
    audit.record(
        "meeting.invitations_sent",
        "meeting",
        meeting.id,
        f"Sent the invitation to {', '.join(a.name for a in sent)}",
        {"attendee_ids": [a.id for a in sent]},
        case_id=case.id,
    )
    return sent


def remove_attendee(meeting: Meeting, case: Case, attendee: Attendee) -> None:
    if attendee.status in (AttendeeStatus.ATTENDED, AttendeeStatus.ABSENT):
        raise FieldError("attendee", "Attendance has been taken for this person: they stay on the list")
    if meeting.status is MeetingStatus.SCHEDULED and attendee.invited_at is not None:
        _send_invitation(meeting, case, attendee, cancel=True)
    audit.record(
        "meeting.attendee_removed",
        "meeting",
        meeting.id,
        f"Removed {attendee.name} from the attendee list",
        {"attendee_id": attendee.id},
        case_id=case.id,
    )
    meeting.attendees.remove(attendee)
    db.session.delete(attendee)


# ---- answering an invitation (public link) ------------------------------------------------------------------


def attendee_for_token(token: str | None) -> Attendee | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Attendee).where(Attendee.response_token_hash == _hash(token)))


def has_started(meeting: Meeting, now: datetime | None = None) -> bool:
    return meeting.starts_at <= (now or utcnow())


def can_still_respond(meeting: Meeting) -> bool:
    return meeting.status is MeetingStatus.SCHEDULED and meeting.starts_at > utcnow()


def record_response(attendee: Attendee, meeting: Meeting, choice: str, substitute_name: str = "") -> None:
    if not can_still_respond(meeting):
        raise FieldError("response", "This meeting can no longer be answered: it has been held or cancelled")
    status = AttendeeStatus(choice)
    if status not in RESPONSE_CHOICES:
        raise FieldError("response", "Choose whether you will attend")
    substitute_name = (substitute_name or "").strip()
    if status is AttendeeStatus.SUBSTITUTE and not substitute_name:
        raise FieldError("substitute_name", "Enter the name of the person coming in your place")
    attendee.status = status
    attendee.substitute_name = substitute_name if status is AttendeeStatus.SUBSTITUTE else ""
    attendee.responded_at = utcnow()
    audit.record(
        "meeting.invitation_answered",
        "meeting",
        meeting.id,
        f"{attendee.name} answered: {status.label.lower()}"
        + (f" ({substitute_name})" if attendee.substitute_name else ""),
        {"attendee_id": attendee.id, "status": status.value},
        case_id=meeting.case_id,
    )


# ---- attendance and the victim's participation --------------------------------------------------------------


def take_attendance(meeting: Meeting, case: Case, statuses: dict[int, str]) -> None:
    if meeting.status is MeetingStatus.CANCELLED:
        raise FieldError("attendance", "This meeting was cancelled: there is no attendance to take")
    if meeting.starts_at > utcnow():
        raise FieldError("attendance", "Attendance can be taken once the meeting has started")
    changes = {}
    for attendee in meeting.attendees:
        new = AttendeeStatus(statuses[attendee.id])
        if new not in ATTENDANCE_CHOICES:
            raise FieldError("attendance", "Choose attended, absent or apologies for everyone")
        if attendee.status is not new:
            changes[attendee.name] = [attendee.status.value, new.value]
            attendee.status = new
    if meeting.status is MeetingStatus.SCHEDULED:
        meeting.status = MeetingStatus.HELD
    audit.record(
        "meeting.attendance_taken", "meeting", meeting.id, "Took the attendance", {"changes": changes}, case_id=case.id
    )
    _follow_the_meeting(case, meeting)


def save_victim_participation(
    meeting: Meeting,
    case: Case,
    *,
    kind: str,
    statement: str = "",
    advocate_name: str = "",
    reason_not_invited: str = "",
    actor: User,
) -> VictimParticipation:
    participation_kind = ParticipationKind(kind)
    statement, reason = (statement or "").strip(), (reason_not_invited or "").strip()
    advocate_name = (advocate_name or "").strip()
    if participation_kind is ParticipationKind.NOT_INVITED and not reason:
        raise FieldError("reason_not_invited", "Enter the reason the victim is not invited: it must be recorded")
    if participation_kind is ParticipationKind.STATEMENT and not statement:
        raise FieldError("statement", "Enter the victim's statement")
    if participation_kind is ParticipationKind.ADVOCATE and not advocate_name:
        raise FieldError("advocate_name", "Enter the name of the advocate representing the victim")
    row = meeting.victim_participation
    if row is None:
        row = VictimParticipation(meeting_id=meeting.id, case_id=case.id)
        db.session.add(row)
        meeting.victim_participation = row
    row.kind, row.recorded_by_id = participation_kind, actor.id
    row.statement = statement if participation_kind is ParticipationKind.STATEMENT else ""
    row.advocate_name = advocate_name if participation_kind is ParticipationKind.ADVOCATE else ""
    row.reason_not_invited = reason if participation_kind is ParticipationKind.NOT_INVITED else ""
    db.session.flush()
    audit.record(
        "meeting.victim_participation",
        "meeting",
        meeting.id,
        f"Recorded the victim's participation: {participation_kind.label.lower()}",
        {"kind": participation_kind.value, "reason_not_invited": row.reason_not_invited},
        case_id=case.id,
    )
    return row


def record_victim_took_part(
    meeting: Meeting, case: Case, *, took_part: str, note: str, actor: User, now: datetime | None = None
) -> bool:
    """How the applicant actually took part (in person, by phone or video, a written statement, through an
    advocate, or not at all), with an optional note: recorded once the meeting has started, audited with what it
    said before. Returns False when nothing changed."""
    if meeting.status is MeetingStatus.CANCELLED:
        raise FieldError("took_part", "This meeting was cancelled: nobody took part in it")
    if not has_started(meeting, now):
        raise FieldError(
            "took_part",
            "How the applicant took part can be recorded once the meeting has started. "
            "To plan how they will take part, use “Record how the victim takes part” "
            "on the meeting's page",
        )
    kind = VictimTookPart(took_part)
    note = (note or "").strip()
    before = {
        "took_part": meeting.victim_took_part.value if meeting.victim_took_part else None,
        "note": meeting.victim_took_part_note or "",
    }
    after = {"took_part": kind.value, "note": note}
    if before == after:
        return False
    meeting.victim_took_part, meeting.victim_took_part_note = kind, note
    audit.record(
        "meeting.victim_took_part",
        "meeting",
        meeting.id,
        f"Recorded how the applicant took part: {kind.label.lower()}",
        {"changes": audit.changes(before, after)},
        case_id=case.id,
        actor=actor,
    )
    return True


# ---- the agenda template --------------------------------------------------------------------------------------


def default_template() -> AgendaTemplate | None:
    return db.session.scalar(select(AgendaTemplate).where(AgendaTemplate.is_default.is_(True)).limit(1))


def agenda_titles() -> list[str]:
    template = default_template()
    if template is None or not template.items:
        return list(DEFAULT_AGENDA)
    return [item.title for item in template.items]


def save_agenda(titles: list[str]) -> list[str]:
    titles = [" ".join(t.split()) for t in titles if t.strip()]
    if not titles:
        raise FieldError("items", "Enter at least one agenda item, one per line")
    if any(len(t) > 200 for t in titles):
        raise FieldError("items", "Each agenda item must be 200 characters or fewer")
    template = default_template()
    if template is None:
        template = AgendaTemplate(name="Case review meeting", is_default=True)
        db.session.add(template)
    before = [item.title for item in template.items]
    if before == titles:
        return titles
    template.items.clear()
    db.session.flush()
    template.items.extend(AgendaTemplateItem(position=n, title=t) for n, t in enumerate(titles, start=1))
    template.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "agenda.updated",
        "agenda_template",
        template.id,
        "Changed the agenda for new meetings",
        {"before": before, "after": titles},
    )
    return titles


# ---- minutes ------------------------------------------------------------------------------------------------


class StaleRevision(Exception):
    """Someone saved the item after the revision this save was based on. Carries the current revision."""

    def __init__(self, current: MinuteRevision | None) -> None:
        super().__init__("stale minutes revision")
        self.current = current


class StaleMinutes(Exception):
    """Some items of a whole-page save were saved by someone else after the revisions the page was built from.
    Nothing of the page was saved. ``conflicts`` maps each such item's id to its current revision."""

    def __init__(self, conflicts: dict[int, MinuteRevision | None]) -> None:
        super().__init__("stale minutes revisions")
        self.conflicts = conflicts


def stale_item_message(item: MinuteItem) -> str:
    return (
        f"Someone else saved “{item.agenda_title}” while you were editing it. Nothing on this page has been "
        "saved yet: compare your text with theirs, then save again"
    )


def current_revision(item: MinuteItem) -> MinuteRevision | None:
    return db.session.scalar(
        select(MinuteRevision).where(MinuteRevision.item_id == item.id).order_by(MinuteRevision.number.desc()).limit(1)
    )


def _current_number(item: MinuteItem) -> int:
    return db.session.scalar(
        select(func.coalesce(func.max(MinuteRevision.number), 0)).where(MinuteRevision.item_id == item.id)
    )


def minutes_editable(meeting: Meeting) -> bool:
    """Whether the meeting has minutes to write at all (a cancelled meeting or a restorative conference has not)."""
    return meeting.status is not MeetingStatus.CANCELLED and not meeting.is_restorative_conference


def _check_minutes_editable(meeting: Meeting, field_name: str) -> None:
    if meeting.status is MeetingStatus.CANCELLED:
        raise FieldError(field_name, "This meeting was cancelled: it has no minutes")
    if meeting.is_restorative_conference:
        # DOMAIN.md section 7a: what people say in a restorative conference is not recorded as evidence.
        raise FieldError(
            field_name,
            "What is said in a restorative conference is not recorded: record the "
            "attendance here and the agreement on the restorative pathway",
        )


def _add_revision(
    meeting: Meeting, item: MinuteItem, *, number: int, text: str, correction: bool, reason: str, actor: User
) -> MinuteRevision:
    """Insert revision ``number`` of the item. A save racing on the same number loses at the UNIQUE constraint."""
    revision = MinuteRevision(
        item_id=item.id,
        number=number,
        text=text,
        author_id=actor.id,
        is_correction=correction,
        reason=reason if correction else "",
    )
    try:
        with db.session.begin_nested():
            db.session.add(revision)
    except IntegrityError:
        raise StaleRevision(current_revision(item)) from None
    audit.record(
        "minutes.corrected" if correction else "minutes.saved",
        "minute_item",
        item.id,
        f"{'Corrected' if correction else 'Saved'} the minutes of “{item.agenda_title}” (revision {revision.number})",
        {"meeting_id": meeting.id, "reason": reason},
        case_id=meeting.case_id,
    )
    return revision


def save_minute(
    meeting: Meeting, item: MinuteItem, *, base_number: int, text: str, reason: str = "", actor: User
) -> MinuteRevision:
    """Add revision base_number + 1. Refused (StaleRevision) when someone saved after base_number.

    The number is compared inside the transaction; two saves racing on the same base both compute the same
    new number and the UNIQUE (item_id, number) constraint lets only one of them commit.
    """
    _check_minutes_editable(meeting, "text")
    correction = is_approved(meeting)
    reason = (reason or "").strip()
    if correction and not reason:
        raise FieldError("reason", "The minutes have been approved: enter the reason for this correction")
    current = _current_number(item)
    if base_number != current:
        raise StaleRevision(current_revision(item))
    latest = current_revision(item)
    if latest is not None and latest.text == text and not correction:
        raise FieldError("text", "Nothing has changed since the last saved version")
    return _add_revision(
        meeting, item, number=current + 1, text=text, correction=correction, reason=reason, actor=actor
    )


@dataclass
class MinuteEdit:
    """One agenda item's text as the minutes page sent it, and the revision the page showed (0: none yet)."""

    item: MinuteItem
    base_number: int
    text: str


def _same_text(a: str | None, b: str | None) -> bool:
    # Browsers send a textarea's line breaks as CRLF; what was saved may have either.
    return (a or "").replace("\r\n", "\n").strip() == (b or "").replace("\r\n", "\n").strip()


def _text_at(item: MinuteItem, number: int) -> str | None:
    """The item's text at revision ``number`` (needs item.revisions loaded; "" before the first revision)."""
    if number == 0:
        return ""
    return next((r.text for r in item.revisions if r.number == number), None)


def save_minutes(meeting: Meeting, edits: list[MinuteEdit], *, reason: str = "", actor: User) -> list[MinuteItem]:
    """Save every agenda item whose text the person changed, each as a new revision of its own, in one go.

    Each changed item is checked against the revision the page was built from: if anyone saved any of them since,
    nothing is saved (StaleMinutes names them all), so the person's text is never half saved. An item the person
    did not change is left alone, even if someone else saved it meanwhile. Returns the items saved (in order).
    """
    _check_minutes_editable(meeting, "minutes")
    changed = [e for e in edits if not _same_text(e.text, _text_at(e.item, e.base_number))]
    if not changed:
        return []
    correction = is_approved(meeting)
    reason = (reason or "").strip()
    if correction and not reason:
        raise FieldError("reason", "The minutes have been approved: enter the reason for this correction")
    numbers = {e.item.id: _current_number(e.item) for e in changed}
    conflicts = {e.item.id: current_revision(e.item) for e in changed if numbers[e.item.id] != e.base_number}
    if conflicts:
        raise StaleMinutes(conflicts)
    for edit in changed:
        text = edit.text.replace("\r\n", "\n")
        try:
            _add_revision(
                meeting,
                edit.item,
                number=edit.base_number + 1,
                text=text,
                correction=correction,
                reason=reason,
                actor=actor,
            )
        except StaleRevision as stale:  # saved by someone else between our check and our insert
            raise StaleMinutes({edit.item.id: stale.current}) from None
    return [e.item for e in changed]


def revisions_of(item: MinuteItem) -> list[MinuteRevision]:
    return list(
        db.session.scalars(
            select(MinuteRevision).where(MinuteRevision.item_id == item.id).order_by(MinuteRevision.number.desc())
        )
    )


def _check_sharing(meeting: Meeting, victim_visible: bool, victim_wording: str) -> str:
    """The applicant's wording of a recommendation: needed when shared, and naming no one else on the case."""
    from trigger.cases.redaction import victim_wording_problem

    victim_wording = (victim_wording or "").strip()
    if victim_visible and not victim_wording:
        raise FieldError(
            "victim_wording",
            "Enter the plain-English wording the applicant will read, or do not "
            "share this recommendation with the applicant",
        )
    if victim_visible and (problem := victim_wording_problem(db.session.get(Case, meeting.case_id), victim_wording)):
        raise FieldError("victim_wording", problem)
    return victim_wording


def add_recommendation(
    meeting: Meeting,
    *,
    agency_id: str,
    text: str,
    actor: User,
    victim_wording: str = "",
    victim_visible: bool = False,
    restricted: bool = False,
) -> Recommendation:
    if is_approved(meeting):
        raise FieldError("text", "The minutes have been approved: recommendations can no longer be added")
    if meeting.status is MeetingStatus.CANCELLED:
        raise FieldError("text", "This meeting was cancelled: it has no recommendations")
    agency = db.session.get(Agency, int(agency_id)) if (agency_id or "").isdigit() else None
    if agency is None:
        raise FieldError("agency_id", "Choose the body the recommendation is to")
    _check_agency_active(agency, "agency_id")
    if not (text or "").strip():
        raise FieldError("text", "Enter the recommendation")
    victim_wording = _check_sharing(meeting, victim_visible, victim_wording)
    recommendation = Recommendation(
        meeting_id=meeting.id,
        agency_id=agency.id,
        agency=agency,
        text=text.strip(),
        victim_wording=victim_wording,
        victim_visible=victim_visible,
        restricted=restricted,
        created_by_id=actor.id,
    )
    db.session.add(recommendation)
    db.session.flush()
    audit.record(
        "meeting.recommendation_added",
        "recommendation",
        recommendation.id,
        # A restricted recommendation's words stay out of the trail: auditors read it, not only its readers.
        f"Recommended to {agency.name}" + (" (restricted)" if restricted else f": {text.strip()}")[:500],
        {"meeting_id": meeting.id, "restricted": restricted, "victim_visible": victim_visible},
        case_id=meeting.case_id,
    )
    return recommendation


def actions_made_from(meeting: Meeting) -> dict[int, list[int]]:
    """The numbers, on the case's action plan, of the actions made from each of the meeting's recommendations
    ("Make this an action", trigger.actions), in one query."""
    made: dict[int, list[int]] = {}
    ids = [r.id for r in meeting.recommendations]
    if not ids:
        return made
    rows = db.session.execute(
        select(Action.recommendation_id, Action.number).where(Action.recommendation_id.in_(ids)).order_by(Action.number)
    )
    for recommendation_id, number in rows:
        made.setdefault(recommendation_id, []).append(number)
    return made


def change_recommendation_sharing(
    meeting: Meeting,
    recommendation: Recommendation,
    *,
    restricted: bool,
    victim_visible: bool,
    victim_wording: str,
    actor: User,
) -> bool:
    """Who may read a recommendation: restricted or not, shared with the applicant (in which words) or not.
    Allowed after the minutes are approved: what the applicant is told is decided when the letters are written.
    Returns False when nothing changed."""
    victim_wording = _check_sharing(meeting, victim_visible, victim_wording)
    before = {
        "restricted": bool(recommendation.restricted),
        "victim_visible": bool(recommendation.victim_visible),
        "victim_wording": recommendation.victim_wording,
    }
    after = {"restricted": restricted, "victim_visible": victim_visible, "victim_wording": victim_wording}
    if before == after:
        return False
    recommendation.restricted = restricted
    recommendation.victim_visible = victim_visible
    recommendation.victim_wording = victim_wording
    audit.record(
        "meeting.recommendation_sharing",
        "recommendation",
        recommendation.id,
        f"Changed who may read a recommendation to {recommendation.agency.name}",
        {
            "meeting_id": meeting.id,
            "changes": audit.changes(
                {k: v for k, v in before.items() if k != "victim_wording"},
                {k: v for k, v in after.items() if k != "victim_wording"},
            ),
        },
        case_id=meeting.case_id,
        actor=actor,
    )
    return True


def record_recommendation_response(
    meeting: Meeting,
    recommendation: Recommendation,
    *,
    response_text: str,
    responded_on: date | None,
    actor: User,
    today: date | None = None,
) -> None:
    """Record (or correct) a body's response to a recommendation. Allowed after the minutes are approved: the
    response comes later, and is not part of the minutes. Audited, with the previous response if any."""
    today = today or date.today()
    if meeting.status is MeetingStatus.CANCELLED:
        raise FieldError("response_text", "This meeting was cancelled: it has no recommendations")
    text = (response_text or "").strip()
    if not text:
        raise FieldError("response_text", "Enter the body's response")
    if responded_on is None:
        raise FieldError("responded_on", "Enter the date of the response")
    if responded_on > today:
        raise FieldError("responded_on", "The date of the response must be today or in the past")
    meeting_day = local(meeting.starts_at).date()
    if responded_on < meeting_day:
        raise FieldError(
            "responded_on",
            "The date of the response must be the same as or after the date of the "
            f"meeting ({meeting_day.day} {meeting_day:%B %Y})",
        )
    before = {
        "response_text": recommendation.response_text,
        "responded_on": recommendation.responded_on.isoformat() if recommendation.responded_on else None,
    }
    after = {"response_text": text, "responded_on": responded_on.isoformat()}
    if before == after:
        return
    recommendation.response_text = text
    recommendation.responded_on = responded_on
    recommendation.responded_at = utcnow()
    audit.record(
        "meeting.recommendation_response",
        "recommendation",
        recommendation.id,
        (
            f"{'Changed the' if before['response_text'] else 'Recorded the'} response of "
            f"{recommendation.agency.name} to a recommendation" + ("" if recommendation.restricted else f": {text}")
        )[:500],
        {"meeting_id": meeting.id, "changes": {} if recommendation.restricted else audit.changes(before, after)},
        case_id=meeting.case_id,
        actor=actor,
    )


def approve_minutes(meeting: Meeting, actor: User) -> MinutesApproval:
    if meeting.status is not MeetingStatus.HELD:
        raise FieldError(
            "approve", "The minutes can be approved once the meeting has been held (take the attendance first)"
        )
    if is_approved(meeting):
        raise FieldError("approve", "These minutes have already been approved")
    approval = MinutesApproval(meeting_id=meeting.id, approved_by_id=actor.id, approved_by=actor, approved_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(approval)
    except IntegrityError:
        raise FieldError("approve", "These minutes have already been approved") from None
    meeting.approval = approval
    audit.record("minutes.approved", "meeting", meeting.id, "Approved the minutes", {}, case_id=meeting.case_id)
    return approval
