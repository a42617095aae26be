"""The restorative pathway in a real browser (headless Chromium), axe-core on every page visited.

The coordinator refers the case -> the facilitator (the restorative justice service) tells the victim, assesses,
records both consents, prepares each side, chooses a direct conference and books it -> the conference is held and
the agreement recorded -> the coordinator issues the agreement PDF, downloads it and reads it back -> the first
follow-up check -> the victim gives feedback through the single-use link, which then refuses a second use.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from tests.browser.mission_helpers import check_page, follow, main_text, sign_in, success_banner, visit
from tests.cases_helpers import make_case
from tests.documents_helpers import pdf_text
from trigger.extensions import db
from trigger.models import AgencyType, Role
from trigger.models.restorative import RestorativeQuestion

TODAY = date.today()
APOLOGY = "Write a letter of apology and fix the fence panel"


@pytest.fixture
def people(make_user, make_agency, make_area):
    area = make_area("Oakbury")
    police = make_agency("Oakbury Police", AgencyType.POLICE)
    rj = make_agency("Oakbury Restorative Justice", AgencyType.RESTORATIVE_JUSTICE)
    case = make_case(area, police, name="Jo Harmed", perpetrator="Sam Responsible")
    db.session.add_all(
        [
            RestorativeQuestion(text="Is there a risk to anyone's safety?", concern_if_yes=True, position=1),
            RestorativeQuestion(
                text="Does the person responsible accept responsibility?", concern_if_yes=False, position=2
            ),
        ]
    )
    db.session.commit()
    return SimpleNamespace(
        case_id=case.id,
        reference=case.reference,
        coordinator=make_user(Role.COORDINATOR, name="Cora Coordinator", email="cora@vale.example"),
        chair=make_user(Role.CHAIR, name="Charles Chair", email="chair@vale.example"),
        facilitator=make_user(Role.AGENCY_REP, agency=rj, name="Fran Facilitator", email="fran@rj.example"),
    )


def submit(page, name: str) -> None:
    page.get_by_role("button", name=name).click()


def step(page, referral_url: str, link: str) -> None:
    visit(page, referral_url)
    follow(page, link)
    check_page(page)


def test_the_restorative_pathway_in_a_browser(live_server, browser, people, app):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    other = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    public = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        cora = context.new_page()
        fran = other.new_page()
        referral_url = refer(cora, live_server, people)
        prepare_and_book(fran, live_server, people, referral_url)
        hold_and_agree(fran, referral_url)
        read_the_agreement(cora, live_server, people)
        link = follow_up_and_feedback_link(fran, referral_url)
        # The link shown is the one the participant receives: PUBLIC_URL's address. This test's server listens
        # on a loopback port of its own, so the participant's browser follows the same path there.
        assert link.startswith(app.config["TRIGGER_SETTINGS"].public_url + "/restorative/feedback?token=")
        parts = urlsplit(link)
        give_feedback(public.new_page(), f"{live_server}{parts.path}?{parts.query}")
    except Exception:
        for c in (context, other, public):  # where each person's browser was when it failed
            for open_page in c.pages:
                print("PAGE", open_page.url, main_text(open_page)[:1500])
        raise
    finally:
        for c in (context, other, public):
            c.close()


def refer(page, base, people) -> str:
    sign_in(page, base, people.coordinator.email)
    visit(page, f"{base}/cases/{people.case_id}")
    assert "The case has not been referred for restorative justice" in main_text(page)
    follow(page, "Refer for restorative justice")
    check_page(page)
    submit(page, "Refer")  # nothing filled in: clear errors, nothing lost
    check_page(page)
    assert "Enter why the case is referred for restorative justice" in main_text(page)
    page.select_option("#agency_id", label="Oakbury Restorative Justice")
    page.fill("#reason", "Both neighbours told the review they want the dispute over the fence to end.")
    page.get_by_label("Sam Responsible").check()
    submit(page, "Refer")
    assert "referred to Oakbury Restorative Justice" in success_banner(page)
    check_page(page)
    assert "Tell the victim about restorative justice" in main_text(page)
    return page.url


def prepare_and_book(page, base, people, referral_url) -> None:
    sign_in(page, base, people.facilitator.email)
    visit(page, f"{base}/cases/{people.case_id}")  # the service now sees the case it was referred
    assert "Referral of" in main_text(page)

    step(page, referral_url, "Record telling the victim about restorative justice")
    page.check("input[name=how][value=phone]")
    page.check("input[name=answer][value=interested]")
    submit(page, "Record it")
    assert "victim was told" in success_banner(page)

    step(page, referral_url, "Assess suitability and safety")
    for question, answer in (("Is there a risk", "no"), ("Does the person responsible", "yes")):
        group = page.locator("fieldset", has_text=question)
        group.locator(f"input[value={answer}]").check()
    page.check("input[name=suitable][value=yes]")
    submit(page, "Save the assessment")
    assert "Assessed: suitable" in success_banner(page)

    step(page, referral_url, "Book the conference")  # refused: nobody consents yet
    page.fill("#day", (TODAY + timedelta(days=7)).isoformat())
    page.fill("#start", "18:00")
    page.fill("#end", "19:30")
    page.fill("#place", "Oakbury Community Centre")
    page.select_option("#chair_id", label="Charles Chair")
    submit(page, "Book the conference")
    check_page(page)
    assert "neither the person harmed nor the person responsible currently consents" in main_text(page)
    assert page.input_value("#place") == "Oakbury Community Centre"

    for person in ("Jo Harmed (person harmed)", "Sam Responsible (person responsible)"):
        step(page, referral_url, "Record consent")
        page.select_option("#participant_id", label=person)
        page.check("input[name=how][value=in-person]")
        submit(page, "Record consent")
        assert "Consent recorded" in success_banner(page)
        check_page(page)

    step(page, referral_url, "Assign a facilitator")
    page.select_option("#user_id", label="Fran Facilitator (Oakbury Restorative Justice)")
    submit(page, "Assign")
    for person in ("Jo Harmed (person harmed)", "Sam Responsible (person responsible)"):
        step(page, referral_url, "Record a preparation contact")
        page.select_option("#participant_id", label=person)
        page.check("input[name=kind][value=in-person]")
        page.fill("#notes", f"Prepared {person.split()[0]}: what the conference is like, who will be there.")
        submit(page, "Record the contact")
        assert "Preparation contact recorded" in success_banner(page)
    assert "Prepared Jo" in main_text(page)  # the service reads its own notes

    step(page, referral_url, "Choose the kind of process")
    page.check("input[name=kind][value=direct-conference]")
    submit(page, "Save")
    step(page, referral_url, "Book the conference")
    page.fill("#day", (TODAY + timedelta(days=7)).isoformat())
    page.fill("#start", "18:00")
    page.fill("#end", "19:30")
    page.fill("#place", "Oakbury Community Centre")
    page.select_option("#chair_id", label="Charles Chair")
    submit(page, "Book the conference")
    assert "booked as a restorative conference meeting" in success_banner(page)
    check_page(page)
    assert "Conference booked" in main_text(page)


def hold_and_agree(page, referral_url) -> None:
    step(page, referral_url, "Record that the conference (or exchange) took place")
    submit(page, "Record it")
    assert "Follow-up checks are due on" in success_banner(page)
    step(page, referral_url, "Add an item to the outcome agreement")
    page.check("input[name=kind][value=putting-things-right]")
    page.fill("#responsible", "")
    page.fill("#what", APOLOGY)
    page.fill("#due_on", (TODAY + timedelta(days=21)).isoformat())
    submit(page, "Add the item")  # no person responsible: refused, nothing lost
    check_page(page)
    assert "Enter who is responsible for this item" in main_text(page)
    assert page.input_value("#what") == APOLOGY
    page.fill("#responsible", "Sam Responsible")
    page.fill("#victim_wording", "An apology to you, and the fence panel mended")
    submit(page, "Add the item")
    assert "Agreement item added" in success_banner(page)
    check_page(page)


def read_the_agreement(page, base, people) -> None:
    visit(page, f"{base}/cases/{people.case_id}/documents")
    follow(page, re.compile(r"Issue the restorative outcome agreement \(with signature lines\)", re.I))
    check_page(page)
    submit(page, "Issue the document")
    check_page(page)
    with page.expect_download() as download:
        follow(page, re.compile(r"Download restorative outcome agreement \(with signature lines\) version 1", re.I))
    text = pdf_text(download.value.path().read_bytes())
    assert APOLOGY in text and "Sam Responsible" in text
    assert "Jo Harmed (person harmed), signature and date" in text
    assert "Sam Responsible (person responsible), signature and date" in text


def follow_up_and_feedback_link(page, referral_url) -> str:
    visit(page, referral_url)
    follow(page, re.compile(r"Record the check"))
    check_page(page)
    page.fill("#notes", "No further incidents; the fence is mended.")
    submit(page, "Record the check")
    assert "Follow-up check recorded" in success_banner(page)
    check_page(page)
    step(page, referral_url, "Make a feedback link")
    page.select_option("#participant_id", label="Jo Harmed (person harmed)")
    submit(page, "Make the link")
    check_page(page)
    return page.input_value("#feedback-link")


def give_feedback(page, link: str) -> None:
    visit(page, link)
    submit(page, "Send my answers")  # nothing chosen: errors
    check_page(page)
    assert "Choose whether you felt heard" in main_text(page)
    page.check("input[name=felt_heard][value=yes]")
    page.check("input[name=helped][value=partly]")
    page.check("input[name=recommend][value='5']")
    page.fill("#comments", "I felt listened to.")
    submit(page, "Send my answers")
    assert "Thank you for your feedback" in main_text(page)
    check_page(page)
    visit(page, link)
    assert "already been used" in main_text(page)


def test_the_other_restorative_pages_pass_axe(live_server, browser, people, make_user, app):
    """Pages the journey does not pass through: administrators' questions, figures, withdrawal, adding a person,
    progress, phone feedback, closing, and a link that does not work."""
    from trigger.restorative import services as rj

    admin = make_user(Role.ADMIN, name="Ada Admin", email="ada@vale.example")
    with app.test_request_context("/"):
        from trigger.models import Case

        case = db.session.get(Case, people.case_id)
        referral = rj.refer(
            case,
            rj.ReferralInput(
                agency_id=str(people.facilitator.agency_id),
                reason="For the accessibility check",
                perpetrator_ids=[str(p.id) for p in rj.perpetrators_of(case)],
            ),
            actor=people.coordinator,
        )
        db.session.commit()
        referral = rj.load_referral(referral.id)
        harmed = next(p for p in referral.participants if p.role.value == "harmed")
        responsible = next(p for p in referral.participants if p.role.value == "responsible")
        rj.tell_victim(referral, told_on=TODAY, how="phone", answer="interested")
        rj.assess(referral, [], {}, suitable=True, reason="", actor=people.chair)
        for person in (harmed, responsible):
            rj.record_consent(referral, participant_id=str(person.id), given_on=TODAY, how="phone", actor=people.chair)
        rj.choose_process(referral, "indirect-shuttle")
        rj.hold(referral, case, held_on=TODAY)
        item = rj.add_item(
            referral,
            kind="apology",
            responsible="Sam Responsible",
            what="Say sorry",
            victim_wording="",
            due_on=TODAY + timedelta(days=7),
        )
        db.session.commit()
        referral_id, item_id = referral.id, item.id

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, live_server, admin.email)
        for path in (
            "/admin/restorative-questions",
            "/admin/restorative-questions/new",
            "/restorative/figures",
            f"/restorative/{referral_id}/withdraw",
            f"/restorative/{referral_id}/participants",
            f"/restorative/{referral_id}/items/{item_id}",
            f"/restorative/{referral_id}/close",
            f"/cases/{people.case_id}",
        ):
            visit(page, live_server + path)
        visit(page, live_server + "/admin/restorative-questions/new")
        submit(page, "Save the question")  # errors shown accessibly
        check_page(page)
        page.fill("#text", "Is either party under 18?")
        page.check("input[name=concern_if_yes][value=yes]")
        submit(page, "Save the question")
        assert "has been saved" in success_banner(page)
        check_page(page)

        chair = context.new_page()
        context.clear_cookies()
        sign_in(chair, live_server, people.chair.email)
        visit(chair, f"{live_server}/restorative/{referral_id}/feedback-phone")
        visit(chair, f"{live_server}/restorative/{referral_id}")
        anonymous = browser.new_context().new_page()
        visit(anonymous, live_server + "/restorative/feedback?token=not-a-real-link")
        assert "not valid" in main_text(anonymous)
        anonymous.context.close()
    finally:
        context.close()
