"""Action numbers agree everywhere (issue 16): each action has one number on its plan, in the order the actions
were added, and the plan page, My actions, the PDFs and the CSV exports all show that same number."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.actions_helpers import make_case
from tests.conftest import login, post, text_of
from tests.documents_helpers import pdf_text
from trigger.extensions import db
from trigger.models import Action, ActionPlan, AgencyType, Priority, Role

DESCRIPTIONS = ("Offer mediation to both households", "Check the CCTV on the close", "Visit the flat weekly")


@pytest.fixture
def world(app, make_area, make_agency, make_user):
    area = make_area("Severnbury")
    police = make_agency("Severn Police", AgencyType.POLICE)
    council = make_agency("Severnbury Council", AgencyType.COUNCIL)
    case = make_case(area, applicant="Alice Victim")
    coordinator = make_user(Role.COORDINATOR, name="Cora Coordinator")
    police_rep = make_user(Role.AGENCY_REP, agency=police, name="Priya Police")
    client = app.test_client()
    login(client, coordinator)
    # Added in this order (numbers 1, 2, 3), due in another order: 3 weeks, 5 days, 10 days.
    for description, owner, days in zip(DESCRIPTIONS, (council, police, police), (21, 5, 10)):
        response = post(
            client,
            f"/cases/{case.id}/plan/actions/new",
            {
                "description": description,
                "owner_agency_id": str(owner.id),
                "owner_user_id": "",
                "priority": "medium",
                "due_on": (date.today() + timedelta(days=days)).isoformat(),
            },
        )
        assert response.status_code == 302
    return {"case": case, "coordinator": client, "police_rep": police_rep, "police": police, "area": area}


def _numbers(page: str, pattern: str) -> dict[str, str]:
    return {
        description: match.group(1)
        for description in DESCRIPTIONS
        if (match := re.search(pattern.format(re.escape(description)), page))
    }


def test_the_plan_my_actions_the_pdf_and_the_csv_show_the_same_number_for_the_same_action(app, world):
    case = world["case"]
    expected = {DESCRIPTIONS[0]: "1", DESCRIPTIONS[1]: "2", DESCRIPTIONS[2]: "3"}
    flash = text_of(world["coordinator"].get(f"/cases/{case.id}/plan"))
    plan = text_of(world["coordinator"].get(f"/cases/{case.id}/plan"))
    assert "The action has been added to the plan. It is action 3." in flash
    # The plan lists by due date, each action under its number.
    assert _numbers(plan, r"Action (\d) {}") == expected
    assert plan.index("Action 2") < plan.index("Action 3") < plan.index("Action 1")

    rep = app.test_client()
    login(rep, world["police_rep"])
    mine = text_of(rep.get("/my-actions"))
    assert _numbers(mine, r"Action (\d) ?: Severnbury: {}") == {DESCRIPTIONS[1]: "2", DESCRIPTIONS[2]: "3"}
    html = rep.get("/my-actions").get_data(as_text=True)
    assert f'href="/cases/{case.id}/plan#action-3"' in html

    pdf = pdf_text(world["coordinator"].get(f"/cases/{case.id}/documents/preview?kind=action-plan").data)
    assert _numbers(pdf, r"Action (\d): {}") == expected

    rows = list(
        csv.DictReader(
            io.StringIO(world["coordinator"].get(f"/cases/{case.id}/plan.csv").get_data(as_text=True).lstrip("\ufeff"))
        )
    )
    assert {row["Action"]: row["Action number"] for row in rows} == expected
    mine_rows = list(csv.DictReader(io.StringIO(rep.get("/my-actions.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["Action"]: row["Action number"] for row in mine_rows} == {DESCRIPTIONS[1]: "2", DESCRIPTIONS[2]: "3"}


def test_a_number_stays_with_its_action_and_is_never_given_again(app, world):
    case = world["case"]
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.case_id == case.id))
    first = db.session.scalar(select(Action).where(Action.number == 1))
    later = (date.today() + timedelta(days=60)).isoformat()
    response = post(
        world["coordinator"],
        f"/actions/{first.id}/due-date",
        {"due_on": later, "reason": "Waiting for the mediation service", "version": "1"},
    )
    assert response.status_code == 302
    # Two actions added in one go (as the demo and imports do) take the next numbers, in the order added.
    due = date.today() + timedelta(days=7)
    for description in ("Fourth", "Fifth"):
        db.session.add(
            Action(
                plan_id=plan.id,
                description=description,
                owner_agency_id=world["police"].id,
                due_on=due,
                original_due_on=due,
                priority=Priority.LOW,
            )
        )
    db.session.commit()
    numbers = dict(db.session.execute(select(Action.description, Action.number)).all())
    assert numbers == {DESCRIPTIONS[0]: 1, DESCRIPTIONS[1]: 2, DESCRIPTIONS[2]: 3, "Fourth": 4, "Fifth": 5}
    # Another case's plan counts from 1.
    other = make_case(world["area"], applicant="Bob Victim")
    assert (
        post(
            world["coordinator"],
            f"/cases/{other.id}/plan/actions/new",
            {
                "description": "Write to the landlord",
                "owner_agency_id": str(world["police"].id),
                "owner_user_id": "",
                "priority": "low",
                "due_on": due.isoformat(),
            },
        ).status_code
        == 302
    )
    assert db.session.scalar(select(Action.number).where(Action.description == "Write to the landlord")) == 1
