"""Escalations: recording the applicant's request, the reviewing body's outcome, and reading them. No HTML.

The rules (which stages, the window, where an upheld or rejected escalation sends the case) are in
trigger.domain.escalations; this module applies them to the database, moves the case with
trigger.cases.services.move_to, writes the audit trail (on the case's timeline) and notifies people.

Deadlines: the escalation's own due dates (the request window, the decision, and the reconsidered stage after
an upheld escalation) are stored on the row, which is what its pages and the letters show, and the same
deadlines are opened and met in the deadlines engine (trigger.deadlines.opening), which puts them on the
dashboard and chases them. Both count with the area's calendar and timescales at the same moment, so they agree;
a year without bank-holiday data refuses the request rather than storing a wrong date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import case as sql_case
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from trigger import audit
from trigger.area_policies.services import calendar_for_area, calendars_for_areas, timescale_for_area
from trigger.authz import case_visibility
from trigger.cases.services import move_to
from trigger.deadlines.opening import meet_deadline, open_deadline
from trigger.domain.deadlines import DeadlineKind, DeadlineStatus, compute_due, deadline_status
from trigger.domain.escalations import (
    ESCALATABLE_STAGES,
    WindowCheck,
    check_window,
    reconsider_deadline,
    reopen_stage,
    resume_stage,
)
from trigger.domain.stages import Stage
from trigger.domain.workdays import HolidayDataMissing
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import (
    AuditEvent,
    Case,
    Escalation,
    EscalationGround,
    EscalationOutcome,
    ReviewingBody,
    Role,
    ThresholdDecision,
    User,
)

LONDON = ZoneInfo("Europe/London")  # the day an event happened, as people there count it

# ---- reading ----------------------------------------------------------------------------------------------


def can_be_escalated(case: Case) -> bool:
    return case.stage in ESCALATABLE_STAGES


def why_not_escalatable(case: Case) -> str:
    allowed = ", ".join(f"“{s.label}”" for s in sorted(ESCALATABLE_STAGES, key=list(Stage).index))
    return (
        f"An escalation request can be recorded when the case is at {allowed}. "
        f"{case.reference} is at “{case.stage.label}”."
    )


def load_escalation(escalation_id: int) -> Escalation | None:
    return db.session.scalar(
        select(Escalation).where(Escalation.id == escalation_id).options(joinedload(Escalation.case))
    )


#: Built once (the case page asks on every view).
_ESCALATIONS_OF = (
    select(Escalation).where(Escalation.case_id == bindparam("case_id")).order_by(Escalation.received_on, Escalation.id)
)


def escalations_of(case: Case) -> list[Escalation]:
    """A case's escalations, oldest first (for the case page and letters)."""
    return list(db.session.scalars(_ESCALATIONS_OF, {"case_id": case.id}))


def open_escalation_of(case: Case) -> Escalation | None:
    return db.session.scalar(
        select(Escalation).where(Escalation.case_id == case.id, Escalation.outcome.is_(None)).limit(1)
    )


@dataclass
class Listed:
    escalation: Escalation
    status: DeadlineStatus | None  # the decision deadline; None when the calendar cannot count it
    status_text: str


def escalation_list(user: User, today: date | None = None) -> list[Listed]:
    """The escalations on cases `user` can see: undecided first (soonest decision due), then decided (newest)."""
    today = today or date.today()
    rows = (
        db.session.scalars(
            select(Escalation)
            .join(Case, Case.id == Escalation.case_id)
            .where(case_visibility(user))
            .options(joinedload(Escalation.case))
            .order_by(
                sql_case((Escalation.outcome.is_(None), 0), else_=1),
                sql_case((Escalation.outcome.is_(None), Escalation.decision_due_on), else_=None),
                Escalation.decided_on.desc(),
                Escalation.id,
            )
        )
        .unique()
        .all()
    )
    calendars = calendars_for_areas({row.case.area.id: row.case.area for row in rows}.values())
    listed = []
    for row in rows:
        status, text = decision_status(row, today, calendars[row.case.area_id])
        listed.append(Listed(row, status, text))
    return listed


def decision_status(escalation: Escalation, today: date, calendar=None) -> tuple[DeadlineStatus | None, str]:
    """How the decision deadline stands, with the words shown next to it."""
    calendar = calendar or calendar_for_area(escalation.case.area)
    try:
        status = deadline_status(escalation.decision_due_on, escalation.decided_on, today, calendar)
    except HolidayDataMissing as error:
        return None, str(error)
    if escalation.outcome is None and escalation.case.stage is not Stage.ESCALATED:
        return status, f"Not decided; the case is no longer escalated (now “{escalation.case.stage.label}”)"
    if escalation.outcome is not None:
        return status, f"{escalation.outcome.label} ({status.label.lower()})"
    return status, status.label


def default_letter_date(case: Case) -> date | None:
    """The date of the letter the applicant is escalating, from the case, or None when it is not known.

    After a threshold decision that was not met, it is that decision's date (the decision letter); after an
    outcome, the day the case was moved to "outcome sent". The coordinator checks it and can change it.
    """
    if case.stage is Stage.THRESHOLD_NOT_MET:
        return db.session.scalar(
            select(ThresholdDecision.decided_on)
            .where(ThresholdDecision.case_id == case.id)
            .order_by(ThresholdDecision.id.desc())
            .limit(1)
        )
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == "case.stage_changed")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    for event in events:
        if (event.details or {}).get("to") == Stage.OUTCOME_SENT.value:
            return event.at.astimezone(LONDON).date()
    return None


def window_for(case: Case, outcome_letter_on: date, received_on: date) -> WindowCheck:
    """Check a request against the case's area window; FieldError when it cannot be counted."""
    try:
        return check_window(outcome_letter_on, received_on, timescale_for_area(case.area), calendar_for_area(case.area))
    except HolidayDataMissing as error:
        raise FieldError("received_on", str(error)) from None
    except ValueError as error:
        raise FieldError("received_on", str(error)) from None


# ---- the request ------------------------------------------------------------------------------------------


@dataclass
class RequestInput:
    received_on: date
    outcome_letter_on: date
    grounds: list[str] = field(default_factory=list)
    ground_other_details: str = ""
    applicant_summary: str = ""
    late_accepted_reason: str = ""
    consent_to_share: bool = False
    consent_on: date | None = None
    reviewing_body: str = ""
    reviewing_body_name: str = ""


def record_request(case: Case, data: RequestInput, *, actor: User) -> Escalation:
    """Record an escalation request, move the case to "escalated", and tell the PCC reviewers.

    Raises FieldError (named after the form field) when a rule refuses it; nothing is saved then.
    """
    if not can_be_escalated(case):
        raise FieldError("received_on", why_not_escalatable(case))
    if open_escalation_of(case) is not None:
        raise FieldError("received_on", f"{case.reference} already has an escalation waiting for a decision")
    try:
        grounds = {EscalationGround(value) for value in data.grounds}
    except ValueError:
        raise FieldError("grounds", "Choose the grounds from the list") from None
    if not grounds:
        raise FieldError("grounds", "Choose at least one ground for the escalation")
    if EscalationGround.OTHER in grounds and not data.ground_other_details.strip():
        raise FieldError("ground_other_details", "Describe the other grounds")
    if not data.consent_to_share:
        raise FieldError(
            "consent_to_share",
            "The applicant must agree to their information going to the reviewing body before "
            "the escalation can be passed on",
        )
    if data.consent_on is None:
        raise FieldError("consent_on", "Enter the date the applicant gave their consent")
    try:
        body = ReviewingBody(data.reviewing_body)
    except ValueError:
        raise FieldError("reviewing_body", "Choose the reviewing body") from None
    if body is ReviewingBody.OTHER and not data.reviewing_body_name.strip():
        raise FieldError("reviewing_body_name", "Enter the name of the reviewing body")
    window = window_for(case, data.outcome_letter_on, data.received_on)
    if window.late and not data.late_accepted_reason.strip():
        raise FieldError(
            "late_accepted_reason", f"This request was {window.message}. Give the reason for accepting it late"
        )
    policy, calendar = timescale_for_area(case.area), calendar_for_area(case.area)
    try:
        decision_due = compute_due(DeadlineKind.ESCALATION_DECISION, data.received_on, policy, calendar)
    except HolidayDataMissing as error:
        raise FieldError("received_on", str(error)) from None

    escalation = Escalation(
        case_id=case.id,
        escalated_from=case.stage,
        received_on=data.received_on,
        outcome_letter_on=data.outcome_letter_on,
        window_working_days=window.window_working_days,
        window_due_on=window.window_due_on,
        working_days_after_letter=window.working_days_after,
        late=window.late,
        late_accepted_reason=data.late_accepted_reason.strip() if window.late else "",
        ground_other_details=data.ground_other_details.strip() if EscalationGround.OTHER in grounds else "",
        applicant_summary=data.applicant_summary.strip(),
        consent_to_share=True,
        consent_on=data.consent_on,
        reviewing_body=body,
        reviewing_body_name=data.reviewing_body_name.strip() if body is ReviewingBody.OTHER else "",
        decision_due_on=decision_due,
        recorded_by_id=actor.id,
    )
    for ground in EscalationGround:
        setattr(escalation, ground.column, ground in grounds)
    try:
        with db.session.begin_nested():
            db.session.add(escalation)
    except IntegrityError:  # another coordinator recorded one a moment ago (uq_escalations_one_open_per_case)
        raise FieldError("received_on", f"{case.reference} already has an escalation waiting for a decision") from None

    move_to(
        case,
        Stage.ESCALATED,
        f"Escalation request received {_long(data.received_on)}",
        audit_details={"escalation_id": escalation.id},
    )
    # The deadlines engine: the applicant's window is met, the reviewing body's decision is due (on the dashboard).
    meet_deadline(case, DeadlineKind.ESCALATION_REQUEST, data.received_on)
    open_deadline(case, DeadlineKind.ESCALATION_DECISION, data.received_on)
    audit.record(
        "escalation.requested",
        "escalation",
        escalation.id,
        f"Escalation request received {_long(data.received_on)} ({window.message}"
        + (", accepted late" if window.late else "")
        + f"); to {escalation.reviewing_body_label}; "
        f"decision due {_long(decision_due)}",
        {
            "received_on": data.received_on.isoformat(),
            "outcome_letter_on": data.outcome_letter_on.isoformat(),
            "window_due_on": window.window_due_on.isoformat(),
            "working_days_after": window.working_days_after,
            "late": window.late,
            "late_accepted_reason": escalation.late_accepted_reason,
            "grounds": sorted(g.value for g in grounds),
            "consent_on": data.consent_on.isoformat(),
            "reviewing_body": body.value,
            "decision_due_on": decision_due.isoformat(),
        },
        actor=actor,
        case_id=case.id,
    )
    _notify_reviewers(case, escalation)
    return escalation


def _notify_reviewers(case: Case, escalation: Escalation) -> None:
    from trigger.notifications.services import notify_role

    # Names no one: the email leaves the system; the details are behind sign-in.
    notify_role(
        Role.PCC_REVIEWER,
        f"Escalation of {case.reference} to review",
        f"The applicant in case {case.reference} ({case.area.name}) has asked for the handling of their case "
        f"to be reviewed. The request was received on {_long(escalation.received_on)}; a decision is due by "
        f"{_long(escalation.decision_due_on)}.",
        link=f"/escalations/{escalation.id}",
        dedupe_key_prefix=f"escalation-requested:{escalation.id}",
    )


# ---- the outcome ------------------------------------------------------------------------------------------


@dataclass
class OutcomeInput:
    outcome: str
    reasons: str
    decided_on: date
    points_to_reconsider: str = ""


def record_outcome(escalation: Escalation, data: OutcomeInput, *, actor: User) -> Escalation:
    """Record the reviewing body's outcome, move the case on and tell the coordinator. FieldError if refused."""
    case = escalation.case
    if escalation.outcome is not None:
        raise FieldError("outcome", "The outcome of this escalation has already been recorded")
    if case.stage is not Stage.ESCALATED:
        raise FieldError(
            "outcome",
            f"{case.reference} is no longer escalated (it is at “{case.stage.label}”), "
            "so no outcome can be recorded. Ask the coordinator.",
        )
    try:
        outcome = EscalationOutcome(data.outcome)
    except ValueError:
        raise FieldError("outcome", "Choose whether the escalation is upheld") from None
    if not data.reasons.strip():
        raise FieldError("reasons", "Give the reasons for the outcome")
    if outcome is EscalationOutcome.UPHELD and not data.points_to_reconsider.strip():
        raise FieldError("points_to_reconsider", "Say what the bodies must reconsider")
    if data.decided_on < escalation.received_on:
        raise FieldError(
            "decided_on",
            "The date of the decision must be the same as or after the date the "
            f"request was received ({_long(escalation.received_on)})",
        )

    details: dict = {
        "outcome": outcome.value,
        "decided_on": data.decided_on.isoformat(),
        "escalation_id": escalation.id,
    }
    if outcome is EscalationOutcome.UPHELD:
        stage = reopen_stage(escalation.escalated_from, threshold_disputed=escalation.ground_threshold_disputed)
        kind = reconsider_deadline(stage)
        try:
            due = compute_due(kind, data.decided_on, timescale_for_area(case.area), calendar_for_area(case.area))
        except HolidayDataMissing as error:
            raise FieldError("decided_on", str(error)) from None
        escalation.points_to_reconsider = data.points_to_reconsider.strip()
        escalation.reconsider_due_on = due
        details.update(reconsider=kind.value, reconsider_due_on=due.isoformat())
        reason = (
            f"Escalation upheld by {escalation.reviewing_body_label}: referred back to reconsider; "
            f"{kind.label.lower()} by {_long(due)}"
        )
    else:
        stage = resume_stage(escalation.escalated_from)
        escalation.points_to_reconsider = ""
        reason = f"Escalation not upheld by {escalation.reviewing_body_label}: the case was properly reviewed"
    escalation.outcome = outcome
    escalation.outcome_reasons = data.reasons.strip()
    escalation.decided_on = data.decided_on
    escalation.decided_by_id = actor.id
    escalation.reopened_stage = stage

    move_to(case, stage, reason, audit_details={"escalation_id": escalation.id})
    meet_deadline(case, DeadlineKind.ESCALATION_DECISION, data.decided_on)
    if outcome is EscalationOutcome.UPHELD:
        # Always a new cycle, counted from the decision: the stage starts again, whatever the earlier cycle did.
        kind = reconsider_deadline(stage)
        open_deadline(case, kind, data.decided_on, cycle=_last_cycle(case, kind) + 1)
    audit.record(
        "escalation.decided",
        "escalation",
        escalation.id,
        f"{outcome.label} ({_long(data.decided_on)}); the case is now at “{stage.label}”",
        {
            **details,
            "reasons": escalation.outcome_reasons,
            "points_to_reconsider": escalation.points_to_reconsider,
            "stage": stage.value,
        },
        actor=actor,
        case_id=case.id,
    )
    _notify_coordinator(case, escalation)
    db.session.flush()
    return escalation


def _last_cycle(case: Case, kind: DeadlineKind) -> int:
    from trigger.models.deadlines import CaseDeadline

    return db.session.scalar(
        select(func.coalesce(func.max(CaseDeadline.cycle), 0)).where(
            CaseDeadline.case_id == case.id, CaseDeadline.kind == kind
        )
    )


def _notify_coordinator(case: Case, escalation: Escalation) -> None:
    from trigger.notifications.services import notify_role, notify_user

    subject = f"Escalation of {case.reference}: {escalation.outcome.label.split(':')[0].lower()}"
    body = (
        f"The escalation of case {case.reference} has been decided: {escalation.outcome.label.lower()}. "
        f"The case is now at “{escalation.reopened_stage.label}”."
    )
    if escalation.reconsider_due_on is not None:
        body += f" {reconsider_deadline(escalation.reopened_stage).label} by {_long(escalation.reconsider_due_on)}."
    body += " Send the applicant the escalation outcome letter."
    link = f"/escalations/{escalation.id}"
    key = f"escalation-decided:{escalation.id}"
    coordinator = escalation.recorded_by
    if coordinator is not None and coordinator.active and coordinator.role in (Role.COORDINATOR, Role.ADMIN):
        notify_user(coordinator, subject, body, link=link, dedupe_key=key)
    else:  # whoever recorded it has left or changed role: every coordinator hears
        notify_role(Role.COORDINATOR, subject, body, link=link, dedupe_key_prefix=key)


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


_long = long_date


def window_message(escalation: Escalation) -> str:
    """For example "received 23 working days after the outcome letter; the window is 20 working days"."""
    return WindowCheck(
        escalation.window_due_on, escalation.window_working_days, escalation.working_days_after_letter, escalation.late
    ).message


def recommendations_of(case: Case, viewer) -> list:
    """The review's recommendations that `viewer` may know of, oldest first: those of the meetings they may see
    (an agency representative: meetings their agency is on). A restricted one they may not read is shown by the
    page as a neutral line (trigger.authz.can_read_recommendation)."""
    from trigger.authz import visible_meetings
    from trigger.models import Meeting, Recommendation

    meetings = list(db.session.scalars(select(Meeting).where(Meeting.case_id == case.id)))
    seen = {meeting.id for meeting in visible_meetings(viewer, case, meetings)}
    if not seen:
        return []
    return list(
        db.session.scalars(
            select(Recommendation).where(Recommendation.meeting_id.in_(seen)).order_by(Recommendation.id)
        )
    )
