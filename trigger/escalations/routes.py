"""Escalation pages: coordinators record a request on a case; PCC reviewers list, read and decide them."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from trigger.authz import (
    DECIDE_ESCALATIONS,
    ESCALATION_PAGES,
    LIST_ESCALATIONS,
    RECORD_ESCALATIONS,
    allow,
    can_decide_escalation,
    can_record_escalation,
    can_view_case,
    can_view_escalation,
)
from trigger.cases.services import load_case
from trigger.escalations import services
from trigger.escalations.forms import OutcomeForm, RequestForm
from trigger.extensions import db
from trigger.forms import FieldError, attach_error
from trigger.models import Case, EscalationOutcome

bp = Blueprint("escalations", __name__)


def _status() -> int:
    return 400 if request.method == "POST" else 200


def _load_escalation(escalation_id: int):
    """404 when there is no such escalation, then 403 when this user may not see its case."""
    escalation = services.load_escalation(escalation_id)
    if escalation is None:
        abort(404)
    if not can_view_escalation(current_user, escalation):
        abort(403)
    return escalation


@bp.route("/cases/<int:case_id>/escalations/new", methods=["GET", "POST"])
@allow(RECORD_ESCALATIONS)
def new(case_id: int):
    case = load_case(case_id)
    if case is None:
        abort(404)
    if not can_record_escalation(current_user, case):
        abort(403)
    if not services.can_be_escalated(case):
        return render_template(
            "escalations/new.html", case=case, form=None, refusal=services.why_not_escalatable(case)
        ), _status()
    form = RequestForm()
    if request.method == "GET":
        form.outcome_letter_on.data = services.default_letter_date(case)
        form.received_on.data = date.today()
    window = None
    if form.validate_on_submit():
        data = services.RequestInput(
            received_on=form.received_on.data,
            outcome_letter_on=form.outcome_letter_on.data,
            grounds=form.grounds.data or [],
            ground_other_details=form.ground_other_details.data or "",
            applicant_summary=form.applicant_summary.data or "",
            late_accepted_reason=form.late_accepted_reason.data or "",
            consent_to_share=bool(form.consent_to_share.data),
            consent_on=form.consent_on.data,
            reviewing_body=form.reviewing_body.data or "",
            reviewing_body_name=form.reviewing_body_name.data or "",
        )
        try:
            escalation = services.record_request(case, data, actor=current_user)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(
                f"The escalation request has been recorded and {case.reference} is now escalated: "
                f"{'received late, accepted' if escalation.late else 'received in time'} "
                f"({services.window_message(escalation)}). The PCC reviewers have been told; "
                f"a decision is due by {services.long_date(escalation.decision_due_on)}.",
                "success",
            )
            return redirect(url_for("cases.show", case_id=case.id))
    if form.outcome_letter_on.data and form.received_on.data and not form.outcome_letter_on.errors:
        try:
            window = services.window_for(case, form.outcome_letter_on.data, form.received_on.data)
        except FieldError:
            window = None
    return render_template("escalations/new.html", case=case, form=form, window=window, refusal=None), _status()


@bp.route("/escalations")
@allow(LIST_ESCALATIONS)
def index():
    listed = services.escalation_list(current_user)
    return render_template(
        "escalations/index.html",
        open_rows=[row for row in listed if row.escalation.outcome is None],
        decided_rows=[row for row in listed if row.escalation.outcome is not None],
    )


@bp.route("/escalations/<int:escalation_id>")
@allow(ESCALATION_PAGES)
def show(escalation_id: int):
    escalation = _load_escalation(escalation_id)
    case = db.session.scalar(select(Case).where(Case.id == escalation.case_id).options(selectinload(Case.decisions)))
    status, status_text = services.decision_status(escalation, date.today())
    return render_template(
        "escalations/show.html",
        escalation=escalation,
        case=case,
        status=status,
        status_text=status_text,
        recommendations=services.recommendations_of(case, current_user),
        can_decide=can_decide_escalation(current_user, escalation) and case.stage.value == "escalated",
        can_see_case=can_view_case(current_user, case),
        back_url=url_for("escalations.index")
        if LIST_ESCALATIONS.allows(current_user)
        else url_for("cases.show", case_id=case.id),
        protective_marking="OFFICIAL-SENSITIVE",
    )


@bp.route("/escalations/<int:escalation_id>/outcome", methods=["GET", "POST"])
@allow(DECIDE_ESCALATIONS)
def decide(escalation_id: int):
    escalation = _load_escalation(escalation_id)
    if not can_decide_escalation(current_user, escalation):
        abort(403)
    form = OutcomeForm()
    if request.method == "GET":
        form.decided_on.data = date.today()
    if form.validate_on_submit():
        data = services.OutcomeInput(
            outcome=form.outcome.data,
            reasons=form.reasons.data,
            decided_on=form.decided_on.data,
            points_to_reconsider=form.points_to_reconsider.data or "",
        )
        try:
            services.record_outcome(escalation, data, actor=current_user)
        except FieldError as error:
            attach_error(form, error)
        else:
            if escalation.outcome is EscalationOutcome.UPHELD:
                message = (
                    f"The escalation is upheld. {escalation.case.reference} has been referred back and is "
                    f"now at “{escalation.reopened_stage.label}”, due by "
                    f"{services.long_date(escalation.reconsider_due_on)}."
                )
            else:
                message = (
                    f"The escalation is not upheld. {escalation.case.reference} is now at "
                    f"“{escalation.reopened_stage.label}”."
                )
            flash(message + " The coordinator has been told.", "success")
            return redirect(url_for("escalations.show", escalation_id=escalation.id))
    return render_template("escalations/decide.html", form=form, escalation=escalation), _status()
