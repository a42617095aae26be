"""What each document says: the data every PDF template receives, gathered from the case (no HTML here).

Two rules shape this module:

* **Letters to the applicant never receive the case object.** Their templates get plain values built here,
  so a template cannot reach the perpetrators, the minutes or another person's details even by mistake.
  Every piece of free text that goes to the applicant also passes through :class:`Redactor`, which removes
  the names and addresses of the alleged perpetrators, other complainants and the people at the meeting
  (DOMAIN.md section 4: "their personal details never appear in anything sent to the applicant").
* **Dates in letters are computed from the area's own calendar and timescales** (bank holidays of its nation
  and its closure days), never guessed; a year without holiday data stops the document with a clear message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from trigger.area_policies.services import calendar_for_area, timescale_for_area
from trigger.domain.deadlines import DeadlineKind, compute_due
from trigger.cases.redaction import redactor_for
from trigger.domain.need_to_know import Redactor
from trigger.domain.threshold.records import repeated_records
from trigger.domain.workdays import HolidayDataMissing
from trigger.extensions import db
from trigger.models.escalations import Escalation, EscalationOutcome
from trigger.meetings.services import when_text
from trigger.threshold.services import threshold_inputs
from trigger.models import (
    Action,
    ActionPlan,
    Agency,
    Attendee,
    AttendeeKind,
    AttendeeStatus,
    Case,
    DocumentKind,
    Incident,
    Meeting,
    MeetingStatus,
    MinuteItem,
    Organisation,
    PreferredFormat,
    ProcessName,
    Role,
    ThresholdDecision,
    User,
)


class DocumentProblem(Exception):
    """The document cannot be produced yet (no meeting, no decision...); the message is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---- words and dates ------------------------------------------------------------------------------------------


def long_date(day: date | None) -> str:
    """A date in words for letters: "Friday 22 May 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}" if day else ""


def short_date(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def paragraphs(text: str | None) -> list[str]:
    """Free text as paragraphs (blank lines separate them); single line breaks are kept as spaces."""
    return [" ".join(chunk.split()) for chunk in re.split(r"\n\s*\n", text or "") if chunk.strip()]


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def due_date(case: Case, kind: DeadlineKind, anchor: date) -> date:
    """``kind``'s due date counted in the case area's working days from ``anchor``."""
    try:
        return compute_due(kind, anchor, timescale_for_area(case.area), calendar_for_area(case.area))
    except HolidayDataMissing as error:
        raise DocumentProblem(
            f"The letter's dates cannot be worked out: {error} Ask an administrator to check the bank holidays."
        ) from None


# ---- who the applicant deals with ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """The named single point of contact, with the partnership's contact details as a fallback."""

    name: str
    email: str
    phone: str


def spoc_for(case: Case, org: Organisation | None, actor: User | None = None) -> Contact:
    """The case's single point of contact: its assigned coordinator, else the coordinator who took the
    application, else the coordinator issuing the document. Someone no longer active is never named."""
    person = None
    for candidate_id in (case.coordinator_id, case.created_by_id):
        candidate = db.session.get(User, candidate_id) if candidate_id is not None else None
        if candidate is not None and candidate.active and candidate.role is Role.COORDINATOR:
            person = candidate
            break
    if person is None and actor is not None and getattr(actor, "role", None) in (Role.COORDINATOR, Role.ADMIN):
        person = actor
    org_email = org.contact_email if org else ""
    org_phone = org.contact_phone if org else ""
    if person is None:
        return Contact(name="", email=org_email, phone=org_phone)
    return Contact(name=person.name, email=org_email or person.email, phone=org_phone)


# ---- loading ------------------------------------------------------------------------------------------------


def load_case_for_documents(case_id: int) -> Case | None:
    return db.session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .options(
            selectinload(Case.perpetrators),
            selectinload(Case.incidents).selectinload(Incident.reports),
            selectinload(Case.decisions),
        )
    )


def meetings_for_documents(case: Case) -> list[Meeting]:
    """The case's meetings, newest first, with everything a meeting document shows."""
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.case_id == case.id)
            .options(
                selectinload(Meeting.attendees),
                selectinload(Meeting.minute_items).selectinload(MinuteItem.revisions),
                selectinload(Meeting.recommendations),
                selectinload(Meeting.approval),
                selectinload(Meeting.victim_participation),
            )
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        )
    )


def meeting_for(case: Case, kind: DocumentKind, meeting_id: int | None = None) -> Meeting | None:
    """The meeting a document is about: the one asked for, else the newest sensible one (None if none).

    Invitations are for the newest meeting that is not cancelled; minutes and the outcome letter for the
    newest meeting that was held (or, failing that, the newest that is not cancelled).
    """
    meetings = meetings_for_documents(case)
    if meeting_id is not None:
        return next((m for m in meetings if m.id == meeting_id), None)
    live = [m for m in meetings if m.status is not MeetingStatus.CANCELLED]
    if kind in (DocumentKind.INVITATION_AGENCY, DocumentKind.INVITATION_VICTIM):
        return live[0] if live else None
    held = [m for m in live if m.status is MeetingStatus.HELD or m.approval is not None]
    return (held or live or [None])[0]


def _require_meeting(case: Case, kind: DocumentKind, meeting_id: int | None) -> Meeting:
    meeting = meeting_for(case, kind, meeting_id)
    if meeting is None:
        raise DocumentProblem("There is no case review meeting on this case yet: schedule one first.")
    return meeting


def latest_decision(case: Case) -> ThresholdDecision | None:
    return case.decisions[-1] if case.decisions else None


def all_actions(case: Case) -> list[Action]:
    return list(
        db.session.scalars(
            select(Action)
            .join(ActionPlan, Action.plan_id == ActionPlan.id)
            .where(ActionPlan.case_id == case.id)
            .options(joinedload(Action.owner_agency), joinedload(Action.owner_user))
            .order_by(Action.due_on, Action.id)
        ).unique()
    )


@dataclass(frozen=True)
class ApplicantAction:
    agency: str
    wording: str
    due_on: date
    status: str


def applicant_actions(case: Case, redact: Redactor) -> list[ApplicantAction]:
    """What each agency will do, in plain English: exactly the actions victim_view_of_plan shows (marked
    victim_visible, with wording), with the owning agency's name, which that read model does not carry."""
    rows = db.session.execute(
        select(Agency.name, Action.victim_wording, Action.due_on, Action.status)
        .join(ActionPlan, Action.plan_id == ActionPlan.id)
        .join(Agency, Agency.id == Action.owner_agency_id)
        .where(ActionPlan.case_id == case.id, Action.victim_visible.is_(True), Action.victim_wording != "")
        .order_by(Action.due_on, Action.id)
    )
    return [ApplicantAction(agency, redact(wording), due_on, status.label) for agency, wording, due_on, status in rows]


# ---- the context of each document ---------------------------------------------------------------------------


@dataclass
class DocumentContext:
    """What a document's template receives, and its title."""

    title: str
    values: dict[str, Any] = field(default_factory=dict)
    meeting_id: int | None = None


SIGNPOSTS = (
    (
        "Victim Support",
        "Free, confidential help for anyone affected by crime or anti-social behaviour. "
        "Call 08 08 16 89 111 (free, open every day and night) or visit victimsupport.org.uk.",
    ),
    (
        "The council's anti-social behaviour team",
        "They can look into noise, nuisance and neighbour problems. "
        "Contact your local council and ask for the ASB team.",
    ),
    (
        "The police",
        "Call 101 to report anti-social behaviour or crime that is not an emergency. "
        "Always call 999 if you are in danger or a crime is happening now.",
    ),
    (
        "Mediation",
        "A trained mediator can help neighbours talk and agree a way forward. "
        "The council or your housing provider can tell you about local mediation services.",
    ),
)

PARTICIPATION_OPTIONS = (
    "come to the meeting in person",
    "join the meeting online or by phone",
    "come to the first part of the meeting only, to tell the agencies in your own words how things are",
    "send us a written statement to read out at the meeting",
    "ask someone to speak for you, such as a friend, a relative, a local councillor, your MP or a support worker "
    "(an advocate)",
)


def process_name(org: Organisation | None) -> str:
    return (org.process_name if org else ProcessName.ASB_CASE_REVIEW).label


def _recipient(case: Case) -> dict[str, Any]:
    address = lines(case.applicant_address)
    if case.applicant_postcode and all(case.applicant_postcode.lower() not in line.lower() for line in address):
        address.append(case.applicant_postcode)
    return {"name": case.applicant_name, "address": address}


def build_context(
    kind: DocumentKind,
    case: Case,
    *,
    org: Organisation | None,
    today: date,
    actor: User | None = None,
    meeting_id: int | None = None,
    **extra: Any,
) -> DocumentContext:
    """The template values and title of ``kind`` about ``case``. Raises DocumentProblem when it cannot be made."""
    process = process_name(org)
    if kind.for_applicant:
        spoc = spoc_for(case, org, actor)
        redact = redactor_for(
            case,
            keep=[case.applicant_name, case.victim_name, spoc.name, case.applicant_address, case.applicant_postcode],
        )
        common: dict[str, Any] = {
            "recipient": _recipient(case),
            "spoc": spoc,
            "process_name": process,
            "letter_date": today,
        }
        builder = _APPLICANT_BUILDERS[kind]
        return builder(case, common, redact, today=today, meeting_id=meeting_id, **extra)
    builder = _AGENCY_BUILDERS[kind]
    return builder(case, {"process_name": process, "case": case}, today=today, meeting_id=meeting_id, **extra)


# -- applicant letters (plain values only) --


def _acknowledgement(case, common, redact, *, today, **_):
    # A record that repeats another (marked as the same, or identical in every field) is listed once.
    repeats = repeated_records(threshold_inputs(case), applicant_name=case.applicant_name)
    incidents = [(short_date(i.occurred_on), redact(i.description)) for i in case.incidents if i.id not in repeats]
    return DocumentContext(
        title=f"We have received your {common['process_name']} application",
        values={
            **common,
            "received_on": case.received_on,
            "is_third_party": case.is_third_party,
            "victim_name": case.victim_name if case.is_third_party else "",
            "what_you_told_us": paragraphs(redact(case.asb_description)),
            "incidents": incidents,
            "decision_due": due_date(case, DeadlineKind.THRESHOLD_DECISION, case.received_on),
        },
    )


def _threshold_decision(case, common, redact, *, today, **_):
    decision = latest_decision(case)
    if decision is None:
        raise DocumentProblem("No threshold decision has been recorded on this case yet.")
    met = decision.outcome.is_met
    values = {
        **common,
        "met": met,
        "decided_on": decision.decided_on,
        "reasons": paragraphs(redact(decision.reasons)),
        "received_on": case.received_on,
        "evaluation_summary": "",
        "evaluation_reasons": [],
    }
    if decision.letter_includes_evaluation:
        # The evaluation as it stood when decided, in the lines meant for the applicant (no "recorded more than
        # once" bookkeeping), through the Redactor like all text that reaches them: complainants are named there.
        evaluation = decision.evaluation or {}
        values["evaluation_summary"] = redact(evaluation.get("summary", ""))
        values["evaluation_reasons"] = [redact(line) for line in evaluation.get("applicant_reasons", [])]
    if met:
        values["meeting_due"] = due_date(case, DeadlineKind.MEETING, decision.decided_on)
    else:
        values["signposts"] = SIGNPOSTS
        values["challenge_by"] = due_date(case, DeadlineKind.ESCALATION_REQUEST, today)
    title = f"Decision on your {common['process_name']} application"
    return DocumentContext(title=title, values=values)


def _invitation_victim(case, common, redact, *, today, meeting_id=None, **_):
    meeting = _require_meeting(case, DocumentKind.INVITATION_VICTIM, meeting_id)
    participation = meeting.victim_participation
    return DocumentContext(
        title="Invitation to your case review meeting",
        meeting_id=meeting.id,
        values={
            **common,
            "when": when_text(meeting),
            "place": meeting.place,
            "virtual_link": meeting.virtual_link,
            "options": PARTICIPATION_OPTIONS,
            "participation": participation.kind.label if participation else "",
            "reply_by": due_date(case, DeadlineKind.ACKNOWLEDGE, today) if meeting.starts_at.date() > today else None,
        },
    )


def _took_part(meeting: Meeting) -> list[str]:
    present = {AttendeeStatus.ATTENDED, AttendeeStatus.SUBSTITUTE, AttendeeStatus.ACCEPTED}
    names = {
        a.agency.name
        for a in meeting.attendees
        if a.kind is AttendeeKind.AGENCY_REPRESENTATIVE and a.agency is not None and a.status in present
    }
    return sorted(names)


def _recommendations_for_applicant(meeting: Meeting | None, redact: Redactor) -> list[tuple[str, str]]:
    """Only the recommendations someone chose to share with the applicant, in the wording written for them:
    never the agencies' own text (DOMAIN.md section 5: a summary without third parties' personal data)."""
    if meeting is None:
        return []
    return [
        (r.agency.name, redact(r.victim_wording))
        for r in meeting.recommendations
        if r.victim_visible and r.victim_wording.strip()
    ]


def _minutes_summary(case, common, redact, *, today, meeting_id=None, **_):
    meeting = _require_meeting(case, DocumentKind.MINUTES_SUMMARY, meeting_id)
    participation = meeting.victim_participation
    # What happened, as the chair recorded it, else the plan made beforehand (never the chair's note: it is for
    # the agencies).
    took_part = (
        meeting.victim_took_part.label
        if meeting.victim_took_part
        else participation.kind.label
        if participation
        else ""
    )
    return DocumentContext(
        title="Summary of your case review meeting",
        meeting_id=meeting.id,
        values={
            **common,
            "meeting_on": meeting.starts_at,
            "agencies": _took_part(meeting),
            "participation": took_part,
            "recommendations": _recommendations_for_applicant(meeting, redact),
            "actions": applicant_actions(case, redact),
        },
    )


def _outcome(case, common, redact, *, today, meeting_id=None, findings: str = "", **_):
    meeting = meeting_for(case, DocumentKind.OUTCOME, meeting_id)
    return DocumentContext(
        title=f"The outcome of your {common['process_name']}",
        meeting_id=meeting.id if meeting else None,
        values={
            **common,
            "meeting_on": meeting.starts_at if meeting else None,
            "agencies": _took_part(meeting) if meeting else [],
            "findings": paragraphs(redact(findings)),
            "recommendations": _recommendations_for_applicant(meeting, redact),
            "actions": applicant_actions(case, redact),
            "escalate_by": due_date(case, DeadlineKind.ESCALATION_REQUEST, today),
        },
    )


def _in_a_sentence(label: str) -> str:
    """ "The Police and Crime Commissioner's office" -> "the Police and Crime Commissioner's office"."""
    return label[0].lower() + label[1:] if label.startswith(("The ", "An ", "A ")) else label


def _escalation(case: Case) -> Escalation:
    """The case's newest escalation (trigger.escalations records them)."""
    escalation = db.session.scalar(
        select(Escalation).where(Escalation.case_id == case.id).order_by(Escalation.id.desc()).limit(1)
    )
    if escalation is None:
        raise DocumentProblem("No escalation request has been recorded on this case.")
    return escalation


def _escalation_acknowledgement(case, common, redact, *, today, **_):
    escalation = _escalation(case)
    return DocumentContext(
        title="We have received your request for a review",
        values={
            **common,
            "received_on": escalation.received_on,
            "decision_due": escalation.decision_due_on,
            "grounds": [ground.label for ground in escalation.grounds],
            "in_your_words": paragraphs(redact(escalation.applicant_summary)),
            "reviewer": _in_a_sentence(escalation.reviewing_body_label),
        },
    )


def _escalation_outcome(case, common, redact, *, today, **_):
    escalation = _escalation(case)
    if escalation.outcome is None:
        raise DocumentProblem(
            "The escalation has not been decided yet: its outcome letter can be produced once "
            "the reviewer has recorded the outcome."
        )
    upheld = escalation.outcome is EscalationOutcome.UPHELD
    return DocumentContext(
        title="The outcome of your request for a review",
        values={
            **common,
            "received_on": escalation.received_on,
            "decided_on": escalation.decided_on,
            "upheld": upheld,
            "reasons": paragraphs(redact(escalation.outcome_reasons)),
            "points": paragraphs(redact(escalation.points_to_reconsider)) if upheld else [],
            "reconsider_by": escalation.reconsider_due_on if upheld else None,
            "reviewer": _in_a_sentence(escalation.reviewing_body_label),
        },
    )


# -- agency documents (may name the people involved; OFFICIAL-SENSITIVE) --


def _case_summary(case: Case) -> dict[str, Any]:
    decision = latest_decision(case)
    return {
        "perpetrators": case.perpetrators,
        "incidents": [i for i in case.incidents if i.same_as_id is None],
        "decision": decision,
    }


def _invitation_agency(case, common, *, today, meeting_id=None, **_):
    meeting = _require_meeting(case, DocumentKind.INVITATION_AGENCY, meeting_id)
    return DocumentContext(
        title=f"Case review meeting invitation: {case.reference}",
        meeting_id=meeting.id,
        values={
            **common,
            **_case_summary(case),
            "meeting": meeting,
            "when": when_text(meeting),
            "agenda": [item.agenda_title for item in meeting.minute_items],
        },
    )


def _minutes_full(case, common, *, today, meeting_id=None, **_):
    meeting = _require_meeting(case, DocumentKind.MINUTES_FULL, meeting_id)
    by_status: dict[AttendeeStatus, list[Attendee]] = {}
    for attendee in meeting.attendees:
        by_status.setdefault(attendee.status, []).append(attendee)
    present = (
        by_status.get(AttendeeStatus.ATTENDED, [])
        + by_status.get(AttendeeStatus.SUBSTITUTE, [])
        + by_status.get(AttendeeStatus.ACCEPTED, [])
    )
    return DocumentContext(
        title=f"Minutes of the case review meeting: {case.reference}",
        meeting_id=meeting.id,
        values={
            **common,
            **_case_summary(case),
            "meeting": meeting,
            "when": when_text(meeting),
            "present": present,
            "apologies": by_status.get(AttendeeStatus.APOLOGIES, []),
            "absent": by_status.get(AttendeeStatus.ABSENT, []) + by_status.get(AttendeeStatus.INVITED, []),
            "items": [
                (item.agenda_title, paragraphs(item.current.text if item.current else ""))
                for item in meeting.minute_items
            ],
            "approval": meeting.approval,
            "actions": all_actions(case),
        },
    )


def _action_plan(case, common, *, today, **_):
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.case_id == case.id))
    return DocumentContext(
        title=f"Action plan: {case.reference}",
        values={**common, "plan": plan, "actions": all_actions(case)},
    )


_APPLICANT_BUILDERS = {
    DocumentKind.ACKNOWLEDGEMENT: _acknowledgement,
    DocumentKind.THRESHOLD_DECISION: _threshold_decision,
    DocumentKind.INVITATION_VICTIM: _invitation_victim,
    DocumentKind.MINUTES_SUMMARY: _minutes_summary,
    DocumentKind.OUTCOME: _outcome,
    DocumentKind.ESCALATION_ACKNOWLEDGEMENT: _escalation_acknowledgement,
    DocumentKind.ESCALATION_OUTCOME: _escalation_outcome,
}
_AGENCY_BUILDERS = {
    DocumentKind.INVITATION_AGENCY: _invitation_agency,
    DocumentKind.MINUTES_FULL: _minutes_full,
    DocumentKind.ACTION_PLAN: _action_plan,
}


def register_builders(*, applicant: dict, agency: dict) -> None:
    """Documents that live with their feature (trigger.restorative.documents) add their builders here when the
    app is created: this module imports no feature that uses it."""
    _APPLICANT_BUILDERS.update(applicant)
    _AGENCY_BUILDERS.update(agency)


def default_large_print(case: Case, kind: DocumentKind) -> bool:
    """Letters go in large print to applicants who asked for it."""
    return kind.for_applicant and case.preferred_format is PreferredFormat.LARGE_PRINT


#: The letters that have an easy-read version (templates/pdf/easy-read/<kind>.html): the ones every applicant
#: gets about their own case. The meeting summary carries the plan in plain English (what each agency will do).
EASY_READ_KINDS = frozenset(
    {DocumentKind.ACKNOWLEDGEMENT, DocumentKind.THRESHOLD_DECISION, DocumentKind.OUTCOME, DocumentKind.MINUTES_SUMMARY}
)


def has_easy_read(kind: DocumentKind) -> bool:
    return kind in EASY_READ_KINDS


def default_easy_read(case: Case, kind: DocumentKind) -> bool:
    """Applicants who asked for easy read get the easy-read version of every letter that has one. The same
    context (the same need-to-know filtering and redaction) feeds both versions: only the template differs."""
    return has_easy_read(kind) and case.preferred_format is PreferredFormat.EASY_READ
