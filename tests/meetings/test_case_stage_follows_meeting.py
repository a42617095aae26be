"""The case's stage follows its review meeting: booking one moves the case to "Review meeting scheduled", taking
the attendance (or recording a meeting after the fact) to "Review meeting held", and the stage deadlines follow.
Nobody has to remember to change the stage by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import login, post, text_of
from tests.meetings_helpers import make_world, only_meeting, schedule
from trigger.domain.deadlines import DeadlineKind
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import AuditEvent
from trigger.models.deadlines import CaseDeadline


@pytest.fixture
def world(make_user, make_agency, make_area):
    world = make_world(make_user, make_agency, make_area)
    world.case.stage = Stage.THRESHOLD_MET
    db.session.add(
        CaseDeadline(
            case_id=world.case.id,
            kind=DeadlineKind.MEETING,
            anchor_on=date.today(),
            due_on=date.today() + timedelta(days=14),
            cycle=1,
        )
    )
    db.session.commit()
    return world


def stage_of(world) -> Stage:
    db.session.expire_all()
    return world.case.stage


def deadline(world, kind: DeadlineKind) -> CaseDeadline | None:
    db.session.expire_all()
    return db.session.scalar(
        select(CaseDeadline).where(CaseDeadline.case_id == world.case.id, CaseDeadline.kind == kind)
    )


def test_booking_then_holding_the_meeting_moves_the_case_and_meets_its_deadline(client, world):
    login(client, world.coordinator)
    assert schedule(client, world).status_code == 302
    assert stage_of(world) is Stage.REVIEW_SCHEDULED
    page = text_of(client.get(f"/cases/{world.case.id}"))
    assert "Review meeting scheduled" in page

    meeting = only_meeting()
    held_on = date.today() - timedelta(days=1)
    shift = meeting.starts_at.date() - held_on
    meeting.starts_at, meeting.ends_at = meeting.starts_at - shift, meeting.ends_at - shift
    db.session.commit()
    post(
        client,
        f"/cases/{world.case.id}/meetings/{meeting.id}/attendees",
        {"invite": [f"user:{world.police_rep.id}"], "action": "invite"},
    )
    from trigger.meetings import services

    rep = services.load_meeting(meeting.id).attendees[0]
    response = post(
        client, f"/cases/{world.case.id}/meetings/{meeting.id}/attendance", {f"status_{rep.id}": "attended"}
    )
    assert response.status_code == 302
    assert stage_of(world) is Stage.REVIEW_HELD
    assert deadline(world, DeadlineKind.MEETING).met_on == held_on  # met on the day it was held
    assert deadline(world, DeadlineKind.OUTCOME) is not None  # the outcome letter's clock starts
    moves = db.session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "case.stage_changed").order_by(AuditEvent.id)
    ).all()
    assert moves[0].startswith("Threshold met → Review meeting scheduled: Initial case review meeting arranged for")
    assert moves[1].startswith("Review meeting scheduled → Review meeting held: Initial case review meeting held on")


def test_a_meeting_recorded_after_the_fact_moves_the_case_straight_to_held(client, world):
    login(client, world.coordinator)
    past = date.today() - timedelta(days=3)
    assert schedule(client, world, day=past.isoformat(), recorded_after_the_fact="y").status_code == 302
    assert stage_of(world) is Stage.REVIEW_HELD
    assert deadline(world, DeadlineKind.MEETING).met_on == past


def test_an_escalated_case_keeps_its_stage_when_a_meeting_is_booked(client, world):
    world.case.stage = Stage.ESCALATED
    db.session.commit()
    login(client, world.coordinator)
    assert schedule(client, world).status_code == 302
    assert stage_of(world) is Stage.ESCALATED
