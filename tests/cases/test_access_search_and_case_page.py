"""Who may see which case (need-to-know), the case list's search and filters, and the audited case page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.cases_helpers import actions, make_case
from tests.conftest import login, text_of
from trigger.authz import can_view_case, visible_cases
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import AgencyType, AuditEvent, Role


@pytest.fixture
def cases(make_area, make_agency):
    north, south = make_area("Northbury"), make_area("Southbury")
    police = make_agency("Test Police", AgencyType.POLICE)
    housing = make_agency("Vale Homes", AgencyType.HOUSING)
    return {
        "north": north,
        "south": south,
        "police": police,
        "housing": housing,
        "a": make_case(north, police, name="Alice Archer", perpetrator="Bob Brick", postcode="GL1 1AA"),
        "b": make_case(
            south, housing, name="Carol Cole", address="7 Mill Lane", postcode="GL2 2BB", stage=Stage.ESCALATED
        ),
        "c": make_case(north, police, name="Dan Dale", postcode="GL3 3CC", stage=Stage.ACKNOWLEDGED),
    }


def signed_in(app, make_user, role, **kwargs):
    client = app.test_client()
    login(client, make_user(role, **kwargs))
    return client


def listed(client, query: str = "") -> list[str]:
    return re.findall(r"ASB-\d{4}-\d{4}", text_of(client.get("/cases" + query)))


def test_coordinator_sees_all_and_can_search_and_filter(app, make_user, cases):
    client = signed_in(app, make_user, Role.COORDINATOR)
    a, b, c = (cases[k].reference for k in "abc")
    assert sorted(listed(client)) == sorted([a, b, c])
    assert listed(client, "?q=alice") == [a]  # applicant name
    assert listed(client, "?q=mill lane") == [b]  # address
    assert listed(client, "?q=brick") == [a]  # perpetrator
    assert listed(client, "?q=" + c.lower()) == [c]  # reference
    assert listed(client, "?q=gl2") == [b]  # postcode
    assert sorted(listed(client, f"?area={cases['north'].id}")) == sorted([a, c])
    assert listed(client, "?stage=escalated") == [b]
    assert listed(client, f"?stage=escalated&area={cases['north'].id}") == []
    assert "No cases match" in text_of(client.get("/cases?q=nobody"))
    assert listed(client, "?stage=nonsense") != []  # an unknown stage is ignored, not an error


def test_list_is_paginated(app, make_user, make_area, make_agency):
    area, police = make_area(), make_agency()
    for n in range(27):
        make_case(area, police, name=f"Person {n:02d}", postcode="")
    client = signed_in(app, make_user, Role.COORDINATOR)
    first = text_of(client.get("/cases"))
    assert "27 cases" in first and len(listed(client)) == 25
    assert len(listed(client, "?page=2")) == 2


def test_agency_rep_sees_only_cases_their_agency_is_involved_in(app, make_user, cases):
    client = signed_in(app, make_user, Role.AGENCY_REP, agency=cases["housing"])
    assert listed(client) == [cases["b"].reference]
    assert client.get(f"/cases/{cases['a'].id}").status_code == 403
    page = client.get(f"/cases/{cases['b'].id}")
    assert page.status_code == 200 and "Carol Cole" in text_of(page)


def test_pcc_reviewer_sees_only_escalated_cases(app, make_user, cases):
    client = signed_in(app, make_user, Role.PCC_REVIEWER)
    assert listed(client) == [cases["b"].reference]
    assert client.get(f"/cases/{cases['a'].id}").status_code == 403
    assert client.get(f"/cases/{cases['b'].id}").status_code == 200


def test_viewer_reads_but_cannot_change(app, make_user, cases):
    client = signed_in(app, make_user, Role.VIEWER)
    case = cases["a"]
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Alice Archer" in page and "Record the threshold decision" not in page and "Change the stage" not in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/home").get_data(as_text=True)).group(1)
    for url in (f"/cases/{case.id}/threshold", f"/cases/{case.id}/stage", "/cases/new"):
        assert client.post(url, data={"csrf_token": token, "outcome": "met", "stage": "closed"}).status_code == 403
    db.session.refresh(case)
    assert case.stage is Stage.RECEIVED


def test_list_and_page_agree_for_every_role(app, make_user, cases):
    users = [
        make_user(Role.AGENCY_REP, agency=cases["police"]),
        make_user(Role.AGENCY_REP, agency=cases["housing"]),
        make_user(Role.PCC_REVIEWER),
        make_user(Role.VIEWER),
        make_user(Role.CHAIR),
        make_user(Role.ADMIN),
    ]
    for user in users:
        in_list = set(db.session.scalars(select(visible_cases(user).subquery().c.id)))
        one_by_one = {case.id for case in (cases["a"], cases["b"], cases["c"]) if can_view_case(user, case)}
        assert in_list == one_by_one, user.role


def test_signed_out_visitor_is_sent_to_sign_in(client, cases):
    response = client.get(f"/cases/{cases['a'].id}")
    assert response.status_code == 302 and "/login" in response.location


def test_unknown_case_is_404_before_any_access_check(app, make_user, cases):
    client = signed_in(app, make_user, Role.AGENCY_REP)
    assert client.get("/cases/999999").status_code == 404


def test_every_view_of_a_case_is_audited_and_the_timeline_shows_what_happened(app, make_user, cases):
    client = signed_in(app, make_user, Role.CHAIR, name="Chris Chair")
    case = cases["a"]
    page = text_of(client.get(f"/cases/{case.id}"))
    client.get(f"/cases/{case.id}")
    views = db.session.scalars(
        select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == "case.viewed")
    ).all()
    assert len(views) == 2 and views[0].actor_label.startswith("Chris Chair")
    page = text_of(client.get(f"/cases/{case.id}/timeline"))
    assert f"Application {case.reference} received" in page  # timeline, from the audit trail
    assert "Viewed case" not in page  # views are audited but not in the story


def test_refused_view_is_not_recorded_as_a_view(app, make_user, cases):
    client = signed_in(app, make_user, Role.PCC_REVIEWER)
    client.get(f"/cases/{cases['a'].id}")
    assert "case.viewed" not in actions(cases["a"].id)


def test_perpetrators_are_labelled_never_disclosed(app, make_user, cases):
    client = signed_in(app, make_user, Role.COORDINATOR)
    page = text_of(client.get(f"/cases/{cases['a'].id}"))
    assert "Never disclosed to the applicant" in page and "Bob Brick" in page


def test_cases_in_the_navigation_for_case_roles(app, make_user):
    client = signed_in(app, make_user, Role.COORDINATOR)
    assert 'href="/cases"' in client.get("/home").get_data(as_text=True)
