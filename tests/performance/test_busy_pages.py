"""The busy pages as people see them once they are built from plain rows and statements built once (issue 19):
the case list's rows and pages, the deadlines dashboard's filters, and the page numbers every list shows."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.conftest import login, text_of
from trigger.extensions import db
from trigger.models import AgencyType, Case, Channel, RiskLevel, Role
from trigger.templating import pagination_numbers


def _cases(area, count: int, *, first: int = 1) -> list[Case]:
    cases = [
        Case(
            reference=f"BP-2026-{n:04d}",
            area_id=area.id,
            received_on=date(2026, 1, 5) + timedelta(days=n),
            channel=Channel.PHONE,
            applicant_name=f"Applicant {n}",
        )
        for n in range(first, first + count)
    ]
    db.session.add_all(cases)
    db.session.commit()
    return cases


def test_page_numbers_are_the_first_the_last_and_the_neighbours():
    assert pagination_numbers(1, 1) == [1]
    assert pagination_numbers(1, 400) == [1, 2, 400]
    assert pagination_numbers(200, 400) == [1, 199, 200, 201, 400]
    assert pagination_numbers(400, 400) == [1, 399, 400]
    assert pagination_numbers(2, 3) == [1, 2, 3]


def test_the_case_list_links_the_first_the_last_and_the_neighbouring_pages(app, make_area, make_user, client):
    _cases(make_area("Severnbury"), 6 * 25)  # six pages of 25
    login(client, make_user(Role.COORDINATOR))

    def pages_linked(url: str) -> tuple[list[str], int]:
        html = client.get(url).get_data(as_text=True)
        return re.findall(r'aria-label="Page (\d+)"', html), html.count("govuk-pagination__item--ellipsis")

    assert pages_linked("/cases") == (["1", "2", "6"], 1)
    assert pages_linked("/cases?page=3") == (["1", "2", "3", "4", "6"], 1)
    assert pages_linked("/cases?page=5") == (["1", "4", "5", "6"], 1)
    assert pages_linked("/cases?page=6") == (["1", "5", "6"], 1)


def test_a_case_list_row_shows_its_area_stage_risk_and_dates(app, make_area, make_user, client):
    area = make_area("Ashcombe")
    newest = _cases(area, 3)[-1]
    newest.risk_level = RiskLevel.HIGH
    db.session.commit()
    login(client, make_user(Role.COORDINATOR))
    html = client.get("/cases").get_data(as_text=True)
    row = re.search(rf'<tr class="govuk-table__row">\s*<td[^>]*><a[^>]*href="/cases/{newest.id}">.*?</tr>', html, re.S)
    assert row, "the newest case is listed first, linked to its page"
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row[0], re.S)]
    received = f"{newest.received_on.day} {newest.received_on:%B %Y}"
    assert cells[:6] == [
        newest.reference,
        newest.applicant_name,
        "Ashcombe",
        "Application received",
        RiskLevel.HIGH.label,
        received,
    ]
    assert "3 cases, newest first" in text_of(client.get("/cases"))


def test_the_dashboard_offers_only_active_agencies_and_keeps_the_one_chosen(app, make_agency, make_user, client):
    police = make_agency("Severn Police", AgencyType.POLICE)
    make_agency("Old Homes", AgencyType.HOUSING, active=False)
    login(client, make_user(Role.COORDINATOR))
    html = client.get(f"/dashboard?agency={police.id}").get_data(as_text=True)
    options = re.findall(r'<option value="(\d*)"( selected)?>([^<]*)</option>', html[html.index('id="agency"') :])
    assert ("", "", "All agencies") in options
    assert (str(police.id), " selected", "Severn Police") in options
    assert "Old Homes" not in html


def test_list_rows_link_where_url_for_would(app, make_area, make_agency, make_user, client):
    """The rows' links come from a pattern made once per endpoint (trigger.templating.path_pattern): the same
    addresses url_for gives, for each row's own ids."""
    from flask import url_for

    from tests.deadlines_helpers import action, bare_case, deadline
    from trigger.domain.deadlines import DeadlineKind

    police = make_agency("Severn Police", AgencyType.POLICE)
    officer = make_user(Role.AGENCY_REP, agency=police)
    today = date.today()
    cases = [bare_case(make_area("Severnbury")), bare_case(make_area("Ashcombe"))]
    late = [action(case, police, today - timedelta(days=3 + n), owner=officer) for n, case in enumerate(cases)]
    deadline(cases[1], DeadlineKind.ACKNOWLEDGE, today - timedelta(days=1))
    with app.test_request_context():
        plans = [url_for("actions.plan", case_id=case.id) for case in cases]
        updates = [url_for("actions.post_update", action_id=a.id) for a in late]
        shows = [url_for("cases.show", case_id=case.id) for case in cases]

    login(client, make_user(Role.COORDINATOR))
    board = client.get("/dashboard").get_data(as_text=True)
    for n, case in enumerate(cases):
        assert f'href="{plans[n]}#action-{late[n].number}"' in board and f'href="{shows[n]}">{case.reference}<' in board
    assert f'href="{shows[1]}#deadlines"' in board
    listed = client.get("/cases").get_data(as_text=True)
    assert all(f'href="{show}"' in listed for show in shows)

    rep_client = app.test_client()
    login(rep_client, officer)
    mine = rep_client.get("/my-actions").get_data(as_text=True)
    assert all(f'href="{plan}#action-{a.number}"' in mine for plan, a in zip(plans, late))
    assert all(f'href="{u}"' in mine for u in updates)


def test_the_dashboard_reads_its_rows_in_the_order_its_statements_give_them():
    # The dashboard reads its first rows by position (trigger.deadlines.dashboard._FIRSTS_COLUMNS): every shape of
    # its statement, both sources, must give the columns in that order, or a case reference would show as a date.
    from trigger.deadlines import dashboard

    for deadlines, actions, pcc in ((True, True, False), (True, False, True), (False, True, False)):
        for by_area in (False, True):
            firsts, _ = dashboard._statements(deadlines, actions, pcc, by_area, not deadlines, None)
            assert tuple(firsts.selected_columns.keys()) == dashboard._FIRSTS_COLUMNS


def test_my_actions_reads_its_rows_in_the_order_its_statement_gives_them():
    from trigger.actions import services

    for runs in ((0,), (1, 2), (0, 1, 2)):
        columns = tuple(services._my_action_rows(runs).selected_columns.keys())
        assert columns == services._MY_ACTION_ROW_COLUMNS


def test_page_links_and_static_paths_are_what_url_for_gives(app):
    # page_url makes one url_for a request and appends the page; static_path remembers url_for('static') per file.
    from flask import url_for

    from trigger.templating import page_url, static_path

    for path, endpoint, view_args, filters in (
        ("/cases?q=Smith+%26+Sons&area=3&page=9&_method=POST", "cases.index", {}, {"q": "Smith & Sons", "area": "3"}),
        ("/my-actions", "actions.my_actions", {}, {}),
        ("/cases/7/timeline?kind=meeting", "cases.timeline", {"case_id": 7}, {"kind": "meeting"}),
    ):
        with app.test_request_context(path, base_url="http://localhost/trigger"):
            for number in (1, 2, 10):
                assert page_url(number) == url_for(endpoint, **view_args, **filters, page=number)
            assert static_path("css/trigger.css") == url_for("static", filename="css/trigger.css")
            assert static_path("css/trigger.css").startswith("/trigger/static/")
