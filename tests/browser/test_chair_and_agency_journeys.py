"""The chair's and an agency representative's days (issue 16), in a real browser at desktop size and on a phone
(390 x 844): axe on every page, and on every page at phone size nothing scrolls sideways.

The chair: told in the product they chair a meeting, My meetings, the minutes of every agenda item on one page, a
recommendation made an action in one step, how the applicant took part, approving the minutes.
The agency representative: My meetings, answering an invitation, My actions, an update, the case's documents.
Set-up goes through the product's own forms (test client); the journeys are clicks and typing only.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import assert_accessible
from tests.conftest import TEST_PASSWORD, login, post
from tests.meetings_helpers import make_world, meeting_data
from trigger.extensions import db
from trigger.models import Action, ActionStatus, Attendee, AttendeeStatus, Meeting, MinuteRevision, VictimTookPart

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1200, "height": 900}
SIZES = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])


def _text(page) -> str:
    return re.sub(r"\s+", " ", page.inner_text("main"))


def _check(page, viewport) -> None:
    """axe on the page; on a phone, nothing wider than the screen."""
    page.wait_for_load_state("load")
    assert_accessible(page)
    if viewport is PHONE:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px screen"


def _banner(page) -> str:
    banner = page.locator(".govuk-notification-banner--success")
    banner.first.wait_for()
    return re.sub(r"\s+", " ", " ".join(banner.all_inner_texts()))


def _sign_in(page, base: str, user, viewport) -> None:
    page.goto(base + "/login")
    _check(page, viewport)
    page.fill("#email", user.email)
    page.fill("#password", TEST_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: not url.endswith("/login"))
    _check(page, viewport)


def _context(browser, viewport):
    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _menu(page, name: str) -> None:
    """Follow a link of the service navigation (behind its "Menu" button on a phone)."""
    navigation = page.locator(".govuk-service-navigation")
    link = navigation.get_by_role("link", name=name)
    if not link.first.is_visible():
        navigation.locator(".govuk-service-navigation__toggle").click()
    link.first.click()


@SIZES
def test_the_chair_s_day(app, live_server, browser, client, make_user, make_agency, make_area, viewport):
    world = make_world(make_user, make_agency, make_area)
    login(client, world.coordinator)
    # A meeting that took place two days ago (recorded afterwards), the police and the council invited.
    post(
        client,
        f"/cases/{world.case.id}/meetings/new",
        meeting_data(world, day=(date.today() - timedelta(days=2)).isoformat(), recorded_after_the_fact="y"),
    )
    meeting = db.session.scalar(select(Meeting))
    post(
        client,
        f"/cases/{world.case.id}/meetings/{meeting.id}/attendees",
        {"invite": [f"user:{world.police_rep.id}", f"user:{world.council_rep.id}"], "action": "invite"},
    )

    context, page = _context(browser, viewport)
    try:
        _sign_in(page, live_server, world.chair, viewport)
        # Told in the product: the notification links to the meeting.
        _menu(page, re.compile(r"Notifications \(1\)"))
        _check(page, viewport)
        assert f"You are the chair of the initial case review meeting for case {world.case.reference}" in _text(page)
        # My meetings lists it, as the chair's.
        _menu(page, "My meetings")
        _check(page, viewport)
        assert "The chair" in _text(page)
        page.get_by_role("link", name=re.compile(re.escape(world.case.reference))).first.click()
        _check(page, viewport)

        # The minutes of every agenda item, on one page.
        page.get_by_role("link", name="Minutes and recommendations").click()
        _check(page, viewport)
        page.get_by_label("Minutes of 1. Introductions and the confidentiality statement").fill(
            "Everyone introduced themselves; the confidentiality statement was read."
        )
        page.get_by_label("Minutes of 4. Discussion").fill("The partners agreed the noise comes from one flat.")
        # Any item's button saves every item changed; this one brings the page back to "Discussion".
        page.locator("section", has=page.get_by_label("Minutes of 4. Discussion")).get_by_role(
            "button", name="Save the minutes"
        ).click()
        assert (
            "The minutes have been saved: “Introductions and the confidentiality statement”, “Discussion”."
            in _banner(page)
        )
        _check(page, viewport)
        assert (
            page.get_by_label("Minutes of 4. Discussion").input_value()
            == "The partners agreed the noise comes from one flat."
        )

        # A recommendation, then "Make this an action": one form, prefilled, one click.
        page.get_by_role("link", name="Add a recommendation").click()
        _check(page, viewport)
        page.get_by_label("To which body?").select_option(label="Severn Vale Police")
        page.get_by_label("Recommendation", exact=True).fill("Patrol Elm Road on Friday nights")
        page.get_by_role("button", name="Add the recommendation").click()
        _check(page, viewport)
        page.get_by_role("link", name=re.compile("Make this an action")).click()
        _check(page, viewport)
        assert page.get_by_label("What the agency will do").input_value() == "Patrol Elm Road on Friday nights"
        page.locator("#due_on").fill((date.today() + timedelta(days=14)).isoformat())
        page.get_by_role("button", name="Add the action to the plan").click()
        assert "The recommendation to Severn Vale Police is now action 1 on the action plan." in _banner(page)
        _check(page, viewport)
        assert "On the action plan as action 1." in _text(page)

        # How the applicant took part.
        page.get_by_role("link", name="Record how the applicant took part").click()
        _check(page, viewport)
        page.get_by_label("Attended by phone or video").check()
        page.get_by_label("Note (optional)").fill("Joined by video for the first part.")
        page.get_by_role("button", name="Save").click()
        assert "How the applicant took part has been recorded." in _banner(page)
        _check(page, viewport)

        # Approve, after confirming.
        page.get_by_role("link", name="Minutes and recommendations").click()
        page.get_by_role("button", name="Approve the minutes").click()
        _check(page, viewport)
        page.get_by_role("button", name="Yes, approve the minutes").click()
        assert "The minutes have been approved" in _banner(page)
        _check(page, viewport)
        page.goto(f"{live_server}/cases/{world.case.id}/plan")
        _check(page, viewport)
        assert "Action 1 Patrol Elm Road on Friday nights" in _text(page)
    finally:
        context.close()

    db.session.remove()
    meeting = db.session.scalar(select(Meeting))
    assert meeting.victim_took_part is VictimTookPart.PHONE_OR_VIDEO
    assert len(db.session.scalars(select(MinuteRevision)).all()) == 2
    action = db.session.scalar(select(Action))
    assert action.recommendation_id is not None and action.number == 1


@SIZES
def test_an_agency_representative_s_day(app, live_server, browser, client, make_user, make_agency, make_area, viewport):
    world = make_world(make_user, make_agency, make_area)
    login(client, world.coordinator)
    post(client, f"/cases/{world.case.id}/meetings/new", meeting_data(world))  # in a month
    meeting = db.session.scalar(select(Meeting))
    post(
        client,
        f"/cases/{world.case.id}/meetings/{meeting.id}/attendees",
        {"invite": [f"user:{world.police_rep.id}"], "action": "invite"},
    )
    for description, days in (("Visit the flat weekly", 10), ("Check the CCTV on Elm Road", 5)):
        post(
            client,
            f"/cases/{world.case.id}/plan/actions/new",
            {
                "description": description,
                "owner_agency_id": str(world.police.id),
                "owner_user_id": "",
                "priority": "medium",
                "due_on": (date.today() + timedelta(days=days)).isoformat(),
            },
        )

    context, page = _context(browser, viewport)
    try:
        _sign_in(page, live_server, world.police_rep, viewport)
        _menu(page, "My meetings")
        _check(page, viewport)
        page.get_by_role("link", name=re.compile("Answer the invitation")).click()
        _check(page, viewport)
        page.get_by_label("Yes, I will attend").check()
        page.get_by_role("button", name="Send my answer").click()
        assert "Your answer has been recorded: accepted." in _banner(page)
        _check(page, viewport)

        # My actions: numbered as on the plan (the CCTV check, due first, was added second: action 2).
        _menu(page, "My actions")
        _check(page, viewport)
        assert "Action 2: Severn Vale: Check the CCTV on Elm Road" in _text(page)
        page.get_by_role("link", name=re.compile(r"Post an update on \S+ action 2")).click()
        _check(page, viewport)
        page.get_by_label("Progress note").fill("Footage requested from the council's CCTV team.")
        page.get_by_label("In progress").check()
        page.get_by_role("button", name=re.compile("Save|Post")).first.click()
        assert "Your update has been saved" in _banner(page)
        _check(page, viewport)
        page.get_by_role("link", name=re.compile("the plan, at action 2")).click()
        _check(page, viewport)
        assert "Action 2 Check the CCTV on Elm Road" in _text(page)

        # The case's documents: what they may see.
        page.goto(f"{live_server}/cases/{world.case.id}/documents")
        _check(page, viewport)
    finally:
        context.close()

    db.session.remove()
    assert db.session.scalar(select(Attendee.status)) is AttendeeStatus.ACCEPTED
    statuses = dict(db.session.execute(select(Action.number, Action.status)).all())
    assert statuses == {1: ActionStatus.NOT_STARTED, 2: ActionStatus.IN_PROGRESS}
