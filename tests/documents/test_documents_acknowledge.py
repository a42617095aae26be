"""Acknowledging in one step (issue 16): "Acknowledge" issues the acknowledgement letter and sends it by the contact
method the applicant chose (email: queued in the outbox in the same step; post: issued for posting), after a
confirmation page that shows the email exactly as it will be sent. The acknowledgement deadline closes."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.cases_helpers import make_case
from tests.conftest import login, post, text_of
from trigger.domain.deadlines import DeadlineKind
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import AgencyType, Case, CaseDeadline, ContactMethod, IssuedDocument, OutboxMessage, Role


@pytest.fixture
def world(make_area, make_agency, make_user):
    police = make_agency("Test Police", AgencyType.POLICE)
    case = make_case(make_area("Northbury"), police, name="Alice Archer", email="alice@example.org")
    coordinator = make_user(Role.COORDINATOR, name="Cora Coordinator")
    return dict(
        case=case, coordinator=coordinator, chair=make_user(Role.CHAIR), rep=make_user(Role.AGENCY_REP, agency=police)
    )


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def acknowledgement_deadline(case_id: int) -> CaseDeadline:
    db.session.expire_all()
    return db.session.scalar(
        select(CaseDeadline).where(CaseDeadline.case_id == case_id, CaseDeadline.kind == DeadlineKind.ACKNOWLEDGE)
    )


def test_acknowledge_by_email_shows_the_email_then_issues_and_queues_it_in_one_step(app, world):
    client = signed_in(app, world["coordinator"])
    case = world["case"]
    url = f"/cases/{case.id}/documents/acknowledge"
    page = text_of(client.get(url))
    assert "By email to alice@example.org: queued in the outbox as soon as you confirm" in page
    assert f"Subject Your ASB Case Review: acknowledgement letter ({case.reference})" in page
    assert "Dear Alice Archer," in page and f"{case.reference}-acknowledgement-v1.pdf (PDF)" in page
    assert db.session.scalar(select(OutboxMessage)) is None  # the preview sends nothing
    assert acknowledgement_deadline(case.id).met_on is None

    response = post(client, url, {})
    assert response.status_code == 302 and response.location.endswith(f"/cases/{case.id}")
    summary = text_of(client.get(f"/cases/{case.id}"))
    assert "Acknowledgement letter version 1 has been issued." in summary
    assert "It is queued to be emailed to alice@example.org." in summary
    db.session.expire_all()
    document = db.session.scalar(select(IssuedDocument))
    assert document.kind.value == "acknowledgement" and document.method.value == "email"
    message = db.session.scalar(select(OutboxMessage).options(selectinload(OutboxMessage.attachments)))
    assert message.to_address == "alice@example.org"
    assert message.subject == f"Your ASB Case Review: acknowledgement letter ({case.reference})"
    assert message.body.startswith("Dear Alice Archer,")
    (attachment,) = message.attachments
    assert attachment.filename == f"{case.reference}-acknowledgement-v1.pdf"
    assert hashlib.sha256(attachment.content).hexdigest() == document.sha256  # the letter exactly as issued
    assert db.session.get(Case, case.id).stage is Stage.ACKNOWLEDGED
    assert acknowledgement_deadline(case.id).met_on is not None
    # The documents page says honestly how the email stands (the tests configure no mail server).
    assert "Not sent no mail server is configured" in text_of(client.get(f"/cases/{case.id}/documents"))
    assert "Send the threshold decision letter" in summary


def test_acknowledge_by_post_issues_the_letter_for_posting_and_sends_no_email(app, world):
    case = world["case"]
    case.preferred_contact = ContactMethod.POST
    db.session.commit()
    client = signed_in(app, world["coordinator"])
    url = f"/cases/{case.id}/documents/acknowledge"
    page = text_of(client.get(url))
    assert "By post to 1 Elm Road GL50 1AA" in page or "By post to 1 Elm Road, GL50 1AA" in page
    assert "The email the applicant will get" not in page
    response = post(client, url, {})
    assert response.status_code == 302
    assert "Print it and post it, then mark it as posted" in text_of(client.get(f"/cases/{case.id}"))
    assert db.session.scalar(select(OutboxMessage)) is None
    documents = text_of(client.get(f"/cases/{case.id}/documents"))
    assert "Mark as posted" in documents
    assert acknowledgement_deadline(case.id).met_on is not None


def test_emailing_an_issued_letter_is_previewed_first(app, world):
    client = signed_in(app, world["coordinator"])
    case = world["case"]
    case.preferred_contact = ContactMethod.POST
    db.session.commit()
    post(client, f"/cases/{case.id}/documents/acknowledge", {})
    case = db.session.get(Case, case.id)
    case.preferred_contact = ContactMethod.EMAIL  # the applicant asks for email after all
    db.session.commit()
    document = db.session.scalar(select(IssuedDocument))
    listing = client.get(f"/cases/{case.id}/documents").get_data(as_text=True)
    assert f'href="/cases/{case.id}/documents/{document.id}/email"' in listing
    page = text_of(client.get(f"/cases/{case.id}/documents/{document.id}/email"))
    assert "The email the applicant will get" in page and "To alice@example.org" in page
    assert f"{case.reference}-acknowledgement-v1.pdf (PDF)" in page
    assert db.session.scalar(select(OutboxMessage)) is None
    assert post(client, f"/cases/{case.id}/documents/{document.id}/email", {}).status_code == 302
    assert db.session.scalar(select(OutboxMessage)).to_address == "alice@example.org"


@pytest.mark.parametrize("role", ["chair", "rep"])
def test_only_coordinators_and_administrators_acknowledge(app, world, role):
    client = signed_in(app, world[role])
    assert client.get(f"/cases/{world['case'].id}/documents/acknowledge").status_code == 403
    assert db.session.scalar(select(IssuedDocument)) is None
