"""The public application form (/apply): plain English, no account, rate-limited, with a honeypot; and the
linked-case flag when the same person or address applies again."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.cases_helpers import TODAY, count, days_ago, make_case, only_case, public_form
from tests.conftest import build_app, login, post, text_of
from trigger.apply.services import acknowledge_by
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import (
    AgencyType,
    AuditEvent,
    Case,
    CaseLink,
    Incident,
    Notification,
    OutboxMessage,
    PublicSubmission,
    Role,
)


@pytest.fixture
def world(make_area, make_agency, make_user):
    return {
        "area": make_area("Testbury"),
        "police": make_agency("Test Police", AgencyType.POLICE),
        "coordinator": make_user(Role.COORDINATOR, name="Cora Ordinator"),
    }


def test_apply_from_empty_page_to_reference_number(client, world):
    page = client.get("/apply")
    assert page.status_code == 200 and "Apply for an ASB Case Review" in text_of(page)
    response = post(client, "/apply", public_form(world["area"], world["police"]))
    assert response.status_code == 302
    confirmation = text_of(client.get(response.location))
    reference = f"ASB-{TODAY.year}-0001"
    due = acknowledge_by(world["area"], TODAY)
    assert f"Your reference number {reference}" in confirmation
    assert f"We will contact you by {due.day} {due:%B %Y}" in confirmation
    case = only_case()
    assert case.stage is Stage.RECEIVED and case.channel.value == "online" and case.created_by_id is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.created"))
    assert event.actor_label == "anonymous visitor" and event.case_id == case.id
    # coordinators are told, without the applicant's name leaving the system
    notification = db.session.scalar(select(Notification))
    assert notification.user_id == world["coordinator"].id and reference in notification.subject
    assert "Pat Public" not in notification.body
    # the confirmation is shown once and reveals nothing on a second visit
    assert client.get("/apply/confirmation").status_code == 302


def test_the_applicant_is_emailed_their_reference_when_they_gave_an_address(client, world):
    response = post(client, "/apply", public_form(world["area"], world["police"]))
    assert "We have also emailed your reference number" in text_of(client.get(response.location))
    case = only_case()
    (message,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == "pat@example.org")).all()
    assert case.reference in message.subject
    assert case.reference in message.body and "an ASB Case Review" in message.body
    assert "Motorbikes" not in message.body  # what happened stays in the case file, not in an email


def test_no_email_without_an_address(client, world):
    data = public_form(world["area"], world["police"], applicant_email="", preferred_contact="post")
    response = post(client, "/apply", data)
    assert response.status_code == 302, text_of(response)[:2000]
    assert "emailed your reference" not in text_of(client.get(response.location))
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "pat@example.org")) is None


def test_the_new_application_appears_to_coordinators_as_received(client, world, app):
    post(client, "/apply", public_form(world["area"], world["police"]))
    staff = app.test_client()
    login(staff, world["coordinator"])
    page = text_of(staff.get("/cases?stage=received"))
    assert "Pat Public" in page and "Application received" in page


def test_an_incident_without_a_report_is_allowed_for_applicants(client, world):
    post(client, "/apply", public_form(world["area"], world["police"]))
    case = only_case()
    from trigger.cases.services import load_case

    loaded = load_case(case.id)
    assert [len(i.reports) for i in loaded.incidents] == [1, 0]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"incidents-0-occurred_on": "2999-01-01"}, "The date of the incident must be today or in the past"),
        (
            {"incidents-0-reports-0-reported_on": days_ago(31)},
            "The date reported must be the same as or after the date of the incident",
        ),
        ({"incidents-0-reports-0-agency_id": "12345"}, "Choose an agency from the list"),
        ({"incidents-0-reports-0-reported_on": ""}, "Enter the date it was reported"),
        ({"area_id": "777"}, "Choose an area from the list"),
        ({"applicant_name": "y" * 121}, "Your name must be 120 characters or fewer"),
        ({"asb_description": "y" * 5001}, "Your description must be 5000 characters or fewer"),
        ({"incidents-1-description": "y" * 2001}, "What happened must be 2000 characters or fewer"),
        ({"website": ""} | {"communication_needs": "y" * 1001}, "Your answer must be 1000 characters or fewer"),
        ({"declaration": None}, "Tick the box to confirm the information is true"),
        ({"applying_for": "someone-else"}, "Enter the name of the person you are applying for"),
        ({"applying_for": "someone-else", "victim_name": "Gran"}, "tick the box to confirm they do"),
        ({"applicant_email": None}, "Enter your email address, or choose another way for us to contact you"),
    ],
)
def test_bad_input_is_explained_and_nothing_saved(client, world, change, message):
    data = public_form(world["area"], world["police"], applicant_address="My Typed Address", **change)
    response = post(client, "/apply", data)
    assert response.status_code == 400
    page = text_of(response)
    assert page.startswith("Error:") and message in page
    assert "My Typed Address" in response.get_data(as_text=True)
    assert count(Case) == 0 and count(PublicSubmission) == 0


def test_no_incident_at_all(client, world):
    data = {k: v for k, v in public_form(world["area"], world["police"]).items() if not k.startswith("incidents-")}
    response = post(client, "/apply", data)
    assert response.status_code == 400 and "Add at least one incident" in text_of(response)


def test_add_another_incident_keeps_what_was_typed(client, world):
    data = public_form(world["area"], world["police"], applicant_name="Typed Name", add="incident")
    response = post(client, "/apply", data)
    assert response.status_code == 200 and "Incident 3" in text_of(response)
    assert 'value="Typed Name"' in response.get_data(as_text=True)
    assert count(Case) == 0


def test_honeypot_silently_succeeds_without_saving(app, client, world):
    html = client.get("/apply").get_data(as_text=True)
    assert 'class="app-honeypot" aria-hidden="true"' in html and "style=" not in html
    response = post(client, "/apply", public_form(world["area"], world["police"], website="http://spam.example"))
    assert response.status_code == 302
    caught = text_of(client.get(response.location))
    assert "Application received" in caught
    assert count(Case) == 0 and db.session.scalar(select(Notification)) is None
    # Indistinguishable from a person's confirmation: a plausible reference and date, nothing missing.
    reference = f"ASB-{TODAY.year}-0001"
    assert f"Your reference number {reference}" in caught and "We will contact you by" in caught
    person = app.test_client()
    real = text_of(person.get(post(person, "/apply", public_form(world["area"], world["police"])).location))
    assert real == caught
    # ...and a bot that leaves out a required answer is told, as a person would be.
    response = post(client, "/apply", public_form(world["area"], world["police"], website="x", declaration=None))
    assert response.status_code == 400 and "Tick the box to confirm the information is true" in text_of(response)


def test_incidents_beyond_the_forms_limit_are_not_dropped_silently(client, world):
    from tests.cases_helpers import incident_fields

    page = text_of(client.get("/apply"))
    assert "Add as many as you can, up to 20 here; tell us about any others when you describe the problem" in page
    data = public_form(world["area"], world["police"])
    for index in range(2, 22):
        data.update(incident_fields(index, days_ago(40 + index), f"Incident {index}", [("", "")]))
    response = post(client, "/apply", data)
    assert response.status_code == 400
    assert (
        "You have told us about 22 incidents. This form takes up to 20: remove the others and tell us about "
        "them when you describe the problem."
    ) in text_of(response)
    assert count(Case) == 0


def test_rate_limit_per_address_per_hour(database_url, make_area, make_agency):
    app = build_app(database_url, public_form_per_hour=2)
    area, police = make_area(), make_agency()
    client = app.test_client()
    for _ in range(2):
        assert post(client, "/apply", public_form(area, police)).status_code == 302
    response = post(client, "/apply", public_form(area, police))
    assert response.status_code == 429
    assert "too many applications from your internet connection" in text_of(response)
    assert count(Case) == 2
    # another address is not affected
    other = app.test_client()
    response = post(other, "/apply", public_form(area, police), environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert response.status_code == 302 and count(Case) == 3


def test_no_account_needed_and_nothing_else_public(client, world):
    assert client.get("/apply").status_code == 200
    assert client.get("/cases").status_code == 302  # the case list still needs a sign-in


# ---- linked cases -----------------------------------------------------------------------------------------


def test_same_applicant_applying_again_is_flagged_on_both_cases(app, make_user, world):
    first = make_case(world["area"], world["police"], name="Jane Applicant", postcode="gl50 1aa")
    second = make_case(world["area"], world["police"], name="JANE APPLICANT", postcode="GL501AA")
    by_email_1 = make_case(world["area"], world["police"], name="A", postcode="", email="x@example.org")
    by_email_2 = make_case(world["area"], world["police"], name="B", postcode="", email="x@example.org")
    by_phone_1 = make_case(world["area"], world["police"], name="C", postcode="", phone="07700 900111")
    by_phone_2 = make_case(world["area"], world["police"], name="D", postcode="", phone="+44 7700 900111")
    links = {(l.case_id, l.linked_case_id, l.reason.value) for l in db.session.scalars(select(CaseLink))}
    assert links == {
        (second.id, first.id, "same-applicant"),
        (by_email_2.id, by_email_1.id, "same-applicant"),
        (by_phone_2.id, by_phone_1.id, "same-applicant"),
    }
    client = app.test_client()
    login(client, world["coordinator"])
    assert f"Same applicant: {first.reference}" in text_of(client.get(f"/cases/{second.id}"))
    assert f"Same applicant: {second.reference}" in text_of(client.get(f"/cases/{first.id}"))


def test_same_address_is_flagged(app, world):
    first = make_case(world["area"], world["police"], name="Neighbour One", postcode="GL52 3CD")
    second = make_case(world["area"], world["police"], name="Neighbour Two", postcode="gl52 3cd")
    link = db.session.scalar(select(CaseLink))
    assert (link.case_id, link.linked_case_id, link.reason.value) == (second.id, first.id, "same-address")


def test_different_people_are_not_linked(app, world):
    make_case(world["area"], world["police"], name="One", postcode="GL1 1AA")
    make_case(world["area"], world["police"], name="Two", postcode="GL9 9ZZ")
    assert count(CaseLink) == 0


def test_the_error_summary_follows_the_order_of_the_form(client, world):
    data = public_form(world["area"], world["police"], applicant_name="", area_id="", declaration=None)
    page = text_of(post(client, "/apply", data))
    summary = page.split("There is a problem", 1)[1]
    name, area, declaration = (
        summary.index("Enter your full name"),
        summary.index("Choose the area where the problem happens"),
        summary.index("Tick the box to confirm the information is true"),
    )
    assert name < area < declaration


def test_optional_is_said_once(client, world):
    html = client.get("/apply").get_data(as_text=True)
    assert "(if you know it) (optional)" not in html and "(if you know) (optional)" not in html
    assert "Their name (if you know it)</label>" in html
    assert "Phone number (optional)" in html


def test_add_another_incident_comes_back_to_the_new_fields(client, world):
    html = client.get("/apply").get_data(as_text=True)
    assert 'formaction="/apply#incident-1"' in html  # the new incident's fieldset
    added = post(client, "/apply", public_form(world["area"], world["police"], add="incident"))
    assert 'id="incident-2"' in added.get_data(as_text=True)


def test_check_your_answers_before_anything_is_sent(client, world):
    data = public_form(world["area"], world["police"], confirmed=None)
    check = post(client, "/apply", data)
    assert check.status_code == 200 and count(Case) == 0
    page = text_of(check)
    assert "Check your answers before sending your application" in page
    assert "Pat Public" in page and "Motorbikes at midnight" in page and "Test Police" in page
    # "Change your answers" brings the form back as it was; nothing is saved
    html = check.get_data(as_text=True)
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    assert carried["applicant_name"] == "Pat Public"
    back = post(client, "/apply", {**carried, "edit": "yes"})
    assert back.status_code == 200 and 'value="Pat Public"' in back.get_data(as_text=True) and count(Case) == 0
    sent = post(client, "/apply", {**carried, "confirmed": "yes"})
    assert sent.status_code == 302 and count(Case) == 1


def test_dates_are_day_month_year_boxes(client, world):
    html = client.get("/apply").get_data(as_text=True)
    assert 'name="incidents-0-occurred_on-day"' in html and 'name="incidents-0-occurred_on-year"' in html
    assert 'type="date"' not in html
    when = TODAY - timedelta(days=30)
    data = public_form(
        world["area"],
        world["police"],
        **{
            "incidents-0-occurred_on": None,
            "incidents-0-occurred_on-day": str(when.day),
            "incidents-0-occurred_on-month": str(when.month),
            "incidents-0-occurred_on-year": str(when.year),
        },
    )
    assert post(client, "/apply", data).status_code == 302
    assert min(i.occurred_on for i in db.session.scalars(select(Incident))) == when
    bad = public_form(
        world["area"],
        world["police"],
        **{
            "incidents-0-occurred_on": None,
            "incidents-0-occurred_on-day": "31",
            "incidents-0-occurred_on-month": "2",
            "incidents-0-occurred_on-year": "2026",
        },
    )
    response = post(client, "/apply", bad)
    assert response.status_code == 400 and "Enter the date it happened as a real date" in text_of(response)
    assert 'value="31"' in response.get_data(as_text=True)  # what was typed is kept
