"""Helpers for the governance tests: a case closed long ago, with everything a retention run must anonymise."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from sqlalchemy import func, select

from tests.documents_helpers import make_doc_world
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import AuditEvent, DeliveryMethod, DocumentKind, IssuedDocument

LETTER_TEXT = b"%PDF-1.4 Dear Jane Applicant, about Ronnie Noisyneighbour"


def closed_world(
    *,
    years_ago: int = 7,
    reference: str = "ASB-2019-0001",
    applicant: str = "Jane Applicant",
    with_document: bool = True,
):
    """make_doc_world's case, closed ``years_ago`` years ago, with an issued letter."""
    world = make_doc_world(reference=reference, applicant=applicant)
    case = world.case
    closed = date.today() - timedelta(days=365 * years_ago + 2)
    case.received_on = closed - timedelta(days=200)
    case.stage = Stage.CLOSED
    case.closed_on = case.applicant_told_on = closed
    case.closure_reason = f"{applicant} told us the noise from Ronnie Noisyneighbour stopped"
    case.applicant_phone = "07700 900123"
    if with_document:
        add_letter(case)
    db.session.commit()
    return world


def add_letter(case) -> None:
    """An acknowledgement letter issued to the case's applicant (content: LETTER_TEXT)."""
    db.session.add(
        IssuedDocument(
            case_id=case.id,
            kind=DocumentKind.ACKNOWLEDGEMENT,
            version=1,
            title="Acknowledgement",
            template_name="pdf/acknowledgement.html",
            template_version="x" * 12,
            sha256=hashlib.sha256(LETTER_TEXT).hexdigest(),
            size_bytes=len(LETTER_TEXT),
            content=LETTER_TEXT,
            marking="OFFICIAL",
            recipient_name=case.applicant_name,
            recipient_email="jane@example.org",
            recipient_address="1 Elm Road",
            method=DeliveryMethod.EMAIL,
            issued_by_name="Cora Coordinator",
        )
    )


def audit_count(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def fake_placeholder() -> bytes:
    return b"%PDF-1.4 placeholder: document removed"
