"""Render a document about a case to PDF: build its context, render templates/pdf/<kind>.html, call the engine.

Thin on purpose. What a document says is gathered in trigger.documents.contexts; how it looks is in the
templates; turning HTML into PDF (and refusing anything a user typed from fetching a file or an address) is
trigger.pdf.engine's job, the only module that imports WeasyPrint. Jinja autoescaping is on, so text typed by
anyone reaches the PDF as text, never as markup.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from flask import current_app
from jinja2 import meta

from trigger.documents.contexts import (
    DocumentProblem,
    build_context,
    default_easy_read,
    has_easy_read,
    lines,
    long_date,
    paragraphs,
    short_date,
)
from trigger.extensions import db
from trigger.models import Case, DocumentKind, Organisation, User
from trigger.pdf import render_pdf

__all__ = ["DocumentProblem", "PreparedDocument", "prepare", "render_document", "template_name", "template_version"]

#: Render limits for one document: generous for a long set of minutes, small enough to fail fast.
TIMEOUT_S = 20
MAX_PAGES = 150


def template_name(kind: DocumentKind, *, easy_read: bool = False) -> str:
    """templates/pdf/<kind>.html, or its easy-read version templates/pdf/easy-read/<kind>.html."""
    return f"pdf/easy-read/{kind.value}.html" if easy_read else f"pdf/{kind.value}.html"


@dataclass(frozen=True)
class PreparedDocument:
    """A document's HTML with what the register keeps about it."""

    kind: DocumentKind
    html: str
    title: str
    marking: str
    large_print: bool
    template_name: str
    meeting_id: int | None
    lang: str = "en"
    easy_read: bool = False

    def render(self) -> bytes:
        return render_pdf(self.html, title=self.title, lang=self.lang, timeout_s=TIMEOUT_S, max_pages=MAX_PAGES)


def prepare(
    kind: DocumentKind,
    case: Case,
    *,
    draft: bool,
    large_print: bool,
    today: date | None = None,
    actor: User | None = None,
    meeting_id: int | None = None,
    easy_read: bool | None = None,
    **extra,
) -> PreparedDocument:
    """The HTML of ``kind`` about ``case``. Raises DocumentProblem when the case lacks what it needs.

    ``easy_read`` None picks the version from the applicant's preferred format (contexts.default_easy_read);
    True asks for the easy-read version (a preview), which only some letters have. Easy read is always in large
    type. Both versions get the same context: what reaches the applicant is filtered once, in contexts.
    """
    kind = DocumentKind(kind)
    today = today or date.today()
    easy_read = default_easy_read(case, kind) if easy_read is None else easy_read and has_easy_read(kind)
    large_print = large_print or easy_read
    org = db.session.get(Organisation, 1)
    context = build_context(kind, case, org=org, today=today, actor=actor, meeting_id=meeting_id, **extra)
    name = template_name(kind, easy_read=easy_read)
    # The app's Jinja environment (autoescaping, filters) without the web pages' context processors: a
    # document must not depend on who is looking at it (navigation, unread counts), and the CLI and the
    # benchmark render outside any request.
    html = current_app.jinja_env.get_template(name).render(
        **context.values,
        title=context.title,
        lang="en",
        org_name=org.name if org else "",
        org_address=lines(org.address) if org else [],
        org_email=org.contact_email if org else "",
        org_phone=org.contact_phone if org else "",
        logo_data_uri=None,
        case_ref=case.reference,
        marking=kind.marking,
        draft=draft,
        large_print=large_print,
        generated_on=today,
        long_date=long_date,
        short_date=short_date,
        paragraphs=paragraphs,
    )
    return PreparedDocument(
        kind=kind,
        html=html,
        title=f"{context.title} ({case.reference})",
        marking=kind.marking,
        large_print=large_print,
        template_name=name,
        meeting_id=context.meeting_id,
        easy_read=easy_read,
    )


def render_document(kind: DocumentKind, case: Case, *, draft: bool, large_print: bool, **extra) -> bytes:
    """The PDF of ``kind`` about ``case``. Raises DocumentProblem, or trigger.pdf.PdfRenderError."""
    return prepare(kind, case, draft=draft, large_print=large_print, **extra).render()


def template_version(name: str) -> str:
    """A hash of the template and everything it extends, includes or imports (print.css included).

    Kept with each issued document, so anyone can tell which wording and layout produced it.
    """
    env = current_app.jinja_env
    seen: dict[str, str] = {}
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        source, _, _ = env.loader.get_source(env, current)
        seen[current] = source
        if current.endswith(".html"):
            pending += [ref for ref in meta.find_referenced_templates(env.parse(source)) if ref]
    digest = hashlib.sha256()
    for key in sorted(seen):
        digest.update(key.encode() + b"\0" + seen[key].encode() + b"\0")
    return digest.hexdigest()[:16]
