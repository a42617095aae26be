"""Wording a careful reader notices: articles before both names of the process, plain names for roles and
agencies, the threshold check, and an outcome letter that says what this review found."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import login, post, text_of
from tests.documents_helpers import make_doc_world, pdf_text
from trigger.documents.contexts import load_case_for_documents
from trigger.documents.rendering import render_document
from trigger.domain.wording import findings_problem, for_the_public, with_article
from trigger.extensions import db
from trigger.models import (
    AgencyType,
    DocumentKind,
    IssuedDocument,
    Organisation,
    ProcessName,
    Role,
)


def test_articles_follow_the_sound_of_the_name():
    assert with_article("ASB Case Review") == "an ASB Case Review"
    assert with_article("Community Trigger", capital=True) == "A Community Trigger"
    assert with_article("ASB Case Review", capital=True) == "An ASB Case Review"


@pytest.mark.parametrize(
    "process, right, wrong",
    [
        (ProcessName.ASB_CASE_REVIEW, "an ASB Case Review", "a ASB Case Review"),
        (ProcessName.COMMUNITY_TRIGGER, "a Community Trigger", "an Community Trigger"),
    ],
)
@pytest.mark.parametrize("kind", [DocumentKind.ACKNOWLEDGEMENT, DocumentKind.THRESHOLD_DECISION])
def test_letters_use_the_right_article_for_both_names(org, process, right, wrong, kind):
    world = make_doc_world()
    db.session.get(Organisation, 1).process_name = process
    db.session.commit()
    text = pdf_text(render_document(kind, load_case_for_documents(world.case.id), draft=False, large_print=False))
    assert right.lower() in text.lower()
    assert wrong.lower() not in text.lower()


def test_the_integrated_care_board_is_explained_to_the_public(client, make_area, make_agency):
    assert (
        for_the_public("Severn Vale Integrated Care Board") == "Severn Vale Integrated Care Board (NHS health services)"
    )
    assert for_the_public("Severn Vale Police") == "Severn Vale Police"
    make_area("Testbury")
    make_agency("Test Vale Integrated Care Board", AgencyType.HEALTH)
    assert "Test Vale Integrated Care Board (NHS health services)" in text_of(client.get("/apply"))


def test_the_coordinator_role_is_spelt_out(client, make_user):
    user = make_user(Role.COORDINATOR)
    login(client, user)
    page = text_of(client.get("/home"))
    assert "coordinator (single point of contact)" in page
    assert "(spoc)" not in page.lower()


def test_findings_cannot_be_blank_or_the_stock_sentence():
    assert findings_problem("")
    assert findings_problem("The agencies looked at every incident you reported and what each of them did about it.")
    assert findings_problem("Nobody told you what the police had done.") is None


def test_the_outcome_letter_asks_for_what_the_review_found_with_examples(org, client):
    world = make_doc_world()
    login(client, world.coordinator)
    url = f"/cases/{world.case.id}/documents/issue?kind=outcome"
    form = text_of(client.get(url))
    assert "What the review found" in form and "For example:" in form
    response = post(
        client,
        url,
        {
            "recipient_name": "Jane Applicant",
            "recipient_address": "1 Elm Road",
            "method": "post",
            "meeting_id": "0",
            "findings": "",
        },
    )
    assert response.status_code == 400
    assert "Enter what the review found" in text_of(response)
    assert db.session.scalar(select(IssuedDocument)) is None


def test_the_case_page_says_threshold_check(client, make_area, make_agency, make_user):
    from tests.cases_helpers import make_case

    case = make_case(make_area("Testbury"), make_agency("Test Police", AgencyType.POLICE))
    login(client, make_user(Role.COORDINATOR))
    page = text_of(client.get(f"/cases/{case.id}/incidents"))
    assert "Threshold check:" in page and "The product's evaluation" not in page
