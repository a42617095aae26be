"""/healthz for load balancers, and `flask demo load` for newcomers."""

import re

from sqlalchemy import func, select

from tests.conftest import build_app, login, post, text_of
from trigger.extensions import db
from trigger.models import Agency, Area, Role, User


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    for url in (f"sqlite:///{tmp_path}/missing-dir/nowhere.db", "postgresql://postgres@127.0.0.1:1/test"):
        app = build_app(url)
        response = app.test_client().get("/healthz")
        assert response.status_code == 503, url
        body = response.get_json()
        assert body["status"] == "error" and body["database"] == "unreachable" and body["reason"]


def test_demo_load_fills_an_empty_database_and_refuses_twice(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "shown once only" in result.output
    accounts = re.findall(r"^\s+(\S+@demo\.example)\s+(\S+)\s+\((.+?):", result.output, re.M)
    assert len(accounts) == 12
    roles = {label for _, _, label in accounts}
    assert {role.label for role in Role} <= roles
    assert db.session.scalar(select(func.count()).select_from(Area)) == 6
    assert db.session.scalar(select(func.count()).select_from(Agency)) >= 15
    # Every printed password works.
    for email, password, _ in accounts[:3]:
        client = app.test_client()
        user = db.session.scalar(select(User).where(User.email == email))
        login(client, user, password)
    # The set-up page is gone: the demo made the organisation and an administrator.
    assert app.test_client().get("/setup").status_code == 404

    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 1
    # The demo county now has cases (the restorative pathway's), so that is what the refusal names first.
    assert "already has cases, so demo data was not loaded" in again.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 12


def test_demo_load_keeps_an_administrator_made_at_setup(app, client):
    post(
        client,
        "/setup",
        {
            "org_name": "My CSP",
            "name": "First Admin",
            "email": "first@example.org",
            "password": "violet kettle harbour morning",
            "confirm_password": "violet kettle harbour morning",
        },
    )
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "My CSP" in text_of(client.get("/home"))
    assert db.session.scalar(select(func.count()).select_from(User)) == 13


def test_demo_load_refuses_a_database_with_cases(app, make_area):
    from datetime import date

    from trigger.models import Case, Channel

    area = make_area("Casebury")
    db.session.add(
        Case(
            reference="ASB-2026-0001",
            area_id=area.id,
            received_on=date(2026, 11, 2),
            applicant_name="Pat Applicant",
            channel=Channel.PHONE,
        )
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "This database already has cases, so demo data was not loaded" in result.output
