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
from trigger.models import Area
from trigger.threshold import services
from trigger.threshold.forms import DecisionForm, PolicyForm, SameIncidentForm, outcome_choices

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
                flash(f"{area.name}'s threshold policy has been saved as version {saved.version}. "
                      "It applies to new decisions only.", "success")
            return redirect(url_for("threshold.policies"))
    return render_template("threshold/policy_form.html", form=form, area=area, version=version,
                           versions=services.policy_versions(area.id)), _status()


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
            outcome=form.outcome.data, reasons=form.reasons.data,
            decision_maker_name=form.decision_maker_name.data, decided_on=form.decided_on.data,
            difference_reason=form.difference_reason.data or "", vulnerability_reason=form.vulnerability_reason.data or "",
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
    form = SameIncidentForm()
    form.same_as_id.choices = [(str(i.id), f"Incident {i.id}: {i.description[:80]}") for i in candidates] + [
        (SEPARATE, "A separate incident")]
    if request.method == "GET":
        form.same_as_id.data = str(incident.same_as_id) if incident.same_as_id else SEPARATE
    if form.validate_on_submit():
        raw = form.same_as_id.data
        try:
            if raw != SEPARATE and not (raw or "").isdigit():
                raise FieldError("same_as_id", "Choose the incident it is the same as, or “A separate incident”")
            services.mark_same_as(case, incident, None if raw == SEPARATE else int(raw))
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(f"Incident {incident.id} is now " + (f"counted once, as incident {raw}." if raw != SEPARATE
                                                       else "counted as a separate incident."), "success")
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template("threshold/same_as.html", form=form, case=case, incident=incident,
                           candidates=candidates, protective_marking="OFFICIAL-SENSITIVE"), _status()

