"""The Documents page as people read it: honest delivery status, this stage's documents first, escalation letters
only once there is an escalation, the fingerprint in a document's details, and an agency representative told
that documents exist which are not shared with them."""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import select

from tests.conftest import login, post, text_of
from tests.documents_helpers import make_doc_world
from trigger.domain.delivery import email_delivery
from trigger.domain.documents_for_stage import split_by_relevance
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import DocumentKind, IssuedDocument, OutboxMessage, OutboxStatus, Role


def _url(world, tail=""):
    return f"/cases/{world.case.id}/documents{tail}"


def _issue(client, world, kind, **overrides):
    data = {
        "recipient_name": "Jane Applicant",
        "recipient_email": "jane@example.org",
        "recipient_address": "1 Elm Road",
        "method": "post",
        "meeting_id": "0",
        "findings": "Reports were not shared between the agencies.",
    }
    data.update(overrides)
    return post(client, _url(world, f"/issue?kind={kind.value}"), data)


def _set_stage(world, stage):
    world.case.stage = stage
    db.session.commit()


def _issued_table(page: str) -> str:
    return page.split("Issued documents", 1)[1]


def test_an_emailed_letter_says_not_sent_until_the_relay_accepts_it_never_emailed(app, org, client):
    world = make_doc_world()
    login(client, world.coordinator)
    _issue(client, world, DocumentKind.OUTCOME, method="email")
    document = db.session.scalar(select(IssuedDocument))
    post(client, _url(world, f"/{document.id}/email"), {}, token_from=_url(world))
    message = db.session.scalar(select(OutboxMessage))
    table = _issued_table(text_of(client.get(_url(world))))
    assert "Emailed" not in table.replace("emailed ", "")
    # The tests run without a mail server: a queued email cannot leave until one is configured.
    assert "Not sent no mail server is configured" in table
    app.config["TRIGGER_SETTINGS"] = dataclasses.replace(app.config["TRIGGER_SETTINGS"], smtp_host="smtp.example")
    assert "Queued" in _issued_table(text_of(client.get(_url(world))))
    message.attempts, message.last_error = 1, "Connection refused"
    db.session.commit()
    assert "Not sent - retrying" in _issued_table(text_of(client.get(_url(world))))
    message.status = OutboxStatus.SENT
    db.session.commit()
    table = _issued_table(text_of(client.get(_url(world))))
    assert "Sent" in table and "Not sent" not in table


def test_delivery_words_are_the_same_everywhere():
    assert email_delivery("queued", 0).label == "Queued"
    assert email_delivery("queued", 0, mail_server_configured=False).label == "Not sent"
    assert email_delivery("queued", 2).label == "Not sent - retrying"
    assert email_delivery("sending", 0).label == "Queued"
    assert email_delivery("sent", 1).label == "Sent"
    assert email_delivery("failed", 5).label == "Not sent"


def test_a_posted_letter_says_posted(org, client):
    world = make_doc_world()
    login(client, world.coordinator)
    _issue(client, world, DocumentKind.OUTCOME)
    document = db.session.scalar(select(IssuedDocument))
    post(
        client,
        _url(world, f"/{document.id}/posted"),
        {
            "posted_on-day": str(date.today().day),
            "posted_on-month": str(date.today().month),
            "posted_on-year": str(date.today().year),
            "posted_on": date.today().isoformat(),
        },
        token_from=_url(world, f"/{document.id}/posted"),
    )
    assert "Posted" in _issued_table(text_of(client.get(_url(world))))


def test_the_documents_for_this_stage_come_first_and_escalation_letters_wait_for_an_escalation(org, client):
    world = make_doc_world()
    _set_stage(world, Stage.THRESHOLD_MET)
    login(client, world.coordinator)
    page = text_of(client.get(_url(world)))
    this_stage = page.split("For this stage", 1)[1].split("Other documents", 1)[0]
    assert "Meeting invitation (agencies)" in this_stage and "Meeting invitation (applicant)" in this_stage
    assert "Acknowledgement letter" not in this_stage
    assert "Acknowledgement letter" in page.split("Other documents", 1)[1]
    assert "Escalation" not in page


def test_escalation_letters_are_offered_once_the_case_is_escalated():
    relevant, others = split_by_relevance(
        "escalated", ["acknowledgement", "escalation-acknowledgement", "escalation-outcome"], has_escalation=True
    )
    assert relevant == ["escalation-acknowledgement", "escalation-outcome"] and others == ["acknowledgement"]
    assert split_by_relevance("plan-live", ["escalation-outcome", "action-plan"], has_escalation=False) == (
        ["action-plan"],
        [],
    )


def test_the_sha256_is_in_the_document_s_details_not_a_column(org, client):
    world = make_doc_world()
    login(client, world.coordinator)
    _issue(client, world, DocumentKind.ACTION_PLAN, method="agency-portal")
    document = db.session.scalar(select(IssuedDocument))
    html = client.get(_url(world)).get_data(as_text=True)
    assert ">SHA-256</th>" not in html
    details = html.split('<details class="govuk-details', 1)[1].split("</details>", 1)[0]
    assert document.sha256 in details


def test_an_agency_representative_is_told_what_they_may_see(app, org, make_user):
    world = make_doc_world()
    coordinator = app.test_client()
    login(coordinator, world.coordinator)
    _issue(coordinator, world, DocumentKind.OUTCOME)
    _issue(coordinator, world, DocumentKind.THRESHOLD_DECISION)
    rep = make_user(Role.AGENCY_REP, agency=world.police)
    client = app.test_client()
    login(client, rep)
    page = text_of(client.get(_url(world)))
    assert "No documents have been issued yet" not in page
    assert "2 documents have been issued on this case that are not shared with you" in page
    assert "Letters to the applicant stay with the coordinator" in page
