"""Feedback on the restorative pathway: a single-use link valid 30 days (no account needed), or answers the
facilitator records from a phone call. Only the link's SHA-256 is kept. The answers are read only by the
restorative justice service and chairs (trigger.authz.can_read_restorative_confidential); audit summaries say
that feedback arrived, never what it said."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from trigger.domain.restorative import LINK_REFUSALS, LinkState, ParticipantRole, ProcessKind, feedback_link_state
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import User, utcnow
from trigger.models.restorative import Feedback, FeedbackChannel, RestorativeReferral
from trigger.restorative.services import audit_referral, participant_on_referral


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_feedback_link(referral: RestorativeReferral, *, participant_id: str, actor: User) -> tuple[Feedback, str]:
    """A single-use link valid 30 days. The token is returned once (to show or send); only its hash is kept."""
    participant = participant_on_referral(referral, participant_id, "participant_id")
    if participant.role is ParticipantRole.NEIGHBOUR and referral.process is not ProcessKind.COMMUNITY:
        raise FieldError("participant_id", "Feedback is asked of the people who took part")
    token = secrets.token_urlsafe(32)
    feedback = Feedback(
        referral_id=referral.id,
        participant_id=participant.id,
        channel=FeedbackChannel.LINK,
        token_hash=_hash(token),
        issued_at=utcnow(),
        recorded_by_id=actor.id,
    )
    db.session.add(feedback)
    db.session.flush()
    audit_referral(referral, "feedback_link", f"Feedback link issued ({participant.role.label.lower()})")
    return feedback, token


def feedback_for_token(token: str | None) -> tuple[Feedback | None, LinkState | None]:
    if not token or len(token) > 100:
        return None, None
    feedback = db.session.scalar(select(Feedback).where(Feedback.token_hash == _hash(token)))
    if feedback is None:
        return None, None
    return feedback, feedback_link_state(feedback.issued_at, feedback.answered_at, utcnow())


@dataclass
class Answers:
    felt_heard: str
    helped: str
    recommend: int | None
    comments: str


_YES_PARTLY_NO = {"yes", "partly", "no"}


def _check_answers(answers: Answers) -> None:
    if answers.felt_heard not in _YES_PARTLY_NO:
        raise FieldError("felt_heard", "Choose whether you felt heard")
    if answers.helped not in _YES_PARTLY_NO:
        raise FieldError("helped", "Choose whether it helped")
    if answers.recommend is None or not 1 <= answers.recommend <= 5:
        raise FieldError("recommend", "Choose a number from 1 to 5")


def answer_by_link(token: str, answers: Answers) -> Feedback:
    feedback, state = feedback_for_token(token)
    if feedback is None:
        raise FieldError("felt_heard", "This feedback link is not valid")
    if state is not LinkState.VALID:
        raise FieldError("felt_heard", LINK_REFUSALS[state])
    _check_answers(answers)
    _store(feedback, answers)
    referral = db.session.get(RestorativeReferral, feedback.referral_id)
    audit_referral(referral, "feedback", "Feedback received through the link")
    return feedback


def record_phone_feedback(
    referral: RestorativeReferral, *, participant_id: str, answers: Answers, actor: User
) -> Feedback:
    participant = participant_on_referral(referral, participant_id, "participant_id")
    _check_answers(answers)
    feedback = Feedback(
        referral_id=referral.id,
        participant_id=participant.id,
        channel=FeedbackChannel.PHONE,
        issued_at=utcnow(),
        recorded_by_id=actor.id,
    )
    db.session.add(feedback)
    _store(feedback, answers)
    db.session.flush()
    audit_referral(referral, "feedback", f"Feedback recorded by phone ({participant.role.label.lower()})")
    return feedback


def _store(feedback: Feedback, answers: Answers) -> None:
    feedback.felt_heard, feedback.helped = answers.felt_heard, answers.helped
    feedback.recommend, feedback.comments = answers.recommend, (answers.comments or "").strip()
    feedback.answered_at = utcnow()
