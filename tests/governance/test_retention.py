"""Retention: per-area periods, legal holds, `flask retention run [--dry-run]`, anonymisation that keeps the
figures, the lock that refuses a second run at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import login, post, text_of
from tests.documents_helpers import PERPETRATOR, MINUTES_TEXT, pdf_text
from tests.governance_helpers import LETTER_TEXT, audit_count, closed_world, fake_placeholder
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.governance import retention
from trigger.models import (
    AuditEvent,
    Case,
    Incident,
    IssuedDocument,
    LegalHold,
    MinuteRevision,
    Perpetrator,
    Role,
)


@pytest.fixture
def old_case(app, org):
    return closed_world()


def _reload(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def test_dry_run_lists_the_due_case_and_changes_nothing(app, old_case):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["retention", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would anonymise 1 case(s)" in result.output
    assert "ASB-2019-0001" in result.output and "6-year retention" in result.output
    assert "Dry run: nothing was changed" in result.output
    assert _reload(old_case.case.id).applicant_name == "Jane Applicant"
    assert audit_count("case.anonymised") == 0


def test_run_anonymises_people_free_text_and_documents_but_keeps_the_figures(app, old_case):
    case_id = old_case.case.id
    before = _reload(case_id)
    stage, closed_on, received_on, area_id = before.stage, before.closed_on, before.received_on, before.area_id
    incidents = db.session.scalar(select(func.count()).select_from(Incident).where(Incident.case_id == case_id))

    report = retention.run(placeholder_pdf=fake_placeholder)

    assert report.anonymised == 1
    case = _reload(case_id)
    assert case.applicant_name == "Anonymised applicant"
    assert (case.applicant_email, case.applicant_phone, case.applicant_address) == ("", "", "")
    assert "Jane" not in case.asb_description and "Noisyneighbour" not in case.closure_reason
    # What the statistics count is untouched.
    assert (case.stage, case.closed_on, case.received_on, case.area_id) == (stage, closed_on, received_on, area_id)
    assert db.session.scalar(select(func.count()).select_from(Incident).where(Incident.case_id == case_id)) == incidents
    assert db.session.scalar(select(Perpetrator.name).where(Perpetrator.case_id == case_id)) == "Anonymised person"
    assert MINUTES_TEXT not in db.session.scalars(select(MinuteRevision.text)).all()
    from tests.documents_helpers import RECOMMENDATION_FOR_APPLICANT
    from trigger.models import Recommendation

    assert RECOMMENDATION_FOR_APPLICANT not in db.session.scalars(select(Recommendation.victim_wording)).all()
    document = db.session.scalar(select(IssuedDocument).where(IssuedDocument.case_id == case_id))
    assert document.content == fake_placeholder() and document.recipient_name == "Anonymised recipient"
    # Audited per case, without copying the removed data into the trail.
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.anonymised")).all()
    assert [e.case_id for e in events] == [case_id]
    assert events[0].details["records"]["perpetrators"] == 1
    trail = " ".join(
        f"{e.summary} {e.details}"
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(["case.anonymised", "retention.run"]))
        )
    )
    assert "Jane" not in trail and PERPETRATOR not in trail
    # A second run finds nothing more to do.
    assert retention.run(placeholder_pdf=fake_placeholder).anonymised == 0


def test_the_issued_document_is_replaced_by_a_readable_notice(app, old_case):
    retention.run()  # the real PDF engine, once
    document = db.session.scalar(select(IssuedDocument))
    assert document.content != LETTER_TEXT
    text = pdf_text(document.content)
    assert "Document removed" in text and "retention policy" in text
    assert "Jane" not in text


def test_the_case_page_says_the_case_was_anonymised(app, old_case, admin_client):
    from trigger import audit

    # An event written before the run quotes a name: the trail keeps it (append-only), the timeline no longer shows it.
    audit.record(
        "case.stage_changed",
        "case",
        old_case.case.id,
        "Closed: Jane Applicant says Noisyneighbour left",
        case_id=old_case.case.id,
    )
    db.session.commit()
    retention.run(placeholder_pdf=fake_placeholder)
    page = text_of(admin_client.get(f"/cases/{old_case.case.id}?timeline=all"))
    assert "A change to the case (details removed when the case was anonymised)" in page
    assert "Noisyneighbour" not in page
    assert "This case was anonymised" in page and "6-year retention" in page
    assert "Jane Applicant" not in page and PERPETRATOR not in page


def test_a_case_not_yet_past_its_period_is_left_alone(app, org):
    world = closed_world(years_ago=5, reference="ASB-2021-0001")
    assert retention.run(placeholder_pdf=fake_placeholder).anonymised == 0
    assert _reload(world.case.id).applicant_name == "Jane Applicant"


def test_a_shorter_area_period_brings_the_case_forward(app, org, admin_client):
    world = closed_world(years_ago=5, reference="ASB-2021-0001")
    response = post(
        admin_client, f"/admin/areas/{world.area.id}/retention", {"retention_years": "4"}, follow_redirects=True
    )
    assert "now anonymised 4 years after they close" in text_of(response)
    assert audit_count("area.retention_changed") == 1
    assert "The next retention run would anonymise 1 case" in text_of(admin_client.get("/admin/retention"))
    assert retention.run(placeholder_pdf=fake_placeholder).anonymised == 1


@pytest.mark.parametrize(
    "value, message",
    [
        ("abc", "whole number of years between 1 and 30"),
        ("0", "whole number of years between 1 and 30"),
        ("31", "whole number of years between 1 and 30"),
        ("", "whole number of years between 1 and 30"),
    ],
)
def test_a_bad_retention_period_is_refused_on_the_form(app, org, admin_client, make_area, value, message):
    area = make_area()
    response = post(admin_client, f"/admin/areas/{area.id}/retention", {"retention_years": value})
    assert response.status_code == 400
    assert message in text_of(response)
    assert retention.retention_years(area) == 6


def test_a_legal_hold_stops_the_run_until_lifted_with_a_reason(app, old_case, admin_client):
    case_id = old_case.case.id
    page = text_of(admin_client.get(f"/cases/{case_id}"))
    assert "Place a legal hold" in page
    refused = post(admin_client, f"/cases/{case_id}/legal-hold", {"reason": "  "})
    assert refused.status_code == 400 and "Enter the reason" in text_of(refused)
    placed = post(
        admin_client, f"/cases/{case_id}/legal-hold", {"reason": "Civil claim pending"}, follow_redirects=True
    )
    assert "under a legal hold" in text_of(placed) and "Civil claim pending" in text_of(placed)

    dry = app.test_cli_runner().invoke(args=["retention", "run", "--dry-run"])
    assert "Would anonymise 0 case(s)" in dry.output and "ASB-2019-0001" in dry.output and "held" in dry.output
    report = retention.run(placeholder_pdf=fake_placeholder)
    assert report.anonymised == 0 and [item.reference for item in report.held] == ["ASB-2019-0001"]
    assert _reload(case_id).applicant_name == "Jane Applicant"

    no_reason = post(admin_client, f"/cases/{case_id}/legal-hold/lift", {"reason": ""})
    assert no_reason.status_code == 400 and "Enter the reason" in text_of(no_reason)
    assert retention.hold_in_force(case_id) is not None
    lifted = post(admin_client, f"/cases/{case_id}/legal-hold/lift", {"reason": "Claim settled"}, follow_redirects=True)
    assert "was lifted" in text_of(lifted)
    assert audit_count("legal_hold.placed") == 1 and audit_count("legal_hold.lifted") == 1
    hold = db.session.scalar(select(LegalHold))
    assert (hold.reason, hold.lift_reason) == ("Civil claim pending", "Claim settled")
    assert retention.run(placeholder_pdf=fake_placeholder).anonymised == 1


def test_a_second_hold_and_a_hold_by_a_coordinator_are_refused(app, old_case, admin_client, make_user):
    case_id = old_case.case.id
    post(admin_client, f"/cases/{case_id}/legal-hold", {"reason": "Inquiry"})
    again = post(admin_client, f"/cases/{case_id}/legal-hold", {"reason": "Another"})
    assert again.status_code == 400 and "already under a legal hold" in text_of(again)
    coordinator = make_user(Role.COORDINATOR)
    client = app.test_client()
    login(client, coordinator)
    assert client.get(f"/cases/{case_id}/legal-hold").status_code == 403
    assert client.get(f"/cases/{case_id}/legal-hold/lift").status_code == 403
    assert client.get("/admin/retention").status_code == 403
    assert "Legal hold" in text_of(client.get(f"/cases/{case_id}"))  # the banner shows to everyone who sees it


def test_two_runs_at_once_are_refused_with_a_clear_message(app, old_case):
    retention.acquire_lock("another-run")
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code != 0
    assert "Another retention run is in progress" in result.output and "flask retention unlock" in result.output
    assert _reload(old_case.case.id).applicant_name == "Jane Applicant"
    assert "released" in app.test_cli_runner().invoke(args=["retention", "unlock"]).output
    assert retention.run(placeholder_pdf=fake_placeholder).anonymised == 1


def test_the_lock_is_released_when_a_run_fails(app, old_case):
    def broken() -> bytes:
        raise RuntimeError("engine down")

    with pytest.raises(RuntimeError):
        retention.run(placeholder_pdf=broken)
    assert _reload(old_case.case.id).applicant_name == "Jane Applicant"
    assert retention.run(placeholder_pdf=fake_placeholder).anonymised == 1


def test_open_cases_are_never_anonymised(app, org):
    world = closed_world()
    case = _reload(world.case.id)
    case.stage = Stage.PLAN_LIVE
    case.closed_on = date.today() - timedelta(days=4000)
    db.session.commit()
    assert retention.run(placeholder_pdf=fake_placeholder).anonymised == 0


def test_the_run_only_adds_to_the_audit_trail(app, old_case):
    before = db.session.execute(
        select(AuditEvent.id, AuditEvent.summary, AuditEvent.details).order_by(AuditEvent.id)
    ).all()
    retention.run(placeholder_pdf=fake_placeholder)
    db.session.expire_all()
    after = db.session.execute(
        select(AuditEvent.id, AuditEvent.summary, AuditEvent.details).order_by(AuditEvent.id)
    ).all()
    assert after[: len(before)] == before and len(after) == len(before) + 2  # one per case, one for the run


def test_the_command_anonymises_purges_and_reports(app, old_case, admin_client):
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 1 case(s)" in result.output and "Purged operational records" in result.output
    refused = post(admin_client, f"/cases/{old_case.case.id}/legal-hold", {"reason": "Too late"})
    assert refused.status_code == 400 and "already been anonymised" in text_of(refused)
