"""`flask demo load` fills the lists: one case at every stage, built through the product's own services."""

import re

from sqlalchemy import func, select

from tests.conftest import login, text_of
from trigger.demo.stories import STORIES
from trigger.extensions import db
from trigger.models import AuditEvent, Case, CaseDeadline, IssuedDocument, OutboxMessage, User


def _load(app) -> dict[str, str]:
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return dict(re.findall(r"^\s+(\S+@demo\.example)\s+(\S+)\s+\(", result.output, re.M))


def _client(app, passwords, email):
    client = app.test_client()
    login(client, db.session.scalar(select(User).where(User.email == email)), passwords[email])
    return client


def test_the_coordinator_sees_a_case_at_every_stage(app):
    passwords = _load(app)
    coordinator = _client(app, passwords, "coordinator@demo.example")
    page = text_of(coordinator.get("/cases"))
    for applicant, stage in STORIES:
        assert applicant in page
        assert stage.label in page, stage
    # Real documents, deadlines, audit and emails: the services made them, not inserts.
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) >= 10
    assert db.session.scalar(select(func.count()).select_from(CaseDeadline)) >= 16
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) >= 5
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "threshold.decided"))
        == 6
    )


def test_the_live_plan_shows_overdue_actions_to_the_police(app):
    passwords = _load(app)
    police = _client(app, passwords, "police@demo.example")
    page = text_of(police.get("/my-actions"))
    assert "Patrol the close on Friday and Saturday nights" in page
    assert "overdue" in page.lower()
    live = db.session.scalar(select(Case).where(Case.applicant_name == "Farah Hussain"))
    coordinator = _client(app, passwords, "coordinator@demo.example")
    plan = text_of(coordinator.get(f"/cases/{live.id}/plan"))
    assert "Install noise monitoring equipment" in plan and "overdue" in plan.lower()
