"""Factories and PDF readers shared by the document tests (tests/documents/) and the benchmark."""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from pypdf import PdfReader
from pypdf.generic import IndirectObject, StreamObject

from trigger.extensions import db
from trigger.models import (
    Action,
    ActionPlan,
    ActionStatus,
    Agency,
    AgencyType,
    Area,
    Attendee,
    AttendeeKind,
    AttendeeStatus,
    Case,
    Channel,
    ContactMethod,
    DecisionOutcome,
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
    Perpetrator,
    PlanStatus,
    PreferredFormat,
    Priority,
    Recommendation,
    Role,
    ThresholdDecision,
    User,
    VictimParticipation,
)
from trigger.models.base import utcnow

PERPETRATOR = "Ronnie Noisyneighbour"
PERPETRATOR_ADDRESS = "3 Quarrel Close, Testbury"
HIDDEN_ACTION = "Serve a closure notice on the flat of the alleged perpetrator"
VISIBLE_ACTION = "We will patrol Elm Road on Friday and Saturday nights"
OTHER_ATTENDEE = "Petra Policewoman"
CHAIR_NAME = "Charles Chairperson"
SPOC_NAME = "Cora Coordinator"
MINUTES_TEXT = "The police described six visits to the address since March."
RECOMMENDATION = "Offer the applicant a sound-recording device"
#: The same recommendation in the words chosen for the applicant (shared with them).
RECOMMENDATION_FOR_APPLICANT = "The police will offer you a recorder for the noise"
#: A recommendation nobody chose to share with the applicant: it never reaches a letter.
UNSHARED_RECOMMENDATION = "Consider a Community Protection Warning against the household"


@dataclass
class DocWorld:
    case: Case
    area: Area
    police: Agency
    council: Agency
    coordinator: User
    chair: User
    meeting: Meeting
    hidden_action: Action
    visible_action: Action


def make_doc_world(
    *,
    applicant: str = "Jane Applicant",
    address: str = "1 Elm Road\nTestbury",
    description: str = "Loud parties every weekend and threats on the stairs.",
    incident_text: str = "Party until 4am",
    minutes_text: str = MINUTES_TEXT,
    hidden_action: str = HIDDEN_ACTION,
    visible_wording: str = VISIBLE_ACTION,
    recommendation: str = RECOMMENDATION,
    recommendation_for_applicant: str = RECOMMENDATION_FOR_APPLICANT,
    perpetrator: str = PERPETRATOR,
    perpetrator_address: str = PERPETRATOR_ADDRESS,
    minutes_items: int = 1,
    decision: DecisionOutcome = DecisionOutcome.MET,
    approved: bool = True,
    email: str = "jane@example.org",
    contact: ContactMethod = ContactMethod.EMAIL,
    large_print: bool = False,
    reference: str = "ASB-2026-0042",
) -> DocWorld:
    """A case that has been through the review: decision, a held meeting with approved minutes, a plan."""
    org = db.session.get(Organisation, 1)
    if org is None:  # the conftest `org` fixture makes it too: ask for it first if a test also uses make_user
        org = Organisation(id=1, name="Test Vale Partnership", two_factor_roles="")
        db.session.add(org)
    org.address = "Council House\nHigh Street\nTestbury TB1 1AA"
    org.contact_email, org.contact_phone = "asbreview@testvale.example", "01234 567890"
    area = Area(name=f"Testbury {uuid.uuid4().hex[:6]}")
    police = Agency(name=f"Test Vale Police {uuid.uuid4().hex[:4]}", agency_type=AgencyType.POLICE)
    council = Agency(name=f"Test Vale Council {uuid.uuid4().hex[:4]}", agency_type=AgencyType.COUNCIL)
    db.session.add_all([area, police, council])
    db.session.flush()
    from trigger.auth.passwords import hash_password

    password = hash_password("a-long-test-passphrase-42", "test")
    tag = uuid.uuid4().hex[:6]
    coordinator = User(email=f"cora{tag}@example.org", name=SPOC_NAME, role=Role.COORDINATOR, password_hash=password)
    chair = User(email=f"chair{tag}@example.org", name=CHAIR_NAME, role=Role.CHAIR, password_hash=password)
    db.session.add_all([coordinator, chair])
    db.session.flush()
    today = date.today()
    case = Case(
        reference=reference,
        area_id=area.id,
        received_on=today - timedelta(days=30),
        channel=Channel.PHONE,
        created_by_id=coordinator.id,
        applicant_name=applicant,
        applicant_address=address,
        applicant_postcode="TB1 2AB",
        applicant_email=email,
        preferred_contact=contact,
        preferred_format=PreferredFormat.LARGE_PRINT if large_print else PreferredFormat.STANDARD,
        asb_description=description,
        location="Elm Road flats",
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(
        Perpetrator(case_id=case.id, name=perpetrator, address=perpetrator_address, description="Lives upstairs")
    )
    incident = Incident(case_id=case.id, occurred_on=today - timedelta(days=40), description=incident_text)
    db.session.add(incident)
    db.session.flush()
    db.session.add(IncidentReport(incident_id=incident.id, agency_id=police.id, reported_on=today - timedelta(days=39)))
    db.session.add(
        ThresholdDecision(
            case_id=case.id,
            outcome=decision,
            reasons="Three incidents were reported to the police within a month of each other.",
            decision_maker_name=SPOC_NAME,
            decided_on=today - timedelta(days=20),
        )
    )
    starts = datetime.combine(today - timedelta(days=3), time(10, 0), tzinfo=UTC)
    meeting = Meeting(
        case_id=case.id,
        kind=MeetingKind.INITIAL_REVIEW,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="Council House, Room 2",
        chair_id=chair.id,
        status=MeetingStatus.HELD,
        ics_uid=f"{uuid.uuid4()}@test",
    )
    db.session.add(meeting)
    db.session.flush()
    db.session.add_all(
        [
            Attendee(
                meeting_id=meeting.id,
                kind=AttendeeKind.AGENCY_REPRESENTATIVE,
                agency_id=police.id,
                name=OTHER_ATTENDEE,
                role_at_meeting="Neighbourhood sergeant",
                status=AttendeeStatus.ATTENDED,
            ),
            Attendee(
                meeting_id=meeting.id,
                kind=AttendeeKind.AGENCY_REPRESENTATIVE,
                agency_id=council.id,
                name="Colin Councilofficer",
                role_at_meeting="ASB officer",
                status=AttendeeStatus.APOLOGIES,
            ),
            VictimParticipation(
                meeting_id=meeting.id,
                case_id=case.id,
                kind=ParticipationKind.STATEMENT,
                statement="I cannot sleep and my children are frightened.",
            ),
        ]
    )
    for position in range(minutes_items):
        item = MinuteItem(meeting_id=meeting.id, agenda_title=f"Agenda item {position + 1}", position=position)
        db.session.add(item)
        db.session.flush()
        db.session.add(MinuteRevision(item_id=item.id, number=1, text="Draft text, superseded."))
        db.session.add(MinuteRevision(item_id=item.id, number=2, text=minutes_text))
    db.session.add(
        Recommendation(
            meeting_id=meeting.id,
            agency_id=police.id,
            text=recommendation,
            victim_visible=True,
            victim_wording=recommendation_for_applicant,
        )
    )
    db.session.add(Recommendation(meeting_id=meeting.id, agency_id=council.id, text=UNSHARED_RECOMMENDATION))
    if approved:
        db.session.add(MinutesApproval(meeting_id=meeting.id, approved_by_id=chair.id, approved_at=utcnow()))
    plan = ActionPlan(case_id=case.id, status=PlanStatus.LIVE)
    db.session.add(plan)
    db.session.flush()
    due = today + timedelta(days=14)
    hidden = Action(
        plan_id=plan.id,
        description=hidden_action,
        owner_agency_id=council.id,
        due_on=due,
        original_due_on=due,
        priority=Priority.HIGH,
        status=ActionStatus.NOT_STARTED,
    )
    visible = Action(
        plan_id=plan.id,
        description="Targeted patrols",
        owner_agency_id=police.id,
        due_on=due + timedelta(days=7),
        original_due_on=due + timedelta(days=7),
        priority=Priority.MEDIUM,
        status=ActionStatus.IN_PROGRESS,
        victim_visible=True,
        victim_wording=visible_wording,
    )
    db.session.add_all([hidden, visible])
    db.session.commit()
    return DocWorld(
        case=case,
        area=area,
        police=police,
        council=council,
        coordinator=coordinator,
        chair=chair,
        meeting=meeting,
        hidden_action=hidden,
        visible_action=visible,
    )


# ---- reading PDFs ---------------------------------------------------------------------------------------------


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def pdf_text(pdf: bytes) -> str:
    """All the text of the PDF, white space folded (a line break inside a phrase becomes a space)."""
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in read(pdf).pages))


def decoded_streams(pdf: bytes) -> list[bytes]:
    reader = read(pdf)
    streams = []
    for generation, numbers in reader.xref.items():
        for number in numbers:
            obj = reader.get_object(IndirectObject(number, generation, reader))
            if isinstance(obj, StreamObject):
                streams.append(obj.get_data())
    return streams


def embedded_files(pdf: bytes) -> list:
    reader = read(pdf)
    names = reader.trailer["/Root"].get("/Names")
    files = list(names.get_object().get("/EmbeddedFiles", [])) if names else []
    annotations = [a.get_object() for page in reader.pages for a in (page.get("/Annots") or [])]
    return files + [a for a in annotations if a.get("/Subtype") == "/FileAttachment"]
