"""Restorative justice figures per area and period: referrals, victims told, consents, suitable, conferences by
kind, agreements, agreements completed and feedback scores. Each counted by the date of its own event. Exposed as
trigger.restorative.services.figures for the statistics page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from trigger.domain.restorative import ClosingOutcome, ProcessKind, mean_score
from trigger.extensions import db
from trigger.models import Case
from trigger.models.restorative import (
    AgreementItem,
    Feedback,
    RestorativeAssessment,
    RestorativeConsent,
    RestorativeReferral,
)


@dataclass
class Figures:
    referrals: int
    victims_told: int
    consents: int
    suitable: int
    conferences: dict[str, int]  # direct / indirect / community
    agreements: int
    agreements_completed: int
    feedback_answers: int
    felt_heard_yes: int
    recommend_mean: float | None


def figures(area_id: int | None, start: date, end: date) -> Figures:
    """Counts for one area (None: every area) and period, each by the date of its own event."""

    def referrals_in(*conditions):
        query = select(func.count(RestorativeReferral.id)).join(Case, Case.id == RestorativeReferral.case_id)
        if area_id is not None:
            query = query.where(Case.area_id == area_id)
        return db.session.scalar(query.where(*conditions)) or 0

    R = RestorativeReferral
    conferences = {
        "direct": referrals_in(R.process == ProcessKind.DIRECT, R.held_on.between(start, end)),
        "indirect": referrals_in(
            R.process.in_([ProcessKind.INDIRECT_SHUTTLE, ProcessKind.INDIRECT_LETTERS]), R.held_on.between(start, end)
        ),
        "community": referrals_in(R.process == ProcessKind.COMMUNITY, R.held_on.between(start, end)),
    }
    with_agreement = select(AgreementItem.referral_id)
    consent_query = (
        select(func.count(RestorativeConsent.id))
        .join(R, R.id == RestorativeConsent.referral_id)
        .join(Case, Case.id == R.case_id)
        .where(RestorativeConsent.given_on.between(start, end))
    )
    suitable_query = (
        select(func.count(func.distinct(RestorativeAssessment.referral_id)))
        .join(R, R.id == RestorativeAssessment.referral_id)
        .join(Case, Case.id == R.case_id)
        .where(RestorativeAssessment.suitable.is_(True), RestorativeAssessment.assessed_on.between(start, end))
    )
    feedback_query = (
        select(Feedback.felt_heard, Feedback.recommend)
        .join(R, R.id == Feedback.referral_id)
        .join(Case, Case.id == R.case_id)
        .where(Feedback.answered_at.is_not(None))
    )
    if area_id is not None:
        consent_query = consent_query.where(Case.area_id == area_id)
        suitable_query = suitable_query.where(Case.area_id == area_id)
        feedback_query = feedback_query.where(Case.area_id == area_id)
    answered = list(
        db.session.execute(
            feedback_query.where(
                Feedback.answered_at >= _midnight_utc(start),
                Feedback.answered_at < _midnight_utc(end + timedelta(days=1)),
            )
        )
    )
    return Figures(
        referrals=referrals_in(R.referred_on.between(start, end)),
        victims_told=referrals_in(R.victim_told_on.between(start, end)),
        consents=db.session.scalar(consent_query) or 0,
        suitable=db.session.scalar(suitable_query) or 0,
        conferences=conferences,
        agreements=referrals_in(R.id.in_(with_agreement), R.held_on.between(start, end)),
        agreements_completed=referrals_in(
            R.closing_outcome == ClosingOutcome.COMPLETED, R.closed_on.between(start, end)
        ),
        feedback_answers=len(answered),
        felt_heard_yes=sum(1 for row in answered if row.felt_heard == "yes"),
        recommend_mean=mean_score(row.recommend for row in answered),
    )


def _midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)
