"""Operational purges, the "Data we hold" page and the public notices administrators edit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import login, post, text_of
from tests.governance_helpers import audit_count
from trigger.extensions import db
from trigger.governance import purges
from trigger.models import (
    LoginAttempt,
    OutboxAttachment,
    OutboxMessage,
    OutboxStatus,
    PublicSubmission,
    Role,
    UserSession,
    utcnow,
)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_purge_removes_old_ip_addresses_sessions_and_email_bodies_but_keeps_the_envelope(app, admin):
    now = utcnow()
    old, recent = now - timedelta(days=31), now - timedelta(days=2)
    db.session.add_all(
        [
            LoginAttempt(email="a@example.org", ip_address="192.0.2.1", succeeded=False, at=old),
            LoginAttempt(email="a@example.org", ip_address="192.0.2.2", succeeded=True, at=recent),
            PublicSubmission(ip_address="192.0.2.3", at=old),
            PublicSubmission(ip_address="192.0.2.4", at=recent),
            UserSession(user_id=admin.id, token_hash="a" * 64, created_at=old, last_seen_at=old, revoked_at=old),
            UserSession(user_id=admin.id, token_hash="b" * 64, created_at=recent, last_seen_at=recent),
        ]
    )
    sent = OutboxMessage(
        to_address="jane@example.org",
        subject="Your application",
        body="Dear Jane, secrets",
        html_body="<p>Dear Jane</p>",
        status=OutboxStatus.SENT,
        sent_at=now - timedelta(days=100),
    )
    fresh = OutboxMessage(
        to_address="bob@example.org",
        subject="Hello",
        body="Dear Bob",
        status=OutboxStatus.SENT,
        sent_at=now - timedelta(days=1),
    )
    db.session.add_all([sent, fresh])
    db.session.flush()
    db.session.add(
        OutboxAttachment(message_id=sent.id, filename="letter.pdf", mime_type="application/pdf", content=b"%PDF")
    )
    db.session.commit()

    counted = purges.purge(now, email_body_days=90, dry_run=True)
    assert (counted.login_attempts, counted.public_submissions, counted.ended_sessions) == (1, 1, 1)
    assert _count(LoginAttempt) == 2

    report = app.test_cli_runner().invoke(args=["retention", "purge"])
    assert report.exit_code == 0 and "sign-in attempts older than 30 days: 1" in report.output
    db.session.expire_all()
    assert db.session.scalars(select(LoginAttempt.ip_address)).all() == ["192.0.2.2"]
    assert db.session.scalars(select(PublicSubmission.ip_address)).all() == ["192.0.2.4"]
    assert db.session.scalars(select(UserSession.token_hash)).all() == ["b" * 64]
    kept = db.session.get(OutboxMessage, sent.id)
    assert (kept.to_address, kept.subject, kept.status) == ("jane@example.org", "Your application", OutboxStatus.SENT)
    assert "secrets" not in kept.body and kept.html_body is None and _count(OutboxAttachment) == 0
    assert db.session.get(OutboxMessage, fresh.id).body == "Dear Bob"
    assert audit_count("retention.purged") == 1


def test_data_we_hold_lists_every_kind_of_record_with_its_period(app, admin_client, make_area):
    make_area("Northvale")
    page = text_of(admin_client.get("/admin/data-we-hold"))
    for expected in (
        "Cases (applications)",
        "Alleged perpetrators",
        "Sign-in attempts",
        "IP address",
        "Audit trail",
        "Emails sent",
        "Northvale: 6 years after closure",
    ):
        assert expected in page
    assert "30 days" in page


def test_the_privacy_notice_is_edited_by_an_administrator_and_shown_escaped(app, admin_client, client):
    page = text_of(admin_client.get("/admin/notices/privacy"))
    for heading in (
        "Who we are",
        "data protection officer",
        "lawful basis",
        "Who we share it with",
        "How long we keep it",
        "Your rights",
        "Information Commissioner",
    ):
        assert heading in page
    form = {
        key: f"Text of {key}"
        for key in ("controller", "dpo", "purposes", "recipients", "retention", "rights", "complaints")
    }
    form["dpo"] = "Write to dpo@testvale.example\n\n<script>alert(1)</script>"
    saved = post(admin_client, "/admin/notices/privacy", form, follow_redirects=True)
    assert "saved and is now public" in text_of(saved)
    public = admin_client.get("/privacy").get_data(as_text=True)
    assert "Write to dpo@testvale.example" in public and "<script>alert(1)" not in public
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in public
    assert audit_count("notice.edited") == 1


def test_a_missing_section_is_refused_and_nothing_typed_is_lost(app, admin_client):
    form = {key: f"Text of {key}" for key in ("controller", "dpo", "purposes", "recipients", "retention", "rights")}
    response = post(admin_client, "/admin/notices/privacy", form)
    assert response.status_code == 400
    assert "Enter the text of “How to complain”" in text_of(response)
    assert "Text of purposes" in response.get_data(as_text=True)


def test_the_accessibility_statement_has_the_model_sections_and_dates(app, admin_client):
    page = text_of(admin_client.get("/admin/notices/accessibility"))
    for heading in (
        "Compliance status",
        "not accessible",
        "Reporting accessibility problems",
        "Enforcement procedure",
        "Preparation of this statement",
        "prepared on",
        "reviewed on",
    ):
        assert heading in page
    form = {key: f"Text of {key}" for key in ("compliance", "non_accessible", "report", "enforcement", "preparation")}
    wrong_way = post(
        admin_client, "/admin/notices/accessibility", {**form, "prepared_on": "2026-09-01", "reviewed_on": "2026-08-01"}
    )
    assert wrong_way.status_code == 400 and "on or after the date the statement was prepared" in text_of(wrong_way)
    nonsense = post(admin_client, "/admin/notices/accessibility", {**form, "prepared_on": "31/31/2026"})
    assert nonsense.status_code == 400 and "Enter a real date" in text_of(nonsense)
    post(
        admin_client, "/admin/notices/accessibility", {**form, "prepared_on": "2026-09-01", "reviewed_on": "2026-11-01"}
    )
    public = text_of(admin_client.get("/accessibility"))
    assert "Text of enforcement" in public and "Statement prepared on 1 September 2026" in public


def test_the_public_notices_show_defaults_to_anyone_and_only_administrators_edit(app, org, make_user):
    client = app.test_client()
    assert "Information Commissioner's Office" in text_of(client.get("/privacy"))
    assert "Enforcement procedure" in text_of(client.get("/accessibility"))
    login(client, make_user(Role.COORDINATOR))
    assert client.get("/admin/notices/privacy").status_code == 403
    assert client.get("/admin/data-we-hold").status_code == 403
