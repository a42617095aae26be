"""Scheduling case review meetings, the attendee list, invitations with .ics files, and answering them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import login, post, text_of
from tests.meetings_helpers import (
    FUTURE,
    calendar_of,
    emails_to,
    make_world,
    meeting_data,
    only_meeting,
    respond_token,
    schedule,
)
from trigger.extensions import db
from trigger.models import Attendee, AttendeeStatus, AuditEvent, Meeting, MeetingStatus, MinuteItem


@pytest.fixture
def world(make_user, make_agency, make_area):
    return make_world(make_user, make_agency, make_area)


@pytest.fixture
def coordinator(client, world):
    login(client, world.coordinator)
    return client


def invite(client, world, meeting, *keys):
    return post(
        client, f"/cases/{world.case.id}/meetings/{meeting.id}/attendees", {"invite": list(keys), "action": "invite"}
    )


def test_schedule_invite_reschedule_and_cancel_send_matching_calendar_files(coordinator, world):
    response = schedule(coordinator, world)
    assert response.status_code == 302
    page = text_of(coordinator.get(response.location))
    assert "The meeting has been scheduled. Now choose who to invite." in page
    # The product proposes the agencies involved in the case, with their reps; any other agency can be added.
    assert "Severn Vale Police Involved in this case Relevant body" in page
    assert "PC Pat Rep" in page and "Cath Council" in page
    proposals = page.split("Invite agencies")[1].split("Invite another agency")[0]
    assert "Vale Youth Club" not in proposals and "Cath Council" not in proposals  # not involved in this case
    assert "Old Homes is inactive and cannot be invited" in page
    meeting = only_meeting()
    assert [i.agenda_title for i in db.session.scalars(select(MinuteItem).order_by(MinuteItem.position))][:2] == [
        "Introductions and the confidentiality statement",
        "The victim's voice",
    ]

    response = invite(coordinator, world, meeting, f"user:{world.police_rep.id}")
    assert response.status_code == 302
    assert "Added to the attendee list and invited by email: PC Pat Rep" in text_of(coordinator.get(response.location))

    (invitation,) = emails_to("pat@police.example")
    assert invitation.subject == f"Invitation: Initial case review meeting: case {world.case.reference}"
    assert "/meetings/respond?token=" in invitation.body
    calendar = calendar_of(invitation)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    assert event.decoded("SEQUENCE") == 0
    start = event["DTSTART"].dt
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert (start.date(), start.hour, start.minute) == (FUTURE, 10, 0)
    assert str(start.tzinfo) == "Europe/London"
    assert event["DTEND"].dt.hour == 12
    assert [
        str(a) for a in ([event["ATTENDEE"]] if not isinstance(event["ATTENDEE"], list) else event["ATTENDEE"])
    ] == ["mailto:pat@police.example"]  # each file names only its own recipient
    uid = str(event["UID"])
    # The chair gets the invitation too.
    assert calendar_of(emails_to("chair@example.org")[0]).walk("VEVENT")[0]["UID"] == uid

    # Reschedule: same UID, SEQUENCE 1, new time.
    response = post(
        coordinator,
        f"/cases/{world.case.id}/meetings/{meeting.id}/edit",
        meeting_data(world, start="14:00", end="15:30"),
    )
    assert response.status_code == 302
    assert "everyone invited has been sent the update" in text_of(coordinator.get(response.location))
    update = emails_to("pat@police.example")[-1]
    assert update.subject.startswith("Updated:")
    event = calendar_of(update).walk("VEVENT")[0]
    assert str(calendar_of(update)["METHOD"]) == "REQUEST"
    assert (str(event["UID"]), event.decoded("SEQUENCE"), event["DTSTART"].dt.hour) == (uid, 1, 14)

    # Cancel (with confirmation): METHOD:CANCEL, same UID, SEQUENCE 2.
    confirm = text_of(coordinator.get(f"/cases/{world.case.id}/meetings/{meeting.id}/cancel"))
    assert "Are you sure you want to cancel the meeting" in confirm
    refused = post(coordinator, f"/cases/{world.case.id}/meetings/{meeting.id}/cancel", {"reason": ""})
    assert refused.status_code == 400 and "Enter the reason for cancelling the meeting" in text_of(refused)
    response = post(
        coordinator, f"/cases/{world.case.id}/meetings/{meeting.id}/cancel", {"reason": "The chair is unwell"}
    )
    assert response.status_code == 302
    cancellation = emails_to("pat@police.example")[-1]
    calendar = calendar_of(cancellation)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "CANCEL"
    assert (str(event["UID"]), event.decoded("SEQUENCE"), str(event["STATUS"])) == (uid, 2, "CANCELLED")
    assert "Reason: The chair is unwell" in cancellation.body
    assert only_meeting().status is MeetingStatus.CANCELLED
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "meeting")))
    assert {"meeting.scheduled", "meeting.attendee_added", "meeting.rescheduled", "meeting.cancelled"} <= set(actions)


def test_a_place_with_line_breaks_and_markup_is_escaped_in_the_calendar_file(coordinator, world):
    place = 'Room <b>2</b>\nCouncil House; "Main" St, Vale\nATTENDEE:mailto:evil@example.org'
    schedule(coordinator, world, place=place)
    meeting = only_meeting()
    invite(coordinator, world, meeting, f"user:{world.police_rep.id}")
    message = emails_to("pat@police.example")[0]
    raw = [a for a in message.attachments if a.filename == "meeting.ics"][0].content.decode()
    assert "\nATTENDEE:mailto:evil" not in raw.replace("\r\n", "\n")  # no injected property
    event = calendar_of(message).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == place  # round-trips exactly


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"end": "09:00"}, "The end time must be after the start time"),
        ({"end": "10:00"}, "The end time must be after the start time"),
        (
            {"day": (date.today() - timedelta(days=3)).isoformat()},
            "The meeting must be in the future. If you are "
            "recording a meeting that already happened, tick “I am recording a meeting that already happened”",
        ),
        ({"day": "2026-02-31"}, "Enter a real date"),
        ({"start": "25:00"}, "Enter a time in the 24-hour clock"),
        ({"place": "", "virtual_link": ""}, "Enter the place, a virtual meeting link, or both"),
        ({"virtual_link": "javascript:alert(1)"}, "Enter the meeting link starting with https://"),
        ({"chair_id": ""}, "Choose the chair"),
        (
            {"recorded_after_the_fact": "y"},
            "A meeting that already happened must have a date and start time in the past",
        ),
    ],
)
def test_bad_meeting_input_is_explained_and_nothing_saved(coordinator, world, overrides, message):
    response = schedule(coordinator, world, **overrides)
    assert response.status_code == 400
    page = text_of(response)
    assert page.startswith("Error:") and "There is a problem" in page and message in page
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_a_chair_must_be_a_chair(coordinator, world):
    response = schedule(coordinator, world, chair_id=str(world.viewer.id))
    assert response.status_code == 400 and "Not a valid choice" in text_of(response)


def test_the_hour_the_clocks_skip_is_refused(coordinator, world):
    # The last Sunday of March 2030 is the 31st: 01:30 does not exist in the UK.
    response = schedule(coordinator, world, day="2030-03-31", start="01:30", end="03:00")
    assert response.status_code == 400
    assert "01:30 does not exist in the UK on 31 March 2030 (the clocks go forward)" in text_of(response)


def test_recording_a_meeting_that_already_happened_says_so_and_sends_nothing(coordinator, world):
    past = (date.today() - timedelta(days=7)).isoformat()
    response = schedule(coordinator, world, day=past, recorded_after_the_fact="y")
    assert response.status_code == 302
    page = text_of(coordinator.get(response.location))
    assert "recorded as one that already happened. No invitations were sent" in page
    meeting = only_meeting()
    assert meeting.recorded_after_the_fact and meeting.status is MeetingStatus.HELD
    invite(coordinator, world, meeting, f"user:{world.police_rep.id}")
    assert emails_to("pat@police.example") == [] and emails_to("chair@example.org") == []
    show = text_of(coordinator.get(f"/cases/{world.case.id}/meetings/{meeting.id}"))
    assert "This meeting was recorded after it took place. No invitations were sent." in show


def test_an_inactive_agency_cannot_be_invited(coordinator, world, make_user):
    schedule(coordinator, world)
    meeting = only_meeting()
    from trigger.models import Role

    old_rep = make_user(Role.AGENCY_REP, agency=world.old_housing, name="Olly Old")
    response = invite(coordinator, world, meeting, f"user:{old_rep.id}")  # forged: not offered on the page
    assert response.status_code == 400
    assert "Old Homes is inactive and cannot be invited" in text_of(response)
    response = post(
        coordinator,
        f"/cases/{world.case.id}/meetings/{meeting.id}/attendees",
        {"kind": "agency-representative", "name": "Olly", "agency_id": str(world.old_housing.id), "action": "person"},
    )
    assert response.status_code == 400 and "Not a valid choice" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 0


def test_named_people_and_the_perpetrator_rule(coordinator, world):
    schedule(coordinator, world)
    meeting = only_meeting()
    url = f"/cases/{world.case.id}/meetings/{meeting.id}/attendees"
    response = post(
        coordinator,
        url,
        {"kind": "applicant", "name": "Jane Applicant", "email": "jane@example.org", "action": "person"},
    )
    assert response.status_code == 302
    assert emails_to("jane@example.org") == []  # sent when the coordinator sends the invitations
    post(coordinator, url, {"action": "send"})
    (letter,) = emails_to("jane@example.org")
    assert "respond" not in letter.body  # only agency representatives get the answer link
    response = post(coordinator, url, {"kind": "alleged-perpetrator", "name": "Bob", "action": "person"})
    assert response.status_code == 400
    assert "An alleged perpetrator can only take part in a restorative conference" in text_of(response)
    response = post(coordinator, url, {"kind": "agency-representative", "name": "Sam", "action": "person"})
    assert response.status_code == 400 and "Choose the agency this person represents" in text_of(response)


def test_the_answer_link_records_acceptance_apologies_or_a_substitute(coordinator, client, world, app):
    schedule(coordinator, world)
    meeting = only_meeting()
    invite(coordinator, world, meeting, f"user:{world.police_rep.id}")
    token = respond_token(emails_to("pat@police.example")[0])
    anonymous = app.test_client()
    url = f"/meetings/respond?token={token}"
    page = text_of(anonymous.get(url))
    assert f"Case review meeting: {world.case.reference}" in page and "Council House, Room 2" in page
    assert "Jane Applicant" not in page  # no case personal data beyond the reference, date and place
    response = post(anonymous, url, {"response": "substitute", "substitute_name": ""})
    assert response.status_code == 400 and "Enter the name of the person coming in your place" in text_of(response)
    response = post(anonymous, url, {"response": "substitute", "substitute_name": "PC Sam Stand-in"})
    assert response.status_code == 302
    assert "Thank you: your answer has been recorded" in text_of(anonymous.get(response.location))
    attendee = db.session.scalar(select(Attendee))
    db.session.refresh(attendee)
    assert (attendee.status, attendee.substitute_name) == (AttendeeStatus.SUBSTITUTE, "PC Sam Stand-in")
    assert "PC Sam Stand-in will attend instead" in text_of(
        coordinator.get(f"/cases/{world.case.id}/meetings/{meeting.id}")
    )
    assert post(anonymous, url, {"response": "accepted"}).status_code == 302
    db.session.refresh(attendee)
    assert (attendee.status, attendee.substitute_name) == (AttendeeStatus.ACCEPTED, "")
    # Only the hash is stored.
    assert token not in (attendee.response_token_hash or "") and len(attendee.response_token_hash) == 64


@pytest.mark.parametrize("token", ["", "not-a-real-token", "A" * 43, "x" * 500])
def test_invalid_or_forged_answer_links_are_refused(app, world, coordinator, token):
    schedule(coordinator, world)
    invite(coordinator, world, only_meeting(), f"user:{world.police_rep.id}")
    anonymous = app.test_client()
    response = anonymous.get(f"/meetings/respond?token={token}")
    assert response.status_code == 404
    assert "This link does not work" in text_of(response)


def test_a_rescheduled_meeting_replaces_the_answer_link(app, world, coordinator):
    schedule(coordinator, world)
    meeting = only_meeting()
    invite(coordinator, world, meeting, f"user:{world.police_rep.id}")
    old = respond_token(emails_to("pat@police.example")[0])
    post(coordinator, f"/cases/{world.case.id}/meetings/{meeting.id}/edit", meeting_data(world, start="11:00"))
    new = respond_token(emails_to("pat@police.example")[-1])
    anonymous = app.test_client()
    assert anonymous.get(f"/meetings/respond?token={old}").status_code == 404
    assert anonymous.get(f"/meetings/respond?token={new}").status_code == 200


def test_answers_are_closed_once_the_meeting_is_cancelled(app, world, coordinator):
    schedule(coordinator, world)
    meeting = only_meeting()
    invite(coordinator, world, meeting, f"user:{world.police_rep.id}")
    token = respond_token(emails_to("pat@police.example")[0])
    post(coordinator, f"/cases/{world.case.id}/meetings/{meeting.id}/cancel", {"reason": "No longer needed"})
    anonymous = app.test_client()
    page = text_of(anonymous.get(f"/meetings/respond?token={token}"))
    assert "it can no longer be answered" in page


def test_victim_participation_not_invited_needs_a_reason(coordinator, world):
    schedule(coordinator, world)
    meeting = only_meeting()
    url = f"/cases/{world.case.id}/meetings/{meeting.id}/victim"
    response = post(coordinator, url, {"kind": "not-invited", "reason_not_invited": "  "})
    assert response.status_code == 400
    assert "Enter the reason the victim is not invited: it must be recorded" in text_of(response)
    response = post(coordinator, url, {"kind": "statement", "statement": "I cannot sleep."})
    assert response.status_code == 302
    page = text_of(coordinator.get(response.location))
    assert "Sending a statement" in page and "I cannot sleep." in page


def test_meetings_list_and_agency_reps_see_only_meetings_their_agency_attends(client, coordinator, world, app):
    schedule(coordinator, world)
    meeting = only_meeting()
    invite(coordinator, world, meeting, f"user:{world.council_rep.id}")
    council = app.test_client()
    login(council, world.council_rep)
    # The council is not involved through incidents: being invited makes the case visible to it.
    assert council.get(f"/cases/{world.case.id}/meetings/{meeting.id}").status_code == 200
    police = app.test_client()
    login(police, world.police_rep)
    assert "No case review meeting has been scheduled" in text_of(police.get(f"/cases/{world.case.id}/meetings"))
    assert police.get(f"/cases/{world.case.id}/meetings/{meeting.id}").status_code == 403
