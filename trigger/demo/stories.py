"""The demo county's case stories: one case at every stage, so a newcomer sees the product working at once.

`flask demo load` (and so `make demo`) calls `load_stories` after the county's areas, agencies and users exist
(not with --scale, whose generated references start at 0001 too).
Every case is built through the product's own services (intake, threshold decision, meetings, minutes, documents,
the action plan, escalations), so its deadlines, audit trail and issued PDFs are the real ones. Only two things
are set by hand, and only to make the story look lived-in: the dates the past happened on (a demo cannot wait
for weeks to pass) and two actions' due dates put in the past so the plan shows overdue work.

Everything here is invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select

from trigger.actions import services as actions
from trigger.cases import services as cases
from trigger.documents import services as documents
from trigger.domain.stages import Stage
from trigger.escalations import services as escalations
from trigger.extensions import db
from trigger.meetings import services as meetings
from trigger.models import (
    Agency,
    Area,
    Case,
    Channel,
    ContactMethod,
    DeliveryMethod,
    DocumentKind,
    Priority,
    Role,
    User,
)
from trigger.threshold import services as threshold

#: (the case's applicant, the stage the story ends at): also what the tests check.
STORIES: list[tuple[str, Stage]] = [
    ("Alys Morgan", Stage.RECEIVED),
    ("Ben Carter", Stage.ACKNOWLEDGED),
    ("Chloe Baker", Stage.THRESHOLD_NOT_MET),
    ("David Nowak", Stage.REVIEW_SCHEDULED),
    ("Ellen Fisher", Stage.REVIEW_HELD),
    ("Farah Hussain", Stage.PLAN_LIVE),
    ("George Lloyd", Stage.CLOSED),
    ("Hannah Reid", Stage.ESCALATED),
]


@dataclass
class _Cast:
    today: date
    area: Area
    police: Agency
    council: Agency
    housing: Agency
    coordinator: User
    chair: User
    police_rep: User
    council_rep: User
    housing_rep: User


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _agency(name: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.name == name))


def _new_case(
    cast: _Cast,
    name: str,
    received_ago: int,
    *,
    email: str = "",
    street: str = "Willow Close",
    incidents: list[tuple[int, int, str]] | None = None,
) -> Case:
    """An application as the coordinator records it from a phone call (incidents are (days ago, reported days
    ago, what happened), counted from today)."""
    today = cast.today
    incidents = incidents or [
        (received_ago + 40, received_ago + 39, "Music played at full volume until 3am; banging on the wall."),
        (received_ago + 25, received_ago + 25, "Shouting and threats on the stairs when asked to keep it down."),
        (received_ago + 9, received_ago + 8, "Front door kicked and eggs thrown at the window after midnight."),
    ]
    case = cases.create_case(
        dict(
            received_on=today - timedelta(days=received_ago),
            applicant_name=name,
            applicant_address=f"{len(name)} {street}\n{cast.area.name}",
            applicant_postcode="SV1 4QT",
            applicant_email=email,
            applicant_phone="07700 900" + str(100 + len(name)),
            preferred_contact=ContactMethod.EMAIL if email else ContactMethod.POST,
            asb_description="Noise, threats and damage from a neighbouring flat, going on for months.",
            location=f"{street}, {cast.area.name}",
            lawful_basis="UK GDPR Art. 6(1)(e) public task",
        ),
        [
            cases.IncidentData(
                occurred_on=today - timedelta(days=o),
                description=text,
                reports=[cases.ReportData(agency_id=cast.police.id, reported_on=today - timedelta(days=r))],
            )
            for o, r, text in incidents
        ],
        [cases.PerpetratorData(name="Kyle Dobson", address=f"{len(name) + 2} {street}")],
        area=cast.area,
        channel=Channel.PHONE,
        actor=cast.coordinator,
    )
    return case


def _reload(loader, object_id: int):
    """What the page would load before acting: each service expects its route's eager loads (lazy="raise")."""
    from trigger.models import Meeting

    db.session.flush()
    for held in list(db.session.identity_map.values()):
        if isinstance(held, (Case, Meeting)):  # not the users: a service reads its actor as the request's user
            db.session.expire(held)
    return loader(object_id)


def _issue(cast: _Cast, case: Case, kind: DocumentKind, **extra):
    from trigger.documents.contexts import load_case_for_documents

    case = _reload(load_case_for_documents, case.id)
    method = documents.default_method(case, kind)
    result = documents.issue(
        kind,
        case,
        actor=cast.coordinator,
        recipient=documents.default_recipient(case, kind),
        method=method,
        large_print=False,
        **extra,
    )
    if method is DeliveryMethod.EMAIL:
        documents.email_to_applicant(result.document, case)  # queued in the outbox: "Queued" until it is sent
    elif method is DeliveryMethod.POST:
        documents.mark_posted(result.document, cast.today)
    return result.document


def _acknowledge(cast: _Cast, case: Case) -> None:
    _issue(cast, case, DocumentKind.ACKNOWLEDGEMENT)


def _decide(cast: _Cast, case: Case, met: bool, ago: int) -> None:
    case = _reload(cases.load_case, case.id)
    threshold.record_decision(
        case,
        threshold.DecisionInput(
            outcome="met" if met else "not-met",
            reasons=(
                "Three incidents on separate occasions in the last six months, each reported to the police "
                "within a month."
                if met
                else "Only one incident was reported to an agency within a month of happening."
            ),
            decision_maker_name=cast.coordinator.name,
            decided_on=cast.today - timedelta(days=ago),
        ),
        actor=cast.coordinator,
    )
    _issue(cast, case, DocumentKind.THRESHOLD_DECISION)


def _meeting(cast: _Cast, case: Case, day: date, *, held: bool):
    case = _reload(cases.load_case, case.id)
    meeting = meetings.schedule_meeting(
        case,
        meetings.MeetingDetails(
            kind="initial-review",
            day=day,
            start=time(10, 0),
            end=time(11, 30),
            place="Committee Room 2, Shire Hall",
            virtual_link="",
            chair_id=str(cast.chair.id),
            recorded_after_the_fact=held,
        ),
        actor=cast.coordinator,
    )
    meeting = _reload(meetings.load_meeting, meeting.id)
    case = db.session.get(Case, case.id)
    meetings.invite_from_proposals(
        meeting, case, [f"user:{u.id}" for u in (cast.police_rep, cast.council_rep, cast.housing_rep)]
    )
    return meeting


def _hold(cast: _Cast, case: Case, meeting) -> None:
    """Attendance, the victim's statement, minutes of every agenda item, a recommendation, the chair's approval."""
    from trigger.models import AttendeeStatus

    meeting = _reload(meetings.load_meeting, meeting.id)
    case = db.session.get(Case, case.id)
    meetings.take_attendance(
        meeting,
        case,
        {
            a.id: (AttendeeStatus.APOLOGIES if a.user_id == cast.housing_rep.id else AttendeeStatus.ATTENDED).value
            for a in meeting.attendees
        },
    )
    meeting = _reload(meetings.load_meeting, meeting.id)
    case = db.session.get(Case, case.id)
    meetings.save_victim_participation(
        meeting,
        case,
        kind="statement",
        actor=cast.coordinator,
        statement="I have not slept properly for months. My children are frightened to use the stairs.",
    )
    from trigger.models import MinuteItem

    items = db.session.scalars(
        select(MinuteItem).where(MinuteItem.meeting_id == meeting.id).order_by(MinuteItem.position)
    )
    for item in items:
        meetings.save_minute(
            meeting,
            item,
            base_number=0,
            actor=cast.chair,
            text=f"{item.agenda_title}: discussed. The police described five visits since the "
            "spring; the council has a noise diary from the applicant.",
        )
    meetings.add_recommendation(
        meeting,
        agency_id=str(cast.police.id),
        actor=cast.chair,
        text="Name one officer as the applicant's contact and patrol the close on Friday and Saturday nights.",
        victim_visible=True,
        victim_wording="The police will give you a named officer and patrol your street at weekends.",
    )
    meeting = _reload(meetings.load_meeting, meeting.id)
    meetings.record_victim_took_part(
        meeting,
        case,
        took_part="written-statement",
        actor=cast.chair,
        note="The chair read the applicant's statement at the start of the meeting.",
    )
    meetings.approve_minutes(meeting, cast.chair)


def _plan(cast: _Cast, case: Case, *, overdue: bool) -> None:
    rows = [
        (
            cast.police,
            cast.police_rep,
            "Patrol the close on Friday and Saturday nights for six weeks and log each visit.",
            "The police will patrol your street at weekends.",
            20,
        ),
        (
            cast.council,
            cast.council_rep,
            "Install noise monitoring equipment in the applicant's flat for two weeks.",
            "The council will put noise recording equipment in your home.",
            10,
        ),
        (
            cast.housing,
            cast.housing_rep,
            "Hold a tenancy enforcement interview with the tenant.",
            "The landlord will meet the tenant about their behaviour.",
            30,
        ),
    ]
    case = _reload(cases.load_case, case.id)
    for index, (agency, person, description, wording, due_in) in enumerate(rows):
        action = actions.create_action(
            case,
            description=description,
            victim_wording=wording,
            victim_visible=True,
            owner_agency_id=agency.id,
            owner_user_id=person.id,
            source_note="Agreed at the review meeting",
            due_on=cast.today + timedelta(days=due_in),
            priority=Priority.HIGH if index == 0 else Priority.MEDIUM,
            actor=cast.coordinator,
            today=cast.today,
        )
        if overdue and index < 2:
            # Demo ageing: the due date passed without the work being finished (see the module docstring).
            action.due_on = action.original_due_on = cast.today - timedelta(days=4 + 3 * index)


def load_stories(today: date | None = None) -> list[Case]:
    """One case at each stage of STORIES, in the first demo area, looked after by the first coordinator."""
    today = today or date.today()
    cast = _Cast(
        today=today,
        area=db.session.scalar(select(Area).order_by(Area.id)),
        police=_agency("Severn Vale Police"),
        council=_agency("Severnbury District Council"),
        housing=_agency("Vale Homes"),
        coordinator=_user("coordinator@demo.example"),
        chair=_user("chair@demo.example"),
        police_rep=_user("police@demo.example"),
        council_rep=_user("council@demo.example"),
        housing_rep=_user("housing@demo.example"),
    )
    assert cast.coordinator.role is Role.COORDINATOR and cast.chair.role is Role.CHAIR
    made = []

    # A new application, not yet acknowledged.
    made.append(_new_case(cast, "Alys Morgan", 1, email="alys.morgan@mail.example"))

    # Acknowledged, the threshold decision due.
    case = _new_case(cast, "Ben Carter", 6, street="Rowan Court")
    _acknowledge(cast, case)
    made.append(case)

    # Threshold not met: one incident reported in time.
    case = _new_case(
        cast,
        "Chloe Baker",
        20,
        email="chloe.baker@mail.example",
        street="Heron Way",
        incidents=[
            (120, 100, "Rubbish dumped in front of the gate."),
            (35, 34, "Fireworks let off towards the houses."),
        ],
    )
    _acknowledge(cast, case)
    _decide(cast, case, met=False, ago=8)
    made.append(case)

    # Threshold met, the review meeting booked for next month, invitations sent.
    case = _new_case(cast, "David Nowak", 18, email="david.nowak@mail.example", street="Kestrel Drive")
    _acknowledge(cast, case)
    _decide(cast, case, met=True, ago=6)
    _meeting(cast, case, today + timedelta(days=14), held=False)
    made.append(case)

    # The review meeting held, its minutes approved; the outcome letter still to send.
    case = _new_case(cast, "Ellen Fisher", 40, street="Maple Gardens")
    _acknowledge(cast, case)
    _decide(cast, case, met=True, ago=28)
    meeting = _meeting(cast, case, today - timedelta(days=3), held=True)
    _hold(cast, case, meeting)
    made.append(case)

    # A live plan, two of its actions overdue.
    case = _new_case(cast, "Farah Hussain", 80, email="farah.hussain@mail.example", street="Chapel Street")
    _acknowledge(cast, case)
    _decide(cast, case, met=True, ago=70)
    meeting = _meeting(cast, case, today - timedelta(days=45), held=True)
    _hold(cast, case, meeting)
    _plan(cast, case, overdue=True)
    _issue(
        cast,
        case,
        DocumentKind.OUTCOME,
        meeting_id=meeting.id,
        findings="The agencies each dealt with the reports on their own and nobody told you what was being done. "
        "From now on the police are your single contact and the agencies meet every six weeks.",
    )
    case = _reload(cases.load_case, case.id)
    cases.move_to(case, Stage.PLAN_LIVE, "The action plan was agreed at the review meeting")
    made.append(case)

    # Closed: the plan finished and the applicant agreed.
    case = _new_case(cast, "George Lloyd", 120, street="Orchard Lane")
    _acknowledge(cast, case)
    _decide(cast, case, met=True, ago=110)
    meeting = _meeting(cast, case, today - timedelta(days=90), held=True)
    _hold(cast, case, meeting)
    _issue(
        cast,
        case,
        DocumentKind.OUTCOME,
        meeting_id=meeting.id,
        findings="The noise was reported many times but no agency visited. The council will now monitor it.",
    )
    case = _reload(cases.load_case, case.id)
    cases.move_to(
        case,
        Stage.CLOSED,
        "The actions are finished and the applicant agreed the case can close",
        applicant_told_on=today - timedelta(days=2),
    )
    made.append(case)

    # Escalated: the applicant asked the PCC's office to review the "not met" decision.
    case = _new_case(
        cast,
        "Hannah Reid",
        30,
        email="hannah.reid@mail.example",
        street="Station Road",
        incidents=[(150, 120, "Graffiti on the fence, including a slur."), (40, 39, "Stones thrown at the car.")],
    )
    _acknowledge(cast, case)
    _decide(cast, case, met=False, ago=15)
    case = _reload(cases.load_case, case.id)
    escalations.record_request(
        case,
        escalations.RequestInput(
            received_on=today - timedelta(days=3),
            outcome_letter_on=today - timedelta(days=15),
            grounds=["threshold-disputed"],
            applicant_summary="The graffiti was a hate incident: one should be enough.",
            consent_to_share=True,
            consent_on=today - timedelta(days=3),
            reviewing_body="pcc-office",
        ),
        actor=cast.coordinator,
    )
    made.append(case)
    db.session.flush()
    return made
