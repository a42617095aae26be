"""Easy-read letters: the applicant who asked for easy read gets the easy-read version of the acknowledgement, the
threshold decision, the outcome letter and the summary of their plan, chosen from their preferred format when the
letter is issued. Same need to know as the standard letters: only what was marked for the victim.

PDFs are read with pypdf, as the text a person reads; the type size is read from the PDF's own text operators.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import login, post, text_of
from tests.documents_helpers import (
    CHAIR_NAME,
    HIDDEN_ACTION,
    MINUTES_TEXT,
    OTHER_ATTENDEE,
    PERPETRATOR,
    PERPETRATOR_ADDRESS,
    RECOMMENDATION,
    RECOMMENDATION_FOR_APPLICANT,
    UNSHARED_RECOMMENDATION,
    VISIBLE_ACTION,
    make_doc_world,
    pdf_text,
    read,
)
from trigger.documents.contexts import load_case_for_documents, long_date
from trigger.documents.rendering import prepare, render_document
from trigger.extensions import db
from trigger.models import AuditEvent, DecisionOutcome, DocumentKind, IssuedDocument, PreferredFormat

STATIC = Path(__file__).resolve().parents[2] / "trigger" / "static" / "easy-read"
EASY_READ_KINDS = [
    DocumentKind.ACKNOWLEDGEMENT,
    DocumentKind.THRESHOLD_DECISION,
    DocumentKind.OUTCOME,
    DocumentKind.MINUTES_SUMMARY,
]
FINDINGS = "Reports were not shared between the police and the council."

#: What each easy-read letter says, in its own short sentences (never in the standard letter).
EASY_WORDING = {
    DocumentKind.ACKNOWLEDGEMENT: [
        "We got your application",
        "We decide if your case can have a review.",
        "It cannot give you money.",
        "If you are in danger, call 999.",
    ],
    DocumentKind.THRESHOLD_DECISION: [
        "Your case can have a review.",
        "The services will meet to talk about your case.",
    ],
    DocumentKind.OUTCOME: [
        "What happened at the review of your case",
        FINDINGS,
        "You can ask for your case to be looked at again.",
    ],
    DocumentKind.MINUTES_SUMMARY: [
        "Your plan: what the services agreed",
        "This letter does not show other people's private details.",
    ],
}


def easy_read_world(**overrides):
    world = make_doc_world(**overrides)
    world.case.preferred_format = PreferredFormat.EASY_READ
    db.session.commit()
    return world


def render(world, kind, **kwargs) -> bytes:
    case = load_case_for_documents(world.case.id)
    kwargs.setdefault("findings", FINDINGS)
    return render_document(kind, case, draft=False, large_print=False, **kwargs)


def body_font_size(pdf: bytes) -> float:
    """The type size (points) of most of the text: what the body is set in, headers and footers aside."""
    sizes: Counter[float] = Counter()
    for page in read(pdf).pages:

        def visit(text, cm, tm, font, size):
            if text.strip():
                scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
                sizes[round(size * scale, 1)] += len(text.strip())

        page.extract_text(visitor_text=visit)
    return sizes.most_common(1)[0][0]


@pytest.mark.parametrize("kind", EASY_READ_KINDS)
def test_easy_read_letters_use_short_easy_words_large_type_and_pictures(app, org, kind):
    world = easy_read_world()
    easy = render(world, kind)
    standard = render(world, kind, easy_read=False)
    text, standard_text = pdf_text(easy), pdf_text(standard)
    assert "This letter is in easy read." in text and "This letter is in easy read." not in standard_text
    for words in EASY_WORDING[kind]:
        assert words in text, (kind, words)
    assert "Your reference number is ASB-2026-0042." in text and "Phone: 01234 567890" in text
    assert body_font_size(easy) >= 16 > body_font_size(standard)
    # One picture beside each idea, always with its words, from the icons shipped with the product.
    html = prepare(kind, load_case_for_documents(world.case.id), draft=False, large_print=False, findings=FINDINGS).html
    ideas = re.findall(
        r'<div class="idea">\s*<img class="idea__picture" src="/static/easy-read/([a-z-]+)\.svg" '
        r'alt="">\s*<div class="idea__words">(.*?)</div>\s*</div>',
        html,
        flags=re.S,
    )
    assert len(ideas) >= 6 and len(ideas) == html.count('class="idea"')
    for picture, words in ideas:
        assert (STATIC / f"{picture}.svg").is_file(), picture
        assert re.sub(r"<[^>]+>|\s", "", words), picture  # never a picture without words


@pytest.mark.parametrize("kind", EASY_READ_KINDS)
def test_easy_read_letters_say_only_what_was_marked_for_the_victim(app, org, kind):
    # The same filter and redaction as the standard letters: even a name slipped into shared text is removed.
    world = easy_read_world(
        recommendation_for_applicant=f"Warn {PERPETRATOR} at {PERPETRATOR_ADDRESS} about noise",
        visible_wording=f"We will visit {PERPETRATOR.upper()} and talk to {OTHER_ATTENDEE}",
        description=f"The man at {PERPETRATOR_ADDRESS} shouts at me",
    )
    text = pdf_text(render(world, kind, findings=f"{PERPETRATOR} was warned"))
    assert "This letter is in easy read." in text
    for secret in (
        PERPETRATOR,
        PERPETRATOR_ADDRESS,
        "Quarrel Close",
        HIDDEN_ACTION,
        OTHER_ATTENDEE,
        CHAIR_NAME,
        MINUTES_TEXT,
        RECOMMENDATION,
        UNSHARED_RECOMMENDATION,
    ):
        assert secret.lower() not in text.lower(), (kind, secret)


def test_the_easy_read_plan_is_what_the_victim_may_see_with_who_and_by_when(app, org):
    world = easy_read_world()
    for kind in (DocumentKind.OUTCOME, DocumentKind.MINUTES_SUMMARY):
        text = pdf_text(render(world, kind))
        assert f"{world.police.name} {VISIBLE_ACTION} By {long_date(world.visible_action.due_on)}." in text
        assert f"{world.police.name} {RECOMMENDATION_FOR_APPLICANT}" in text
        assert HIDDEN_ACTION not in text and UNSHARED_RECOMMENDATION not in text


def test_easy_read_not_met_letter_explains_other_help_and_how_to_disagree(app, org):
    world = easy_read_world(decision=DecisionOutcome.NOT_MET)
    text = pdf_text(render(world, DocumentKind.THRESHOLD_DECISION))
    assert "Your case cannot have a review now." in text
    assert "Three incidents were reported to the police" in text  # the decision maker's reasons
    assert "Victim Support can help you." in text and "Mediation helps neighbours talk" in text
    assert "You can ask us to look at our decision again." in text and "You must ask by" in text
    assert "Your case can have a review." not in text


# ---- chosen from the applicant's preferred format -------------------------------------------------------------


def _url(world, tail=""):
    return f"/cases/{world.case.id}/documents{tail}"


def _issue(client, world, kind):
    return post(
        client,
        _url(world, f"/issue?kind={kind.value}"),
        {
            "recipient_name": "Jane Applicant",
            "recipient_email": "jane@example.org",
            "recipient_address": "1 Elm Road",
            "method": "post",
            "meeting_id": "0",
            "findings": FINDINGS,
        },
    )


def _issued() -> list[IssuedDocument]:
    db.session.expire_all()
    return list(db.session.scalars(select(IssuedDocument).order_by(IssuedDocument.id)))


def _download_text(client, world, document) -> str:
    return pdf_text(client.get(_url(world, f"/{document.id}/download")).data)


def test_the_applicant_s_preferred_format_picks_the_version_issued_and_the_register_says_which(client, app, org):
    world = easy_read_world()
    login(client, world.coordinator)
    form = text_of(client.get(_url(world, "/issue?kind=outcome")))
    assert "The applicant asked for easy read, so this letter is issued in its easy-read version" in form
    page = text_of(client.get(_url(world)))
    assert "Goes out in easy read, as the applicant asked." in page and "Preview the standard version" in page

    assert _issue(client, world, DocumentKind.OUTCOME).status_code == 302
    assert _issue(client, world, DocumentKind.ACTION_PLAN).status_code == 302  # no easy-read version: standard
    outcome, plan = _issued()
    assert outcome.template_name == "pdf/easy-read/outcome.html" and outcome.easy_read and outcome.large_print
    assert "This letter is in easy read." in _download_text(client, world, outcome)
    assert plan.template_name == "pdf/action-plan.html" and not plan.easy_read
    page = text_of(client.get(_url(world)))
    assert "Outcome letter, version 1 (easy read)" in page
    assert "Action plan (agencies), version 1 (easy read)" not in page
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "document.issued").order_by(AuditEvent.id).limit(1)
    )
    assert "(easy read)" in event.summary and event.details["easy_read"] is True

    # The applicant changes their mind: the next version is the standard letter; version 1 stays as it was.
    world.case.preferred_format = PreferredFormat.STANDARD
    db.session.commit()
    assert _issue(client, world, DocumentKind.OUTCOME).status_code == 302
    again = _issued()[-1]
    assert again.version == 2 and not again.easy_read
    assert "This letter is in easy read." not in _download_text(client, world, again)
    assert "Outcome letter, version 2 (easy read)" not in text_of(client.get(_url(world)))


def test_a_standard_applicant_gets_the_standard_letter_and_staff_can_preview_the_easy_read_one(client, app, org):
    world = make_doc_world()
    login(client, world.coordinator)
    page = text_of(client.get(_url(world)))
    assert "Preview the easy-read version" in page and "Goes out in easy read" not in page
    preview = client.get(_url(world, "/preview?kind=acknowledgement&easy_read=1"))
    assert preview.status_code == 200 and "We got your application" in pdf_text(preview.data)
    assert "DRAFT" in pdf_text(preview.data)
    assert _issue(client, world, DocumentKind.ACKNOWLEDGEMENT).status_code == 302
    (document,) = _issued()
    assert document.template_name == "pdf/acknowledgement.html"
    text = _download_text(client, world, document)
    assert "We have received your ASB Case Review application" in text and "easy read" not in text
    assert re.search(r"Acknowledgement letter, version 1 (?!\(easy read\))", text_of(client.get(_url(world))))
