"""The document register: issuing documents (exact bytes kept), downloading them, emailing and posting them.

No HTML here. An issued document is never regenerated: download serves the stored bytes, and issuing again
adds a new version next to the old one. Issuing the acknowledgement or the outcome letter also moves the
case's stage (when the lifecycle allows) and marks that stage's deadline as met.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from trigger import audit
from trigger.documents.rendering import prepare, template_version
from trigger.domain.deadlines import DeadlineKind
from trigger.domain.delivery import Delivery, email_delivery
from trigger.domain.wording import findings_problem
from trigger.domain.stages import Stage, transition_problem
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import (
    Case,
    ContactMethod,
    DeliveryMethod,
    DocumentKind,
    IssuedDocument,
    Organisation,
    User,
    utcnow,
)

from trigger.deadlines.opening import meet_deadline

#: What issuing each kind of document does to the case: the stage it moves to and the deadline it meets.
STAGE_ON_ISSUE = {
    DocumentKind.ACKNOWLEDGEMENT: (Stage.ACKNOWLEDGED, DeadlineKind.ACKNOWLEDGE),
    DocumentKind.OUTCOME: (Stage.OUTCOME_SENT, DeadlineKind.OUTCOME),
}


# ---- reading ------------------------------------------------------------------------------------------------


def register_of(case: Case, kinds: set[DocumentKind] | None = None) -> list[IssuedDocument]:
    """The case's issued documents (without their bytes), newest first; only ``kinds`` when given."""
    statement = select(IssuedDocument).where(IssuedDocument.case_id == case.id)
    if kinds is not None:
        statement = statement.where(IssuedDocument.kind.in_([k.value for k in kinds]))
    return list(db.session.scalars(statement.order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())))


def email_deliveries(documents: list[IssuedDocument]) -> dict[int, Delivery]:
    """How each emailed document's email is doing in the outbox ("Queued", "Sent", "Not sent - retrying"...),
    in one query: the outbox row is found by the key email_to_applicant queued it with."""
    emailed = {f"document:{d.id}:email": d.id for d in documents if d.emailed_at is not None}
    if not emailed:
        return {}
    from trigger.models import OutboxMessage
    from trigger.notifications.services import smtp_configured

    rows = db.session.execute(
        select(OutboxMessage.dedupe_key, OutboxMessage.status, OutboxMessage.attempts).where(
            OutboxMessage.dedupe_key.in_(list(emailed))
        )
    ).all()
    found = {key: (status, attempts) for key, status, attempts in rows}
    configured = smtp_configured()
    deliveries = {}
    for key, document_id in emailed.items():
        status, attempts = found.get(key, (None, 0))
        deliveries[document_id] = email_delivery(
            status.value if status else None, attempts, mail_server_configured=configured
        )
    return deliveries


def has_escalation(case: Case) -> bool:
    from trigger.models import Escalation

    return db.session.scalar(select(func.count()).select_from(Escalation).where(Escalation.case_id == case.id)) > 0


def issued_count(case: Case) -> int:
    return db.session.scalar(select(func.count()).select_from(IssuedDocument).where(IssuedDocument.case_id == case.id))


def load_document(document_id: int, *, with_content: bool = False) -> IssuedDocument | None:
    statement = select(IssuedDocument).where(IssuedDocument.id == document_id)
    if with_content:
        statement = statement.options(undefer(IssuedDocument.content))
    return db.session.scalar(statement)


def can_email_applicant(case: Case) -> bool:
    """Email only reaches applicants who chose email and gave an address."""
    return case.preferred_contact is ContactMethod.EMAIL and bool((case.applicant_email or "").strip())


# ---- issuing --------------------------------------------------------------------------------------------------


@dataclass
class Recipient:
    name: str
    email: str = ""
    address: str = ""


def default_recipient(case: Case, kind: DocumentKind) -> Recipient:
    if kind.for_applicant:
        address = "\n".join(part for part in (case.applicant_address.strip(), case.applicant_postcode) if part)
        return Recipient(case.applicant_name, case.applicant_email, address)
    if kind is DocumentKind.RESTORATIVE_INVITATION:  # a letter to the person responsible, by post
        from trigger.restorative.documents import responsible_person

        name, address = responsible_person(case)
        return Recipient(name, "", address)
    return Recipient("The agencies at the case review")


def default_method(case: Case, kind: DocumentKind) -> DeliveryMethod:
    if kind is DocumentKind.RESTORATIVE_INVITATION:
        return DeliveryMethod.POST
    if not kind.for_applicant:
        return DeliveryMethod.AGENCY_PORTAL
    return DeliveryMethod.EMAIL if can_email_applicant(case) else DeliveryMethod.POST


@dataclass
class IssueResult:
    document: IssuedDocument
    notes: list[str]


def issue(
    kind: DocumentKind,
    case: Case,
    *,
    actor: User,
    recipient: Recipient,
    method: DeliveryMethod,
    large_print: bool,
    meeting_id: int | None = None,
    today: date | None = None,
    **extra,
) -> IssueResult:
    """Render ``kind`` (final, no watermark), store its exact bytes as the next version, audit it, and apply
    its effect on the case. Raises DocumentProblem, PdfRenderError or FieldError; nothing is saved then."""
    kind = DocumentKind(kind)
    method = DeliveryMethod(method)
    if method is DeliveryMethod.EMAIL and not recipient.email.strip():
        raise FieldError("recipient_email", "Enter the email address the document is sent to")
    if kind in (DocumentKind.MINUTES_FULL, DocumentKind.MINUTES_SUMMARY):
        _check_minutes_approved(case, kind, meeting_id)
    if kind is DocumentKind.OUTCOME and (problem := findings_problem(extra.get("findings", ""))):
        raise FieldError("findings", problem)
    prepared = prepare(
        kind, case, draft=False, large_print=large_print, today=today, actor=actor, meeting_id=meeting_id, **extra
    )
    pdf = prepared.render()
    document = IssuedDocument(
        case_id=case.id,
        kind=kind,
        meeting_id=prepared.meeting_id,
        title=prepared.title,
        template_name=prepared.template_name,
        template_version=template_version(prepared.template_name),
        sha256=hashlib.sha256(pdf).hexdigest(),
        size_bytes=len(pdf),
        content=pdf,
        marking=prepared.marking,
        large_print=prepared.large_print,
        issued_by_id=actor.id,
        issued_by_name=actor.name,
        issued_at=utcnow(),
        recipient_name=recipient.name.strip(),
        recipient_email=recipient.email.strip(),
        recipient_address=recipient.address.strip(),
        method=method,
    )
    _save_next_version(document)
    audit.record(
        "document.issued",
        "issued_document",
        document.id,
        f"Issued {kind.label.lower()} version {document.version}{' (easy read)' if prepared.easy_read else ''} "
        f"to {document.recipient_name or 'the recipient'} ({method.label.lower()})",
        {
            "kind": kind.value,
            "version": document.version,
            "sha256": document.sha256,
            "size": len(pdf),
            "template": document.template_name,
            "template_version": document.template_version,
            "method": method.value,
            "large_print": prepared.large_print,
            "easy_read": prepared.easy_read,
            "meeting_id": document.meeting_id,
        },
        case_id=case.id,
    )
    return IssueResult(document, _apply_effects(kind, case, document, today or date.today()))


def _check_minutes_approved(case: Case, kind: DocumentKind, meeting_id: int | None) -> None:
    from trigger.documents.contexts import meeting_for

    meeting = meeting_for(case, kind, meeting_id)
    if meeting is not None and meeting.approval is None:
        raise FieldError(
            "confirm", "The chair has not approved these minutes yet: they can be previewed as a draft but not issued"
        )


def _save_next_version(document: IssuedDocument, attempts: int = 5) -> None:
    # Two coordinators issuing at the same moment can pick the same number; the unique constraint refuses the
    # second, which then takes the next number inside a savepoint.
    for attempt in range(attempts):
        current = db.session.scalar(
            select(func.max(IssuedDocument.version)).where(
                IssuedDocument.case_id == document.case_id, IssuedDocument.kind == document.kind
            )
        )
        document.version = (current or 0) + 1
        try:
            with db.session.begin_nested():
                db.session.add(document)
                db.session.flush()
            return
        except IntegrityError:  # the savepoint's rollback has taken the row out of the session again
            if attempt == attempts - 1:
                raise


def _apply_effects(kind: DocumentKind, case: Case, document: IssuedDocument, today: date) -> list[str]:
    """Move the stage and meet the deadline that issuing ``kind`` completes; say what happened."""
    effect = STAGE_ON_ISSUE.get(kind)
    if effect is None:
        return []
    stage, deadline_kind = effect
    notes = []
    if transition_problem(case.stage, stage) is None:
        from trigger.cases.services import move_to

        move_to(
            case,
            stage,
            f"{kind.label} issued (version {document.version})",
            audit_details={"issued_document_id": document.id},
        )
        notes.append(f"The case is now at the stage “{stage.label}”.")
    elif case.stage is not stage:
        notes.append(f"The case stays at the stage “{case.stage.label}”: it cannot move to “{stage.label}” from there.")
    # move_to meets the stage's deadline itself (trigger.deadlines.opening.on_stage_change); this catches a
    # deadline still open when the stage could not move (e.g. a letter issued again after a referral back).
    if meet_deadline(case, deadline_kind, today) is not None:
        notes.append(f"The deadline “{deadline_kind.label}” is marked as met.")
    return notes


# ---- delivery -------------------------------------------------------------------------------------------------


def record_download(document: IssuedDocument) -> None:
    audit.record(
        "document.downloaded",
        "issued_document",
        document.id,
        f"Downloaded {document.kind.label.lower()} version {document.version}",
        {"kind": document.kind.value, "version": document.version, "sha256": document.sha256},
        case_id=document.case_id,
    )


def record_preview(kind: DocumentKind, case: Case, *, large_print: bool) -> None:
    audit.record(
        "document.previewed",
        "case",
        case.id,
        f"Previewed a draft {kind.label.lower()}",
        {"kind": kind.value, "large_print": large_print},
        case_id=case.id,
    )


@dataclass(frozen=True)
class EmailPreview:
    """An email to the applicant exactly as it will be queued: who to, the subject, the body and the attachments."""

    to: str
    subject: str
    body: str
    attachments: list[str]


def applicant_email(case: Case, kind: DocumentKind, filename: str) -> EmailPreview:
    """The email that carries a letter (``filename``, attached) to the applicant: what email_to_applicant queues
    and what the confirmation pages show before anything is sent."""
    org = db.session.get(Organisation, 1)
    process = org.process_name.label if org else "ASB Case Review"
    sender = org.name if org else process
    # The email itself says as little as possible: it leaves our systems. The letter is the attachment.
    body = (
        f"Dear {case.applicant_name},\n\nPlease find attached a letter about your {process} "
        f"(reference {case.reference}): {kind.label.lower()}.\n\n"
        "If you cannot open the attachment, or would like it in another format, reply to this email "
        "or contact us.\n\n"
        f"{sender}\n"
    )
    return EmailPreview(
        case.applicant_email,
        f"Your {process}: {kind.label.lower()} ({case.reference})",
        body,
        [f"{case.reference}-{filename}"],
    )


def next_filename(case: Case, kind: DocumentKind) -> str:
    """The file name the next issued version of ``kind`` will have (as IssuedDocument.filename gives it)."""
    current = db.session.scalar(
        select(func.max(IssuedDocument.version)).where(IssuedDocument.case_id == case.id, IssuedDocument.kind == kind)
    )
    return IssuedDocument.filename_for(kind, (current or 0) + 1)


def email_to_applicant(document: IssuedDocument, case: Case) -> None:
    """Queue the issued PDF (exact bytes) to the applicant, if they chose email. Raises FieldError if not."""
    if not document.kind.for_applicant:
        raise FieldError("confirm", "Only letters to the applicant can be emailed to them")
    if not can_email_applicant(case):
        raise FieldError("confirm", "The applicant did not choose email, or gave no email address: post it instead")
    if document.emailed_at is not None:
        raise FieldError("confirm", f"This version was already emailed to {document.emailed_to}")
    from trigger.notifications.services import queue_email

    email = applicant_email(case, document.kind, document.filename)
    queue_email(
        email.to,
        email.subject,
        email.body,
        attachments=[(email.attachments[0], "application/pdf", document.content)],
        dedupe_key=f"document:{document.id}:email",
    )
    document.emailed_at = utcnow()
    document.emailed_to = case.applicant_email
    audit.record(
        "document.emailed",
        "issued_document",
        document.id,
        f"Emailed {document.kind.label.lower()} version {document.version} to the applicant",
        {"kind": document.kind.value, "version": document.version},
        case_id=case.id,
    )


def issue_and_send(
    kind: DocumentKind,
    case: Case,
    *,
    actor: User,
    recipient: Recipient,
    method: DeliveryMethod,
    large_print: bool,
    meeting_id: int | None = None,
    **extra,
) -> IssueResult:
    """Issue ``kind`` and, for a letter to the applicant sent by email, queue the email in the same step (one
    click, not two). Raises what `issue` raises, or FieldError when email cannot reach the applicant; nothing
    is saved then."""
    kind, method = DocumentKind(kind), DeliveryMethod(method)
    emailing = kind.for_applicant and method is DeliveryMethod.EMAIL
    if emailing:
        if not can_email_applicant(case):
            raise FieldError(
                "method",
                "The applicant did not choose email, or gave no email address: choose post, "
                "or correct the applicant's details first",
            )
        if recipient.email.strip().lower() != case.applicant_email:
            raise FieldError(
                "recipient_email",
                f"Letters are emailed to the applicant's recorded address "
                f"({case.applicant_email}): to use another, correct the "
                "applicant's details first",
            )
    result = issue(
        kind,
        case,
        actor=actor,
        recipient=recipient,
        method=method,
        large_print=large_print,
        meeting_id=meeting_id,
        **extra,
    )
    if emailing:
        email_to_applicant(result.document, case)
        result.notes.append(f"It is queued to be emailed to {case.applicant_email}.")
    elif kind.for_applicant and method is DeliveryMethod.POST:
        result.notes.append("Print it and post it, then mark it as posted on the Documents page.")
    return result


def acknowledge(case: Case, *, actor: User) -> IssueResult:
    """Acknowledge the application in one step: issue the acknowledgement letter and send it the way the applicant
    chose (email: queued in the outbox now; otherwise by post, to be printed and marked as posted). Moves the
    case to "Acknowledged" and meets the acknowledgement deadline, as issuing it always has."""
    from trigger.documents.contexts import default_large_print

    kind = DocumentKind.ACKNOWLEDGEMENT
    return issue_and_send(
        kind,
        case,
        actor=actor,
        recipient=default_recipient(case, kind),
        method=default_method(case, kind),
        large_print=default_large_print(case, kind),
    )


def mark_posted(document: IssuedDocument, posted_on: date) -> None:
    if posted_on > date.today():
        raise FieldError("posted_on", "The date posted must be today or in the past")
    if posted_on < document.issued_at.date():
        raise FieldError("posted_on", "The date posted must be the same as or after the date it was issued")
    document.posted_on = posted_on
    audit.record(
        "document.posted",
        "issued_document",
        document.id,
        f"Marked {document.kind.label.lower()} version {document.version} as posted",
        {"kind": document.kind.value, "version": document.version, "posted_on": posted_on.isoformat()},
        case_id=document.case_id,
    )
