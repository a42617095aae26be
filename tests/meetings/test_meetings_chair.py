"""The chair's work (issue 16): the minutes of every agenda item on one page, a recommendation made an action in one
step, the chair told in the product when made chair, and how the applicant took part in the meeting."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import login, post, text_of
from tests.documents_helpers import pdf_text
from tests.meetings_helpers import (
    calendar_of,
    emails_to,
    make_case,
    make_world,
    meeting_data,
    minutes_data,
    only_meeting,
    save_minutes,
    schedule,
)
from trigger.extensions import db
from trigger.models import (
    Action,
    AuditEvent,
    MinuteItem,
    MinuteRevision,
    Notification,
    Recommendation,
    Role,
    VictimTookPart,
)

PAST = (date.today() - timedelta(days=2)).isoformat()
DUE = (date.today() + timedelta(days=14)).isoformat()


@pytest.fixture
def world(make_user, make_agency, make_area):
    return make_world(make_user, make_agency, make_area)


def client_for(app, user):
    c = app.test_client()
    login(c, user)
    return c


@pytest.fixture
def held(app, world):
    """A meeting that already happened, chaired by Charles Chair, with the police invited."""
    coordinator = client_for(app, world.coordinator)
    schedule(coordinator, world, day=PAST, recorded_after_the_fact="y")
    meeting = only_meeting()
    post(
        coordinator,
        f"/cases/{world.case.id}/meetings/{meeting.id}/attendees",
        {"invite": [f"user:{world.police_rep.id}"], "action": "invite"},
    )
    return meeting


def items_of(meeting) -> list[MinuteItem]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(MinuteItem).where(MinuteItem.meeting_id == meeting.id).order_by(MinuteItem.position))
    )


def minutes_url(world, meeting) -> str:
    return f"/cases/{world.case.id}/meetings/{meeting.id}/minutes"


# ---- the minutes of every agenda item on one page ------------------------------------------------------------


def test_every_agenda_item_is_written_on_one_page_and_each_item_keeps_its_own_versions(app, world, held):
    chair = client_for(app, world.chair)
    items = items_of(held)
    html = chair.get(minutes_url(world, held)).get_data(as_text=True)
    # One form, a labelled box per agenda item, no page per item.
    assert html.count('<form method="post" action="' + minutes_url(world, held)) == 1
    for number, item in enumerate(items, start=1):
        assert (
            f'<label class="govuk-label govuk-visually-hidden" for="text_{item.id}">'
            f"Minutes of {number}. {item.agenda_title}</label>" in html.replace("&#39;", "'")
        )
    response = save_minutes(
        chair,
        world.case.id,
        held.id,
        {items[0]: ("Everyone introduced themselves.", 0), items[3]: ("The partners discussed the noise.", 0)},
        return_to=str(items[3].id),
    )
    assert response.status_code == 302 and response.location.endswith(f"/minutes#item-{items[3].id}")
    page = text_of(chair.get(response.location))
    assert "The minutes have been saved: “Introductions and the confidentiality statement”, “Discussion”." in page
    revisions = dict(
        db.session.execute(select(MinuteRevision.item_id, func.count()).group_by(MinuteRevision.item_id)).all()
    )
    assert revisions == {items[0].id: 1, items[3].id: 1}  # the items nobody changed have no revision
    # Saving the page again without a change adds nothing.
    response = save_minutes(chair, world.case.id, held.id, {})
    assert "Nothing has changed since the minutes were last saved." in text_of(chair.get(response.location))
    assert db.session.scalar(select(func.count()).select_from(MinuteRevision)) == 2
    events = db.session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "minutes.saved")).all()
    assert sorted(events) == [
        "Saved the minutes of “Discussion” (revision 1)",
        "Saved the minutes of “Introductions and the confidentiality statement” (revision 1)",
    ]


def test_an_item_someone_else_saved_is_left_alone_when_this_person_did_not_change_it(app, world, held):
    items = items_of(held)
    coordinator, chair = client_for(app, world.coordinator), client_for(app, world.chair)
    page_as_chair_saw_it = minutes_data(held.id, {})  # every item at revision 0
    assert (
        save_minutes(coordinator, world.case.id, held.id, {items[1]: ("The victim's statement.", 0)}).status_code == 302
    )
    # The chair's page, built before that save, changes only the first item: no conflict, nothing overwritten.
    page_as_chair_saw_it[f"text_{items[0].id}"] = "Introductions done."
    response = post(chair, minutes_url(world, held), page_as_chair_saw_it)
    assert response.status_code == 302
    texts = dict(db.session.execute(select(MinuteRevision.item_id, MinuteRevision.text)).all())
    assert texts == {items[0].id: "Introductions done.", items[1].id: "The victim's statement."}


def test_a_bad_minutes_form_is_refused_with_the_text_kept(app, world, held):
    items = items_of(held)
    chair = client_for(app, world.chair)
    data = minutes_data(held.id, {items[0]: ("x" * 50001, 0), items[1]: ("Kept text", 0)})
    response = post(chair, minutes_url(world, held), data)
    assert response.status_code == 400
    assert (
        "The minutes of “Introductions and the confidentiality statement” must be 50000 characters or fewer"
        in text_of(response)
    )
    assert "Kept text</textarea>" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MinuteRevision)) == 0


# ---- a recommendation becomes an action in one step ----------------------------------------------------------


def _recommend(client, world, meeting, **extra):
    data = {"agency_id": str(world.police.id), "text": "Patrol Elm Road on Friday nights", **extra}
    assert post(client, f"/cases/{world.case.id}/meetings/{meeting.id}/recommendations", data).status_code == 302
    db.session.expire_all()
    return db.session.scalars(select(Recommendation).order_by(Recommendation.id.desc())).first()


def test_a_recommendation_becomes_a_linked_action_in_one_form(app, world, held):
    chair = client_for(app, world.chair)
    recommendation = _recommend(
        chair,
        world,
        held,
        victim_visible="y",
        restricted="y",
        victim_wording="The police will patrol your road on Friday nights.",
    )
    minutes = chair.get(minutes_url(world, held)).get_data(as_text=True)
    make = f"/cases/{world.case.id}/plan/actions/new?recommendation_id={recommendation.id}"
    assert f'href="{make}">Make this an action' in minutes
    form = chair.get(make)
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and "Make the recommendation an action" in text_of(form)
    # Prefilled: the words, the body it is to, the meeting, who may read it and the applicant's wording.
    assert re.search(r"<textarea[^>]*name=\"description\"[^>]*>\s*Patrol Elm Road on Friday nights</textarea>", html)
    assert f'<option selected value="{world.police.id}">' in html
    assert f'<option selected value="{held.id}">' in html
    assert re.search(r'<input [^>]*checked[^>]*name="restricted"', html)
    assert re.search(r'<input [^>]*checked[^>]*name="victim_visible"', html)
    assert "The police will patrol your road on Friday nights.</textarea>" in html
    assert f'name="recommendation_id" type="hidden" value="{recommendation.id}"' in html

    # One click: the form as it came, with a due date.
    fields = {
        "description": "Patrol Elm Road on Friday nights",
        "owner_agency_id": str(world.police.id),
        "owner_user_id": "",
        "priority": "medium",
        "meeting_id": str(held.id),
        "source_note": "",
        "restricted": "y",
        "victim_visible": "y",
        "victim_wording": "The police will patrol your road on Friday nights.",
        "recommendation_id": str(recommendation.id),
    }
    missing_date = post(chair, make, fields)
    assert missing_date.status_code == 400 and "Enter the due date" in text_of(missing_date)
    assert "Patrol Elm Road on Friday nights</textarea>" in missing_date.get_data(as_text=True)
    response = post(chair, make, {**fields, "due_on": DUE})
    assert response.status_code == 302 and response.location.endswith(minutes_url(world, held) + "#recommendations")
    page = text_of(chair.get(response.location))
    assert "The recommendation to Severn Vale Police is now action 1 on the action plan." in page
    assert "On the action plan as action 1" in page and "Make another action from it" in page
    action = db.session.scalar(select(Action))
    assert (
        action.recommendation_id,
        action.meeting_id,
        action.owner_agency_id,
        action.restricted,
        action.victim_visible,
        action.number,
    ) == (recommendation.id, held.id, world.police.id, True, True, 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.created"))
    assert event.details["recommendation_id"] == recommendation.id and "(from a recommendation)" in event.summary


def test_only_plan_managers_make_actions_and_only_from_the_case_s_own_recommendations(app, world, held, make_area):
    chair = client_for(app, world.chair)
    recommendation = _recommend(chair, world, held)
    make = f"/cases/{world.case.id}/plan/actions/new?recommendation_id={recommendation.id}"
    police = client_for(app, world.police_rep)
    assert "Make this an action" not in text_of(police.get(minutes_url(world, held)))
    assert police.get(make).status_code == 403
    # Another case's plan cannot take this case's recommendation (a forged id), by link or by form.
    other = make_case(make_area("Elsewhere"), [world.police])
    assert chair.get(f"/cases/{other.id}/plan/actions/new?recommendation_id={recommendation.id}").status_code == 404
    forged = post(
        chair,
        f"/cases/{other.id}/plan/actions/new",
        {
            "description": "x",
            "owner_agency_id": str(world.police.id),
            "priority": "low",
            "due_on": DUE,
            "recommendation_id": str(recommendation.id),
        },
    )
    assert forged.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Action)) == 0


# ---- the chair is told when made chair -------------------------------------------------------------------------


def test_the_chair_is_told_in_the_product_and_by_email_when_made_chair_and_the_replaced_chair_too(app, world):
    coordinator = client_for(app, world.coordinator)
    schedule(coordinator, world)
    meeting = only_meeting()
    link = f"/cases/{world.case.id}/meetings/{meeting.id}"
    (note,) = db.session.scalars(select(Notification).where(Notification.user_id == world.chair.id)).all()
    assert note.link == link
    assert note.subject == f"You are the chair of the initial case review meeting for case {world.case.reference}"
    chair = client_for(app, world.chair)
    assert "Notifications (1)" in text_of(chair.get("/notifications"))
    assert f'href="{link}"' in chair.get("/notifications").get_data(as_text=True)
    told = [m for m in emails_to("chair@example.org") if m.subject.startswith("You are the chair")]
    assert len(told) == 1 and "Sign in to Trigger to see it: " in told[0].body
    assert told[0].body.rstrip().endswith(link)

    # Another chair takes over: both are told.
    response = post(coordinator, f"{link}/edit", meeting_data(world, chair_id=str(world.other_chair.id)))
    assert response.status_code == 302
    new = db.session.scalars(select(Notification).where(Notification.user_id == world.other_chair.id)).all()
    assert [n.subject for n in new] == [
        f"You are the chair of the initial case review meeting for case {world.case.reference}"
    ]
    old = db.session.scalars(
        select(Notification).where(Notification.user_id == world.chair.id).order_by(Notification.id)
    ).all()
    assert old[-1].subject == (
        f"You are no longer the chair of the initial case review meeting for case {world.case.reference}"
    )
    assert "Olive Otherchair is now the chair" in old[-1].body
    # Calendars: the replaced chair's invitation is cancelled (same UID, the next sequence), in one email that says
    # the meeting goes ahead with someone else; the new chair is invited, not sent an "update" of nothing.
    original = next(m for m in emails_to("chair@example.org") if m.subject.startswith("Invitation:"))
    uid = str(calendar_of(original).walk("VEVENT")[0]["UID"])
    replaced = emails_to("chair@example.org")[-1]
    assert replaced.subject.startswith("You are no longer the chair: ")
    assert "Olive Otherchair is. The meeting still goes ahead" in replaced.body
    assert "takes it out of your calendar" in replaced.body and "has been cancelled" not in replaced.body
    calendar = calendar_of(replaced)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "CANCEL" and (str(event["UID"]), event.decoded("SEQUENCE")) == (uid, 1)
    assert len([m for m in emails_to("chair@example.org") if "no longer the chair" in m.subject]) == 1
    (invited,) = [m for m in emails_to(world.other_chair.email) if m.attachments]
    assert invited.subject.startswith("Invitation:") and "Chair: Olive Otherchair" in invited.body
    calendar = calendar_of(invited)
    assert str(calendar["METHOD"]) == "REQUEST" and str(calendar.walk("VEVENT")[0]["UID"]) == uid
    # Changing only the place tells nobody again.
    post(coordinator, f"{link}/edit", meeting_data(world, chair_id=str(world.other_chair.id), place="Room 3"))
    assert (
        db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.subject.like("You are%chair%"))
        )
        == 3
    )


def test_a_replaced_chair_still_invited_as_an_attendee_keeps_the_meeting_in_their_calendar(app, world):
    # The chair's invitation and an attendee's are the same calendar event: a cancellation would take it out for both.
    coordinator = client_for(app, world.coordinator)
    schedule(coordinator, world)
    link = f"/cases/{world.case.id}/meetings/{only_meeting().id}"
    person = {"kind": "observer", "name": "Charles Chair", "email": "CHAIR@example.org", "action": "person"}
    assert post(coordinator, f"{link}/attendees", person).status_code == 302
    sent = len(emails_to("chair@example.org"))
    assert post(coordinator, f"{link}/edit", meeting_data(world, chair_id=str(world.other_chair.id))).status_code == 302
    new = emails_to("chair@example.org")[sent:]
    calendars = [str(calendar_of(m)["METHOD"]) for m in new if m.attachments]
    assert calendars == ["REQUEST"]  # the attendee's update keeps the event; no cancellation
    told = [m.subject for m in new if not m.attachments]  # told by the product's own email instead
    assert told == [f"You are no longer the chair of the initial case review meeting for case {world.case.reference}"]


# ---- how the applicant took part ------------------------------------------------------------------------------


def test_the_chair_records_how_the_applicant_took_part_shown_on_the_meeting_and_in_the_minutes(app, world, held):
    chair = client_for(app, world.chair)
    meeting_url = f"/cases/{world.case.id}/meetings/{held.id}"
    assert "Record how the applicant took part" in text_of(chair.get(meeting_url))
    bad = post(chair, meeting_url + "/took-part", {"took_part": "", "note": "Kept note"})
    assert bad.status_code == 400 and "Choose how the applicant took part" in text_of(bad)
    assert "Kept note</textarea>" in bad.get_data(as_text=True)
    response = post(
        chair,
        meeting_url + "/took-part",
        {"took_part": VictimTookPart.PHONE_OR_VIDEO.value, "note": "Joined by video for the first part."},
    )
    assert response.status_code == 302
    page = text_of(chair.get(response.location))
    assert "How the applicant took part has been recorded." in page
    assert "How they took part Attended by phone or video" in page and "Joined by video for the first part." in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.victim_took_part"))
    assert event.summary == "Recorded how the applicant took part: attended by phone or video"
    assert event.actor_id == world.chair.id
    # In the full minutes for the agencies.
    pdf = chair.get(f"/cases/{world.case.id}/documents/preview?kind=minutes-full&meeting={held.id}")
    assert pdf.mimetype == "application/pdf"
    assert "How the applicant took part: Attended by phone or video. Joined by video for the first part." in pdf_text(
        pdf.data
    )
    # The agencies read it; they cannot change it.
    police = client_for(app, world.police_rep)
    assert "Attended by phone or video" in text_of(police.get(meeting_url))
    assert police.get(meeting_url + "/took-part").status_code == 403


def test_how_the_applicant_took_part_waits_until_the_meeting_has_started(app, world):
    coordinator = client_for(app, world.coordinator)
    schedule(coordinator, world)
    meeting = only_meeting()
    chair = client_for(app, world.chair)
    url = f"/cases/{world.case.id}/meetings/{meeting.id}/took-part"
    assert "This is recorded once the meeting has started." in text_of(chair.get(url[: -len("/took-part")]))
    response = post(chair, url, {"took_part": VictimTookPart.IN_PERSON.value})
    assert response.status_code == 400
    assert "How the applicant took part can be recorded once the meeting has started" in text_of(response)
    assert only_meeting().victim_took_part is None


def test_roles_that_may_not_edit_minutes_cannot_record_it(app, world, held, make_user):
    viewer = client_for(app, make_user(Role.VIEWER, name="Val Viewer"))
    assert viewer.get(f"/cases/{world.case.id}/meetings/{held.id}/took-part").status_code == 403
