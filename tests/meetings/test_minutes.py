"""Minutes: every agenda item on one page, each revisioned on its own, stale saves refused (also when two requests
race on PostgreSQL), attendance, recommendations, the chair's approval and corrections, and who may see and edit
them."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_from, login, post, text_of
from tests.meetings_helpers import make_world, minutes_data, only_meeting, save_minutes, schedule
from trigger.extensions import db
from trigger.meetings import services
from trigger.models import AttendeeStatus, MinuteItem, MinuteRevision, Recommendation

PAST = (date.today() - timedelta(days=2)).isoformat()


@pytest.fixture
def world(make_user, make_agency, make_area):
    return make_world(make_user, make_agency, make_area)


@pytest.fixture
def held(app, client, world):
    """A meeting that already happened, with the police invited; the coordinator is signed in on `client`."""
    login(client, world.coordinator)
    schedule(client, world, day=PAST, recorded_after_the_fact="y")
    meeting = only_meeting()
    post(
        client,
        f"/cases/{world.case.id}/meetings/{meeting.id}/attendees",
        {"invite": [f"user:{world.police_rep.id}"], "action": "invite"},
    )
    return meeting


def first_item(meeting) -> MinuteItem:
    return db.session.scalar(
        select(MinuteItem).where(MinuteItem.meeting_id == meeting.id).order_by(MinuteItem.position)
    )


def minutes_url(world, meeting) -> str:
    return f"/cases/{world.case.id}/meetings/{meeting.id}/minutes"


def history_url(world, meeting, item) -> str:
    return f"{minutes_url(world, meeting)}/{item.id}/history"


def save(client, world, meeting, item, text, base, **extra):
    """Save one item's text through the minutes page (the other items sent back unchanged)."""
    return save_minutes(client, world.case.id, meeting.id, {item: (text, base)}, **extra)


def client_for(app, user):
    c = app.test_client()
    login(c, user)
    return c


def test_every_save_is_a_new_revision_and_a_stale_save_is_refused_keeping_both_texts(app, client, world, held):
    item = first_item(held)
    second_item = db.session.scalars(
        select(MinuteItem).where(MinuteItem.meeting_id == held.id).order_by(MinuteItem.position)
    ).all()[1]
    assert save(client, world, held, item, "Everyone introduced themselves.", 0).status_code == 302
    chair = client_for(app, world.chair)
    # The chair opens the minutes page at revision 1 of the first item ...
    page = chair.get(minutes_url(world, held)).get_data(True)
    assert f'name="base_{item.id}" type="hidden" value="1"' in page
    # ... the coordinator saves revision 2 meanwhile ...
    second = "Everyone introduced themselves. Confidentiality read."
    assert save(client, world, held, item, second, 1).status_code == 302
    # ... so the chair's save based on revision 1 is refused, showing both versions, keeping the chair's text:
    # of both items the chair changed (nothing on the page is half saved).
    response = save_minutes(
        chair,
        world.case.id,
        held.id,
        {item: ("Chair's own wording of the introductions.", 1), second_item: ("The victim's account, read out.", 0)},
    )
    assert response.status_code == 409
    page = text_of(response)
    assert (
        "Someone else saved “Introductions and the confidentiality statement” while you were editing it. "
        "Nothing on this page has been saved yet"
    ) in page
    assert "The version saved meanwhile (revision 2, saved by Cora Coordinator" in page
    assert "Everyone introduced themselves. Confidentiality read." in page
    html = response.get_data(as_text=True)
    assert re.search(r"<textarea[^>]*>\s*Chair&#39;s own wording of the introductions.</textarea>", html)
    assert re.search(r"<textarea[^>]*>\s*The victim&#39;s account, read out.</textarea>", html)
    assert f'name="base_{item.id}" type="hidden" value="2"' in html  # saving again builds on what they saw
    assert (
        db.session.scalar(
            select(func.count()).select_from(MinuteRevision).where(MinuteRevision.item_id == second_item.id)
        )
        == 0
    )
    response = save_minutes(
        chair,
        world.case.id,
        held.id,
        {item: ("Merged wording.", 2), second_item: ("The victim's account, read out.", 0)},
    )
    assert response.status_code == 302
    assert (
        "The minutes have been saved: “Introductions and the confidentiality statement”, “The victim's voice”."
        in text_of(chair.get(response.location))
    )
    revisions = db.session.scalars(
        select(MinuteRevision.text).where(MinuteRevision.item_id == item.id).order_by(MinuteRevision.number)
    ).all()
    assert revisions == [
        "Everyone introduced themselves.",
        "Everyone introduced themselves. Confidentiality read.",
        "Merged wording.",
    ]
    history = text_of(client.get(history_url(world, held, item)))
    assert "Revision 3 (current)" in history and "Revision 1" in history


def test_two_simultaneous_saves_of_the_same_revision_only_one_wins(app, world, held, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has a single writer: concurrent saves cannot interleave there")
    item = first_item(held)
    clients = [client_for(app, world.coordinator), client_for(app, world.chair)]
    tokens = [csrf_from(c, minutes_url(world, held)) for c in clients]
    # Both requests read the current revision number before either inserts: the worst interleaving.
    barrier = threading.Barrier(2, timeout=10)
    original = services._current_number

    def racing_current_number(it):
        number = original(it)
        barrier.wait()
        return number

    monkeypatch.setattr(services, "_current_number", racing_current_number)
    results = [None, None]
    # Built here: the threads have no application context (nor database session) of their own.
    forms = [minutes_data(held.id, {item: (f"Version from writer {n}", 0)}, csrf_token=tokens[n]) for n in range(2)]
    url = minutes_url(world, held)

    def submit(n):
        results[n] = clients[n].post(url, data=forms[n])

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [302, 409]
    loser = next(r for r in results if r.status_code == 409)
    assert "while you were editing it. Nothing on this page has been saved yet" in text_of(loser)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(MinuteRevision)) == 1


def test_attendance_in_one_screen(app, client, world, held, make_user):
    url = f"/cases/{world.case.id}/meetings/{held.id}/attendance"
    post(
        client,
        f"/cases/{world.case.id}/meetings/{held.id}/attendees",
        {"kind": "observer", "name": "Olga Observer", "action": "person"},
    )
    page = text_of(client.get(url))
    assert "Who is here?" in page and "PC Pat Rep" in page and "Olga Observer" in page
    meeting = services.load_meeting(held.id)
    rep, observer = meeting.attendees
    response = post(client, url, {f"status_{rep.id}": "attended"})
    assert response.status_code == 400 and "Choose whether Olga Observer attended" in text_of(response)
    response = post(client, url, {f"status_{rep.id}": "attended", f"status_{observer.id}": "apologies"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [a.status for a in services.load_meeting(held.id).attendees] == [
        AttendeeStatus.ATTENDED,
        AttendeeStatus.APOLOGIES,
    ]


def test_a_future_meeting_cannot_have_its_attendance_taken(client, world):
    login(client, world.coordinator)
    schedule(client, world)
    meeting = only_meeting()
    response = post(client, f"/cases/{world.case.id}/meetings/{meeting.id}/attendance", {})
    assert response.status_code == 400 and "Attendance can be taken once the meeting has started" in text_of(response)


def test_approval_locks_the_minutes_and_a_correction_is_a_visible_revision(app, client, world, held):
    item = first_item(held)
    save(client, world, held, item, "Draft text.", 0)
    rec = post(
        client,
        f"/cases/{world.case.id}/meetings/{held.id}/recommendations",
        {"agency_id": str(world.police.id), "text": "Patrol Elm Road on Friday nights"},
    )
    assert rec.status_code == 302
    minutes_url = f"/cases/{world.case.id}/meetings/{held.id}/minutes"
    # The coordinator cannot approve; another chair cannot approve; the meeting's chair can.
    assert post(client, minutes_url + "/approve", token_from=minutes_url).status_code == 403
    other = client_for(app, world.other_chair)
    assert "Approve the minutes" not in text_of(other.get(minutes_url))
    assert post(other, minutes_url + "/approve", token_from=minutes_url).status_code == 403
    chair = client_for(app, world.chair)
    # "Approve the minutes" asks first: nothing is approved until the chair confirms.
    assert f'href="{minutes_url}/approve">Approve the minutes</a>' in chair.get(minutes_url).get_data(as_text=True)
    confirm = text_of(chair.get(minutes_url + "/approve"))
    assert "Are you sure you want to approve the minutes" in confirm and "Yes, approve the minutes" in confirm
    assert "Draft" in text_of(chair.get(minutes_url))
    response = post(chair, minutes_url + "/approve", token_from=minutes_url + "/approve")
    assert response.status_code == 302
    page = text_of(chair.get(response.location))
    assert "The minutes have been approved. They are now locked" in page and "Approved by Charles Chair" in page
    # Locked: a save without a reason is refused; recommendations can no longer be added.
    response = save(client, world, held, item, "Changed after approval.", 1)
    assert response.status_code == 400
    assert "The minutes have been approved: enter the reason for this correction" in text_of(response)
    response = post(
        client,
        f"/cases/{world.case.id}/meetings/{held.id}/recommendations",
        {"agency_id": str(world.police.id), "text": "Another"},
    )
    assert response.status_code == 400 and "recommendations can no longer be added" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(Recommendation)) == 1
    # A correction with a reason is a new, visible revision.
    response = save(client, world, held, item, "Corrected text.", 1, reason="The date of the incident was wrong")
    assert response.status_code == 302
    page = text_of(client.get(minutes_url))
    assert "Corrected text." in page and "correction after approval (The date of the incident was wrong)" in page
    history = text_of(client.get(history_url(world, held, item)))
    assert "Correction after approval" in history and "Draft text." in history


def test_minutes_cannot_be_approved_before_the_meeting_is_held(app, client, world):
    login(client, world.coordinator)
    schedule(client, world)
    meeting = only_meeting()
    chair = client_for(app, world.chair)
    minutes_url = f"/cases/{world.case.id}/meetings/{meeting.id}/minutes"
    assert "can be approved once the meeting has been held" in text_of(chair.get(minutes_url))
    response = post(chair, minutes_url + "/approve", token_from=minutes_url)
    assert "can be approved once the meeting has been held" in text_of(chair.get(response.location))


def test_who_may_see_and_edit_the_minutes(app, client, world, held, make_user):
    item = first_item(held)
    save(client, world, held, item, "Confidential discussion.", 0)
    minutes_url = f"/cases/{world.case.id}/meetings/{held.id}/minutes"

    # The invited agency's representative reads the minutes, marked OFFICIAL-SENSITIVE, but cannot edit them.
    police = client_for(app, world.police_rep)
    response = police.get(minutes_url)
    page = text_of(response)
    assert "OFFICIAL-SENSITIVE" in page and "Confidential discussion." in page
    assert "<textarea" not in response.get_data(as_text=True) and "Save the minutes" not in page
    assert (
        police.post(
            minutes_url, data=minutes_data(held.id, {item: ("x", 1)}, csrf_token=csrf_from(police, minutes_url))
        ).status_code
        == 403
    )
    # A representative of an agency that is not on the attendee list is refused.
    youth = client_for(app, world.youth_rep)
    assert youth.get(minutes_url).status_code == 403
    assert youth.get(f"/cases/{world.case.id}/meetings/{held.id}").status_code == 403
    # Viewers read; PCC reviewers only see escalated cases.
    viewer = client_for(app, world.viewer)
    assert "Confidential discussion." in text_of(viewer.get(minutes_url))
    assert (
        viewer.post(
            minutes_url, data=minutes_data(held.id, {item: ("x", 1)}, csrf_token=csrf_from(viewer, minutes_url))
        ).status_code
        == 403
    )
    assert client_for(app, world.pcc).get(minutes_url).status_code == 403
    # The chair edits.
    chair = client_for(app, world.chair)
    assert save(chair, world, held, item, "Chair's edit.", 1).status_code == 302
    # The applicant has no account and is never sent the minutes: no email carries them.
    from trigger.models import OutboxMessage

    assert not [m for m in db.session.scalars(select(OutboxMessage)) if "Confidential discussion" in m.body]


def test_a_meeting_of_another_case_is_404(app, client, world, held, make_area):
    from tests.meetings_helpers import make_case

    other = make_case(make_area("Elsewhere"), [])
    assert client.get(f"/cases/{other.id}/meetings/{held.id}").status_code == 404
    assert client.get(f"/cases/{world.case.id}/meetings/99999").status_code == 404


def test_the_agenda_template_is_edited_by_administrators_and_audited(app, admin_client, world):
    page = text_of(admin_client.get("/admin/agenda"))
    assert "Introductions and the confidentiality statement" in page
    response = post(admin_client, "/admin/agenda", {"items": "Welcome\n\n  The victim's voice \nActions"})
    assert response.status_code == 302
    assert "The agenda has been saved" in text_of(admin_client.get(response.location))
    from trigger.models import AuditEvent

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agenda.updated"))
    assert event.details["after"] == ["Welcome", "The victim's voice", "Actions"]
    coordinator = client_for(app, world.coordinator)
    schedule(coordinator, world)
    meeting = only_meeting()
    titles = db.session.scalars(
        select(MinuteItem.agenda_title).where(MinuteItem.meeting_id == meeting.id).order_by(MinuteItem.position)
    ).all()
    assert titles == ["Welcome", "The victim's voice", "Actions"]
    assert post(admin_client, "/admin/agenda", {"items": "  \n "}).status_code == 400
    assert coordinator.get("/admin/agenda").status_code == 403
