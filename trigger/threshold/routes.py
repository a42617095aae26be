"""Threshold pages: administrators edit each area's policy; coordinators record a case's decision."""

from __future__ import annotations

import dataclasses
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from trigger.authz import ADMIN, MANAGE_CASES, MARK_DUPLICATES, allow, can_manage_case
from trigger.cases.services import load_case
from trigger.extensions import db
from trigger.forms import FieldError, attach_error
from trigger.models import Area, Case
from trigger.threshold import services
from trigger.threshold.forms import DecisionForm, PolicyForm, SameIncidentForm, SameProblemForm, outcome_choices

bp = Blueprint("threshold", __name__)


def _status() -> int:
    return 400 if request.method == "POST" else 200


@bp.route("/admin/threshold-policies")
@allow(ADMIN)
def policies():
    areas = db.session.scalars(select(Area).order_by(Area.name)).all()
    current = {area.id: services.policy_for_area(area.id) for area in areas}
    return render_template("threshold/policies.html", areas=areas, current=current)


@bp.route("/admin/threshold-policies/<int:area_id>", methods=["GET", "POST"])
@allow(ADMIN)
def edit_policy(area_id: int):
    area = db.session.get(Area, area_id)
    if area is None:
        abort(404)
    policy, version = services.policy_for_area(area.id)
    form = PolicyForm(data=dataclasses.asdict(policy) if request.method == "GET" else None)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.POLICY_FIELDS}
        try:
            saved = services.save_policy(area, values, actor=current_user)
        except FieldError as error:
            attach_error(form, error)
        else:
            if saved is None:
                flash(f"Nothing changed: {area.name}'s threshold policy is as it was.", "info")
            else:
                flash(
                    f"{area.name}'s threshold policy has been saved as version {saved.version}. "
                    "It applies to new decisions only.",
                    "success",
                )
            return redirect(url_for("threshold.policies"))
    return render_template(
        "threshold/policy_form.html", form=form, area=area, version=version, versions=services.policy_versions(area.id)
    ), _status()


@bp.route("/cases/<int:case_id>/threshold", methods=["GET", "POST"])
@allow(MANAGE_CASES)
def decide(case_id: int):
    case = load_case(case_id)
    if case is None:
        abort(404)
    if not can_manage_case(current_user, case):
        abort(403)
    advice = services.advise(case)
    form = DecisionForm()
    form.outcome.choices = outcome_choices(advice.policy.vulnerability_override_allowed)
    if request.method == "GET":
        form.decision_maker_name.data = current_user.name
        form.decided_on.data = date.today()
        if advice.evaluation is not None:
            form.outcome.data = "met" if advice.evaluation.met else "not-met"
    if form.validate_on_submit():
        data = services.DecisionInput(
            outcome=form.outcome.data,
            reasons=form.reasons.data,
            decision_maker_name=form.decision_maker_name.data,
            decided_on=form.decided_on.data,
            difference_reason=form.difference_reason.data or "",
            vulnerability_reason=form.vulnerability_reason.data or "",
            letter_includes_evaluation=bool(form.letter_includes_evaluation.data),
        )
        try:
            decision = services.record_decision(case, data, actor=current_user)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(f"Decision recorded for {case.reference}: {decision.outcome.label.lower()}.", "success")
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template("threshold/decide.html", form=form, case=case, advice=advice), _status()


SEPARATE = "separate"


@bp.route("/cases/<int:case_id>/incidents/<int:incident_id>/same-as", methods=["GET", "POST"])
@allow(MARK_DUPLICATES)
def same_as(case_id: int, incident_id: int):
    case = load_case(case_id)
    if case is None:
        abort(404)
    incident = next((i for i in case.incidents if i.id == incident_id), None)
    if incident is None:
        abort(404)
    if not can_manage_case(current_user, case):
        abort(403)
    candidates = services.same_day_incidents(case, incident)
    advice = services.advise(case)
    numbers = advice.numbers
    verdict = (
        next((v for v in advice.evaluation.verdicts if v.incident_id == incident.id), None)
        if advice.evaluation
        else None
    )
    counted_as = verdict.counted_as if verdict else None
    form = SameIncidentForm()
    form.same_as_id.choices = [
        (str(i.id), f"Incident {numbers.get(i.id, i.id)}: {i.description[:80]}") for i in candidates
    ] + [(SEPARATE, "A separate incident")]
    if request.method == "GET":
        form.same_as_id.data = str(counted_as) if counted_as else SEPARATE
    if form.validate_on_submit():
        raw = form.same_as_id.data
        try:
            if raw != SEPARATE and not (raw or "").isdigit():
                raise FieldError("same_as_id", "Choose the incident it is the same as, or “A separate incident”")
            services.mark_same_as(case, incident, None if raw == SEPARATE else int(raw), numbers=numbers)
        except FieldError as error:
            attach_error(form, error)
        else:
            number = numbers.get(incident.id, incident.id)
            flash(
                f"Incident {number} is now "
                + (
                    f"counted once, as incident {numbers.get(int(raw), raw)}."
                    if raw != SEPARATE
                    else "counted as a separate incident."
                ),
                "success",
            )
            return redirect(url_for("cases.incidents", case_id=case.id, _anchor="threshold"))
    return render_template(
        "threshold/same_as.html",
        form=form,
        case=case,
        incident=incident,
        candidates=candidates,
        numbers=numbers,
        verdict=verdict,
        protective_marking="OFFICIAL-SENSITIVE",
    ), _status()


@bp.route("/cases/<int:case_id>/same-problem/<int:other_id>", methods=["POST"])
@allow(MARK_DUPLICATES)
def same_problem(case_id: int, other_id: int):
    """Confirm (or withdraw) that a case flagged as possibly linked is about the same problem."""
    case = load_case(case_id)
    if case is None:
        abort(404)
    if not can_manage_case(current_user, case):
        abort(403)
    other = db.session.get(Case, other_id)
    if other is None:
        abort(404)
    if not can_manage_case(current_user, other):
        abort(403)
    form = SameProblemForm()
    if not form.validate_on_submit():
        abort(400)
    same = form.same_problem.data == "yes"
    try:
        services.mark_same_problem(case, other.id, same)
    except FieldError as error:
        flash(error.message, "error")
    else:
        flash(
            f"{other.reference} is now "
            + (
                "counted as about the same problem: complainants are counted across both applications."
                if same
                else "no longer counted as about the same problem."
            ),
            "success",
        )
    return redirect(url_for("cases.incidents", case_id=case.id, _anchor="threshold"))
