"""The operators' status: the administrators' page and banner, `flask status`, and /status.json for monitoring."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.conftest import build_app, login, text_of
from trigger.extensions import db
from trigger.models import OutboxStatus, Role
from trigger.models.base import utcnow
from trigger.models.operations import JobRun, JobStatus
from trigger.notifications.services import queue_email

TOKEN = "s3cret-monitoring-token-0123456789"


def late_email(minutes: int = 30) -> None:
    message = queue_email("pat@applicant.example", "Waiting", "Body")
    db.session.flush()
    message.next_attempt_at = message.created_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()


def reminder_run(status: JobStatus = JobStatus.OK, minutes_ago: int = 2, count: int = 3) -> None:
    started = utcnow() - timedelta(minutes=minutes_ago)
    db.session.add(
        JobRun(
            job="reminders",
            run_id="a" * 32,
            started_at=started,
            finished_at=started,
            duration_ms=1234,
            status=status,
            count=count,
            summary="Checked 5 open case deadline(s)",
            holder="jobs-1:42",
        )
    )
    db.session.commit()


@pytest.fixture
def token_client(database_url):
    app = build_app(database_url, status_token=TOKEN)
    with app.app_context():
        yield app.test_client()
        db.session.remove()


def test_the_administrators_page_shows_the_outbox_the_reminders_and_the_database(app, admin_client):
    late_email()
    failed = queue_email("x@example.org", "Gave up", "Body")
    failed.status = OutboxStatus.FAILED
    db.session.commit()
    reminder_run()
    page = text_of(admin_client.get("/admin/status"))
    assert "Waiting to be sent 1" in page and "(30 minutes)" in page
    assert "Failed 1" in page and "see the failed emails" in page
    assert "1234 ms" in page and "Checked 5 open case deadline(s)" in page
    assert "The outbox is late: an email has waited 30 minutes to be sent." in page
    assert f"Engine {'PostgreSQL' if db.engine.dialect.name == 'postgresql' else 'SQLite'}" in page
    assert "Answers Yes" in page
    assert "Retention" not in page  # shown only once the jobs process has run it


def test_the_status_page_shows_the_last_retention_run_once_there_is_one(app, admin_client):
    from trigger.operations import jobs

    jobs.run_job("retention")
    page = text_of(admin_client.get("/admin/status"))
    assert "Retention Last run started" in page and "Anonymised 0 case(s)" in page


def test_only_administrators_see_the_status_page(client, make_user):
    login(client, make_user(Role.COORDINATOR))
    assert client.get("/admin/status").status_code == 403


def test_an_administrator_sees_a_banner_when_the_outbox_or_the_reminders_are_late(app, admin_client, client, make_user):
    assert "Background jobs are late" not in text_of(admin_client.get("/home"))
    late_email(minutes=45)
    reminder_run(JobStatus.FAILED)
    app.extensions.pop("trigger.operations.banner", None)  # the banner is worked out once a minute
    page = text_of(admin_client.get("/home"))
    assert "Background jobs are late" in page
    assert "The outbox is late: an email has waited 45 minutes to be sent." in page
    assert "The last reminder run failed." in page


def test_other_roles_never_see_the_banner(app, client, make_user):
    late_email(minutes=45)
    login(client, make_user(Role.COORDINATOR))
    assert "Background jobs are late" not in text_of(client.get("/home"))


def test_old_reminders_are_late_but_a_site_that_never_ran_them_is_not_nagged(app, admin_client):
    from trigger.operations.status import current_status

    assert current_status().problems == []
    reminder_run(minutes_ago=90)
    assert current_status().problems == ["The reminders are late: the last run was 90 minutes ago."]


def test_the_monitoring_endpoint_does_not_exist_without_a_token(client):
    assert client.get("/status.json", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "])
def test_the_monitoring_endpoint_refuses_a_wrong_token(app, token_client, header):
    response = token_client.get("/status.json", headers={"Authorization": header} if header else {})
    assert response.status_code == 403


def test_the_monitoring_endpoint_reports_counts_and_times_but_no_addresses(app, token_client):
    late_email()
    reminder_run()
    response = token_client.get("/status.json", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "problem" and body["database"]["ok"] is True
    assert body["outbox"]["unsent"] == 1 and 1790 <= body["outbox"]["oldest_unsent_age_seconds"] <= 1830
    assert body["reminders"]["last_run"]["status"] == "ok" and body["reminders"]["last_run"]["count"] == 3
    assert body["retention"]["last_run"] is None  # retention is not run by the jobs process here
    assert "applicant.example" not in response.get_data(as_text=True)


def test_flask_status_prints_the_state_and_fails_when_something_needs_attention(app):
    runner = app.test_cli_runner()
    quiet = runner.invoke(args=["status"])
    assert quiet.exit_code == 0, quiet.output
    assert "Outbox: 0 unsent; 0 failed" in quiet.output and "Last reminders run: never recorded" in quiet.output
    late_email()
    reminder_run()
    result = runner.invoke(args=["status"])
    assert result.exit_code == 1
    assert "Last reminders run:" in result.output and "ok, 1234 ms, 3 done" in result.output
    assert "PROBLEM: The outbox is late" in result.output
    as_json = runner.invoke(args=["status", "--json"])
    assert json.loads(as_json.output)["outbox"]["unsent"] == 1
