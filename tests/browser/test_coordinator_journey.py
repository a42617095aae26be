"""The coordinator's journey from a new application to invitations sent, counted in clicks (issue 16).

An applicant applies on the public form; the coordinator signs in and, from the case page's "what happens next"
task list, acknowledges (the letter is issued and emailed in one step), decides the threshold, books the meeting
and sends the invitations. Every click, tick, choice in a list and form submission the coordinator makes is
counted (typing is not); the journey must take 15 or fewer. It runs once at desktop size and once on a 390 x 844
phone, in one test (one live server): axe-core checks every page, and on the phone no staff page may scroll
sideways (document.documentElement.scrollWidth <= 390).

Before the case page had its task list, the same journey took 18 clicks: sign in, Cases... the case, "Letters,
minutes and plans", "Issue the acknowledgement letter", "Issue the document", "Email to the applicant" (a second
step), back to the case, "Record the threshold decision", its button, "Meetings, attendees and minutes",
"Schedule a meeting", the chair, "Schedule the meeting", two ticks and "Invite the ticked people".
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.browser.mission_helpers import check_page, main_text, success_banner
from tests.browser.test_mission_journey import apply_as_the_public
from tests.conftest import TEST_PASSWORD
from trigger.extensions import db
from trigger.models import AgencyType, Attendee, Case, OutboxMessage, Role

MAX_CLICKS = 15
#: The innermost elements reaching past the screen's right edge, for the failure message.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 391 && ![...e.children].some(
      c => c.getBoundingClientRect().right > 391))
  .slice(0, 5).map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} "${(e.textContent || '')
      .trim().slice(0, 40)}" ${Math.round(e.getBoundingClientRect().right)}px`)"""
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1200, "height": 900}


@pytest.fixture
def people(make_user, make_agency, make_area):
    make_area("Oakbury")
    police = make_agency("Oakbury Police", AgencyType.POLICE)
    council = make_agency("Oakbury District Council", AgencyType.COUNCIL)
    db.session.commit()
    return SimpleNamespace(
        coordinator=make_user(Role.COORDINATOR, name="Cora Coordinator", email="cora@vale.example"),
        chair=make_user(Role.CHAIR, name="Charles Chair", email="chair@vale.example"),
        police_rep=make_user(Role.AGENCY_REP, agency=police, name="PC Pam Patrol", email="pam@police.example"),
        council_rep=make_user(Role.AGENCY_REP, agency=council, name="Cath Council", email="cath@council.example"),
    )


class CountedClicks:
    """Every click, tick, choice and submission the coordinator makes goes through here and is counted; each page
    it lands on is checked (axe-core; on a phone, nothing scrolls sideways)."""

    def __init__(self, page, phone: bool) -> None:
        self.page, self.phone, self.count, self.steps = page, phone, 0, []

    def _counted(self, what: str) -> None:
        self.count += 1
        self.steps.append(what)

    def check(self) -> None:
        check_page(self.page)
        if self.phone:
            width = self.page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (
                f"{self.page.url} scrolls sideways on a phone: {width} px wide, because of {self.page.evaluate(WIDEST)}"
            )

    def click(self, name, *, role: str | None = None) -> None:
        page = self.page
        target = (
            page.get_by_role(role, name=name)
            if role
            else page.get_by_role("link", name=name).or_(page.get_by_role("button", name=name))
        )
        target.first.click()
        self._counted(f"click {name}")
        page.wait_for_load_state("load")
        self.check()

    def tick(self, label: str) -> None:
        box = self.page.get_by_label(label, exact=True)
        if not box.is_checked():
            box.check()
            self._counted(f"tick {label}")

    def choose(self, selector: str, label: str) -> None:
        self.page.locator(selector).select_option(label=label)
        self._counted(f"choose {label}")


def coordinator_journey(page, base: str, people, reference: str, *, phone: bool) -> CountedClicks:
    clicks = CountedClicks(page, phone)
    page.goto(base + "/login")
    clicks.check()
    page.fill("#email", people.coordinator.email)
    page.fill("#password", TEST_PASSWORD)
    clicks.click("Sign in", role="button")
    assert page.url.endswith("/dashboard")

    # The new application waits on the dashboard (its acknowledgement deadline): one click to the case.
    clicks.click(reference, role="link")
    case_url = page.url.split("#")[0]
    assert "What happens next" in main_text(page)

    clicks.click("Acknowledge the application", role="link")
    assert "queued in the outbox as soon as you confirm" in main_text(page)
    assert "The email the applicant will get" in main_text(page)  # the email is previewed before it is sent
    clicks.click("Acknowledge and send by email", role="button")
    assert "It is queued to be emailed to pat@example.org" in success_banner(page)
    assert page.url.split("#")[0] == case_url

    clicks.click("Decide the threshold", role="link")
    page.fill("#reasons", "Three incidents were reported to the police within a month of each happening.")
    clicks.click("Record the decision", role="button")
    assert f"Decision recorded for {reference}: threshold met." in success_banner(page)

    clicks.click("Book the case review meeting", role="link")
    page.locator("#day").fill((date.today() + timedelta(days=7)).isoformat())
    page.locator("#start").fill("10:00")
    page.locator("#end").fill("12:00")
    page.locator("#place").fill("Council House, Room 2")
    clicks.choose("#chair_id", "Charles Chair")
    clicks.click(re.compile("Schedule the meeting"), role="button")
    assert page.url.endswith("/attendees")

    clicks.tick("PC Pam Patrol")
    clicks.tick("Cath Council")
    clicks.click("Invite the ticked people", role="button")
    success_banner(page)

    # Not counted: checking where the case now stands.
    page.goto(case_url)
    clicks.check()
    tasks = main_text(page)
    assert re.search(r"Send the invitations Done", tasks), tasks
    return clicks


def test_the_coordinator_goes_from_a_new_application_to_invitations_sent_in_few_clicks(live_server, browser, people):
    counts = {}
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        applicant = browser.new_context(viewport=viewport)
        coordinator = browser.new_context(viewport=viewport)
        try:
            apply_page = applicant.new_page()
            apply_page.set_default_timeout(10_000)
            reference = apply_as_the_public(apply_page, live_server)
            page = coordinator.new_page()
            page.set_default_timeout(10_000)
            clicks = coordinator_journey(page, live_server, people, reference, phone=size == "phone")
            counts[size] = clicks
        finally:
            applicant.close()
            coordinator.close()
        db.session.expire_all()
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        invited = db.session.scalars(select(Attendee.name).where(Attendee.invited_at.is_not(None))).all()
        assert {"PC Pam Patrol", "Cath Council"} <= set(invited)
        assert db.session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.to_address == "pat@example.org", OutboxMessage.subject.contains(case.reference)
            )
        )
    for size, clicks in counts.items():
        assert clicks.count <= MAX_CLICKS, (size, clicks.count, clicks.steps)
