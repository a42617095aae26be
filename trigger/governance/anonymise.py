"""Anonymising one batch of cases: set-based UPDATEs that replace personal data with neutral placeholders.

Used by trigger.governance.retention.run, one batch per transaction. Counts, dates, stages, outcomes and the
area are left alone, so the statutory figures still count the cases. Only rows that hold something are rewritten:
on PostgreSQL every updated row is a new row version with an entry in each index, so untouched rows cost nothing.
"""

from __future__ import annotations

from datetime import date
from dataclasses import dataclass

from sqlalchemy import case as sql_case, func, insert, literal, select, update

from trigger.domain import retention as rules
from trigger.extensions import db
from trigger.models import (
    Action,
    ActionDueDateChange,
    ActionPlan,
    ActionUpdate,
    AnonymisedCase,
    Attendee,
    AuditEvent,
    Case,
    CaseDeadline,
    Escalation,
    Incident,
    IncidentReport,
    IssuedDocument,
    Meeting,
    MinuteItem,
    MinuteRevision,
    Perpetrator,
    Recommendation,
    RiskAssessment,
    ThresholdDecision,
    VictimParticipation,
    utcnow,
)


@dataclass(frozen=True)
class CaseToAnonymise:
    """A closed case past its retention period (trigger.governance.retention.candidates finds them)."""

    case_id: int
    reference: str
    area_name: str
    closed_on: date
    due_on: date
    retention_years: int


def removed_document_pdf() -> bytes:
    """The placeholder that replaces an issued document's content, rendered once per run by the PDF engine."""
    from flask import current_app

    from trigger.pdf import render_pdf

    html = current_app.jinja_env.get_template("pdf/removed.html").render(
        title="Document removed", marking="OFFICIAL", org_name="", case_ref="-", generated_on=date.today()
    )
    return render_pdf(html, title="Document removed under the retention policy")


def _removed(column):
    """The placeholder where the column held something; blank stays blank (constraints that need text hold)."""
    return sql_case((column != "", literal(rules.REMOVED)), else_=column)


def _replaced(column, placeholder: str):
    return sql_case((column != "", literal(placeholder)), else_=column)


def anonymise_batch(batch: list[CaseToAnonymise], run_id: str, placeholder: tuple[bytes, str] | None) -> None:
    ids = [item.case_id for item in batch]
    now = utcnow()
    execute = db.session.execute
    counts: dict[str, dict[int, int]] = {}

    def count(label: str, case_column, *joins) -> None:
        query = select(case_column, func.count()).where(case_column.in_(ids)).group_by(case_column)
        for target, on in joins:
            query = query.join(target, on)
        counts[label] = dict(execute(query).all())

    meeting_ids = select(Meeting.id).where(Meeting.case_id.in_(ids))
    plan_ids = select(ActionPlan.id).where(ActionPlan.case_id.in_(ids))
    action_ids = select(Action.id).where(Action.plan_id.in_(plan_ids))
    incident_ids = select(Incident.id).where(Incident.case_id.in_(ids))
    count("perpetrators", Perpetrator.case_id)
    count("incidents", Incident.case_id)
    count("meetings", Meeting.case_id)
    count("issued_documents", IssuedDocument.case_id)
    count("actions", ActionPlan.case_id, (Action, Action.plan_id == ActionPlan.id))

    execute(
        update(Case)
        .where(Case.id.in_(ids))
        .values(
            applicant_name=rules.ANONYMISED_APPLICANT,
            applicant_address="",
            applicant_postcode="",
            applicant_phone="",
            applicant_phone_key="",
            applicant_email="",
            applicant_date_of_birth=None,
            communication_needs="",
            vulnerabilities="",
            advocate_details="",
            victim_name=_replaced(Case.victim_name, rules.ANONYMISED_VICTIM),
            victim_address="",
            victim_phone="",
            victim_email="",
            victim_consent_how=_removed(Case.victim_consent_how),
            asb_description=_removed(Case.asb_description),
            location="",
            closure_reason=rules.REMOVED,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    execute(
        update(Perpetrator)
        .where(Perpetrator.case_id.in_(ids))
        .values(name=rules.ANONYMISED_PERSON, address="", description="", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    execute(
        update(Incident)
        .where(Incident.case_id.in_(ids))
        .values(
            description=rules.REMOVED,
            complainant_name=_replaced(Incident.complainant_name, rules.ANONYMISED_PERSON),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    execute(
        update(IncidentReport)
        .where(
            IncidentReport.incident_id.in_(incident_ids),
            (IncidentReport.agency_reference != "") | (IncidentReport.what_was_done != ""),
        )
        .values(agency_reference="", what_was_done=_removed(IncidentReport.what_was_done), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    execute(
        update(ThresholdDecision)
        .where(ThresholdDecision.case_id.in_(ids))
        .values(
            reasons=rules.REMOVED,
            vulnerability_reason=_removed(ThresholdDecision.vulnerability_reason),
            difference_reason=_removed(ThresholdDecision.difference_reason),
        )
        .execution_options(synchronize_session=False)
    )
    execute(
        update(Meeting)
        .where(Meeting.case_id.in_(ids), Meeting.cancelled_reason != "")
        .values(cancelled_reason=_removed(Meeting.cancelled_reason), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    # Only rows that hold something are rewritten: on PostgreSQL every updated row is a new row version with an
    # entry in each index, so untouched rows cost nothing. Attendees with a staff account keep their name (the
    # account is the staff member's, kept as staff data).
    execute(
        update(Attendee)
        .where(Attendee.meeting_id.in_(meeting_ids), Attendee.user_id.is_(None))
        .values(name=rules.ANONYMISED_ATTENDEE, email="", response_token_hash=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    execute(
        update(Attendee)
        .where(Attendee.meeting_id.in_(meeting_ids), Attendee.substitute_name != "")
        .values(substitute_name=rules.ANONYMISED_ATTENDEE)
        .execution_options(synchronize_session=False)
    )
    execute(
        update(VictimParticipation)
        .where(VictimParticipation.case_id.in_(ids))
        .values(
            statement=_removed(VictimParticipation.statement),
            advocate_name="",
            reason_not_invited=_removed(VictimParticipation.reason_not_invited),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    execute(
        update(MinuteRevision)
        .where(
            MinuteRevision.item_id.in_(select(MinuteItem.id).where(MinuteItem.meeting_id.in_(meeting_ids))),
            (MinuteRevision.text != "") | (MinuteRevision.reason != ""),
        )
        .values(text=_removed(MinuteRevision.text), reason=_removed(MinuteRevision.reason))
        .execution_options(synchronize_session=False)
    )
    execute(
        update(Recommendation)
        .where(Recommendation.meeting_id.in_(meeting_ids))
        .values(
            text=rules.REMOVED,
            response_text=_removed(Recommendation.response_text),
            victim_wording=_removed(Recommendation.victim_wording),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    execute(
        update(ActionPlan)
        .where(ActionPlan.case_id.in_(ids), ActionPlan.closed_reason != "")
        .values(closed_reason=_removed(ActionPlan.closed_reason), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    execute(
        update(Action)
        .where(Action.plan_id.in_(plan_ids))
        .values(
            description=rules.REMOVED,
            victim_wording=_removed(Action.victim_wording),
            source_note="",
            status_reason=_removed(Action.status_reason),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    execute(
        update(ActionUpdate)
        .where(ActionUpdate.action_id.in_(action_ids))
        .values(note=rules.REMOVED, reason=_removed(ActionUpdate.reason))
        .execution_options(synchronize_session=False)
    )
    execute(
        update(ActionDueDateChange)
        .where(ActionDueDateChange.action_id.in_(action_ids))
        .values(reason=rules.REMOVED)
        .execution_options(synchronize_session=False)
    )
    execute(
        update(Escalation)
        .where(Escalation.case_id.in_(ids))
        .values(
            late_accepted_reason=_removed(Escalation.late_accepted_reason),
            ground_other_details=_removed(Escalation.ground_other_details),
            applicant_summary=_removed(Escalation.applicant_summary),
            outcome_reasons=_removed(Escalation.outcome_reasons),
            points_to_reconsider=_removed(Escalation.points_to_reconsider),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    execute(
        update(RiskAssessment)
        .where(RiskAssessment.case_id.in_(ids), RiskAssessment.notes != "")
        .values(notes=_removed(RiskAssessment.notes))
        .execution_options(synchronize_session=False)
    )
    execute(
        update(CaseDeadline)
        .where(CaseDeadline.case_id.in_(ids), CaseDeadline.extended_reason.is_not(None))
        .values(extended_reason=_removed(CaseDeadline.extended_reason), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if placeholder is not None:
        content, sha256 = placeholder
        execute(
            update(IssuedDocument)
            .where(IssuedDocument.case_id.in_(ids))
            .values(
                content=content,
                sha256=sha256,
                size_bytes=len(content),
                recipient_name=rules.ANONYMISED_RECIPIENT,
                recipient_email="",
                recipient_address="",
                emailed_to="",
            )
            .execution_options(synchronize_session=False)
        )

    execute(
        insert(AnonymisedCase),
        [
            {"case_id": item.case_id, "anonymised_at": now, "run_id": run_id, "retention_years": item.retention_years}
            for item in batch
        ],
    )
    # One audit event per case, written in one statement. It names what was anonymised, never the data removed.
    execute(
        insert(AuditEvent),
        [
            {
                "at": now,
                "actor_id": None,
                "actor_label": "system",
                "action": "case.anonymised",
                "object_type": "case",
                "object_id": item.case_id,
                "case_id": item.case_id,
                "ip_address": "",
                "summary": f"{item.reference} anonymised: closed on {item.closed_on.isoformat()}, "
                f"{item.retention_years}-year retention in {item.area_name}",
                "details": {
                    "run_id": run_id,
                    "closed_on": item.closed_on.isoformat(),
                    "due_on": item.due_on.isoformat(),
                    "retention_years": item.retention_years,
                    "fields": ANONYMISED_FIELDS,
                    "records": {label: per_case.get(item.case_id, 0) for label, per_case in counts.items()},
                },
            }
            for item in batch
        ],
    )


#: What an anonymisation replaces, for the audit trail and the "Data we hold" page.
ANONYMISED_FIELDS = [
    "applicant and victim names, addresses, phone numbers, email addresses, date of birth",
    "communication needs, vulnerabilities, advocate details",
    "the description of the problem, its location, the closure reason",
    "alleged perpetrators' names, addresses and descriptions",
    "incident descriptions, complainants' names, agencies' references and notes",
    "threshold decision reasons",
    "attendees' names and email addresses (but staff accounts)",
    "victim statements, minutes, recommendations and responses",
    "action descriptions, updates and reasons; escalation grounds and reasons; risk notes",
    "issued documents' content and recipients",
]
