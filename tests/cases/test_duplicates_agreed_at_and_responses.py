"""Links between records (issues 3, 5 and 6): marking an incident as the same as another (counted once), the meeting an
action was agreed at, and each body's response to a recommendation."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.cases_helpers import make_case
from tests.conftest import login, post, text_of
from trigger.extensions import db
from trigger.models import (
    Action,
    AgencyType,
    AuditEvent,
    Incident,
    IncidentReport,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Recommendation,
    Role,
)

TODAY = date.today()


@pytest.fixture
def world(app, make_user, make_agency, make_area):
    area = make_area("Severn Vale")
    police = make_agency("Severn Vale Police", AgencyType.POLICE)
    council = make_agency("Vale District Council", AgencyType.COUNCIL)
    # Three incidents (40, 20, 10 days ago) reported to the police: the threshold is met.
    case = make_case(area, police)
    return {
        "area": area,
        "case": case,
        "police": police,
        "council": council,
        "coordinator": make_user(Role.COORDINATOR, name="Cora Coordinator"),
        "chair": make_user(Role.CHAIR, name="Charles Chair"),
        "rep": make_user(Role.AGENCY_REP, agency=police, name="PC Pat Rep"),
    }


def coordinator(client, world):
    login(client, world["coordinator"])
    return client


def incidents_of(case) -> list[Incident]:
    db.session.expire_all()
    return list(db.session.scalars(select(Incident).where(Incident.case_id == case.id).order_by(Incident.id)))


def add_incident(case, agency, days_ago: int, reported_days_ago: int, description="The same party, council log"):
    incident = Incident(case_id=case.id, occurred_on=TODAY - timedelta(days=days_ago), description=description)
    db.session.add(incident)
    db.session.flush()
    db.session.add(
        IncidentReport(
            incident_id=incident.id, agency_id=agency.id, reported_on=TODAY - timedelta(days=reported_days_ago)
        )
    )
    db.session.commit()
    return incident


def make_meeting(case, chair, *, days_ago: int = 2, status=MeetingStatus.HELD) -> Meeting:
    start = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    meeting = Meeting(
        case_id=case.id,
        kind=MeetingKind.INITIAL_REVIEW,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Council House",
        chair_id=chair.id,
        status=status,
        ics_uid=f"{uuid.uuid4()}@test",
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# ---- 1. the same incident recorded twice ---------------------------------------------------------------------


def test_marking_a_duplicate_counts_it_once_in_the_threshold_reasoning(client, world):
    case, council = world["case"], world["council"]
    first = incidents_of(case)[0]
    copy = add_incident(case, council, 40, 38)
    coordinator(client, world)
    page = text_of(client.get(f"/cases/{case.id}/incidents"))
    assert "Qualifying complaints: 4" in page
    # Both same-day records say why the choice is offered (issue 18): numbered within the case, 1 to n by date.
    assert page.count("mark it as the same incident") == 2
    assert "Also recorded on" in page and "separate incidents on the same day count separately" in page

    url = f"/cases/{case.id}/incidents/{copy.id}/same-as"
    assert "Incident 1: Incident 40 days ago" in text_of(client.get(url))
    response = post(client, url, {"same_as_id": str(first.id)})
    assert response.status_code == 302
    page = text_of(client.get(response.location))
    assert "Incident 2 is now counted once, as incident 1." in page
    assert "Qualifying complaints: 3" in page
    assert "this is the same incident as incident 1" in page
    assert "Also reported to Vale District Council" in page  # the copy's report is merged in, counted once
    assert incidents_of(case)[-1].same_as_id == first.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "incident.same_as_changed"))
    assert event.case_id == case.id and event.details["same_as_id"] == [None, first.id]

    # And back: a separate incident again.
    assert post(client, url, {"same_as_id": "separate"}).status_code == 302
    assert incidents_of(case)[-1].same_as_id is None
    assert "Qualifying complaints: 4" in text_of(client.get(f"/cases/{case.id}/incidents"))


def test_bad_duplicate_links_are_refused_with_a_clear_message(client, world, make_area, make_agency):
    case, council = world["case"], world["council"]
    first, second, _ = incidents_of(case)
    copy = add_incident(case, council, 40, 38)
    other_case = make_case(make_area("Elsewhere"), world["police"], name="Someone Else", postcode="GL1 1AA")
    other_incident = incidents_of(other_case)[0]
    coordinator(client, world)
    url = f"/cases/{case.id}/incidents/{copy.id}/same-as"
    refusals = {
        str(copy.id): "An incident cannot be the same as itself",
        str(second.id): "Choose an incident on the same date",
        str(other_incident.id): "Choose an incident recorded on this case",
        "nonsense": "Choose the incident it is the same as, or “A separate incident”",
    }
    for value, message in refusals.items():
        response = post(client, url, {"same_as_id": value})
        assert response.status_code == 400, value
        assert message in text_of(response) and text_of(response).startswith("Error:")
    assert incidents_of(case)[-1].same_as_id is None

    # A loop: the copy is the same as the first; the first cannot then be the same as the copy.
    assert post(client, url, {"same_as_id": str(first.id)}).status_code == 302
    response = post(client, f"/cases/{case.id}/incidents/{first.id}/same-as", {"same_as_id": str(copy.id)})
    assert response.status_code == 400
    assert "Incident 2 is already counted as incident 1" in text_of(response)
    assert incidents_of(case)[0].same_as_id is None


def test_only_coordinators_who_manage_the_case_mark_duplicates(app, client, world):
    case = world["case"]
    incident = incidents_of(case)[0]
    login(client, world["rep"])
    assert client.get(f"/cases/{case.id}/incidents/{incident.id}/same-as").status_code == 403
    other = app.test_client()
    coordinator(other, world)
    assert other.get(f"/cases/{case.id}/incidents/999999/same-as").status_code == 404
    assert other.get(f"/cases/999999/incidents/{incident.id}/same-as").status_code == 404


# ---- 3. the meeting an action was agreed at -------------------------------------------------------------------


def action_data(world, **overrides) -> dict:
    data = {
        "description": "Patrol Elm Road on Friday nights",
        "owner_agency_id": str(world["police"].id),
        "owner_user_id": "",
        "priority": "medium",
        "source_note": "",
        "meeting_id": "",
        "due_on": (TODAY + timedelta(days=14)).isoformat(),
    }
    data.update(overrides)
    return data


def test_an_action_agreed_at_a_meeting_says_so_on_the_plan(client, world):
    case = world["case"]
    meeting = make_meeting(case, world["chair"])
    make_meeting(case, world["chair"], days_ago=1, status=MeetingStatus.CANCELLED)
    coordinator(client, world)
    form = text_of(client.get(f"/cases/{case.id}/plan/actions/new"))
    meeting_day = long_date(meeting.starts_at.date())
    assert f"Initial case review meeting on {meeting_day}" in form
    assert form.count("Initial case review meeting on") == 1  # the cancelled meeting is not offered

    response = post(client, f"/cases/{case.id}/plan/actions/new", action_data(world, meeting_id=str(meeting.id)))
    assert response.status_code == 302
    action = db.session.scalar(select(Action))
    assert action.meeting_id == meeting.id
    assert f"Agreed at the review meeting on {meeting_day}" in text_of(client.get(f"/cases/{case.id}/plan"))

    # Editing keeps the link unless changed, and the change is audited.
    edit_url = f"/actions/{action.id}/edit"
    data = action_data(world, version=str(action.version))
    data.pop("due_on")
    assert post(client, edit_url, data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Action, action.id).meeting_id is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.changed"))
    assert event.details["meeting_id"] == [meeting.id, None]
    assert "Agreed at the review meeting" not in text_of(client.get(f"/cases/{case.id}/plan"))


def test_a_forged_meeting_of_another_case_is_refused(client, world, make_area):
    other_case = make_case(make_area("Elsewhere"), world["police"], name="Someone Else", postcode="GL1 1AA")
    foreign = make_meeting(other_case, world["chair"])
    coordinator(client, world)
    response = post(
        client, f"/cases/{world['case'].id}/plan/actions/new", action_data(world, meeting_id=str(foreign.id))
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Choose one of this case's review meetings, or “Not agreed at a meeting”" in page
    assert "Patrol Elm Road on Friday nights" in page  # what was typed is kept
    assert db.session.scalar(select(Action)) is None


def test_deleting_a_meeting_leaves_the_action_unlinked(client, world):
    meeting = make_meeting(world["case"], world["chair"])
    coordinator(client, world)
    post(client, f"/cases/{world['case'].id}/plan/actions/new", action_data(world, meeting_id=str(meeting.id)))
    db.session.delete(db.session.get(Meeting, meeting.id))
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(select(Action)).meeting_id is None


# ---- 4. each body's response to a recommendation ----------------------------------------------------------------


@pytest.fixture
def recommended(world):
    meeting = make_meeting(world["case"], world["chair"], days_ago=10)
    recommendation = Recommendation(
        meeting_id=meeting.id, agency_id=world["council"].id, text="Review the noise nuisance case within 28 days"
    )
    db.session.add(recommendation)
    db.session.commit()
    return meeting, recommendation


def test_a_coordinator_records_a_bodys_response_on_the_meeting_page(client, world, recommended):
    meeting, recommendation = recommended
    case = world["case"]
    coordinator(client, world)
    page = text_of(client.get(f"/cases/{case.id}/meetings/{meeting.id}"))
    assert "Responses to the recommendations" in page and "No response yet" in page
    url = f"/cases/{case.id}/meetings/{meeting.id}/recommendations/{recommendation.id}/response"
    answered = TODAY - timedelta(days=3)
    response = post(
        client, url, {"response_text": "Accepted: an officer visits next week.", "responded_on": answered.isoformat()}
    )
    assert response.status_code == 302
    page = text_of(client.get(response.location))
    assert "Vale District Council's response has been recorded." in page
    assert "Accepted: an officer visits next week." in page and f"Responded on {long_date(answered)}" in page
    assert f"Responded on {long_date(answered)}" in text_of(
        client.get(f"/cases/{case.id}/meetings/{meeting.id}/minutes")
    )
    db.session.expire_all()
    saved = db.session.get(Recommendation, recommendation.id)
    assert saved.responded_on == answered and saved.responded_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.recommendation_response"))
    assert event.case_id == case.id
    assert event.details["changes"]["response_text"] == ["", "Accepted: an officer visits next week."]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"response_text": "", "responded_on": TODAY.isoformat()}, "Enter the body's response"),
        ({"response_text": "Yes", "responded_on": ""}, "Enter the date of the response"),
        ({"response_text": "Yes", "responded_on": "2026-02-30"}, "Enter a real date"),
        (
            {"response_text": "Yes", "responded_on": (TODAY + timedelta(days=1)).isoformat()},
            "The date of the response must be today or in the past",
        ),
        (
            {"response_text": "Yes", "responded_on": (TODAY - timedelta(days=30)).isoformat()},
            "must be the same as or after the date of the meeting",
        ),
        (
            {"response_text": "x" * 5001, "responded_on": TODAY.isoformat()},
            "The response must be 5000 characters or fewer",
        ),
    ],
)
def test_bad_responses_are_refused(client, world, recommended, data, message):
    meeting, recommendation = recommended
    coordinator(client, world)
    url = f"/cases/{world['case'].id}/meetings/{meeting.id}/recommendations/{recommendation.id}/response"
    response = post(client, url, data)
    assert response.status_code == 400
    assert message in text_of(response)
    db.session.expire_all()
    assert db.session.get(Recommendation, recommendation.id).response_text == ""


def test_who_may_record_responses(app, client, world, recommended, make_area):
    meeting, recommendation = recommended
    case = world["case"]
    url = f"/cases/{case.id}/meetings/{meeting.id}/recommendations/{recommendation.id}/response"
    login(client, world["chair"])
    assert client.get(url).status_code == 403
    assert "Record the response" not in text_of(client.get(f"/cases/{case.id}/meetings/{meeting.id}"))
    other = app.test_client()
    coordinator(other, world)
    other_case = make_case(make_area("Elsewhere"), world["police"], name="Someone Else", postcode="GL1 1AA")
    assert (
        other.get(
            f"/cases/{other_case.id}/meetings/{meeting.id}/recommendations/{recommendation.id}/response"
        ).status_code
        == 404
    )
    assert other.get(f"/cases/{case.id}/meetings/{meeting.id}/recommendations/999999/response").status_code == 404
