"""Deadline pages: the dashboard, and on a case: extend a deadline, recompute, agencies' information received,
the coordinator who looks after it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trigger.domain.limits import OutOfRange, database_id
from trigger.authz import DEADLINE_DASHBOARD, MANAGE_CASES, allow, can_manage_case, can_view_case
from trigger.cases.services import load_case
from trigger.deadlines import dashboard as dashboard_service
from trigger.deadlines.coordinator import assign_coordinator, coordinator_choices
from trigger.deadlines.dates import london_today, long_date
from trigger.deadlines.opening import (
    extend_deadline,
    load_deadline,
    mark_information_received,
    recompute_open_deadlines,
)
from trigger.deadlines.forms import CoordinatorForm, ExtendForm, InformationReceivedForm, RecomputeForm
from trigger.domain.workdays import HolidayDataMissing
from trigger.forms import FieldError, attach_error
from trigger.models import Role

bp = Blueprint("deadlines", __name__)


def _managed_case(case_id: int):
    """404 when there is no such case, then 403 unless this user may change it."""
    case = load_case(case_id)
    if case is None:
        abort(404)
    if not can_view_case(current_user, case) or not can_manage_case(current_user, case):
        abort(403)
    return case


def _back(case) -> str:
    return url_for("cases.show", case_id=case.id) + "#deadlines"


@bp.route("/dashboard")
@allow(DEADLINE_DASHBOARD)
def dashboard():
    area_id = request.args.get("area", type=database_id)
    agency_id = request.args.get("agency", type=database_id)
    view = dashboard_service.dashboard(current_user, london_today(), area_id=area_id, agency_id=agency_id)
    agencies = []
    if current_user.role is not Role.AGENCY_REP and view.shows_actions:
        agencies = dashboard_service.agency_options()
    return render_template(
        "deadlines/dashboard.html", view=view, area_id=area_id, agency_id=view.agency_id, agencies=agencies
    )


@bp.route("/cases/<int:case_id>/deadlines/<int:deadline_id>/extend", methods=["GET", "POST"])
@allow(MANAGE_CASES)
def extend(case_id: int, deadline_id: int):
    case = _managed_case(case_id)
    deadline = load_deadline(case, deadline_id)
    if deadline is None:
        abort(404)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            extend_deadline(deadline, form.new_due.data, form.reason.data, current_user)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(f"“{deadline.kind.label}” is now due on {long_date(deadline.due_on)}.", "success")
            return redirect(_back(case))
    status = 400 if request.method == "POST" else 200
    return render_template("deadlines/extend.html", form=form, case=case, deadline=deadline), status


@bp.route("/cases/<int:case_id>/deadlines/recompute", methods=["POST"])
@allow(MANAGE_CASES)
def recompute(case_id: int):
    case = _managed_case(case_id)
    form = RecomputeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = recompute_open_deadlines(case, current_user)
    except HolidayDataMissing as missing:
        flash(f"The deadlines could not be recomputed: {missing}", "error")
        return redirect(_back(case))  # nothing was changed; the banner on the case page says why
    if changed:
        flash(
            f"Recomputed with the current timescales of {case.area.name}: {len(changed)} due date"
            f"{'' if len(changed) == 1 else 's'} changed.",
            "success",
        )
    else:
        flash(f"Recomputed with the current timescales of {case.area.name}: no due date changed.", "success")
    return redirect(_back(case))


@bp.route("/cases/<int:case_id>/deadlines/information-received", methods=["GET", "POST"])
@allow(MANAGE_CASES)
def information_received(case_id: int):
    case = _managed_case(case_id)
    form = InformationReceivedForm()
    if request.method == "GET":
        form.received_on.data = london_today()
    if form.validate_on_submit():
        try:
            mark_information_received(case, form.received_on.data)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash("The agencies' information is recorded as received.", "success")
            return redirect(_back(case))
    status = 400 if request.method == "POST" else 200
    return render_template("deadlines/information_received.html", form=form, case=case), status


@bp.route("/cases/<int:case_id>/coordinator", methods=["GET", "POST"])
@allow(MANAGE_CASES)
def coordinator(case_id: int):
    case = _managed_case(case_id)
    form = CoordinatorForm()
    form.coordinator_id.choices = [("", "Choose a coordinator")] + coordinator_choices()
    if request.method == "GET" and case.coordinator_id:
        form.coordinator_id.data = str(case.coordinator_id)
    if form.validate_on_submit():
        try:
            chosen = database_id(form.coordinator_id.data)
        except OutOfRange:
            chosen = None  # no account has such an id: the service refuses it as it refuses any forged id
        try:
            changed = assign_coordinator(case, chosen, by=current_user._get_current_object())
        except FieldError as error:
            attach_error(form, error)
        else:
            name = dict(form.coordinator_id.choices).get(str(chosen), "")
            flash(
                f"{name} is now the coordinator of {case.reference}: its deadline reminders go to them."
                if changed
                else f"{name} was already the coordinator of {case.reference}.",
                "success",
            )
            return redirect(_back(case))
    status = 400 if request.method == "POST" else 200
    return render_template("deadlines/coordinator.html", form=form, case=case), status
