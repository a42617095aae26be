"""The attendee list and the invitations as a coordinator uses them: the agencies this case involves proposed and
ticked (not every council in the county), the applicant emailed only when the coordinator sends the invitations,
in the victim's own wording, and a meeting that turns out to have happened earlier recorded from the change form.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import login, post, text_of
from tests.meetings_helpers import emails_to, make_world, meeting_data, only_meeting, schedule
from trigger.extensions import db
from trigger.models import AgencyType, AuditEvent, MeetingStatus, Notification, Role


@pytest.fixture
def world(make_user, make_agency, make_area):
    world = make_world(make_user, make_agency, make_area)
    # The council of the case's own area, and a council of another district of the same county.
    world.area_council = make_agency("Severn Vale District Council", AgencyType.COUNCIL)
    world.area_council_rep = make_user(
        Role.AGENCY_REP, agency=world.area_council, name="Ada Areacouncil", email="ada@severnvale.example"
    )
    # A council whose name merely contains the area's name is another district's.
    world.north_council_rep = make_user(
        Role.AGENCY_REP,
        agency=make_agency("North Severn Vale District Council", AgencyType.COUNCIL),
        name="Nora North",
        email="nora@northsevernvale.example",
    )
    world.other_council_rep = make_user(
        Role.AGENCY_REP,
        agency=make_agency("Otherford District Council", AgencyType.COUNCIL),
        name="Oscar Otherford",
        email="oscar@otherford.example",
    )
    return world


@pytest.fixture
def coordinator(client, world):
    login(client, world.coordinator)
    return client


def attendees_url(world, meeting) -> str:
    return f"/cases/{world.case.id}/meetings/{meeting.id}/attendees"


def checkbox(html: str, label: str) -> str:
    """The <input> of the checkbox labelled ``label``."""
    match = re.search(r'<input[^>]*id="([^"]+)"[^>]*>\s*<label[^>]*>\s*' + re.escape(label), html)
    assert match, label
    return match.group(0)


def test_the_agencies_this_case_involves_are_proposed_and_ticked_others_stay_addable(coordinator, world):
    schedule(coordinator, world)
    meeting = only_meeting()
    response = coordinator.get(attendees_url(world, meeting))
    html, page = response.get_data(as_text=True), text_of(response)
    proposed, others = page.split("Invite another agency")[0], page.split("Invite another agency")[1]
    # Reported to the police; the council of the case's own area: proposed, with why, and ticked.
    assert "PC Pat Rep" in proposed and "Proposed because incidents were reported to it." in proposed
    assert "Ada Areacouncil" in proposed and "Proposed because it is the council for this area." in proposed
    assert " checked" in checkbox(html, "PC Pat Rep") and " checked" in checkbox(html, "Ada Areacouncil")
    # Every other council in the county, and the other partners, can still be added, unticked.
    for name in ("Oscar Otherford", "Nora North", "Cath Council", "Yusuf Youth"):
        assert name not in proposed and name in others
        assert " checked" not in checkbox(html, name)
    assert "Old Homes is inactive and cannot be invited" in proposed  # reported to, but inactive: explained

    response = post(
        coordinator,
        attendees_url(world, meeting),
        {"invite": [f"user:{world.police_rep.id}", f"user:{world.other_council_rep.id}"], "action": "invite"},
    )
    assert response.status_code == 302
    assert len(emails_to("pat@police.example")) == 1 and len(emails_to("oscar@otherford.example")) == 1
    # Once invited, an agency's people are no longer ticked (and cannot be invited twice).
    html = coordinator.get(attendees_url(world, meeting)).get_data(as_text=True)
    assert " disabled" in checkbox(html, "PC Pat Rep (already invited)")
    # An agency invited once is involved in the case: proposed at its next meeting.
    schedule(coordinator, world, day=(date.today() + timedelta(days=60)).isoformat())
    later = max(db.session.scalars(db.select(type(meeting))), key=lambda m: m.id)
    page = text_of(coordinator.get(attendees_url(world, later)))
    assert "Oscar Otherford" in page.split("Invite another agency")[0]
    assert "it was invited to a meeting on this case" in page


def test_the_applicant_is_emailed_only_when_the_coordinator_sends_the_invitations(coordinator, world):
    schedule(coordinator, world)
    meeting = only_meeting()
    url = attendees_url(world, meeting)
    response = post(
        coordinator,
        url,
        {"kind": "applicant", "name": "Jane Applicant", "email": "jane@example.org", "action": "person"},
    )
    assert response.status_code == 302
    response = coordinator.get(response.location)
    page = text_of(response)
    assert 'value="send"' in response.get_data(as_text=True)
    assert "Added to the attendee list: Jane Applicant. Nothing has been sent to them yet" in page
    assert "Not sent yet" in page and "Not sent the invitation yet: Jane Applicant." in page
    assert emails_to("jane@example.org") == []

    # Moving the meeting before the invitation went out sends her nothing either: she gets the new time later.
    post(
        coordinator,
        f"/cases/{world.case.id}/meetings/{meeting.id}/edit",
        meeting_data(world, start="14:00", end="15:30"),
    )
    assert emails_to("jane@example.org") == []

    response = post(coordinator, url, {"action": "send"})
    assert response.status_code == 302
    assert "The invitation has been emailed to Jane Applicant." in text_of(coordinator.get(response.location))
    (invitation,) = emails_to("jane@example.org")
    assert invitation.subject == f"You are invited to the meeting about your ASB Case Review ({world.case.reference})"
    body = invitation.body
    assert "Dear Jane Applicant," in body and "2:00pm to 3:30pm" in body and "Council House, Room 2" in body
    # Every way she can take part, in plain English.
    for way in (
        "come to the meeting in person",
        "take part by phone or online",
        "write down what you want the meeting to know: we will read it out at the meeting",
        "ask someone to speak for you, such as a friend, a relative, a local councillor, your MP or a "
        "support worker (an advocate)",
    ):
        assert way in " ".join(body.split()), way
    assert "The meeting is not a court. You do not need to prepare anything." in " ".join(body.split())
    # Not the agencies' wording: no answer link, no case jargon, nobody else's name.
    for jargon in (
        "/meetings/respond",
        "confidential case information",
        "Chair:",
        "case review meeting:",
        "PC Pat Rep",
        "Charles Chair",
    ):
        assert jargon not in body, jargon
    response = coordinator.get(url)
    assert "Not sent the invitation yet" not in text_of(response) and "Not sent yet" not in text_of(response)
    assert 'value="send"' not in response.get_data(as_text=True)  # no button left to press

    # Nobody left to send to: said plainly, nothing sent twice.
    response = post(coordinator, url, {"action": "send"})
    assert "already been sent the invitation" in text_of(coordinator.get(response.location))
    assert len(emails_to("jane@example.org")) == 1

    # Now that she has it, a change of time reaches her, in her wording, and a cancellation gives no reason.
    post(
        coordinator,
        f"/cases/{world.case.id}/meetings/{meeting.id}/edit",
        meeting_data(world, start="11:00", end="12:00"),
    )
    assert emails_to("jane@example.org")[-1].subject.startswith("Changed: the meeting about your ASB Case Review")
    post(coordinator, f"/cases/{world.case.id}/meetings/{meeting.id}/cancel", {"reason": "The chair is unwell"})
    cancelled = emails_to("jane@example.org")[-1]
    assert cancelled.subject.startswith("Cancelled: the meeting about your ASB Case Review")
    assert "We will contact you about what happens next." in cancelled.body
    assert "unwell" not in cancelled.body


def test_moving_a_meeting_earlier_than_booked_is_recorded_from_the_change_form(coordinator, world):
    schedule(coordinator, world)
    meeting = only_meeting()
    post(coordinator, attendees_url(world, meeting), {"invite": [f"user:{world.police_rep.id}"], "action": "invite"})
    edit = f"/cases/{world.case.id}/meetings/{meeting.id}/edit"
    yesterday = (date.today() - timedelta(days=1)).isoformat()

    refused = post(coordinator, edit, meeting_data(world, day=yesterday))
    assert refused.status_code == 400
    page = text_of(refused)
    assert "tick “I am recording a meeting that already happened”" in page
    # The box the message asks for is on this form: no dead end.
    assert re.search(r'<input[^>]*name="recorded_after_the_fact"', refused.get_data(as_text=True))
    assert only_meeting().status is MeetingStatus.SCHEDULED

    sent_before = len(emails_to("pat@police.example"))
    chairs_sent_before = len(emails_to("chair@example.org")) + len(emails_to(world.other_chair.email))
    # It happened yesterday, and another chair took it: the chair who did is told in the product (they approve the
    # minutes), and so is the chair booked; the meeting is over, so nobody is emailed.
    held_with = meeting_data(world, day=yesterday, recorded_after_the_fact="y", chair_id=str(world.other_chair.id))
    response = post(coordinator, edit, held_with)
    assert response.status_code == 302
    assert "The meeting is recorded as held on" in text_of(coordinator.get(response.location))
    meeting = only_meeting()
    assert meeting.status is MeetingStatus.HELD and meeting.recorded_after_the_fact
    assert meeting.starts_at.date() == date.today() - timedelta(days=1)
    assert meeting.chair_id == world.other_chair.id
    assert len(emails_to("pat@police.example")) == sent_before  # the meeting is over: no update is sent
    assert len(emails_to("chair@example.org")) + len(emails_to(world.other_chair.email)) == chairs_sent_before
    told = db.session.scalars(select(Notification.subject).where(Notification.user_id == world.other_chair.id))
    assert list(told) == [f"You are the chair of the initial case review meeting for case {world.case.reference}"]
    told = db.session.scalars(select(Notification.subject).where(Notification.user_id == world.chair.id))
    assert f"You are no longer the chair of the initial case review meeting for case {world.case.reference}" in told
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "meeting.rescheduled")).all()[-1]
    assert "chair_id" in event.details["changes"]

    # A date still in the future with the box ticked is refused, with the reason.
    schedule(coordinator, world, day=(date.today() + timedelta(days=9)).isoformat())
    later = max(db.session.scalars(db.select(type(meeting))), key=lambda m: m.id)
    refused = post(
        coordinator,
        f"/cases/{world.case.id}/meetings/{later.id}/edit",
        meeting_data(world, recorded_after_the_fact="y"),
    )
    assert refused.status_code == 400
    assert "A meeting that already happened must have a date and start time in the past" in text_of(refused)
