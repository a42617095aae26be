"""Staff intake: a coordinator records an application; every kind of bad input is explained and nothing is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.cases_helpers import TODAY, actions, count, days_ago, incident_fields, only_case, staff_form
from tests.conftest import login, post, text_of
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import AgencyType, Case, Incident, IncidentReport, Perpetrator, Role


@pytest.fixture
def world(make_area, make_agency, make_user, client):
    area = make_area("Testbury")
    police = make_agency("Test Police", AgencyType.POLICE)
    council = make_agency("Testbury Council", AgencyType.COUNCIL)
    coordinator = make_user(Role.COORDINATOR, name="Cora Ordinator")
    login(client, coordinator)
    return {"area": area, "police": police, "council": council, "coordinator": coordinator}


def test_record_an_application(client, world):
    data = staff_form(world["area"], world["police"])
    data["incidents-0-reports-1-agency_id"] = str(world["council"].id)
    data["incidents-0-reports-1-reported_on"] = days_ago(38)
    response = post(client, "/cases/new", data, token_from="/cases/new")
    assert response.status_code == 302, text_of(response)[:2000]
    page = text_of(client.get(response.location))
    reference = f"ASB-{TODAY.year}-0001"
    assert f"Application {reference} has been saved" in page
    assert "Jane Applicant" in page and "GL50 1AA" in page and "jane@example.org" in page
    assert "Never disclosed to the applicant" in page and "Ronnie Noisy" in page
    incidents = text_of(client.get(response.location + "/incidents"))  # the case page's incidents section
    assert "Threshold met: 3 qualifying complaints" in incidents
    assert "one incident reported to several agencies counts once" in incidents
    case = only_case()
    assert case.stage is Stage.RECEIVED and case.channel.value == "phone"
    assert (count(Incident), count(IncidentReport), count(Perpetrator)) == (3, 4, 1)
    assert "case.created" in actions(case.id)


def test_add_another_buttons_keep_what_was_typed(client, world):
    data = staff_form(world["area"], world["police"], applicant_name="Kept Name")
    response = post(client, "/cases/new", {**data, "add": "incident"}, token_from="/cases/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="Kept Name"' in html and "Incident 4" in text_of(response)
    response = post(client, "/cases/new", {**data, "add": "report-1"}, token_from="/cases/new")
    assert 'name="incidents-1-reports-1-agency_id"' in response.get_data(as_text=True)
    response = post(client, "/cases/new", {**data, "add": "perpetrator"}, token_from="/cases/new")
    assert "Person 2" in text_of(response)
    assert count(Case) == 0


def test_blank_extra_entries_are_ignored(client, world):
    data = staff_form(world["area"], world["police"])
    data.update({"incidents-3-occurred_on": "", "incidents-3-description": "", "perpetrators-1-name": ""})
    response = post(client, "/cases/new", data, token_from="/cases/new")
    assert response.status_code == 302
    assert count(Incident) == 3 and count(Perpetrator) == 1


FUTURE = (TODAY + timedelta(days=3)).isoformat()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"incidents-1-occurred_on": FUTURE}, "The date of the incident must be today or in the past"),
        ({"incidents-1-reports-0-reported_on": FUTURE}, "The date reported must be today or in the past"),
        (
            {"incidents-1-reports-0-reported_on": days_ago(25)},
            "The date reported must be the same as or after the date of the incident",
        ),
        ({"received_on": FUTURE}, "The date received must be today or in the past"),
        ({"applicant_date_of_birth": FUTURE}, "The date of birth must be in the past"),
        ({"incidents-1-occurred_on": "2026-02-31"}, "Enter the date of the incident as a real date"),
        ({"incidents-1-reports-0-agency_id": "99999"}, "Choose an agency from the list"),
        ({"incidents-1-reports-0-agency_id": "police"}, "Choose an agency from the list"),
        ({"incidents-1-reports-0-agency_id": ""}, "Choose the agency it was reported to"),
        ({"incidents-1-description": ""}, "Describe what happened"),
        ({"area_id": "99999"}, "Choose an area from the list"),
        ({"applicant_name": ""}, "Enter the applicant's name"),
        ({"applicant_name": "x" * 121}, "The name must be 120 characters or fewer"),
        ({"asb_description": "x" * 5001}, "The description must be 5000 characters or fewer"),
        ({"incidents-0-description": "x" * 2001}, "must be 2000 characters or fewer"),
        ({"incidents-0-reports-0-agency_reference": "x" * 61}, "The reference must be 60 characters or fewer"),
        ({"perpetrators-0-name": "x" * 121}, "The name must be 120 characters or fewer"),
        ({"applicant_email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"is_third_party": "yes"}, "Enter the victim's name"),
        ({"is_third_party": "yes", "victim_name": "Vic Tim"}, "Enter the date the victim gave consent"),
        ({"consent_to_share": "y"}, "Enter the date the applicant consented to sharing"),
        ({"channel": "carrier-pigeon"}, "Not a valid choice"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_saved(client, world, change, message):
    before = (count(Case), len(actions()))
    data = staff_form(world["area"], world["police"], applicant_address="Typed Address 42", **change)
    response = post(client, "/cases/new", data, token_from="/cases/new")
    assert response.status_code == 400
    page = text_of(response)
    assert page.startswith("Error:") and "There is a problem" in page
    assert message in page
    html = response.get_data(as_text=True)
    assert 'class="govuk-error-message"' in html and "Typed Address 42" in html  # next to the field; kept
    assert (count(Case), len(actions())) == before


def test_no_incident_at_all(client, world):
    data = {k: v for k, v in staff_form(world["area"], world["police"]).items() if not k.startswith("incidents-")}
    response = post(client, "/cases/new", data, token_from="/cases/new")
    assert response.status_code == 400
    assert "Add at least one incident: enter the date it happened" in text_of(response)
    assert count(Case) == 0


def test_incident_without_a_report_is_refused_for_staff(client, world):
    data = staff_form(world["area"], world["police"])
    data.update(incident_fields(3, days_ago(3), "Graffiti", [("", "")]))
    response = post(client, "/cases/new", data, token_from="/cases/new")
    assert response.status_code == 400
    assert "Choose the agency this incident was reported to" in text_of(response)


def test_inactive_agency_is_refused(client, world, make_agency):
    old = make_agency("Old Housing", AgencyType.HOUSING, active=False)
    data = staff_form(world["area"], world["police"], **{"incidents-0-reports-0-agency_id": str(old.id)})
    response = post(client, "/cases/new", data, token_from="/cases/new")
    assert response.status_code == 400 and "Choose an agency from the list" in text_of(response)


def test_third_party_application_records_consent(client, world):
    data = staff_form(
        world["area"],
        world["police"],
        is_third_party="yes",
        victim_name="Vic Tim",
        victim_consent_on=days_ago(1),
        victim_consent_how="Signed form",
    )
    response = post(client, "/cases/new", data, token_from="/cases/new")
    assert response.status_code == 302
    case = only_case()
    assert case.is_third_party and case.victim_name == "Vic Tim" and case.victim_consent_how == "Signed form"


def test_references_count_up_within_the_year(client, world):
    for _ in range(2):
        assert (
            post(client, "/cases/new", staff_form(world["area"], world["police"]), token_from="/cases/new").status_code
            == 302
        )
    references = set(db.session.scalars(select(Case.reference)))
    assert references == {f"ASB-{TODAY.year}-0001", f"ASB-{TODAY.year}-0002"}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CHAIR, Role.AGENCY_REP, Role.PCC_REVIEWER])
def test_only_coordinators_and_administrators_record_applications(app, make_user, make_area, make_agency, role):
    area, police = make_area(), make_agency()
    user = make_user(role)
    client = app.test_client()
    login(client, user)
    assert client.get("/cases/new").status_code == 403
    token_page = client.get("/home").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token_page).group(1)
    response = client.post("/cases/new", data={**staff_form(area, police), "csrf_token": token})
    assert response.status_code == 403 and count(Case) == 0
