"""My meetings: chairs and agency representatives see their upcoming and past meetings, and an invited person
answers their invitation in the product; nobody sees or answers anyone else's."""

from __future__ import annotations

import pytest

from tests.conftest import login, post, text_of
from tests.meetings_helpers import make_world, only_meeting, schedule
from trigger.extensions import db
from trigger.models import Attendee, AttendeeStatus, Role


@pytest.fixture
def world(make_user, make_agency, make_area):
    return make_world(make_user, make_agency, make_area)


@pytest.fixture
def booked(app, client, world):
    """A meeting next month chaired by Charles Chair, the police representative invited."""
    login(client, world.coordinator)
    assert schedule(client, world).status_code == 302
    meeting = only_meeting()
    response = post(
        client,
        f"/cases/{world.case.id}/meetings/{meeting.id}/attendees",
        {"invite": [f"user:{world.police_rep.id}"], "action": "invite"},
    )
    assert response.status_code == 302, text_of(response)
    return meeting


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_the_chair_sees_the_meeting_they_chair(app, world, booked):
    chair = _client(app, world.chair)
    home = chair.get("/home").get_data(as_text=True)
    assert 'href="/my-meetings"' in home
    page = text_of(chair.get("/my-meetings"))
    upcoming = page.split("Upcoming meetings", 1)[1].split("Past meetings", 1)[0]
    assert world.case.reference in upcoming and "The chair" in upcoming
    assert world.case.reference not in text_of(_client(app, world.other_chair).get("/my-meetings"))


def test_an_agency_representative_answers_the_invitation_in_the_product(app, world, booked):
    rep = _client(app, world.police_rep)
    page = text_of(rep.get("/my-meetings"))
    assert world.case.reference in page and "Invited" in page and "Answer the invitation" in page
    attendee = db.session.query(Attendee).filter_by(user_id=world.police_rep.id).one()
    url = f"/my-meetings/invitations/{attendee.id}"
    response = post(rep, url, {"response": "substitute", "substitute_name": ""})
    assert response.status_code == 400 and "Enter the name of the person coming in your place" in text_of(response)
    response = post(rep, url, {"response": "accepted"})
    assert response.status_code == 302
    assert "Your answer has been recorded: accepted" in text_of(rep.get(response.location))
    db.session.expire_all()
    assert db.session.get(Attendee, attendee.id).status is AttendeeStatus.ACCEPTED
    # nobody else answers for them, and a representative not invited sees nothing of it
    assert _client(app, world.council_rep).get(url).status_code == 403
    assert world.case.reference not in text_of(_client(app, world.council_rep).get("/my-meetings"))
    assert _client(app, world.chair).get(url).status_code == 403


def test_my_meetings_is_for_chairs_and_agency_representatives(app, world, make_user):
    for role in (Role.COORDINATOR, Role.VIEWER, Role.PCC_REVIEWER):
        assert _client(app, make_user(role)).get("/my-meetings").status_code == 403
