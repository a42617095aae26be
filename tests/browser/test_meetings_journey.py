"""At the meeting, on a tablet: take the attendance in one screen and record a minutes item, by browser."""

from datetime import date, timedelta

from sqlalchemy import select

from tests.browser.conftest import assert_accessible
from tests.conftest import TEST_PASSWORD, login, post
from tests.meetings_helpers import make_world, only_meeting, schedule
from trigger.extensions import db
from trigger.models import Attendee, MinuteItem, MinuteRevision


def test_take_attendance_and_record_a_minutes_item(live_server, browser, client, make_user, make_agency, make_area):
    world = make_world(make_user, make_agency, make_area)
    # Set-up through the product's own forms: a meeting that is happening today, the police invited.
    login(client, world.coordinator)
    schedule(client, world, day=(date.today() - timedelta(days=1)).isoformat(), recorded_after_the_fact="y")
    meeting = only_meeting()
    post(
        client,
        f"/cases/{world.case.id}/meetings/{meeting.id}/attendees",
        {"invite": [f"user:{world.police_rep.id}", f"user:{world.council_rep.id}"], "action": "invite"},
    )

    context = browser.new_context(viewport={"width": 1024, "height": 1366}, has_touch=True)  # a tablet
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server + "/login")
        page.fill("#email", world.coordinator.email)
        page.fill("#password", TEST_PASSWORD)
        page.click("button:has-text('Sign in')")
        page.goto(f"{live_server}/cases/{world.case.id}/meetings/{meeting.id}")
        assert_accessible(page)
        page.click("text=Take the attendance")
        assert "Who is here?" in page.inner_text("main")
        assert_accessible(page)
        # One screen: a radio group per attendee, ticked by tapping the labels.
        groups = page.locator("fieldset")
        assert groups.count() == 2
        groups.nth(0).get_by_label("Attended").check()
        groups.nth(1).get_by_label("Apologies").check()
        page.click("text=Save the attendance")
        assert_accessible(page)

        page.goto(f"{live_server}/cases/{world.case.id}/meetings/{meeting.id}/minutes")
        assert_accessible(page)
        # Every agenda item on the one page: type into the first box and save.
        page.get_by_label("Minutes of 1. Introductions and the confidentiality statement").fill(
            "Everyone introduced themselves; the confidentiality statement was read."
        )
        page.locator("button:has-text('Save the minutes')").first.click()
        assert "The minutes have been saved" in page.inner_text("main")
        assert (
            "Everyone introduced themselves"
            in page.get_by_label("Minutes of 1. Introductions and the confidentiality statement").input_value()
        )
        assert_accessible(page)
    finally:
        context.close()

    db.session.remove()
    statuses = {a.user_id: a.status.value for a in db.session.scalars(select(Attendee))}
    assert statuses == {world.police_rep.id: "attended", world.council_rep.id: "apologies"}
    item = db.session.scalar(select(MinuteItem).order_by(MinuteItem.position))
    texts = list(db.session.scalars(select(MinuteRevision.text).where(MinuteRevision.item_id == item.id)))
    assert texts == ["Everyone introduced themselves; the confidentiality statement was read."]
