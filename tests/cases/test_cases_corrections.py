"""Correcting the applicant's and the incidents' details after intake (issue 16): a required reason, old -> new in
the audit trail, the reason on the timeline, errors on the form with nothing lost, stale saves refused, and only
coordinators and administrators may do it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.cases_helpers import TODAY, make_case
from tests.conftest import login, text_of
from trigger.extensions import db
from trigger.models import AgencyType, AuditEvent, Case, Incident, Role


@pytest.fixture
def world(make_area, make_agency, make_user):
    police = make_agency("Test Police", AgencyType.POLICE)
    case = make_case(
        make_area("Northbury"), police, name="Alice Archer", phone="07700 900111", email="alice@example.org"
    )
    return dict(
        case=case,
        police=police,
        coordinator=make_user(Role.COORDINATOR, name="Cora Coordinator"),
        chair=make_user(Role.CHAIR),
        viewer=make_user(Role.VIEWER),
        rep=make_user(Role.AGENCY_REP, agency=police),
    )


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def form_values(html: str) -> dict[str, str]:
    """The form's current values as a browser would send them (inputs, checked radios, textareas, selects)."""
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if (
            not name
            or ('type="radio"' in tag and "checked" not in tag)
            or ('type="checkbox"' in tag and "checked" not in tag)
        ):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = value.group(1) if value else ("y" if 'type="checkbox"' in tag else "")
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, flags=re.S):
        values[name] = body.strip()
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, flags=re.S):
        chosen = re.search(r'<option[^>]*value="([^"]*)"[^>]*selected', body)
        values[name] = chosen.group(1) if chosen else ""
    from html import unescape

    return {k: unescape(v) for k, v in values.items()}


def test_the_coordinator_corrects_the_applicants_phone_with_a_reason_audited_old_to_new(app, world):
    client = signed_in(app, world["coordinator"])
    case_id = world["case"].id
    url = f"/cases/{case_id}/applicant"
    assert f'href="{url}"' in client.get(f"/cases/{case_id}").get_data(as_text=True)
    values = form_values(client.get(url).get_data(as_text=True))
    assert values["applicant_phone"] == "07700 900111" and values["preferred_contact"] == "email"
    values.update(applicant_phone="07700 900999", reason="The applicant phoned: the number was keyed wrongly.")
    response = client.post(url, data=values)
    assert response.status_code == 302 and response.location.endswith(f"/cases/{case_id}#people")
    page = text_of(client.get(f"/cases/{case_id}"))
    assert "The applicant's telephone has been corrected." in page and "07700 900999" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.corrected"))
    assert event.details["changes"] == {"applicant_phone": ["07700 900111", "07700 900999"]}
    assert event.summary == "Corrected the applicant's telephone: The applicant phoned: the number was keyed wrongly."
    db.session.expire_all()
    assert db.session.get(Case, case_id).applicant_phone_key == "07700900999"  # links still match the new number
    timeline = text_of(client.get(f"/cases/{case_id}/timeline"))
    assert "Corrected the applicant's telephone: The applicant phoned" in timeline
    assert "07700 900111" not in timeline  # the old value stays in the audit trail, not on the timeline


def test_a_correction_without_a_reason_or_with_a_bad_email_is_refused_on_the_form_keeping_what_was_typed(app, world):
    client = signed_in(app, world["coordinator"])
    url = f"/cases/{world['case'].id}/applicant"
    values = form_values(client.get(url).get_data(as_text=True))
    values.update(applicant_email="not-an-email", applicant_address="2 New Road", reason="")
    response = client.post(url, data=values)
    assert response.status_code == 400
    page = text_of(response)
    assert page.startswith("Error:") or "There is a problem" in page
    assert "Give the reason for the correction" in page and "Enter an email address in the correct format" in page
    assert "2 New Road" in response.get_data(as_text=True)  # nothing typed is lost
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.corrected")) is None
    values.update(applicant_email="alice@example.org", applicant_address="1 Elm Road", reason="No change really")
    unchanged = client.post(url, data=values)
    assert unchanged.status_code == 400 and "Nothing has been changed" in text_of(unchanged)


def test_a_stale_correction_is_refused_and_shows_what_changed(app, world):
    client = signed_in(app, world["coordinator"])
    url = f"/cases/{world['case'].id}/applicant"
    opened = form_values(client.get(url).get_data(as_text=True))
    other = signed_in(app, world["coordinator"])
    theirs = dict(
        form_values(other.get(url).get_data(as_text=True)), applicant_phone="01234 567890", reason="Their correction"
    )
    assert other.post(url, data=theirs).status_code == 302
    mine = dict(opened, applicant_address="5 Other Street", reason="My correction")
    response = client.post(url, data=mine)
    assert response.status_code == 409
    page = text_of(response)
    assert "Someone else changed these details while you were correcting them" in page
    assert "Telephone 01234 567890" in page and "5 Other Street" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, world["case"].id).applicant_address == "1 Elm Road"
    # Sent again from the page as it now is, it is saved and keeps the other person's telephone.
    again = form_values(response.get_data(as_text=True))
    assert client.post(url, data=again).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Case, world["case"].id)
    assert saved.applicant_address == "5 Other Street" and saved.applicant_phone == "01234 567890"


def test_the_coordinator_corrects_an_incidents_date_and_its_report_and_the_threshold_reads_it(app, world):
    client = signed_in(app, world["coordinator"])
    case_id = world["case"].id
    incident = db.session.scalar(select(Incident).where(Incident.case_id == case_id).order_by(Incident.occurred_on))
    url = f"/cases/{case_id}/incidents/{incident.id}/correct"
    assert f'href="{url}"' in client.get(f"/cases/{case_id}/incidents").get_data(as_text=True)
    values = form_values(client.get(url).get_data(as_text=True))
    assert values["description"] == "Incident 40 days ago" and values["reports-0-reported_on"]
    new_day = TODAY - timedelta(days=41)
    values.update(
        occurred_on=new_day.isoformat(),
        description="Party until 4am, music and shouting",
        **{"reports-0-agency_reference": "POL/77"},
        reason="The police chronology has the right date.",
    )
    response = client.post(url, data=values)
    assert response.status_code == 302 and response.location.endswith(f"/cases/{case_id}/incidents#threshold")
    page = text_of(client.get(f"/cases/{case_id}/incidents"))
    assert "Party until 4am, music and shouting" in page and "POL/77" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "incident.corrected"))
    assert event.details["changes"]["occurred_on"][1] == new_day.isoformat()
    assert event.details["changes"]["report_1_agency_reference"] == ["", "POL/77"]
    assert "agency's reference (Test Police)" in event.summary and "The police chronology" in event.summary
    # A date after the application was received is refused on the form.
    values.update(occurred_on=(TODAY + timedelta(days=1)).isoformat(), reason="Try")
    refused = client.post(url, data=values)
    assert refused.status_code == 400 and "must be today or in the past" in text_of(refused)


@pytest.mark.parametrize("role", ["chair", "viewer", "rep"])
def test_only_coordinators_and_administrators_correct_details(app, world, role):
    client = signed_in(app, world[role])
    case_id = world["case"].id
    incident_id = db.session.scalar(select(Incident.id).where(Incident.case_id == case_id).limit(1))
    for url in (f"/cases/{case_id}/applicant", f"/cases/{case_id}/incidents/{incident_id}/correct"):
        assert client.get(url).status_code == 403
        assert client.post(url, data={"reason": "x"}).status_code in (400, 403)
    assert "Correct the applicant's details" not in text_of(client.get(f"/cases/{case_id}"))
