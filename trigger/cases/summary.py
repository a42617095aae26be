"""What the case summary reads about a case besides the case itself, in one statement (two when the case has a
meeting) whatever the size of the case (issue 19: the summary is the page of a case people open most).

The statement is the task list's (trigger.cases.tasks.case_facts_statement) with the summary's other questions
added as columns: who coordinates the case, whether it is under a legal hold or anonymised, and which of the
summary's optional sections have anything (escalations, a risk assessment, restorative referrals, possibly linked
cases), so that a case with none of them (most cases) loads none of them. No HTML here, and no authorisation
rules: the route still asks trigger.authz for everything it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, exists, or_, select

from trigger.cases.tasks import GatheredFacts, case_facts_statement, fact_parameters, task_facts
from trigger.extensions import db
from trigger.models import (
    AnonymisedCase,
    Case,
    CaseLink,
    Escalation,
    LegalHold,
    RestorativeReferral,
    RiskAssessment,
    User,
)


@dataclass(frozen=True)
class Coordinator:
    id: int
    name: str


@dataclass(frozen=True)
class SummaryFacts:
    tasks: GatheredFacts
    coordinator: Coordinator | None
    has_escalations: bool
    has_risk_assessment: bool
    has_referrals: bool
    has_links: bool
    held: bool  # a legal hold is in force
    anonymised: bool


_CASE_ID = bindparam("case_id")
_SUMMARY = case_facts_statement(
    Case.coordinator_id.label("coordinator_id"),
    select(User.name).where(User.id == Case.coordinator_id).scalar_subquery().label("coordinator_name"),
    exists().where(Escalation.case_id == _CASE_ID).label("has_escalations"),
    exists().where(RiskAssessment.case_id == _CASE_ID).label("has_risk_assessment"),
    exists().where(RestorativeReferral.case_id == _CASE_ID).label("has_referrals"),
    exists().where(or_(CaseLink.case_id == _CASE_ID, CaseLink.linked_case_id == _CASE_ID)).label("has_links"),
    exists().where(LegalHold.case_id == _CASE_ID, LegalHold.lifted_at.is_(None)).label("held"),
    exists().where(AnonymisedCase.case_id == _CASE_ID).label("anonymised"),
)


def summary_facts(case: Case, viewer: User, now: datetime | None = None) -> SummaryFacts:
    row = db.session.execute(_SUMMARY, fact_parameters(case, viewer)).one()
    coordinator = Coordinator(row.coordinator_id, row.coordinator_name) if row.coordinator_id else None
    return SummaryFacts(
        tasks=task_facts(case, viewer, now, row=row),
        coordinator=coordinator,
        has_escalations=bool(row.has_escalations),
        has_risk_assessment=bool(row.has_risk_assessment),
        has_referrals=bool(row.has_referrals),
        has_links=bool(row.has_links),
        held=bool(row.held),
        anonymised=bool(row.anonymised),
    )
