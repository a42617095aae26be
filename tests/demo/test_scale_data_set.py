"""`flask demo load --scale N`: a large fictional data set that keeps every rule, and the pages it feeds."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import func, select

from tests.conftest import TEST_PASSWORD, login, text_of
from trigger.actions.services import my_actions_page
from trigger.auth.passwords import hash_password
from trigger.authz import case_visibility, involvement_pairs
from trigger.demo.scale import plan_cases
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Agency,
    Attendee,
    Case,
    CaseAgency,
    Incident,
    IncidentReport,
    Meeting,
    MinuteRevision,
    Role,
    User,
)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _signed_in(app, user: User):
    user.password_hash = hash_password(TEST_PASSWORD, "test")
    db.session.commit()
    client = app.test_client()
    login(client, user)
    return client


def test_scale_load_makes_the_promised_volumes_and_the_pages_render(app):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--scale", "0.1", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "100 / 100 cases written" in result.output

    # 0.1 of N=1 (1,000 cases, 3,000 meetings, 10,000 actions), on top of the demo county with 40 agencies.
    assert count(Case) == 100
    assert count(Meeting) == 300
    assert count(Action) == 1000
    assert count(Agency) == 40
    assert count(Attendee) > 300 and count(MinuteRevision) > 300 and count(ActionUpdate) > 1000
    # Every case has incidents, every incident at least one report.
    assert count(Case, ~Case.id.in_(select(Incident.case_id))) == 0
    assert count(Incident, ~Incident.id.in_(select(IncidentReport.incident_id))) == 0
    # The stages tell a consistent story: no meeting before a threshold decision, no plan before a meeting.
    early = [Stage.RECEIVED, Stage.ACKNOWLEDGED, Stage.THRESHOLD_MET, Stage.THRESHOLD_NOT_MET]
    assert count(Meeting, Meeting.case_id.in_(select(Case.id).where(Case.stage.in_(early)))) == 0
    assert count(ActionPlan, ~ActionPlan.case_id.in_(select(Meeting.case_id))) == 0
    assert count(Case, Case.stage == Stage.CLOSED, Case.closed_on.is_(None)) == 0

    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demo.example"))
    staff = _signed_in(app, coordinator)
    listing = staff.get("/cases")
    newest = db.session.scalar(select(Case).order_by(Case.received_on.desc(), Case.id.desc()).limit(1))
    assert newest.reference in text_of(listing)

    busy_id = db.session.scalar(
        select(Meeting.case_id).group_by(Meeting.case_id).order_by(func.count().desc(), Meeting.case_id).limit(1)
    )
    busy = db.session.get(Case, busy_id)
    page = staff.get(f"/cases/{busy.id}/incidents")
    assert page.status_code == 200
    first_incident = db.session.scalar(select(Incident).where(Incident.case_id == busy.id).order_by(Incident.id))
    assert busy.reference in text_of(page) and first_incident.description in text_of(page)
    # Every case has the stage deadlines its story implies: three from receipt, met as the stages were reached.
    from trigger.domain.deadlines import DeadlineKind
    from trigger.models.deadlines import CaseDeadline

    assert count(Case, ~Case.id.in_(select(CaseDeadline.case_id))) == 0
    assert count(CaseDeadline, CaseDeadline.kind == DeadlineKind.THRESHOLD_DECISION) == 100
    waiting = db.session.scalar(select(Case).where(Case.stage == Stage.RECEIVED).order_by(Case.id).limit(1))
    if waiting is not None:
        assert "Acknowledge the application" in text_of(staff.get(f"/cases/{waiting.id}"))
    assert count(CaseDeadline, CaseDeadline.kind == DeadlineKind.OUTCOME, CaseDeadline.met_on.is_not(None)) == count(
        ActionPlan
    )  # an agreed plan means the outcome letter went out

    owner = db.session.scalar(
        select(User)
        .join(Action, Action.owner_agency_id == User.agency_id)
        .where(User.role == Role.AGENCY_REP)
        .order_by(User.id)
        .limit(1)
    )
    mine = _signed_in(app, owner).get("/my-actions")
    listing = my_actions_page(owner, date.today())  # overdue first, 50 a page
    assert mine.status_code == 200
    assert listing.rows[0].action.description[:60] in text_of(mine)
    assert ("page 1 of" in text_of(mine)) == (listing.pages > 1)

    # The bulk load bypassed the ORM: the involved agencies of every case were worked out at its end, and the
    # representative's case list (read from them) counts the cases the rule gives.
    assert set(db.session.execute(select(CaseAgency.case_id, CaseAgency.agency_id)).tuples()) == set(
        db.session.execute(involvement_pairs()).tuples()
    )
    theirs = db.session.scalar(select(func.count()).select_from(Case).where(case_visibility(owner)))
    assert f"{theirs} case" in text_of(_signed_in(app, owner).get("/cases"))


def test_scale_refuses_a_database_that_already_has_cases(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load", "--scale", "0.01"]).exit_code == 0
    again = runner.invoke(args=["demo", "load", "--scale", "0.01"])
    assert again.exit_code != 0 and "already has cases" in again.output
    assert count(Case) == 10


def test_the_same_seed_gives_the_same_data_set():
    first = plan_cases(200, 600, 2000, random.Random(5))
    second = plan_cases(200, 600, 2000, random.Random(5))
    assert first == second
    assert sum(p.meetings for p in first) == 600 and sum(p.actions for p in first) == 2000
