"""The risk questionnaire and case assessments. No HTML here; the scoring rules are in trigger.domain.risk.

Public API (used beyond this package):
- ``latest_assessment(case)``: the case's newest assessment (None if it has never been assessed).
- ``assess_case(case, answers, notes=..., actor=..., meeting=...)``: score, store, set ``Case.risk_level``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select

from trigger import audit
from trigger.domain.risk import DEFAULT_THRESHOLDS, Answer, RiskThresholds, assess
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import Case, Meeting, RiskAssessment, RiskCategory, RiskLevel, RiskQuestion, User

# The thresholds live in the domain (12 or more High, 6 or more Medium); each assessment stores the ones it used.
THRESHOLDS: RiskThresholds = DEFAULT_THRESHOLDS


# ---- the questionnaire ----------------------------------------------------------------------------------------


def all_questions() -> list[RiskQuestion]:
    return list(
        db.session.scalars(
            select(RiskQuestion).order_by(RiskQuestion.active.desc(), RiskQuestion.position, RiskQuestion.id)
        )
    )


def active_questions() -> list[RiskQuestion]:
    return list(
        db.session.scalars(
            select(RiskQuestion).where(RiskQuestion.active.is_(True)).order_by(RiskQuestion.position, RiskQuestion.id)
        )
    )


@dataclass
class QuestionInput:
    text: str
    category: str
    weight: int | None
    position: int | None
    active: bool


def _snapshot(question: RiskQuestion) -> dict:
    return {
        "text": question.text,
        "category": question.category.value if question.category else None,
        "weight": question.weight,
        "position": question.position,
        "active": bool(question.active),
    }


def save_question(question: RiskQuestion | None, data: QuestionInput) -> RiskQuestion:
    """Add or change a question (deactivating is a change of `active`). Audited. Past assessments keep theirs."""
    text = (data.text or "").strip()
    if not text:
        raise FieldError("text", "Enter the question")
    try:
        category = RiskCategory(data.category)
    except ValueError:
        raise FieldError("category", "Choose the kind of risk the question is about") from None
    clash = db.session.scalar(
        select(RiskQuestion.id).where(
            func.lower(RiskQuestion.text) == text.lower(), RiskQuestion.id != (question.id if question else -1)
        )
    )
    if clash is not None:
        raise FieldError("text", "There is already a question with this wording")
    position = data.position
    if position is None:
        position = (db.session.scalar(select(func.max(RiskQuestion.position))) or 0) + 1
    creating = question is None
    if creating:
        question = RiskQuestion()
        db.session.add(question)
        before: dict = {}
    else:
        before = _snapshot(question)
    question.text, question.category, question.weight = text, category, data.weight or 0
    question.position, question.active = position, data.active
    db.session.flush()
    if creating:
        audit.record(
            "risk_question.created",
            "risk_question",
            question.id,
            f"Added the risk question “{text}”"[:500],
            _snapshot(question),
        )
    else:
        diff = audit.changes(before, _snapshot(question))
        if diff:
            what = "Deactivated" if diff.get("active") == [True, False] else "Changed"
            audit.record(
                "risk_question.changed",
                "risk_question",
                question.id,
                f"{what} the risk question “{text}”"[:500],
                {"changes": diff},
            )
    return question


# ---- assessing a case -----------------------------------------------------------------------------------------


#: Built once (the case page asks on every view).
_LATEST_ASSESSMENT = (
    select(RiskAssessment)
    .where(RiskAssessment.case_id == bindparam("case_id"))
    .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
    .limit(1)
)


def latest_assessment(case: Case) -> RiskAssessment | None:
    return db.session.scalar(_LATEST_ASSESSMENT, {"case_id": case.id})


def history(case: Case) -> list[RiskAssessment]:
    return list(
        db.session.scalars(
            select(RiskAssessment)
            .where(RiskAssessment.case_id == case.id)
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
        )
    )


def meeting_of_case(case: Case, meeting_id: int | None) -> Meeting | None:
    """The case's meeting named in a link or form; a meeting of another case (forged) is None."""
    if not meeting_id:
        return None
    meeting = db.session.get(Meeting, meeting_id)
    return meeting if meeting is not None and meeting.case_id == case.id else None


def assess_case(
    case: Case,
    questions: list[RiskQuestion],
    answers: dict[int, bool | None],
    *,
    notes: str,
    actor: User,
    meeting: Meeting | None = None,
    today: date | None = None,
) -> RiskAssessment:
    """Score the answers to `questions` (the active ones the form showed), keep them, and set the case's level.

    Raises FieldError on the first unanswered question (the form normally catches that first).
    """
    for question in questions:
        if answers.get(question.id) is None:
            raise FieldError(f"q_{question.id}", f"Answer yes or no: {question.text}")
    if not questions:
        raise FieldError("notes", "There are no risk questions: an administrator needs to add them first")
    result = assess([Answer(q.id, q.weight, answers[q.id]) for q in questions], THRESHOLDS)
    level = RiskLevel(result.level.value)
    assessment = RiskAssessment(
        case_id=case.id,
        meeting_id=meeting.id if meeting else None,
        assessed_by_id=actor.id,
        assessed_on=today or date.today(),
        level=level,
        score=result.score,
        max_score=result.max_score,
        answers=[
            {
                "question_id": q.id,
                "text": q.text,
                "category": q.category.value,
                "weight": q.weight,
                "yes": bool(answers[q.id]),
            }
            for q in questions
        ],
        thresholds={"high_from": THRESHOLDS.high_from, "medium_from": THRESHOLDS.medium_from},
        notes=(notes or "").strip(),
    )
    db.session.add(assessment)
    before = case.risk_level
    case.risk_level = level
    db.session.flush()
    audit.record(
        "risk.assessed",
        "case",
        case.id,
        f"Risk assessed as {level.label} (score {result.score} of {result.max_score})"
        + (f", was {before.label}" if before and before is not level else ""),
        {
            "assessment_id": assessment.id,
            "level": level.value,
            "score": result.score,
            "max_score": result.max_score,
            "previous_level": before.value if before else None,
            "meeting_id": assessment.meeting_id,
        },
        case_id=case.id,
        actor=actor,
    )
    return assessment
