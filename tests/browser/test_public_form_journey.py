"""The public application form in a real browser (headless Chromium) on a phone-sized screen, from the empty
page to the reference number, with axe-core on both pages."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.browser.conftest import assert_accessible, fill_date
from trigger.extensions import db
from trigger.models import AgencyType, Case


def test_public_form_from_empty_page_to_reference_number(live_server, browser, make_area, make_agency):
    make_area("Testbury")
    make_agency("Test Police", AgencyType.POLICE)
    reference = f"ASB-{date.today().year}-0001"
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        journey(page, live_server, reference)
    finally:
        context.close()
    db.session.remove()
    case = db.session.scalar(select(Case))
    assert case.reference == reference and case.applicant_name == "Pat Public"


def journey(page, live_server: str, reference: str) -> None:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    today = date.today()

    page.goto(f"{live_server}/apply")
    assert page.title().startswith("Apply for an ASB Case Review")
    # usable on a phone: nothing wider than the screen; the honeypot is out of sight
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("#website").bounding_box()["x"] < 0
    assert_accessible(page)

    page.get_by_label("Myself").check()
    page.get_by_label("Your full name").fill("Pat Public")
    page.get_by_label("Your address").fill("9 Oak Street, Testbury")
    page.get_by_label("Postcode").fill("GL51 2BB")
    page.get_by_label("Email address").fill("pat@example.org")
    page.locator("#preferred_contact").check()  # the first choice: Email
    page.get_by_label("Tell us about the problem").fill("Motorbikes on the green every night.")

    fill_date(page, "incidents-0-occurred_on", today - timedelta(days=20))
    page.locator("#incidents-0-description").fill("Motorbikes at midnight")
    page.locator("#incidents-0-reports-0-agency_id").select_option(label="Test Police")
    fill_date(page, "incidents-0-reports-0-reported_on", today - timedelta(days=19))

    page.get_by_role("button", name="Add another incident").click()
    assert page.locator("#incidents-0-description").input_value() == "Motorbikes at midnight"  # kept
    # back at the new incident, not the top of the page: the keyboard focus is on its first field
    page.wait_for_url("**/apply#incident-1")
    page.wait_for_load_state("load")
    page.locator("#incidents-1-occurred_on").wait_for()
    page.wait_for_timeout(300)
    assert page.evaluate("() => document.activeElement && document.activeElement.id") == "incidents-1-occurred_on"
    assert page.evaluate("document.getElementById('incident-1').getBoundingClientRect().top") < 844
    fill_date(page, "incidents-1-occurred_on", today - timedelta(days=3))
    page.locator("#incidents-1-description").fill("Motorbikes again, and a fire")

    page.get_by_label("The information I have given is true, as far as I know").check()
    page.get_by_role("button", name="Send application").click()

    # Check your answers: what will be sent, on a phone, before anything is saved
    page.get_by_role("heading", name="Check your answers before sending your application").wait_for()
    assert "Motorbikes again, and a fire" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    page.get_by_role("button", name="Send application").click()

    page.wait_for_url("**/apply/confirmation")
    body = page.locator("main").inner_text()
    assert "Application received" in body and reference in body and "We will contact you by" in body
    assert_accessible(page)
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
