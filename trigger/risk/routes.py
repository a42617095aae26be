"""Risk pages: the questionnaire (administrators) and a case's risk assessment (coordinators). Thin."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trigger.domain.limits import database_id
from trigger.authz import ADMIN, ASSESS_RISK, allow, can_assess_risk
from trigger.extensions import db
from trigger.forms import FieldError, attach_error
from trigger.models import Case, RiskQuestion
from trigger.risk import services
from trigger.risk.forms import QuestionForm, answers_of, assessment_form

bp = Blueprint("risk", __name__)


def _status() -> int:
    return 400 if request.method == "POST" else 200


# ---- the questionnaire ----------------------------------------------------------------------------------------


@bp.route("/admin/risk-questions")
@allow(ADMIN)
def questions():
    return render_template("risk/questions.html", questions=services.all_questions(), thresholds=services.THRESHOLDS)


@bp.route("/admin/risk-questions/new", methods=["GET", "POST"])
@bp.route("/admin/risk-questions/<int:question_id>/edit", methods=["GET", "POST"])
@allow(ADMIN)
def edit_question(question_id: int | None = None):
    question = None
    if question_id is not None:
        question = db.session.get(RiskQuestion, question_id)
        if question is None:
            abort(404)
    form = QuestionForm(obj=question if request.method == "GET" else None)
    if request.method == "GET" and question is not None:
        form.category.data = question.category.value
    if form.validate_on_submit():
        data = services.QuestionInput(
            text=form.text.data,
            category=form.category.data,
            weight=form.weight.data,
            position=form.position.data,
            active=form.active.data,
        )
        try:
            saved = services.save_question(question, data)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(
                f"The question “{saved.text}” has been {'added' if question is None else 'saved'}. "
                "Past assessments keep the questions they were answered against.",
                "success",
            )
            return redirect(url_for("risk.questions"))
    return render_template("risk/question_form.html", form=form, question=question), _status()


# ---- assessing a case -------------------------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/risk", methods=["GET", "POST"])
@allow(ASSESS_RISK)
def assess(case_id: int):
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    if not can_assess_risk(current_user, case):
        abort(403)
    meeting = services.meeting_of_case(case, request.args.get("meeting_id", type=database_id))
    questions = services.active_questions()
    form = assessment_form(questions)
    if form.validate_on_submit():
        try:
            assessment = services.assess_case(
                case, questions, answers_of(form, questions), notes=form.notes.data, actor=current_user, meeting=meeting
            )
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(
                f"Risk assessed as {assessment.level.label} (a score of {assessment.score} out of "
                f"{assessment.max_score}). The case's risk level is now {assessment.level.label}.",
                "success",
            )
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template(
        "risk/assess.html",
        form=form,
        case=case,
        questions=questions,
        meeting=meeting,
        latest=services.latest_assessment(case),
        assessments=services.history(case),
        thresholds=services.THRESHOLDS,
        protective_marking="OFFICIAL-SENSITIVE",
    ), _status()
