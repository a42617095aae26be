"""Hostile text in every field that reaches a PDF: the render succeeds, the text comes out literally, and the
renderer loads nothing (no file, no address) and embeds nothing.

Jinja escapes every value, so WeasyPrint never sees the markup as markup; the engine's URL fetcher (tested in
tests/pdf/test_engine.py) is the second line of defence. Here we check the first line, document by document.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from tests.documents_helpers import decoded_streams, embedded_files, make_doc_world, pdf_text
from trigger.documents.contexts import load_case_for_documents
from trigger.documents.rendering import prepare
from trigger.extensions import db
from trigger.models import DocumentKind, Meeting
from trigger.pdf import render_document as engine_render

IMG = '<img src="file:///etc/passwd">'
LINK = '<link rel=attachment href="file:///etc/passwd">'
IMPORT = "<style>@import url(file:///etc/passwd);</style>"
SVG = '<svg><image href="file:///etc/passwd"/></svg>'
METADATA = "http://169.254.169.254/latest/meta-data/"
PAYLOAD = f"{IMG} {LINK} {IMPORT} {SVG} {METADATA}"
SHORT = "<img src=file:///etc/passwd>"  # for 120-character columns (names)
PASSWD_LINE = b"root:x:0:0"


def squash(value: str) -> str:
    return re.sub(r"\s+", "", value)


KINDS = [k for k in DocumentKind if not k.value.startswith(("escalation", "restorative"))]  # need their records


@pytest.fixture
def hostile(app, org):
    world = make_doc_world(
        applicant=f"Ann {SHORT}",
        address=f"Flat {PAYLOAD}",
        description=f"Description {PAYLOAD}",
        incident_text=f"Incident {PAYLOAD}",
        minutes_text=f"Minutes {PAYLOAD}",
        hidden_action=f"Hidden {PAYLOAD}",
        visible_wording=f"Wording {PAYLOAD}",
        recommendation=f"Recommendation {PAYLOAD}",
        recommendation_for_applicant=f"Recommendation {PAYLOAD}",
        perpetrator=f"Perp {SHORT}",
        perpetrator_address=f"Perpaddress {PAYLOAD}",
    )
    # The meeting's place and link are typed by staff and reach the invitations.
    db.session.execute(update(Meeting).values(place=f"Room {PAYLOAD}", virtual_link=f"https://x.example/{SHORT}"))
    db.session.commit()
    return world


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_text_is_printed_literally_and_loads_nothing(hostile, kind):
    case = load_case_for_documents(hostile.case.id)
    prepared = prepare(kind, case, draft=False, large_print=False, findings=f"Findings {PAYLOAD}")
    rendered = engine_render(prepared.html, title=prepared.title)
    # Lines may break after a "/" in a long URL: compare without white space.
    text = re.sub(r"\s+", "", pdf_text(rendered.pdf))

    # Nothing typed was fetched: the only URLs asked for are the shipped fonts.
    assert rendered.refused_urls == ()
    assert all(url.startswith("https://trigger.invalid/static/fonts/") for url in rendered.fetched_urls)
    assert embedded_files(rendered.pdf) == []
    assert not any(PASSWD_LINE in stream for stream in decoded_streams(rendered.pdf))

    # The text comes out as typed.
    if kind is not DocumentKind.ACTION_PLAN:  # the one document that does not name the applicant
        assert squash(f"Ann {SHORT}") in text
    for marker in {
        DocumentKind.ACKNOWLEDGEMENT: ["Description", "Incident", "Flat"],
        DocumentKind.THRESHOLD_DECISION: ["Flat"],
        DocumentKind.INVITATION_AGENCY: ["Description", "Incident", "Perpaddress", "Room"],
        DocumentKind.INVITATION_VICTIM: ["Room", "Flat"],
        DocumentKind.MINUTES_FULL: ["Minutes", "Recommendation", "Hidden", "Wording", "Perpaddress", "Incident"],
        DocumentKind.MINUTES_SUMMARY: ["Recommendation", "Wording"],
        DocumentKind.ACTION_PLAN: ["Hidden", "Wording"],
        DocumentKind.OUTCOME: ["Findings", "Recommendation", "Wording"],
    }[kind]:
        assert squash(f"{marker} {PAYLOAD}") in text, (kind, marker)
    if kind in (DocumentKind.INVITATION_AGENCY, DocumentKind.MINUTES_FULL):  # those naming the perpetrator
        assert squash(f"Perp {SHORT}") in text
    elif kind.for_applicant:
        assert squash("Perp <img") not in text and "Perpaddress" not in text
