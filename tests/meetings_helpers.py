"""Small factories shared by the meeting tests (tests/meetings/)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count

from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.conftest import post
from trigger.extensions import db
from trigger.models import (
    Agency,
    AgencyType,
    Case,
    Channel,
    Incident,
    IncidentReport,
    Meeting,
    OutboxMessage,
    Role,
    User,
)

_refs = count(1)
FUTURE = date.today() + timedelta(days=30)


def make_case(area, agencies: list[Agency]) -> Case:
    case = Case(
        reference=f"ASB-2026-{next(_refs):04d}",
        area_id=area.id,
        received_on=date.today(),
        channel=Channel.PHONE,
        applicant_name="Jane Applicant",
        applicant_email="jane@example.org",
    )
    db.session.add(case)
    db.session.flush()
    for agency in agencies:
        incident = Incident(case_id=case.id, occurred_on=date.today() - timedelta(days=20), description="Noise")
        db.session.add(incident)
        db.session.flush()
        db.session.add(
            IncidentReport(incident_id=incident.id, agency_id=agency.id, reported_on=date.today() - timedelta(days=19))
        )
    db.session.commit()
    return case


@dataclass
class World:
    case: Case
    police: Agency
    council: Agency
    youth: Agency
    old_housing: Agency
    coordinator: User
    chair: User
    other_chair: User
    police_rep: User
    council_rep: User
    youth_rep: User
    viewer: User
    pcc: User


def make_world(make_user, make_agency, make_area) -> World:
    area = make_area("Severn Vale")
    police = make_agency("Severn Vale Police", AgencyType.POLICE)
    council = make_agency("Vale District Council", AgencyType.COUNCIL)
    youth = make_agency("Vale Youth Club", AgencyType.YOUTH)
    old_housing = make_agency("Old Homes", AgencyType.HOUSING, active=False)
    case = make_case(area, [police, old_housing])
    return World(
        case=case,
        police=police,
        council=council,
        youth=youth,
        old_housing=old_housing,
        coordinator=make_user(Role.COORDINATOR, name="Cora Coordinator"),
        chair=make_user(Role.CHAIR, name="Charles Chair", email="chair@example.org"),
        other_chair=make_user(Role.CHAIR, name="Olive Otherchair"),
        police_rep=make_user(Role.AGENCY_REP, agency=police, name="PC Pat Rep", email="pat@police.example"),
        council_rep=make_user(Role.AGENCY_REP, agency=council, name="Cath Council", email="cath@council.example"),
        youth_rep=make_user(Role.AGENCY_REP, agency=youth, name="Yusuf Youth"),
        viewer=make_user(Role.VIEWER, name="Vic Viewer"),
        pcc=make_user(Role.PCC_REVIEWER, name="Pam PCC"),
    )


def meeting_data(world: World, **overrides) -> dict:
    data = {
        "kind": "initial-review",
        "day": FUTURE.isoformat(),
        "start": "10:00",
        "end": "12:00",
        "place": "Council House, Room 2",
        "virtual_link": "",
        "chair_id": str(world.chair.id),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def schedule(client, world: World, **overrides):
    return post(client, f"/cases/{world.case.id}/meetings/new", meeting_data(world, **overrides))


def only_meeting() -> Meeting:
    db.session.expire_all()
    return db.session.scalar(select(Meeting))


def emails_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == address)
            .options(selectinload(OutboxMessage.attachments))
            .order_by(OutboxMessage.id)
        )
    )


def calendar_of(message: OutboxMessage) -> Calendar:
    (attachment,) = [a for a in message.attachments if a.filename.endswith(".ics")]
    return Calendar.from_ical(attachment.content)


def respond_token(message: OutboxMessage) -> str:
    match = re.search(r"/meetings/respond\?token=([A-Za-z0-9_\-]+)", message.body)
    assert match, message.body
    return match.group(1)


def minutes_data(meeting_id: int, changes: dict, **extra) -> dict:
    """The minutes page's form as a browser sends it: every agenda item's text and the revision the page showed.
    ``changes`` maps an item (or its id) to (text, base revision); the other items go back as they are now."""
    from trigger.models import MinuteItem, MinuteRevision

    db.session.expire_all()
    changes = {getattr(key, "id", key): value for key, value in changes.items()}
    data = dict(extra)
    items = db.session.scalars(
        select(MinuteItem).where(MinuteItem.meeting_id == meeting_id).order_by(MinuteItem.position, MinuteItem.id)
    )
    for item in items:
        current = db.session.scalar(
            select(MinuteRevision)
            .where(MinuteRevision.item_id == item.id)
            .order_by(MinuteRevision.number.desc())
            .limit(1)
        )
        text, base = changes.get(item.id, (current.text if current else "", current.number if current else 0))
        data[f"text_{item.id}"], data[f"base_{item.id}"] = text, str(base)
    return data


def save_minutes(client, case_id: int, meeting_id: int, changes: dict, **extra):
    """Save the minutes page (the one form with every agenda item), as a browser would."""
    url = f"/cases/{case_id}/meetings/{meeting_id}/minutes"
    return post(client, url, minutes_data(meeting_id, changes, **extra))
