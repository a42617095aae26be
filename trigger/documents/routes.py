"""Document pages of a case: the register, draft previews, issuing, downloads, emailing and posting.

Thin: what documents say is in trigger.documents.contexts, the register's rules in trigger.documents.services.
Every page loads the case (404), then checks access (403). The kind of document is a query parameter (`?kind=`)
checked against DocumentKind (404 for anything else). A document that cannot be produced (no meeting yet, a
render that failed or took too long) is explained on the page, never a server error.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from trigger.domain.documents_for_stage import split_by_relevance
from trigger.domain.limits import database_id
from trigger.domain.wording import FINDINGS_EXAMPLES
from trigger.authz import (
    DOCUMENT_PAGES,
    ISSUE_DOCUMENTS,
    PREVIEW_DOCUMENTS,
    allow,
    can_issue_documents,
    can_preview_documents,
    can_see_document,
    can_see_document_kind,
    can_view_case,
    reads_every_document,
)
from trigger.documents import services
from trigger.documents.contexts import (
    DocumentProblem,
    default_easy_read,
    default_large_print,
    has_easy_read,
    load_case_for_documents,
)
from trigger.documents.forms import ConfirmForm, IssueForm, PostedForm
from trigger.documents.rendering import render_document
from trigger.extensions import db
from trigger.forms import FieldError, attach_error
from trigger.meetings.services import when_text
from trigger.models import Case, DeliveryMethod, DocumentKind, Meeting, MeetingStatus
from trigger.pdf import PdfRenderError

bp = Blueprint("documents", __name__, url_prefix="/cases/<int:case_id>/documents")


def _visible_case(case_id: int, *, full: bool = False) -> Case:
    """The case (404), then the access check (403). ``full`` loads what rendering reads (people, incidents,
    decisions); the register, downloads and delivery need only the case row."""
    case = load_case_for_documents(case_id) if full else db.session.get(Case, case_id)
    if case is None:
        abort(404)
    if not can_view_case(current_user, case):
        abort(403)
    return case


def _kind(raw: str | None) -> DocumentKind:
    try:
        return DocumentKind(raw or "")
    except ValueError:
        abort(404)


def _document(case: Case, document_id: int, *, with_content: bool = False):
    document = services.load_document(document_id, with_content=with_content)
    if document is None or document.case_id != case.id:
        abort(404)
    if not can_see_document(current_user, case, document):
        abort(403)
    return document


def _pdf_response(pdf: bytes, filename: str, *, inline: bool):
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response.headers["Content-Length"] = str(len(pdf))
    response.headers["Cache-Control"] = "no-store"
    return response


def _meeting_choices(case: Case) -> list[tuple[int, str]]:
    meetings = db.session.scalars(
        db.select(Meeting)
        .where(Meeting.case_id == case.id, Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.starts_at.desc())
    )
    return [(0, "The latest meeting")] + [(m.id, f"{m.kind.label}, {when_text(m)}") for m in meetings]


def _index_page(case: Case, *, error: str = "", status: int = 200):
    kinds = [kind for kind in DocumentKind if can_see_document_kind(current_user, case, kind)]
    documents = [d for d in services.register_of(case, set(kinds)) if can_see_document(current_user, case, d)]
    relevant, others = split_by_relevance(
        case.stage.value, [k.value for k in kinds], has_escalation=services.has_escalation(case)
    )
    # Someone who sees only some documents (an agency representative) is told that others exist, not "none".
    hidden = services.issued_count(case) - len(documents)
    return render_template(
        "documents/index.html",
        case=case,
        kinds=[DocumentKind(k) for k in relevant],
        other_kinds=[DocumentKind(k) for k in others],
        documents=documents,
        error=error,
        deliveries=services.email_deliveries(documents),
        hidden_count=hidden,
        reads_every_document=reads_every_document(current_user),
        can_preview=can_preview_documents(current_user, case),
        can_issue=can_issue_documents(current_user, case),
        can_email=services.can_email_applicant(case),
        default_large_print=default_large_print,
        easy_read=lambda kind: default_easy_read(case, kind),
        has_easy_read=has_easy_read,
        email_form=ConfirmForm(),
        protective_marking="OFFICIAL-SENSITIVE",
    ), status


@bp.route("")
@allow(DOCUMENT_PAGES)
def index(case_id: int):
    case = _visible_case(case_id)
    return _index_page(case)


@bp.route("/preview", methods=["GET", "POST"])
@allow(PREVIEW_DOCUMENTS)
def preview(case_id: int):
    """A DRAFT (watermarked) rendering, never stored. POST comes from the issue form, to preview its choices."""
    case = _visible_case(case_id, full=True)
    kind = _kind(request.values.get("kind"))
    if not can_preview_documents(current_user, case):
        abort(403)
    # The version the applicant gets is chosen from their preferred format; ?easy_read= previews the other one.
    extra = {"easy_read": request.args.get("easy_read", type=lambda raw: raw == "1")}
    if request.method == "POST":
        form = IssueForm()
        form.meeting_id.choices = _meeting_choices(case)
        if not form.validate_on_submit():
            abort(400)
        large_print, meeting_id = form.large_print.data, form.meeting_id.data or None
        if kind is DocumentKind.OUTCOME:
            extra["findings"] = form.findings.data or ""
    else:
        large_print = request.args.get("large_print", "1" if default_large_print(case, kind) else "0") == "1"
        meeting_id = request.args.get("meeting", type=database_id)
    try:
        pdf = render_document(
            kind, case, draft=True, large_print=large_print, actor=current_user, meeting_id=meeting_id, **extra
        )
    except (DocumentProblem, PdfRenderError) as problem:
        return _index_page(case, error=f"The {kind.label.lower()} could not be previewed. {problem}", status=422)
    services.record_preview(kind, case, large_print=large_print)
    return _pdf_response(pdf, f"{case.reference}-{kind.value}-DRAFT.pdf", inline=True)


@bp.route("/issue", methods=["GET", "POST"])
@allow(ISSUE_DOCUMENTS)
def issue(case_id: int):
    case = _visible_case(case_id, full=True)
    kind = _kind(request.values.get("kind"))
    if not can_issue_documents(current_user, case):
        abort(403)
    form = IssueForm()
    form.meeting_id.choices = _meeting_choices(case)
    if request.method == "GET":
        recipient = services.default_recipient(case, kind)
        form.recipient_name.data, form.recipient_email.data = recipient.name, recipient.email
        form.recipient_address.data = recipient.address
        form.method.data = services.default_method(case, kind).value
        form.large_print.data = default_large_print(case, kind)
        form.meeting_id.data = 0
    problem = ""
    if form.validate_on_submit():
        extra = {"findings": form.findings.data or ""} if kind is DocumentKind.OUTCOME else {}
        try:
            result = services.issue_and_send(
                kind,
                case,
                actor=current_user,
                recipient=services.Recipient(
                    form.recipient_name.data, form.recipient_email.data or "", form.recipient_address.data or ""
                ),
                method=DeliveryMethod(form.method.data),
                large_print=form.large_print.data,
                meeting_id=form.meeting_id.data or None,
                **extra,
            )
        except FieldError as error:
            if error.field in form:
                attach_error(form, error)
            else:
                problem = error.message
        except (DocumentProblem, PdfRenderError) as error:
            problem = f"The {kind.label.lower()} could not be issued. {error}"
        else:
            document = result.document
            flash(" ".join([f"{kind.label} version {document.version} has been issued."] + result.notes), "success")
            return redirect(url_for("documents.index", case_id=case.id))
    status = 400 if request.method == "POST" else 200
    can_email = services.can_email_applicant(case)
    email = (
        services.applicant_email(case, kind, services.next_filename(case, kind))
        if can_email and kind.for_applicant
        else None
    )
    return render_template(
        "documents/issue.html",
        case=case,
        kind=kind,
        form=form,
        problem=problem,
        can_email=can_email,
        email=email,
        findings_examples=FINDINGS_EXAMPLES,
        easy_read=default_easy_read(case, kind),
        protective_marking=kind.marking,
    ), status


@bp.route("/acknowledge", methods=["GET", "POST"])
@allow(ISSUE_DOCUMENTS)
def acknowledge(case_id: int):
    """Acknowledge the application in one step: the confirmation shows what will be sent, to whom and how."""
    case = _visible_case(case_id, full=True)
    if not can_issue_documents(current_user, case):
        abort(403)
    kind = DocumentKind.ACKNOWLEDGEMENT
    form = ConfirmForm()
    problem = ""
    if form.validate_on_submit():
        try:
            result = services.acknowledge(case, actor=current_user)
        except FieldError as error:
            problem = error.message
        except (DocumentProblem, PdfRenderError) as error:
            problem = f"The acknowledgement letter could not be issued. {error}"
        else:
            document = result.document
            flash(" ".join([f"{kind.label} version {document.version} has been issued."] + result.notes), "success")
            return redirect(url_for("cases.show", case_id=case.id))
    method = services.default_method(case, kind)
    recipient = services.default_recipient(case, kind)
    filename = services.next_filename(case, kind)
    email = services.applicant_email(case, kind, filename) if method is DeliveryMethod.EMAIL else None
    earlier = [d for d in services.register_of(case, {kind})]
    status = 400 if request.method == "POST" else 200
    return render_template(
        "documents/acknowledge.html",
        case=case,
        kind=kind,
        form=form,
        problem=problem,
        method=method,
        recipient=recipient,
        email=email,
        earlier=earlier,
        large_print=default_large_print(case, kind),
        protective_marking="OFFICIAL",
    ), status


@bp.route("/<int:document_id>/download")
@allow(DOCUMENT_PAGES)
def download(case_id: int, document_id: int):
    """The stored bytes, exactly as issued: never re-rendered."""
    case = _visible_case(case_id)
    document = _document(case, document_id, with_content=True)
    services.record_download(document)
    return _pdf_response(document.content, f"{case.reference}-{document.filename}", inline=False)


@bp.route("/<int:document_id>/email", methods=["GET", "POST"])
@allow(ISSUE_DOCUMENTS)
def email(case_id: int, document_id: int):
    """Email an issued letter to the applicant: the page shows the email first (subject, body, attachment)."""
    case = _visible_case(case_id)
    if not can_issue_documents(current_user, case):
        abort(403)
    document = _document(case, document_id, with_content=request.method == "POST")
    form = ConfirmForm()
    problem = ""
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services.email_to_applicant(document, case)
        except FieldError as error:
            problem = error.message
        else:
            flash(
                f"{document.kind.label} version {document.version} will be emailed to {document.emailed_to}.", "success"
            )
            return redirect(url_for("documents.index", case_id=case.id))
    can_send = document.kind.for_applicant and services.can_email_applicant(case) and document.emailed_at is None
    preview = services.applicant_email(case, document.kind, document.filename) if can_send else None
    return render_template(
        "documents/email.html",
        case=case,
        document=document,
        form=form,
        email=preview,
        problem=problem,
        protective_marking=document.marking,
    ), 400 if problem else 200


@bp.route("/<int:document_id>/posted", methods=["GET", "POST"])
@allow(ISSUE_DOCUMENTS)
def posted(case_id: int, document_id: int):
    case = _visible_case(case_id)
    if not can_issue_documents(current_user, case):
        abort(403)
    document = _document(case, document_id)
    form = PostedForm()
    if request.method == "GET":
        form.posted_on.data = date.today()
    if form.validate_on_submit():
        try:
            services.mark_posted(document, form.posted_on.data)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(f"{document.kind.label} version {document.version} is marked as posted.", "success")
            return redirect(url_for("documents.index", case_id=case.id))
    status = 400 if request.method == "POST" else 200
    return render_template("documents/posted.html", case=case, document=document, form=form), status
