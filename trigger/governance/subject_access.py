"""Subject access: find everything the product holds about one person and export it as a ZIP.

A search returns *candidates*: one person in one role, identified by the records that are theirs. Applicants
are grouped across cases only when name *and* email (or postcode) agree; everyone else is one record (or one
staff account). Two candidates are never merged: the administrator chooses one.

The export holds that person's own data in full; other people's personal data is redacted: alleged
perpetrators, other complainants, victims/applicants and non-staff attendees are named nowhere, and their names
are replaced inside free text (trigger.domain.retention.redact). Staff acting in their role are kept.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from trigger import audit
from trigger.domain.retention import REDACTED, redact
from trigger.extensions import db
from trigger.models import (
    Action,
    ActionPlan,
    Attendee,
    Audience,
    AuditEvent,
    Case,
    DocumentKind,
    Escalation,
    Incident,
    IssuedDocument,
    LoginAttempt,
    Meeting,
    Organisation,
    Perpetrator,
    ThresholdDecision,
    User,
    UserSession,
    VictimParticipation,
)

MAX_CANDIDATES = 50
KIND_LABELS = {
    "applicant": "Applicant",
    "victim": "Victim (third-party application)",
    "complainant": "Complainant",
    "perpetrator": "Alleged perpetrator",
    "attendee": "Meeting attendee",
    "staff": "Staff member",
}


class SubjectNotFound(Exception):
    pass


@dataclass
class Candidate:
    kind: str
    name: str
    detail: str
    ids: list[int] = field(default_factory=list)
    references: list[str] = field(default_factory=list)

    @property
    def token(self) -> str:
        return f"{self.kind}:{'.'.join(str(i) for i in sorted(self.ids))}"

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def _like(column, q: str):
    return func.lower(column).like(f"%{q.lower()}%", escape="\\")


def _escape(q: str) -> str:
    return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(query: str) -> tuple[list[Candidate], bool]:
    """(candidates, truncated) for a name or email address."""
    q = _escape(query.strip())
    email = query.strip().lower()
    found: list[Candidate] = []
    groups: dict[tuple, Candidate] = {}

    rows = db.session.execute(
        select(Case.id, Case.reference, Case.applicant_name, Case.applicant_email, Case.applicant_postcode)
        .where(or_(_like(Case.applicant_name, q), Case.applicant_email == email))
        .order_by(Case.id)
    ).all()
    for case_id, reference, name, mail, postcode in rows:
        key = ("applicant", name.lower(), mail or postcode or f"case {case_id}")
        candidate = groups.get(key)
        if candidate is None:
            candidate = groups[key] = Candidate("applicant", name, mail or postcode or "no email or postcode")
            found.append(candidate)
        candidate.ids.append(case_id)
        candidate.references.append(reference)

    rows = db.session.execute(
        select(Case.id, Case.reference, Case.victim_name, Case.victim_email).where(
            Case.is_third_party, or_(_like(Case.victim_name, q), Case.victim_email == email)
        )
    ).all()
    for case_id, reference, name, mail in rows:
        found.append(Candidate("victim", name, mail or "no email", [case_id], [reference]))

    rows = db.session.execute(
        select(Incident.id, Incident.complainant_name, Case.reference)
        .join(Case, Case.id == Incident.case_id)
        .where(Incident.complainant_name != "", _like(Incident.complainant_name, q))
        .order_by(Incident.id)
    ).all()
    for incident_id, name, reference in rows:
        key = ("complainant", name.lower(), reference)
        if key not in groups:
            groups[key] = Candidate("complainant", name, f"on case {reference}", references=[reference])
            found.append(groups[key])
        groups[key].ids.append(incident_id)

    rows = db.session.execute(
        select(Perpetrator.id, Perpetrator.name, Perpetrator.address, Case.reference)
        .join(Case, Case.id == Perpetrator.case_id)
        .where(_like(Perpetrator.name, q))
    ).all()
    for row_id, name, address, reference in rows:
        found.append(Candidate("perpetrator", name, address or "no address", [row_id], [reference]))

    rows = db.session.execute(
        select(Attendee.id, Attendee.name, Attendee.email, Case.reference)
        .join(Meeting, Meeting.id == Attendee.meeting_id)
        .join(Case, Case.id == Meeting.case_id)
        .where(Attendee.user_id.is_(None), or_(_like(Attendee.name, q), Attendee.email == email))
        .order_by(Attendee.id)
        .limit(2000)
    ).all()
    for row_id, name, mail, reference in rows:
        key = ("attendee", name.lower(), mail.lower()) if mail else ("attendee", row_id)
        if key not in groups:
            groups[key] = Candidate("attendee", name, mail or "no email")
            found.append(groups[key])
        groups[key].ids.append(row_id)
        if reference not in groups[key].references:
            groups[key].references.append(reference)

    rows = db.session.execute(
        select(User.id, User.name, User.email).where(or_(_like(User.name, q), User.email == email))
    ).all()
    for user_id, name, mail in rows:
        found.append(Candidate("staff", name, mail, [user_id]))
    return found[:MAX_CANDIDATES], len(found) > MAX_CANDIDATES


def parse_token(token: str) -> tuple[str, list[int]]:
    kind, _, ids = (token or "").partition(":")
    if kind not in KIND_LABELS or not ids:
        raise SubjectNotFound("Choose the person to export")
    try:
        numbers = sorted({int(part) for part in ids.split(".")})
    except ValueError:
        raise SubjectNotFound("Choose the person to export") from None
    return kind, numbers


# ---- gathering ------------------------------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value.value if hasattr(value, "value") and not isinstance(value, (int, str)) else value


def _other_names(case_ids: list[int], keep: set[str]) -> set[str]:
    """The names of other people on these cases (to redact from free text), except those in ``keep``."""
    names: set[str] = set()
    for applicant, victim in db.session.execute(
        select(Case.applicant_name, Case.victim_name).where(Case.id.in_(case_ids))
    ):
        names.update([applicant, victim])
    names.update(db.session.scalars(select(Perpetrator.name).where(Perpetrator.case_id.in_(case_ids))))
    names.update(db.session.scalars(select(Incident.complainant_name).where(Incident.case_id.in_(case_ids))))
    names.update(
        db.session.scalars(
            select(Attendee.name)
            .join(Meeting, Meeting.id == Attendee.meeting_id)
            .where(Meeting.case_id.in_(case_ids), Attendee.user_id.is_(None))
        )
    )
    lowered = {name.lower() for name in keep}
    return {name for name in names if name and name.lower() not in lowered}


def _case_summary(case: Case) -> dict:
    return {
        "reference": case.reference,
        "area": case.area.name,
        "received_on": _iso(case.received_on),
        "stage": case.stage.label,
        "closed_on": _iso(case.closed_on),
    }


def _case_story(case: Case, others: set[str], *, as_applicant: bool) -> dict:
    """What a case holds that the applicant or victim may see, other people redacted."""
    story = _case_summary(case)
    story["description_of_the_problem"] = redact(case.asb_description, others)
    story["location"] = redact(case.location, others)
    story["closure_reason"] = redact(case.closure_reason, others)
    perpetrators = db.session.scalar(
        select(func.count()).select_from(Perpetrator).where(Perpetrator.case_id == case.id)
    )
    story["alleged_perpetrators"] = f"{perpetrators} recorded; {REDACTED}" if perpetrators else "none recorded"
    story["incidents"] = [
        {
            "occurred_on": _iso(i.occurred_on),
            "description": redact(i.description, others),
            "hate_incident": i.is_hate,
            "reported_to": [{"agency": r.agency.name, "reported_on": _iso(r.reported_on)} for r in i.reports],
        }
        for i in db.session.scalars(
            select(Incident)
            .where(Incident.case_id == case.id)
            .options(selectinload(Incident.reports))
            .order_by(Incident.occurred_on, Incident.id)
        )
    ]
    story["threshold_decisions"] = [
        {
            "outcome": d.outcome.label,
            "decided_on": _iso(d.decided_on),
            "reasons": redact(d.reasons, others),
            "decision_maker": d.decision_maker_name,
        }
        for d in db.session.scalars(
            select(ThresholdDecision).where(ThresholdDecision.case_id == case.id).order_by(ThresholdDecision.id)
        )
    ]
    story["meetings"] = [
        {"date": _iso(m.starts_at.date()), "kind": m.kind.label, "status": m.status.label}
        for m in db.session.scalars(select(Meeting).where(Meeting.case_id == case.id).order_by(Meeting.starts_at))
    ]
    story["statements_to_meetings"] = [
        {"kind": p.kind.label, "statement": redact(p.statement, others)}
        for p in db.session.scalars(select(VictimParticipation).where(VictimParticipation.case_id == case.id))
    ]
    story["actions_shared_with_you"] = [
        {"what": redact(a.victim_wording, others), "due_on": _iso(a.due_on), "status": a.status.label}
        for a in db.session.scalars(
            select(Action)
            .join(ActionPlan, ActionPlan.id == Action.plan_id)
            .where(ActionPlan.case_id == case.id, Action.victim_visible)
            .order_by(Action.due_on)
        )
    ]
    story["escalations"] = [
        {
            "received_on": _iso(e.received_on),
            "your_grounds": redact(e.applicant_summary, others),
            "outcome": e.outcome.label if e.outcome else "not decided yet",
            "decided_on": _iso(e.decided_on),
            "reasons": redact(e.outcome_reasons, others),
        }
        for e in db.session.scalars(select(Escalation).where(Escalation.case_id == case.id))
    ]
    if as_applicant:
        story["documents_sent_to_you"] = [
            {
                "title": d.title,
                "version": d.version,
                "issued_at": _iso(d.issued_at),
                "method": d.method.value,
                "file": _document_file(case, d),
            }
            for d in _applicant_documents(case.id)
        ]
    return story


def _applicant_documents(case_id: int) -> list[IssuedDocument]:
    """The letters issued to the applicant on a case (never agency-only documents, which name third parties)."""
    kinds = [kind for kind in DocumentKind if kind.audience is Audience.APPLICANT]
    return list(
        db.session.scalars(
            select(IssuedDocument)
            .where(IssuedDocument.case_id == case_id, IssuedDocument.kind.in_(kinds))
            .order_by(IssuedDocument.issued_at, IssuedDocument.id)
        )
    )


def _document_file(case: Case, document: IssuedDocument) -> str:
    return f"documents/{case.reference}-{document.kind.value}-v{document.version}.pdf"


def _load_cases(ids: list[int]) -> list[Case]:
    cases = db.session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.id)).all()
    if len(cases) != len(ids):
        raise SubjectNotFound("That person's records have changed: search again")
    return list(cases)


def gather(kind: str, ids: list[int]) -> dict:
    """Everything held about the chosen person, as plain JSON-ready data."""
    if kind == "applicant":
        cases = _load_cases(ids)
        name = cases[0].applicant_name
        personal = []
        for case in cases:
            personal.append(
                {
                    "case": case.reference,
                    "name": case.applicant_name,
                    "address": case.applicant_address,
                    "postcode": case.applicant_postcode,
                    "phone": case.applicant_phone,
                    "email": case.applicant_email,
                    "date_of_birth": _iso(case.applicant_date_of_birth),
                    "preferred_contact": case.preferred_contact.label,
                    "preferred_format": case.preferred_format.label,
                    "language": case.language,
                    "communication_needs": case.communication_needs,
                    "vulnerabilities": case.vulnerabilities,
                    "advocate": case.advocate_details,
                    "consent_to_share": case.consent_to_share,
                    "consent_to_share_on": _iso(case.consent_to_share_on),
                    "applied_for_someone_else": case.is_third_party,
                    "victim": REDACTED if case.is_third_party else "",
                }
            )
        others = _other_names([c.id for c in cases], {name})
        return {
            "person": {"role": "applicant", "name": name},
            "personal_details": personal,
            "cases": [_case_story(case, others, as_applicant=True) for case in cases],
        }
    if kind == "victim":
        cases = _load_cases(ids)
        name = cases[0].victim_name
        others = _other_names([c.id for c in cases], {name})
        return {
            "person": {"role": "victim", "name": name},
            "personal_details": [
                {
                    "case": c.reference,
                    "name": c.victim_name,
                    "address": c.victim_address,
                    "phone": c.victim_phone,
                    "email": c.victim_email,
                    "consent_given_on": _iso(c.victim_consent_on),
                    "consent_how": c.victim_consent_how,
                    "applicant": REDACTED,
                }
                for c in cases
            ],
            "cases": [_case_story(case, others, as_applicant=False) for case in cases],
        }
    if kind == "complainant":
        incidents = db.session.scalars(
            select(Incident).where(Incident.id.in_(ids)).order_by(Incident.occurred_on)
        ).all()
        if len(incidents) != len(ids):
            raise SubjectNotFound("That person's records have changed: search again")
        name = incidents[0].complainant_name
        cases = _load_cases(sorted({i.case_id for i in incidents}))
        others = _other_names([c.id for c in cases], {name})
        by_id = {c.id: c for c in cases}
        return {
            "person": {"role": "complainant", "name": name},
            "incidents_you_complained_about": [
                {
                    **_case_summary(by_id[i.case_id]),
                    "occurred_on": _iso(i.occurred_on),
                    "description": redact(i.description, others),
                }
                for i in incidents
            ],
        }
    if kind == "perpetrator":
        row = db.session.get(Perpetrator, ids[0]) if len(ids) == 1 else None
        if row is None:
            raise SubjectNotFound("That person's records have changed: search again")
        case = db.session.get(Case, row.case_id)
        others = _other_names([case.id], {row.name})
        return {
            "person": {"role": "alleged perpetrator", "name": row.name},
            "personal_details": {
                "name": row.name,
                "address": row.address,
                "description": redact(row.description, others),
            },
            "case": {
                **_case_summary(case),
                "applicant": REDACTED,
                "incidents": [
                    {"occurred_on": _iso(i.occurred_on), "description": redact(i.description, others)}
                    for i in db.session.scalars(
                        select(Incident).where(Incident.case_id == case.id).order_by(Incident.occurred_on)
                    )
                ],
            },
        }
    if kind == "attendee":
        rows = db.session.execute(
            select(Attendee, Meeting, Case)
            .join(Meeting, Meeting.id == Attendee.meeting_id)
            .join(Case, Case.id == Meeting.case_id)
            .where(Attendee.id.in_(ids))
            .order_by(Meeting.starts_at)
        ).all()
        if len(rows) != len(ids):
            raise SubjectNotFound("That person's records have changed: search again")
        first = rows[0][0]
        return {
            "person": {"role": "meeting attendee", "name": first.name, "email": first.email},
            "meetings": [
                {
                    **_case_summary(case),
                    "meeting_date": _iso(meeting.starts_at.date()),
                    "meeting_kind": meeting.kind.label,
                    "attended_as": attendee.kind.label,
                    "role_at_meeting": attendee.role_at_meeting,
                    "status": attendee.status.label,
                    "agency": attendee.agency.name if attendee.agency else "",
                }
                for attendee, meeting, case in rows
            ],
        }
    if kind == "staff":
        user = db.session.get(User, ids[0]) if len(ids) == 1 else None
        if user is None:
            raise SubjectNotFound("That person's records have changed: search again")
        sessions = db.session.execute(
            select(
                UserSession.created_at,
                UserSession.last_seen_at,
                UserSession.revoked_at,
                UserSession.ip_address,
                UserSession.user_agent,
            )
            .where(UserSession.user_id == user.id)
            .order_by(UserSession.id)
        ).all()
        attempts = db.session.execute(
            select(LoginAttempt.at, LoginAttempt.ip_address, LoginAttempt.succeeded)
            .where(LoginAttempt.email == user.email)
            .order_by(LoginAttempt.id)
        ).all()
        # The trail of what they did: when, what and to which record. Summaries are left out: they name others.
        events = db.session.execute(
            select(
                AuditEvent.at, AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id, AuditEvent.ip_address
            )
            .where(AuditEvent.actor_id == user.id)
            .order_by(AuditEvent.id)
        ).all()
        meetings = db.session.execute(
            select(Meeting.starts_at, Case.reference, Attendee.status)
            .join(Meeting, Meeting.id == Attendee.meeting_id)
            .join(Case, Case.id == Meeting.case_id)
            .where(Attendee.user_id == user.id)
        ).all()
        return {
            "person": {"role": "staff member", "name": user.name},
            "account": {
                "name": user.name,
                "email": user.email,
                "role": user.role.label,
                "agency": user.agency.name if user.agency else "",
                "active": user.active,
                "created_at": _iso(user.created_at),
                "last_sign_in": _iso(user.last_login_at),
            },
            "sessions": [
                {"started": _iso(a), "last_seen": _iso(b), "ended": _iso(c), "ip_address": d, "browser": e}
                for a, b, c, d, e in sessions
            ],
            "sign_in_attempts": [{"at": _iso(a), "ip_address": b, "succeeded": c} for a, b, c in attempts],
            "meetings": [{"date": _iso(s.date()), "case": r, "status": st.label} for s, r, st in meetings],
            "audit_trail": [
                {"at": _iso(a), "action": b, "record": f"{c} {d}" if d is not None else c, "ip_address": e}
                for a, b, c, d, e in events
            ],
        }
    raise SubjectNotFound("Choose the person to export")


# ---- the export -----------------------------------------------------------------------------------------------


def export(kind: str, ids: list[int], actor: User, today: date | None = None) -> tuple[bytes, str]:
    """(ZIP bytes, file name): summary.pdf and data.json for the chosen person. Audited."""
    from trigger.pdf import render_pdf

    today = today or date.today()
    data = gather(kind, ids)
    data["exported"] = {
        "on": today.isoformat(),
        "by": actor.name,
        "note": "Other people's personal data is redacted and shown as " + REDACTED,
    }
    org = db.session.get(Organisation, 1)
    html = current_app.jinja_env.get_template("pdf/subject-access.html").render(
        title="Subject access request: information we hold",
        lang="en",
        org_name=org.name if org else "",
        org_address=org.address if org else "",
        case_ref=f"SAR-{today:%Y%m%d}",
        marking="OFFICIAL-SENSITIVE",
        generated_on=today,
        data=data,
        role=KIND_LABELS[kind],
        sections=_sections(data),
    )
    pdf = render_pdf(html, title="Subject access request", timeout_s=30, max_pages=500)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("summary.pdf", pdf)
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False, default=str))
        if kind == "applicant":  # the letters they were sent, exactly as issued
            for case in _load_cases(ids):
                for document in _applicant_documents(case.id):
                    archive.writestr(_document_file(case, document), document.content)
    audit.record(
        "subject_access.exported",
        "subject_access",
        None,
        f"Subject access export: {KIND_LABELS[kind].lower()}, {len(ids)} record(s)",
        details={"kind": kind, "record_ids": ids},
        actor=actor,
    )
    return buffer.getvalue(), f"subject-access-{kind}-{today.isoformat()}.zip"


#: Lists longer than this are counted in the PDF and given in full in data.json.
PDF_LIST_LIMIT = 100


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _cell(value: Any) -> str:
    """One table cell as text: nested lists and mappings are joined, so the PDF stays a set of flat tables."""
    if value is None or value == "":
        return "-"
    if value is True or value is False:
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return "; ".join(f"{_label(k)}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_cell(item) for item in value) or "none"
    return str(value)


def _sections(data: dict) -> list[dict]:
    """The export as flat blocks for the PDF: headings, key-value tables and tables of rows (long lists cut at
    PDF_LIST_LIMIT rows; data.json has them all). Flat tables keep a long export quick to lay out."""
    blocks: list[dict] = []

    def add(heading: str, value: Any, level: int) -> None:
        if isinstance(value, dict):
            pairs = [(k, v) for k, v in value.items() if not (isinstance(v, list) and v and isinstance(v[0], dict))]
            blocks.append({"heading": heading, "level": level, "pairs": [(_label(k), _cell(v)) for k, v in pairs]})
            for key, item in value.items():
                if isinstance(item, list) and item and isinstance(item[0], dict):
                    add(_label(key), item, level + 1)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            if len(value[0]) > 5:
                for number, item in enumerate(value[:PDF_LIST_LIMIT], start=1):
                    add(f"{heading} ({number} of {len(value)})", item, level)
            else:
                keys = list(value[0].keys())
                blocks.append(
                    {
                        "heading": heading,
                        "level": level,
                        "columns": [_label(k) for k in keys],
                        "rows": [[_cell(row.get(k)) for k in keys] for row in value[:PDF_LIST_LIMIT]],
                        "total": len(value),
                    }
                )
        else:
            blocks.append({"heading": heading, "level": level, "text": _cell(value) if value != [] else "None."})

    for key, value in data.items():
        if key not in ("person", "exported"):
            add(_label(key), value, 2)
    return blocks
