"""The restorative pathway's services: every change goes through one function here that checks the rule
(trigger.domain.restorative), stores the change and writes the audit event. No HTML here.

Audit summaries feed the case timeline, which every partner on the case can read: they name roles ("the person
responsible") and kinds of contact, never preparation notes, feedback answers or what someone said.

Public API (used beyond this package):
- ``referrals_of(case)``, ``pathway_summary(referral)``: the case page's section.
- ``figures(area_id, start, end)``: counts per area and period, for the statistics page.
- ``remind_due_follow_ups(today)``: the periodic reminder of follow-up checks that are due.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from trigger import audit
from trigger.area_policies.services import calendar_for_area
from trigger.deadlines.dates import london_today
from trigger.domain.restorative import (
    ClosingOutcome,
    ParticipantRole,
    Pathway,
    PathwayRefused,
    PathwayState,
    ProcessKind,
    current_consents,
    follow_up_dates,
    missing_consent_message,
)
from trigger.domain.workdays import HolidayDataMissing
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import Agency, AgencyType, Case, Meeting, MeetingStatus, Perpetrator, Role, User, utcnow
from trigger.models.restorative import (
    AgreementItem,
    ContactKind,
    Feedback,
    FollowUpCheck,
    ItemKind,
    ItemStatus,
    RestorativeAssessment,
    RestorativeConsent,
    RestorativeFacilitator,
    RestorativeParticipant,
    RestorativePreparation,
    RestorativeQuestion,
    RestorativeReferral,
    VictimAnswer,
)
from trigger.notifications.services import notify_user

# Feedback has its own module (trigger.restorative.feedback); the figures too, re-exported here for the statistics
# page.
from trigger.restorative.figures import Figures, figures  # noqa: F401

# ---- loading ----------------------------------------------------------------------------------------------------


def load_referral(referral_id: int) -> RestorativeReferral | None:
    return db.session.scalar(
        select(RestorativeReferral)
        .where(RestorativeReferral.id == referral_id)
        .options(selectinload(RestorativeReferral.participants))
    )


#: Built once (the case page asks).
_REFERRALS_OF = (
    select(RestorativeReferral)
    .where(RestorativeReferral.case_id == bindparam("case_id"))
    .options(selectinload(RestorativeReferral.participants))
    .order_by(RestorativeReferral.referred_on.desc(), RestorativeReferral.id.desc())
)


def referrals_of(case: Case) -> list[RestorativeReferral]:
    return list(db.session.scalars(_REFERRALS_OF, {"case_id": case.id}))


def consents_of(referral: RestorativeReferral) -> list[RestorativeConsent]:
    return list(
        db.session.scalars(
            select(RestorativeConsent)
            .where(RestorativeConsent.referral_id == referral.id)
            .order_by(RestorativeConsent.id)
        )
    )


def facilitators_of(referral: RestorativeReferral) -> list[RestorativeFacilitator]:
    return list(
        db.session.scalars(
            select(RestorativeFacilitator)
            .where(RestorativeFacilitator.referral_id == referral.id)
            .order_by(RestorativeFacilitator.id)
        )
    )


def preparations_of(referral: RestorativeReferral) -> list[RestorativePreparation]:
    return list(
        db.session.scalars(
            select(RestorativePreparation)
            .where(RestorativePreparation.referral_id == referral.id)
            .order_by(RestorativePreparation.contact_on, RestorativePreparation.id)
        )
    )


def assessments_of(referral: RestorativeReferral) -> list[RestorativeAssessment]:
    return list(
        db.session.scalars(
            select(RestorativeAssessment)
            .where(RestorativeAssessment.referral_id == referral.id)
            .order_by(RestorativeAssessment.id.desc())
        )
    )


def items_of(referral: RestorativeReferral) -> list[AgreementItem]:
    return list(
        db.session.scalars(
            select(AgreementItem)
            .where(AgreementItem.referral_id == referral.id)
            .order_by(AgreementItem.due_on, AgreementItem.id)
        )
    )


def follow_ups_of(referral: RestorativeReferral) -> list[FollowUpCheck]:
    return list(
        db.session.scalars(
            select(FollowUpCheck).where(FollowUpCheck.referral_id == referral.id).order_by(FollowUpCheck.due_on)
        )
    )


def feedback_of(referral: RestorativeReferral) -> list[Feedback]:
    return list(db.session.scalars(select(Feedback).where(Feedback.referral_id == referral.id).order_by(Feedback.id)))


def consent_withdrawn_for(meeting: Meeting) -> bool:
    """Is this restorative conference flagged: a participant withdrew consent after it was booked?"""
    flagged = (
        select(RestorativeReferral.id)
        .where(RestorativeReferral.meeting_id == meeting.id, RestorativeReferral.booking_flagged.is_(True))
        .limit(1)
    )
    return db.session.scalar(flagged) is not None


def meeting_of(referral: RestorativeReferral) -> Meeting | None:
    return db.session.get(Meeting, referral.meeting_id) if referral.meeting_id else None


# ---- the state machine, on stored facts -------------------------------------------------------------------------


def pathway_of(referral: RestorativeReferral, consents: list[RestorativeConsent] | None = None) -> Pathway:
    consents = consents_of(referral) if consents is None else consents
    return Pathway(
        state=referral.state,
        roles={p.id: p.role for p in referral.participants},
        consenting=frozenset(current_consents(consents)),
        suitable=referral.suitable,
        process=referral.process,
        booking_flagged=referral.booking_flagged,
    )


def _step(referral: RestorativeReferral, field: str, step: Callable[[Pathway], Pathway]) -> Pathway:
    """Apply one step of the rules; a refusal becomes an error on the form's `field`."""
    try:
        after = step(pathway_of(referral))
    except PathwayRefused as refusal:
        raise FieldError(field, str(refusal)) from None
    referral.state = after.state
    referral.booking_flagged = after.booking_flagged
    return after


def audit_referral(referral: RestorativeReferral, action: str, summary: str, details: dict | None = None) -> None:
    audit.record(
        f"restorative.{action}", "restorative_referral", referral.id, summary, details or {}, case_id=referral.case_id
    )


@dataclass
class Summary:
    """The case page's line for one referral: its state and the next step."""

    referral: RestorativeReferral
    state: PathwayState
    next_step: str
    flagged: bool


def pathway_summary(referral: RestorativeReferral) -> Summary:
    next_step = referral.state.next_step
    if referral.state is PathwayState.AWAITING_CONSENT:
        next_step = (
            missing_consent_message(
                {p.id: p.role for p in referral.participants}, current_consents(consents_of(referral))
            )
            or next_step
        )
    if referral.state is PathwayState.CONFERENCE_BOOKED:
        meeting = meeting_of(referral)
        if meeting is not None and meeting.status is MeetingStatus.CANCELLED:
            next_step = "The conference meeting was cancelled: book the conference again"
    return Summary(referral, referral.state, next_step, referral.booking_flagged)


@dataclass
class CaseSection:
    summaries: list[Summary]
    can_refer: bool
    # Staff who see whole cases always see the section; an agency representative only their service's
    # referrals (whether another agency's case has a referral at all is need to know).
    shown: bool = True


def case_section(case: Case, user, referrals: list[RestorativeReferral] | None = None) -> CaseSection:
    """The case page's section: the referrals this user may see (the state and next step of each). ``referrals``:
    the case's, when the caller already knows them (an empty list when it knows there are none)."""
    from trigger.authz import can_refer_restorative, can_view_referral

    referrals = referrals_of(case) if referrals is None else referrals
    summaries = [pathway_summary(r) for r in referrals if can_view_referral(user, r)]
    return CaseSection(
        summaries,
        can_refer_restorative(user, case),
        shown=bool(summaries) or user.role in (Role.ADMIN, Role.COORDINATOR, Role.CHAIR, Role.VIEWER),
    )


# ---- referral ---------------------------------------------------------------------------------------------------


def service_choices() -> list[tuple[str, str]]:
    agencies = db.session.scalars(
        select(Agency)
        .where(Agency.agency_type == AgencyType.RESTORATIVE_JUSTICE, Agency.active.is_(True))
        .order_by(Agency.name)
    )
    return [(str(a.id), a.name) for a in agencies]


def perpetrators_of(case: Case) -> list[Perpetrator]:
    return list(db.session.scalars(select(Perpetrator).where(Perpetrator.case_id == case.id).order_by(Perpetrator.id)))


def perpetrator_label(perpetrator: Perpetrator, index: int) -> str:
    return perpetrator.name or f"Alleged perpetrator {index} (name not known)"


@dataclass
class ReferralInput:
    agency_id: str
    reason: str
    include_applicant: bool = True
    perpetrator_ids: list[str] | None = None
    other_harmed: str = ""  # one name a line
    neighbours: str = ""  # one name a line
    referred_on: date | None = None
    action_id: str = ""  # the plan's action owned by the service, when the referral is one


def action_choices(case: Case) -> list[tuple[str, str]]:
    """The case plan's open actions owned by a restorative justice service: a referral can be one of them."""
    from trigger.models import Action, ActionPlan

    rows = db.session.execute(
        select(Action.id, Action.description, Action.due_on, Agency.name)
        .join(ActionPlan, ActionPlan.id == Action.plan_id)
        .join(Agency, Agency.id == Action.owner_agency_id)
        .where(ActionPlan.case_id == case.id, Agency.agency_type == AgencyType.RESTORATIVE_JUSTICE)
        .order_by(Action.due_on, Action.id)
    )
    return [(str(row.id), f"{row.name}, due {row.due_on:%-d %B %Y}: {row.description[:80]}") for row in rows]


def _action_owner(action_id: int) -> int | None:
    from trigger.models import Action

    return db.session.scalar(select(Action.owner_agency_id).where(Action.id == action_id))


def _lines(text: str) -> list[str]:
    return [line.strip()[:120] for line in (text or "").splitlines() if line.strip()]


def _service_users(referral: RestorativeReferral) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(
                User.agency_id == referral.agency_id, User.role == Role.AGENCY_REP, User.active.is_(True)
            )
        )
    )


def refer(case: Case, data: ReferralInput, *, actor: User) -> RestorativeReferral:
    try:
        agency = db.session.get(Agency, int(data.agency_id or ""))
    except ValueError:
        agency = None
    if agency is None or agency.agency_type is not AgencyType.RESTORATIVE_JUSTICE or not agency.active:
        raise FieldError("agency_id", "Choose the restorative justice service from the list")
    reason = (data.reason or "").strip()
    if not reason:
        raise FieldError("reason", "Enter why the case is referred for restorative justice")
    perpetrators = {str(p.id): p for p in perpetrators_of(case)}
    chosen = []
    for raw in data.perpetrator_ids or []:
        if raw not in perpetrators:
            raise FieldError("perpetrator_ids", "Choose the people responsible from the case's alleged perpetrators")
        chosen.append(perpetrators[raw])
    action_id = None
    if data.action_id:
        if data.action_id not in dict(action_choices(case)):
            raise FieldError("action_id", "Choose an action of this case's plan owned by a restorative justice service")
        action_id = int(data.action_id)
        if _action_owner(action_id) != agency.id:
            raise FieldError("action_id", "That action is owned by another service: choose the same service above")
    referral = RestorativeReferral(
        case_id=case.id,
        agency_id=agency.id,
        referred_by_id=actor.id,
        referred_on=data.referred_on or london_today(),
        reason=reason,
        state=PathwayState.REFERRED,
        action_id=action_id,
    )
    if data.include_applicant:
        referral.participants.append(
            RestorativeParticipant(
                role=ParticipantRole.HARMED,
                name=case.victim_name or case.applicant_name if case.is_third_party else case.applicant_name,
                is_applicant=True,
            )
        )
    for name in _lines(data.other_harmed):
        referral.participants.append(RestorativeParticipant(role=ParticipantRole.HARMED, name=name))
    numbering = {str(p.id): i for i, p in enumerate(perpetrators.values(), start=1)}
    for perpetrator in chosen:
        referral.participants.append(
            RestorativeParticipant(
                role=ParticipantRole.RESPONSIBLE,
                perpetrator_id=perpetrator.id,
                name=perpetrator_label(perpetrator, numbering[str(perpetrator.id)]),
            )
        )
    for name in _lines(data.neighbours):
        referral.participants.append(RestorativeParticipant(role=ParticipantRole.NEIGHBOUR, name=name))
    db.session.add(referral)
    db.session.flush()
    counts = {role: sum(1 for p in referral.participants if p.role is role) for role in ParticipantRole}
    audit_referral(
        referral,
        "referred",
        f"Referred to {agency.name} for restorative justice "
        f"({counts[ParticipantRole.HARMED]} harmed, {counts[ParticipantRole.RESPONSIBLE]} responsible, "
        f"{counts[ParticipantRole.NEIGHBOUR]} neighbours)",
        {"agency_id": agency.id},
    )
    for user in _service_users(referral):
        notify_user(
            user,
            "A case has been referred for restorative justice",
            f"{case.reference} has been referred to {agency.name} for restorative justice.",
            link=f"/restorative/{referral.id}",
            dedupe_key=f"rj-referred:{referral.id}:{user.id}",
        )
    return referral


def add_participant(
    referral: RestorativeReferral, case: Case, *, role: str, name: str, perpetrator_id: str = "", supporter: str = ""
) -> RestorativeParticipant:
    try:
        role_ = ParticipantRole(role)
    except ValueError:
        raise FieldError("role", "Choose who this person is") from None
    perpetrator = None
    if role_ is ParticipantRole.RESPONSIBLE:
        perpetrator = {str(p.id): p for p in perpetrators_of(case)}.get(perpetrator_id or "")
        if perpetrator is None:
            raise FieldError("perpetrator_id", "Choose the person responsible from the case's alleged perpetrators")
        if any(p.perpetrator_id == perpetrator.id for p in referral.participants):
            raise FieldError("perpetrator_id", "This person is already on the referral")
        name = perpetrator.name or "Alleged perpetrator (name not known)"
    name = (name or "").strip()
    if not name:
        raise FieldError("name", "Enter the person's name")
    participant = RestorativeParticipant(
        referral_id=referral.id,
        role=role_,
        name=name[:120],
        perpetrator_id=perpetrator.id if perpetrator else None,
        supporter=(supporter or "").strip()[:200],
    )
    _step(referral, "role", lambda p: p.add_participant(-1, role_))
    referral.participants.append(participant)
    db.session.flush()
    audit_referral(
        referral, "participant_added", f"Added a participant to the restorative referral ({role_.label.lower()})"
    )
    return participant


# ---- telling the victim -------------------------------------------------------------------------------------


def tell_victim(referral: RestorativeReferral, *, told_on: date, how: str, answer: str) -> None:
    if told_on is None or told_on > london_today():
        raise FieldError("told_on", "Enter the date the victim was told, today or earlier")
    try:
        how_, answer_ = ContactKind(how), VictimAnswer(answer)
    except ValueError:
        raise FieldError("how", "Choose how the victim was told and their answer") from None
    _step(referral, "told_on", lambda p: p.tell_victim())
    referral.victim_told_on, referral.victim_told_how, referral.victim_answer = told_on, how_, answer_
    audit_referral(
        referral,
        "victim_told",
        f"Victim told about restorative justice ({how_.label.lower()}); answer: {answer_.label.lower()}",
    )


# ---- suitability questions (administrators) and the assessment ----------------------------------------------


def all_questions() -> list[RestorativeQuestion]:
    return list(
        db.session.scalars(
            select(RestorativeQuestion).order_by(
                RestorativeQuestion.active.desc(), RestorativeQuestion.position, RestorativeQuestion.id
            )
        )
    )


def active_questions() -> list[RestorativeQuestion]:
    return list(
        db.session.scalars(
            select(RestorativeQuestion)
            .where(RestorativeQuestion.active.is_(True))
            .order_by(RestorativeQuestion.position, RestorativeQuestion.id)
        )
    )


def save_question(
    question: RestorativeQuestion | None, *, text: str, concern_if_yes: bool, position: int | None, active: bool
) -> RestorativeQuestion:
    text = (text or "").strip()
    if not text:
        raise FieldError("text", "Enter the question")
    clash = db.session.scalar(
        select(RestorativeQuestion.id).where(
            func.lower(RestorativeQuestion.text) == text.lower(),
            RestorativeQuestion.id != (question.id if question else -1),
        )
    )
    if clash is not None:
        raise FieldError("text", "There is already a question with this wording")
    if position is None:
        position = (db.session.scalar(select(func.max(RestorativeQuestion.position))) or 0) + 1
    creating = question is None
    if creating:
        question = RestorativeQuestion()
        db.session.add(question)
    before = {
        "text": question.text,
        "concern_if_yes": question.concern_if_yes,
        "position": question.position,
        "active": question.active,
    }
    question.text, question.concern_if_yes, question.position, question.active = text, concern_if_yes, position, active
    db.session.flush()
    after = {"text": text, "concern_if_yes": concern_if_yes, "position": position, "active": active}
    audit.record(
        "restorative_question.created" if creating else "restorative_question.changed",
        "restorative_question",
        question.id,
        f"{'Added' if creating else 'Changed'} the suitability question “{text}”"[:500],
        after if creating else {"changes": audit.changes(before, after)},
    )
    return question


def assess(
    referral: RestorativeReferral,
    questions: list[RestorativeQuestion],
    answers: dict[int, bool | None],
    *,
    suitable: bool | None,
    reason: str,
    actor: User,
) -> RestorativeAssessment:
    for question in questions:
        if answers.get(question.id) is None:
            raise FieldError(f"q_{question.id}", f"Answer yes or no: {question.text}")
    if suitable is None:
        raise FieldError("suitable", "Choose whether restorative justice is suitable")
    reason = (reason or "").strip()
    if not suitable and not reason:
        raise FieldError("reason", "Enter why restorative justice is not suitable")
    _step(referral, "suitable", lambda p: p.assess(suitable))
    assessment = RestorativeAssessment(
        referral_id=referral.id,
        assessed_on=london_today(),
        assessed_by_id=actor.id,
        suitable=suitable,
        reason=reason,
        answers=[
            {
                "question_id": q.id,
                "text": q.text,
                "yes": bool(answers[q.id]),
                "concern": bool(answers[q.id]) == q.concern_if_yes,
            }
            for q in questions
        ],
    )
    db.session.add(assessment)
    referral.suitable = suitable
    referral.not_suitable_reason = "" if suitable else reason
    db.session.flush()
    audit_referral(
        referral,
        "assessed",
        "Suitability and safety assessed: " + ("suitable" if suitable else "not suitable"),
        {"assessment_id": assessment.id},
    )
    return assessment


# ---- consent ------------------------------------------------------------------------------------------------


def participant_on_referral(referral: RestorativeReferral, raw: str | int | None, field: str) -> RestorativeParticipant:
    for participant in referral.participants:
        if str(participant.id) == str(raw):
            return participant
    raise FieldError(field, "Choose someone who is on this referral")


def record_consent(
    referral: RestorativeReferral, *, participant_id: str, given_on: date | None, how: str, actor: User
) -> RestorativeConsent:
    participant = participant_on_referral(referral, participant_id, "participant_id")
    if given_on is None or given_on > london_today():
        raise FieldError("given_on", "Enter the date consent was given, today or earlier")
    try:
        how_ = ContactKind(how)
    except ValueError:
        raise FieldError("how", "Choose how consent was given") from None
    if participant.id in current_consents(consents_of(referral)):
        raise FieldError("participant_id", f"{participant.name} already consents")
    _step(referral, "participant_id", lambda p: p.give_consent(participant.id))
    consent = RestorativeConsent(
        referral_id=referral.id, participant_id=participant.id, given_on=given_on, how=how_, recorded_by_id=actor.id
    )
    db.session.add(consent)
    db.session.flush()
    audit_referral(
        referral, "consent_given", f"Consent recorded ({participant.role.label.lower()}, {how_.label.lower()})"
    )
    return consent


def withdraw_consent(
    referral: RestorativeReferral, *, participant_id: str, withdrawn_on: date | None, actor: User
) -> bool:
    """Record a withdrawal (no reason asked). Returns True when it flagged a booked conference."""
    participant = participant_on_referral(referral, participant_id, "participant_id")
    if withdrawn_on is None or withdrawn_on > london_today():
        raise FieldError("withdrawn_on", "Enter the date consent was withdrawn, today or earlier")
    consent = next(
        (c for c in reversed(consents_of(referral)) if c.participant_id == participant.id and c.withdrawn_on is None),
        None,
    )
    if consent is None:
        raise FieldError("participant_id", f"{participant.name} does not currently consent")
    if withdrawn_on < consent.given_on:
        raise FieldError("withdrawn_on", "The withdrawal cannot be before the consent was given")
    was_booked = referral.state is PathwayState.CONFERENCE_BOOKED
    after = _step(referral, "participant_id", lambda p: p.withdraw_consent(participant.id))
    consent.withdrawn_on, consent.withdrawal_recorded_by_id = withdrawn_on, actor.id
    flagged = was_booked and after.booking_flagged
    audit_referral(
        referral,
        "consent_withdrawn",
        f"Consent withdrawn ({participant.role.label.lower()})"
        + ("; the booked conference is flagged" if flagged else ""),
    )
    if flagged:
        _tell_about_withdrawal(referral)
    return flagged


def _tell_about_withdrawal(referral: RestorativeReferral) -> None:
    meeting = meeting_of(referral)
    people = [f.user for f in facilitators_of(referral)]
    if meeting is not None:
        people.append(meeting.chair)
    case = db.session.get(Case, referral.case_id)
    seen: set[int] = set()
    for user in people:
        if user.id in seen:
            continue
        seen.add(user.id)
        notify_user(
            user,
            f"{case.reference}: consent withdrawn after the conference was booked",
            "A participant has withdrawn their consent to the restorative conference that is booked. "
            "Nothing proceeds without both sides' consent: decide whether to cancel the meeting or wait.",
            link=f"/restorative/{referral.id}",
        )


# ---- facilitators and preparation -------------------------------------------------------------------------------


def facilitator_choices(referral: RestorativeReferral) -> list[tuple[str, str]]:
    users = db.session.scalars(
        select(User)
        .where(User.active.is_(True), (User.agency_id == referral.agency_id) | (User.role == Role.CHAIR))
        .order_by(User.name)
    )
    return [(str(u.id), f"{u.name} ({u.agency.name if u.agency else u.role.label})") for u in users]


def add_facilitator(referral: RestorativeReferral, user_id: str) -> RestorativeFacilitator:
    if user_id not in dict(facilitator_choices(referral)):
        raise FieldError("user_id", "Choose a facilitator from the list")
    if any(str(f.user_id) == user_id for f in facilitators_of(referral)):
        raise FieldError("user_id", "This person is already a facilitator")
    facilitator = RestorativeFacilitator(referral_id=referral.id, user_id=int(user_id))
    db.session.add(facilitator)
    db.session.flush()
    audit_referral(referral, "facilitator_added", f"Facilitator assigned: {facilitator.user.name}")
    return facilitator


def add_preparation(
    referral: RestorativeReferral, *, participant_id: str, contact_on: date | None, kind: str, notes: str, actor: User
) -> RestorativePreparation:
    participant = participant_on_referral(referral, participant_id, "participant_id")
    if contact_on is None or contact_on > london_today():
        raise FieldError("contact_on", "Enter the date of the contact, today or earlier")
    try:
        kind_ = ContactKind(kind)
    except ValueError:
        raise FieldError("kind", "Choose the kind of contact") from None
    if referral.state is PathwayState.CLOSED:
        raise FieldError("contact_on", "This referral is closed")
    preparation = RestorativePreparation(
        referral_id=referral.id,
        participant_id=participant.id,
        contact_on=contact_on,
        kind=kind_,
        notes=(notes or "").strip(),
        recorded_by_id=actor.id,
    )
    db.session.add(preparation)
    db.session.flush()
    # The notes stay out of the audit summary: the timeline is read by every partner on the case.
    audit_referral(
        referral,
        "preparation",
        f"Preparation contact ({kind_.label.lower()}) with the {participant.role.label.lower()}",
    )
    return preparation


# ---- process and conference -------------------------------------------------------------------------------------


def choose_process(referral: RestorativeReferral, process: str) -> None:
    try:
        kind = ProcessKind(process)
    except ValueError:
        raise FieldError("kind", "Choose the kind of process") from None
    after = _step(referral, "kind", lambda p: p.choose_process(kind))
    referral.process = after.process
    audit_referral(referral, "process_chosen", f"Process chosen: {kind.label}")


@dataclass
class BookingInput:
    day: date | None
    start: time | None
    end: time | None
    place: str
    virtual_link: str
    chair_id: str


def book_conference(referral: RestorativeReferral, case: Case, data: BookingInput, *, actor: User) -> Meeting:
    """Book the conference as a restorative conference meeting. Refused without both current consents."""
    from trigger.meetings.services import MeetingDetails, schedule_meeting
    from trigger.models import MeetingKind

    previous = meeting_of(referral)
    if (
        referral.state is PathwayState.CONFERENCE_BOOKED
        and previous is not None
        and previous.status is MeetingStatus.CANCELLED
    ):
        _step(referral, "day", lambda p: p.unbook())  # the booked meeting was cancelled: book again
    _step(referral, "day", lambda p: p.book_conference())  # the consent gate, before anything is written
    if data.day is None or data.start is None or data.end is None:
        raise FieldError("day", "Enter the date, start time and end time of the conference")
    if not (data.place or "").strip() and not (data.virtual_link or "").strip():
        raise FieldError("place", "Enter where the conference is held, or a link to join it")
    meeting = schedule_meeting(
        case,
        MeetingDetails(
            kind=MeetingKind.REVIEW.value,
            day=data.day,
            start=data.start,
            end=data.end,
            place=data.place.strip(),
            virtual_link=data.virtual_link.strip(),
            chair_id=data.chair_id,
            is_restorative_conference=True,
        ),
        actor=actor,
    )
    referral.meeting_id = meeting.id
    # No agenda to minute: what is said in a conference is not recorded (trigger.meetings refuses minutes too).
    from sqlalchemy import delete

    from trigger.models import MinuteItem

    db.session.execute(delete(MinuteItem).where(MinuteItem.meeting_id == meeting.id))
    _conference_attendees(referral, meeting)
    audit_referral(
        referral,
        "conference_booked",
        f"{referral.process.label} booked (meeting {meeting.id})",
        {"meeting_id": meeting.id},
    )
    return meeting


def _conference_attendees(referral: RestorativeReferral, meeting: Meeting) -> None:
    """The conference's attendee list: the facilitators, and each participant who consents now with their
    supporter. Nobody is emailed: the facilitators invite the participants themselves, after preparation."""
    from trigger.models import Attendee, AttendeeKind

    consents = {c.participant_id: c for c in consents_of(referral) if c.withdrawn_on is None}
    for facilitator in facilitators_of(referral):
        user = facilitator.user
        if user.agency_id is not None:
            db.session.add(
                Attendee(
                    meeting_id=meeting.id,
                    kind=AttendeeKind.AGENCY_REPRESENTATIVE,
                    user_id=user.id,
                    agency_id=user.agency_id,
                    name=user.name,
                    email=user.email,
                    role_at_meeting="Facilitator",
                )
            )
    kinds = {
        ParticipantRole.HARMED: AttendeeKind.APPLICANT,
        ParticipantRole.NEIGHBOUR: AttendeeKind.APPLICANT,
        ParticipantRole.RESPONSIBLE: AttendeeKind.ALLEGED_PERPETRATOR,
    }
    for person in referral.participants:
        consent = consents.get(person.id)
        if consent is None:
            continue
        db.session.add(
            Attendee(
                meeting_id=meeting.id,
                kind=kinds[person.role],
                name=person.name,
                role_at_meeting=person.role.label,
                consent_recorded_on=consent.given_on,
            )
        )
        if person.supporter:
            db.session.add(
                Attendee(
                    meeting_id=meeting.id,
                    kind=AttendeeKind.ADVOCATE,
                    name=person.supporter,
                    role_at_meeting=f"Supporter of the {person.role.label.lower()}",
                )
            )
    db.session.flush()


def hold(referral: RestorativeReferral, case: Case, *, held_on: date | None) -> list[FollowUpCheck]:
    """The conference was held (or the indirect exchange took place): schedule the follow-up checks."""
    if held_on is None or held_on > london_today():
        raise FieldError("held_on", "Enter the date it took place, today or earlier")
    _step(referral, "held_on", lambda p: p.hold())
    referral.held_on = held_on
    meeting = meeting_of(referral)
    if meeting is not None and meeting.status is MeetingStatus.SCHEDULED:
        meeting.status = MeetingStatus.HELD
    try:
        dates = follow_up_dates(held_on, calendar_for_area(case.area))
    except HolidayDataMissing:
        raise FieldError("held_on", "The working-day calendar has no bank holidays for that year yet") from None
    checks = [FollowUpCheck(referral_id=referral.id, due_on=day) for day in dates]
    db.session.add_all(checks)
    audit_referral(
        referral,
        "held",
        "Restorative process took place; follow-up checks due " + " and ".join(d.isoformat() for d in dates),
    )
    return checks


# ---- the agreement --------------------------------------------------------------------------------------------


def add_item(
    referral: RestorativeReferral, *, kind: str, responsible: str, what: str, victim_wording: str, due_on: date | None
) -> AgreementItem:
    responsible = (responsible or "").strip()
    if not responsible:
        raise FieldError("responsible", "Enter who is responsible for this item")
    what = (what or "").strip()
    if not what:
        raise FieldError("what", "Enter what the person responsible agreed to do")
    try:
        kind_ = ItemKind(kind)
    except ValueError:
        raise FieldError("kind", "Choose the kind of item") from None
    if due_on is None:
        raise FieldError("due_on", "Enter the date it is due by")
    _step(referral, "what", lambda p: p.record_agreement())
    item = AgreementItem(
        referral_id=referral.id,
        kind=kind_,
        responsible=responsible[:120],
        what=what,
        victim_wording=(victim_wording or "").strip(),
        due_on=due_on,
    )
    db.session.add(item)
    db.session.flush()
    audit_referral(referral, "agreement_item", f"Agreement item added: {kind_.label.lower()}, due {due_on.isoformat()}")
    return item


def record_progress(referral: RestorativeReferral, item: AgreementItem, *, status: str, progress: str) -> None:
    try:
        status_ = ItemStatus(status)
    except ValueError:
        raise FieldError("status", "Choose the item's status") from None
    if referral.state is PathwayState.CLOSED:
        raise FieldError("status", "This referral is closed")
    item.status, item.progress, item.progress_on = status_, (progress or "").strip(), london_today()
    audit_referral(referral, "agreement_progress", f"Agreement item {item.id}: {status_.label.lower()}")


def complete_follow_up(
    referral: RestorativeReferral, check: FollowUpCheck, *, done_on: date | None, notes: str, actor: User
) -> None:
    if done_on is None or done_on > london_today():
        raise FieldError("done_on", "Enter the date of the check, today or earlier")
    check.done_on, check.notes, check.done_by_id = done_on, (notes or "").strip(), actor.id
    audit_referral(referral, "follow_up", f"Follow-up check due {check.due_on.isoformat()} done")


def close(referral: RestorativeReferral, *, outcome: str, closed_on: date | None) -> None:
    try:
        outcome_ = ClosingOutcome(outcome)
    except ValueError:
        raise FieldError("outcome", "Choose how the pathway ended") from None
    if closed_on is None or closed_on > london_today():
        raise FieldError("closed_on", "Enter the date, today or earlier")
    _step(referral, "outcome", lambda p: p.close())
    referral.closing_outcome, referral.closed_on = outcome_, closed_on
    audit_referral(referral, "closed", f"Restorative pathway closed: {outcome_.label.lower()}")


def remind_due_follow_ups(today: date) -> int:
    """Tell the facilitators of each follow-up check that is due and not yet done (once per check)."""
    checks = db.session.scalars(
        select(FollowUpCheck).where(
            FollowUpCheck.done_on.is_(None), FollowUpCheck.reminded_at.is_(None), FollowUpCheck.due_on <= today
        )
    ).all()
    for check in checks:
        referral = db.session.get(RestorativeReferral, check.referral_id)
        for facilitator in facilitators_of(referral):
            notify_user(
                facilitator.user,
                "A restorative follow-up check is due",
                f"A follow-up check of a restorative agreement was due on {check.due_on.isoformat()}.",
                link=f"/restorative/{referral.id}",
                dedupe_key=f"rj-follow-up:{check.id}:{facilitator.user_id}",
            )
        check.reminded_at = utcnow()
    return len(checks)
