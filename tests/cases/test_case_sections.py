"""The case page in sections (issue 16): summary with "what happens next", incidents and threshold, meetings, plan,
documents, timeline, each its own URL under one sub-navigation; the whole case for printing; need to know on each."""

from __future__ import annotations

import re

import pytest

from tests.cases_helpers import make_case
from tests.conftest import login, post, text_of
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import AgencyType, AuditEvent, Role

SECTIONS = {
    "": "Summary",
    "/incidents": "Incidents and threshold",
    "/meetings": "Meetings",
    "/plan": "Action plan",
    "/documents": "Documents",
    "/timeline": "Timeline",
}


@pytest.fixture
def world(make_area, make_agency, make_user):
    area = make_area("Northbury")
    police = make_agency("Test Police", AgencyType.POLICE)
    housing = make_agency("Vale Homes", AgencyType.HOUSING)
    case = make_case(area, police, name="Alice Archer", perpetrator="Bob Brick", email="alice@example.org")
    return dict(
        case=case,
        police=police,
        housing=housing,
        coordinator=make_user(Role.COORDINATOR, name="Cora Coordinator"),
        viewer=make_user(Role.VIEWER),
        police_rep=make_user(Role.AGENCY_REP, agency=police, name="Pam Police"),
        housing_rep=make_user(Role.AGENCY_REP, agency=housing, name="Harry Housing"),
    )


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def views_of(case_id: int) -> int:
    return len(
        db.session.scalars(
            db.select(AuditEvent.id).where(AuditEvent.case_id == case_id, AuditEvent.action == "case.viewed")
        ).all()
    )


def current_section(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", label).strip()
        for label in re.findall(r'aria-current="page">(.*?)</a>', html, flags=re.S)
    ]


def test_each_section_has_its_own_url_and_the_sub_navigation_marks_it(app, world):
    client = signed_in(app, world["coordinator"])
    case_id = world["case"].id
    for suffix, label in SECTIONS.items():
        response = client.get(f"/cases/{case_id}{suffix}")
        assert response.status_code == 200, suffix
        html = response.get_data(as_text=True)
        assert current_section(html) == [label], suffix
        for other in SECTIONS.values():
            assert other in text_of(response)  # every section is one click away
    summary, incidents = (text_of(client.get(f"/cases/{case_id}{s}")) for s in ("", "/incidents"))
    assert "Alice Archer" in summary and "Bob Brick" in summary and "Incident 40 days ago" not in summary
    assert "Incident 40 days ago" in incidents and "Threshold check:" in incidents
    # Every section page is a view of the case file, recorded like the single page was.
    before = views_of(case_id)
    for suffix in ("", "/incidents", "/timeline", "/print"):
        client.get(f"/cases/{case_id}{suffix}")
    assert views_of(case_id) == before + 4


def test_old_anchors_of_the_long_page_land_on_their_section(app, world):
    client = signed_in(app, world["coordinator"])
    case_id = world["case"].id
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert re.search(rf'id="threshold">\s*<a [^>]*href="/cases/{case_id}/incidents"', html)
    assert re.search(rf'id="timeline">\s*<a [^>]*href="/cases/{case_id}/timeline"', html)
    assert 'id="deadlines"' in html  # the deadlines stay on the summary
    # The old "Show the whole timeline" link still shows the whole timeline.
    assert "Application ASB-" in text_of(client.get(f"/cases/{case_id}?timeline=all"))
    # Linking the same problem returns to the incidents and threshold section.
    other = make_case(world["case"].area, world["police"], name="Alice Archer")
    response = post(
        client,
        f"/cases/{other.id}/same-problem/{world['case'].id}",
        {"same_problem": "yes"},
        token_from=f"/cases/{other.id}/incidents",
    )
    assert response.status_code == 302 and response.location.endswith(f"/cases/{other.id}/incidents#threshold")


def test_the_print_view_holds_the_whole_case(app, world):
    client = signed_in(app, world["coordinator"])
    page = text_of(client.get(f"/cases/{world['case'].id}/print"))
    for expected in (
        "Alice Archer",
        "Bob Brick",
        "Incident 40 days ago",
        "Threshold check:",
        "Case review meetings",
        "Deadlines",
        "Timeline",
        "Application ASB-",
    ):
        assert expected in page, expected
    summary = client.get(f"/cases/{world['case'].id}").get_data(as_text=True)
    assert f'href="/cases/{world["case"].id}/print"' in summary


def test_the_coordinator_sees_what_happens_next_each_step_one_click_away(app, world):
    client = signed_in(app, world["coordinator"])
    case_id = world["case"].id
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    page = text_of(client.get(f"/cases/{case_id}"))
    assert "What happens next" in page
    assert "govuk-task-list" in html
    assert f'href="/cases/{case_id}/documents/acknowledge"' in html
    assert re.search(r"Acknowledge the application</a>.*?To do", html, flags=re.S)
    assert f'href="/cases/{case_id}/threshold"' in html
    # Booking waits for the threshold: shown, not linked.
    assert "Book the case review meeting After the threshold is met Cannot start yet" in page
    assert f'href="/cases/{case_id}/meetings/new"' not in html


def test_an_agency_representative_sees_only_their_tasks_and_the_viewer_none(app, world):
    case = world["case"]
    case.stage = Stage.PLAN_LIVE
    db.session.commit()
    response = signed_in(app, world["police_rep"]).get(f"/cases/{case.id}")
    rep, html = text_of(response), response.get_data(as_text=True)
    assert "Update your agency's actions When the plan gives your agency an action Cannot start yet" in rep
    assert "/documents/acknowledge" not in html and "Book the case review meeting" not in rep
    assert "Decide the threshold" not in rep
    viewer = text_of(signed_in(app, world["viewer"]).get(f"/cases/{case.id}"))
    assert "What happens next" not in viewer and "Alice Archer" in viewer


@pytest.mark.parametrize(
    "suffix", ["", "/incidents", "/timeline", "/print", "/meetings", "/plan", "/documents", "?timeline=all"]
)
def test_an_uninvolved_agency_is_refused_every_section(app, world, suffix):
    housing = signed_in(app, world["housing_rep"])
    response = housing.get(f"/cases/{world['case'].id}{suffix}")
    assert response.status_code == 403
    assert "Alice Archer" not in response.get_data(as_text=True)
    police = signed_in(app, world["police_rep"])
    assert police.get(f"/cases/{world['case'].id}{suffix}").status_code == 200
