"""The whole mission in a real browser (headless Chromium) against the live test server, on each database.

Public application -> the coordinator acknowledges and decides the threshold -> meeting scheduled, agencies
invited -> attendance and minutes -> actions agreed -> outcome letter issued, its PDF downloaded and read -> an
agency representative sees only their agency's actions and posts an update -> an action goes overdue and the
reminder email reaches a real SMTP server -> the applicant escalates and a PCC reviewer records the outcome.

Only the people, agencies and the area are made directly (the admin pages have their own tests); every step of
the mission goes through the browser. axe-core checks every page visited; the sign-in, threshold decision and
action update forms are filled and sent with the keyboard only. The one clock move: the review meeting's day
arrives (its time is moved into the past, as if the test had waited), and the reminder run is told the date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.browser.conftest import fill_date
from tests.browser.mission_helpers import (
    SUBMIT,
    check_page,
    focused,
    follow,
    keyboard_sign_in,
    mail_text,
    main_text,
    screenshot,
    sign_in,
    success_banner,
    tab_to,
    visit,
)
from tests.conftest import build_app
from tests.documents_helpers import pdf_text
from trigger.extensions import db
from trigger.models import Action, AgencyType, Meeting, Role

TODAY = date.today()
APPLICANT = "Pat Public"
POLICE_ACTION = "Targeted patrols of Oak Street green on Friday and Saturday nights"
POLICE_WORDING = "The police will patrol the green near your home on Friday and Saturday nights"
COUNCIL_ACTION = "Serve a community protection warning on the riders' parents"
UPDATE_NOTE = "Two patrols done last weekend; no motorbikes seen."


@pytest.fixture
def people(make_user, make_agency, make_area):
    make_area("Oakbury")
    police = make_agency("Oakbury Police", AgencyType.POLICE)
    council = make_agency("Oakbury District Council", AgencyType.COUNCIL)
    police.contact_email = "asb-team@police.example"
    db.session.commit()
    return SimpleNamespace(
        police=police,
        council=council,
        coordinator=make_user(Role.COORDINATOR, name="Cora Coordinator", email="cora@vale.example"),
        chair=make_user(Role.CHAIR, name="Charles Chair", email="chair@vale.example"),
        police_rep=make_user(Role.AGENCY_REP, agency=police, name="PC Pam Patrol", email="pam@police.example"),
        council_rep=make_user(Role.AGENCY_REP, agency=council, name="Cath Council", email="cath@council.example"),
        pcc=make_user(Role.PCC_REVIEWER, name="Priya PCC", email="priya@pcc.example"),
    )


def test_the_whole_mission_in_a_browser(live_server, browser, people, database_url, mail_server):
    contexts = []

    def new_page():
        context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    try:
        reference = apply_as_the_public(new_page(), live_server)
        cora = new_page()
        case_url = acknowledge_and_decide(cora, live_server, people, reference)
        schedule_and_invite(cora, case_url)
        attendance_and_minutes(cora, case_url)
        agree_actions(cora, case_url)
        issue_and_read_the_outcome_letter(cora, case_url, reference)
        agency_rep_updates_their_action(new_page(), live_server, people, reference)
        action_goes_overdue(database_url, mail_server, people, reference)
        record_the_escalation(cora, case_url, reference)
        pcc_records_the_outcome(new_page(), live_server, people, reference)
    except Exception:
        for context in contexts:  # where each person's browser was when it failed, for the test report
            for open_page in context.pages:
                print("PAGE", open_page.url, main_text(open_page)[:1500])
        raise
    finally:
        for context in contexts:
            context.close()


# ---- the steps --------------------------------------------------------------------------------------------------


def section(page, name: str) -> None:
    """Open a section of the case page from its sub-navigation."""
    page.get_by_role("navigation", name=re.compile("Sections of case")).get_by_role(
        "link", name=name, exact=True
    ).click()


def apply_as_the_public(page, base: str) -> str:
    visit(page, base + "/apply")
    page.get_by_label("Myself").check()
    page.get_by_label("Your full name").fill(APPLICANT)
    page.get_by_label("Your address").fill("9 Oak Street, Oakbury")
    page.get_by_label("Postcode").fill("GL51 2BB")
    page.get_by_label("Email address").fill("pat@example.org")
    page.locator("#preferred_contact").check()  # Email
    page.get_by_label("Tell us about the problem").fill("Motorbikes on the green every night.")
    incidents = [
        (40, 39, "Motorbikes at midnight"),
        (20, 20, "Motorbikes again, and a fire"),
        (10, 9, "Riders shouted threats at my door"),
    ]
    for index, (occurred, reported, what) in enumerate(incidents):
        if index:
            page.get_by_role("button", name="Add another incident").click()
        fill_date(page, f"incidents-{index}-occurred_on", TODAY - timedelta(days=occurred))
        page.locator(f"#incidents-{index}-description").fill(what)
        page.locator(f"#incidents-{index}-reports-0-agency_id").select_option(label="Oakbury Police")
        fill_date(page, f"incidents-{index}-reports-0-reported_on", TODAY - timedelta(days=reported))
    check_page(page)  # the form as sent back with the added incidents
    page.get_by_label("The information I have given is true, as far as I know").check()
    consent = page.locator("#consent_to_share")
    if consent.count():
        consent.check()
    page.get_by_role("button", name="Send application").click()
    page.get_by_role("heading", name="Check your answers before sending your application").wait_for()
    check_page(page)  # check your answers
    page.get_by_role("button", name="Send application").click()
    page.wait_for_url("**/apply/confirmation")
    check_page(page)
    match = re.search(r"\b[A-Z]+-\d{4}-\d{4}\b", main_text(page))
    assert match, main_text(page)
    return match.group(0)


def acknowledge_and_decide(page, base: str, people, reference: str) -> str:
    keyboard_sign_in(page, base, people.coordinator.email)
    assert page.url.endswith("/dashboard") and "Deadlines" in main_text(page)  # a coordinator's first page
    assert "Cora Coordinator" in page.inner_text("header")
    check_page(page)

    visit(page, base + "/cases")
    follow(page, reference)
    case_url = page.url
    assert APPLICANT in main_text(page)
    check_page(page)

    # Acknowledge: issuing the acknowledgement letter moves the case on.
    section(page, "Documents")
    check_page(page)
    follow(page, "Issue the acknowledgement letter")
    check_page(page)
    page.get_by_role("button", name="Issue the document").click()
    assert "The case is now at the stage “Acknowledged”" in success_banner(page)
    check_page(page)

    # The threshold decision, by keyboard only: the evaluation's advice (met) is preselected.
    visit(page, case_url)
    follow(page, "Record the threshold decision")
    check_page(page)
    tab_to(page, "input[name=outcome]")
    assert page.evaluate("document.activeElement.value") == "met"
    assert page.evaluate("document.activeElement.checked")
    tab_to(page, "#reasons")
    page.keyboard.type("Three incidents were reported to the police within a month of each happening.")
    tab_to(page, "#decision_maker_name")
    assert page.input_value("#decision_maker_name") == "Cora Coordinator"
    tab_to(page, "#decided_on")
    tab_to(page, SUBMIT)
    assert focused(page) == "Record the decision"
    screenshot(page, "1-threshold-decision")
    page.keyboard.press("Enter")
    page.wait_for_url(case_url)
    assert f"Decision recorded for {reference}: threshold met." in success_banner(page)
    check_page(page)
    return case_url


def schedule_and_invite(page, case_url: str) -> None:
    visit(page, case_url)
    section(page, "Meetings")
    check_page(page)
    follow(page, "Schedule a meeting")
    check_page(page)
    page.locator("input[name=kind][value=initial-review]").check()
    page.locator("#day").fill((TODAY + timedelta(days=7)).isoformat())
    page.locator("#start").fill("10:00")
    page.locator("#end").fill("12:00")
    page.locator("#place").fill("Council House, Room 2")
    page.locator("#chair_id").select_option(label="Charles Chair")
    page.get_by_role("button", name=re.compile("Schedule")).click()
    assert "Now choose who to invite" in success_banner(page)  # straight on to the attendee list
    assert page.url.endswith("/attendees")
    check_page(page)
    page.get_by_label("PC Pam Patrol").check()
    page.get_by_label("Cath Council").check()
    page.get_by_role("button", name="Invite the ticked people").click()
    success_banner(page)
    listed = main_text(page)
    assert "PC Pam Patrol" in listed and "Cath Council" in listed
    check_page(page)
    visit(page, case_url)  # booking the meeting moved the case on: nobody changes the stage by hand
    assert "Review meeting scheduled" in main_text(page)


def attendance_and_minutes(page, case_url: str) -> None:
    # The meeting's day arrives: move it into the past, as if the test had waited a week.
    meeting = db.session.scalar(select(Meeting))
    shift = timedelta(days=8)  # it was booked a week ahead: now it was yesterday
    meeting.starts_at, meeting.ends_at = meeting.starts_at - shift, meeting.ends_at - shift
    db.session.commit()

    visit(page, f"{case_url}/meetings/{meeting.id}")
    follow(page, "Take the attendance")
    check_page(page)
    groups = page.locator("main fieldset")
    assert groups.count() == 2
    groups.nth(0).get_by_label("Attended").check()
    groups.nth(1).get_by_label("Attended").check()
    page.get_by_role("button", name="Save the attendance").click()
    success_banner(page)
    check_page(page)

    follow(page, "Minutes and recommendations")
    check_page(page)
    # Every agenda item on the one page: the first box, then save.
    page.locator("main textarea").first.fill(
        "The police described four visits; the council will write to the riders' families."
    )
    page.get_by_role("button", name="Save the minutes").first.click()
    assert "The minutes have been saved" in success_banner(page)
    assert "The police described four visits" in page.locator("main textarea").first.input_value()
    check_page(page)
    screenshot(page, "2-minutes")
    visit(page, case_url)  # taking the attendance recorded that the meeting was held
    assert "Review meeting held" in main_text(page)


def add_action(
    page,
    case_url: str,
    description: str,
    agency: str,
    due: date,
    *,
    person: str | None = None,
    wording: str | None = None,
) -> None:
    visit(page, case_url)
    section(page, "Action plan")
    check_page(page)
    follow(page, "Add an action")
    check_page(page)
    page.fill("#description", description)
    page.locator("#owner_agency_id").select_option(label=agency)
    if person:
        page.locator("#owner_user_id").select_option(label=f"{person} ({agency})")
    meetings = page.locator("#meeting_id option")
    page.locator("#meeting_id").select_option(index=meetings.count() - 1)
    if wording:
        page.locator("#victim_visible").check()
        page.fill("#victim_wording", wording)
    page.locator("#due_on").fill(due.isoformat())
    page.get_by_role("button", name=re.compile("Add|Save")).click()
    assert "The action has been added to the plan." in success_banner(page)
    assert description in main_text(page)
    check_page(page)


def agree_actions(page, case_url: str) -> None:
    add_action(
        page,
        case_url,
        POLICE_ACTION,
        "Oakbury Police",
        TODAY + timedelta(days=14),
        person="PC Pam Patrol",
        wording=POLICE_WORDING,
    )
    add_action(page, case_url, COUNCIL_ACTION, "Oakbury District Council", TODAY + timedelta(days=21))
    screenshot(page, "3-action-plan")


def issue_and_read_the_outcome_letter(page, case_url: str, reference: str) -> None:
    visit(page, case_url)
    section(page, "Documents")
    check_page(page)
    follow(page, "Issue the outcome letter")
    check_page(page)
    page.fill("#findings", "The agencies agreed to patrol the green and to speak to the riders' families.")
    page.get_by_role("button", name="Issue the document").click()
    assert "The case is now at the stage “Outcome sent”" in success_banner(page)
    check_page(page)
    with page.expect_download() as download:
        follow(page, re.compile(r"Download outcome letter version 1", re.IGNORECASE))
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert APPLICANT in text and reference in text
    assert POLICE_WORDING in text
    assert COUNCIL_ACTION not in text  # not shared with the victim


def agency_rep_updates_their_action(page, base: str, people, reference: str) -> None:
    sign_in(page, base, people.police_rep.email)
    assert page.url.endswith("/my-actions")  # an agency representative's first page
    check_page(page)
    listed = main_text(page)
    assert reference in listed and POLICE_ACTION in listed
    assert COUNCIL_ACTION not in listed  # the council's action is not theirs to see here
    screenshot(page, "4-my-actions")

    follow(page, re.compile(f"Post an update on {reference}"))
    check_page(page)
    # The action update form by keyboard only: the note, the status (arrow keys move the choice), Enter.
    tab_to(page, "#note")
    page.keyboard.type(UPDATE_NOTE)
    tab_to(page, "input[name=status]")
    assert page.evaluate("document.activeElement.value") == "not-started"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "in-progress"
    tab_to(page, "#reason")
    tab_to(page, SUBMIT)
    assert focused(page) == "Save update"
    page.keyboard.press("Enter")
    page.wait_for_url("**/my-actions")
    assert "Your update has been saved." in success_banner(page)
    assert "In progress" in main_text(page)
    check_page(page)


def action_goes_overdue(database_url: str, mail_server, people, reference: str) -> None:
    """The reminder run, as cron would start it, on a day after the police action fell due; then the outbox
    is delivered to a real SMTP server."""
    db.session.expire_all()
    due = db.session.scalar(select(Action.due_on).where(Action.description == POLICE_ACTION))
    smtp_app = build_app(
        database_url,
        smtp_host="127.0.0.1",
        smtp_port=mail_server.port,
        smtp_starttls=False,
        mail_from="trigger@vale.example",
    )
    runner = smtp_app.test_cli_runner()
    # The commands use the current app when there is one (the test's own has no SMTP server): push this one.
    with smtp_app.app_context():
        run = runner.invoke(args=["deadlines", "run", "--today", (due + timedelta(days=3)).isoformat()])
        assert run.exit_code == 0, run.output
        sent = runner.invoke(args=["outbox", "send"])
        assert sent.exit_code == 0, sent.output
        db.session.remove()
        db.engine.dispose()

    # Addressed to the action's named owner (and copied to the agency's shared inbox when overdue). One email
    # per item or one digest per person: either way it names the case and says the action is overdue.
    owner = people.police_rep.email
    to_owner = [mail_text(m) for rcpt, m in mail_server.received if rcpt == [owner] and m["To"] == owner]
    overdue = [t for t in to_owner if reference in t and "overdue" in t.lower()]
    assert overdue, (
        f"no overdue email to {owner}: {[m['Subject'] for _, m in mail_server.received]}\n{run.output}\n{sent.output}"
    )


def record_the_escalation(page, case_url: str, reference: str) -> None:
    visit(page, case_url)
    follow(page, "Record an escalation request")
    check_page(page)
    assert page.input_value("#outcome_letter_on")  # the day the outcome letter went, from the case
    page.locator("input[name=grounds][value=review-not-proper]").check()
    page.fill("#applicant_summary", "Nobody told me what the police patrols found.")
    page.locator("#consent_to_share").check()
    page.locator("#consent_on").fill(TODAY.isoformat())
    page.locator("input[name=reviewing_body][value=pcc-office]").check()
    page.get_by_role("button", name="Record the escalation request").click()
    message = success_banner(page)
    assert f"{reference} is now escalated: received in time" in message and "PCC reviewers have been told" in message
    assert "Escalated" in main_text(page)
    check_page(page)

    # While the reviewing body has it, the coordinator cannot take the case back with a new threshold decision.
    visit(page, f"{case_url}/threshold")
    page.fill("#reasons", "Trying to decide again while the case is with the PCC.")
    page.get_by_role("button", name="Record the decision").click()
    assert page.title().startswith("Error:")
    assert "is escalated: a new decision can be recorded once" in page.inner_text(".govuk-error-summary")
    check_page(page)


def pcc_records_the_outcome(page, base: str, people, reference: str) -> None:
    sign_in(page, base, people.pcc.email)
    assert page.url.endswith("/escalations")  # a PCC reviewer's first page
    assert reference in main_text(page)  # the escalated case is waiting for them
    check_page(page)
    follow(page, reference)
    check_page(page)
    follow(page, "See the case file")
    assert APPLICANT in main_text(page)
    check_page(page)
    page.go_back()
    follow(page, "Record the outcome")
    check_page(page)
    page.locator("input[name=outcome][value=not-upheld]").check()
    page.fill("#reasons", "The partnership reviewed the case properly and the plan is working.")
    page.get_by_role("button", name="Record the outcome").click()
    message = success_banner(page)
    assert f"The escalation is not upheld. {reference} is now at “Action plan live”." in message
    assert "Not upheld" in main_text(page)
    screenshot(page, "5-escalation-outcome")
    check_page(page)
