"""The public application form at /apply. Anyone may use it; it reveals nothing about any other case."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, redirect, render_template, request, session, url_for

from trigger.apply import services
from trigger.apply.forms import MAX_PUBLIC_INCIDENTS, MAX_PUBLIC_REPORTS, ApplicationForm
from trigger.audit import client_address
from trigger.authz import PUBLIC, allow
from trigger.cases import forms as case_forms
from trigger.cases import services as case_services
from trigger.forms import FieldError, attach_error

bp = Blueprint("apply", __name__, url_prefix="/apply")

_CONFIRMATION = "apply_confirmation"


def _add_entry(form, action: str) -> str | None:
    if action.startswith("report-"):
        try:
            reports = form.incidents[int(action.removeprefix("report-"))].form.reports
        except (ValueError, IndexError):
            return None
        if len(reports) >= MAX_PUBLIC_REPORTS:
            return f"You can add up to {MAX_PUBLIC_REPORTS} reports for one incident."
        reports.append_entry()
    elif action == "incident":
        if len(form.incidents) >= MAX_PUBLIC_INCIDENTS:
            return f"You can add up to {MAX_PUBLIC_INCIDENTS} incidents. Tell us about the others in your description."
        form.incidents.append_entry()
    return None


@bp.route("", methods=["GET", "POST"])
@allow(PUBLIC)
def apply():
    form = ApplicationForm()
    form.area_id.choices = case_services.area_choices()
    agencies = case_services.agency_choices(blank="I did not report it, or I am not sure")
    if request.method == "GET" and len(form.area_id.choices) == 2:
        form.area_id.data = form.area_id.choices[1][0]
    action = request.form.get("add") if request.method == "POST" else None
    if action:
        message = _add_entry(form, action)
        case_forms.set_agency_choices(form.incidents, agencies)
        if message:
            form.form_errors.append(message)
        return render_template("apply/form.html", form=form, added=action)
    case_forms.set_agency_choices(form.incidents, agencies)
    if request.method == "GET":
        return render_template("apply/form.html", form=form)

    address = client_address()
    if services.over_limit(address):
        form.form_errors.append(
            "We have received too many applications from your internet connection in the last hour. "
            "Please try again in an hour, or contact us by phone or email instead."
        )
        return render_template("apply/form.html", form=form), 429
    if form.website.data:
        # A bot filled the hidden field: pretend it worked, save nothing but the attempt (for the hourly limit).
        services.record_submission(address)
        session[_CONFIRMATION] = {"reference": None}
        return redirect(url_for("apply.confirmation"))

    valid = form.validate_on_submit()
    valid = case_forms.check_entries(form, require_report=False) and valid
    area = None
    try:
        area = case_services.resolve_area(form.area_id.data)
    except FieldError as error:
        if not form.area_id.errors:
            attach_error(form, error)
        valid = False
    if not valid:
        form._errors = None
        return render_template("apply/form.html", form=form), 400
    case = services.submit(form, area)
    services.record_submission(address)
    due = services.acknowledge_by(area, case.received_on)
    session[_CONFIRMATION] = {"reference": case.reference, "area": area.name,
                              "acknowledge_by": due.isoformat() if due else None}
    return redirect(url_for("apply.confirmation"))


@bp.route("/confirmation")
@allow(PUBLIC)
def confirmation():
    details = session.pop(_CONFIRMATION, None)
    if details is None:
        return redirect(url_for("apply.apply"))
    due = date.fromisoformat(details["acknowledge_by"]) if details.get("acknowledge_by") else None
    return render_template("apply/confirmation.html", reference=details.get("reference"), area=details.get("area"),
                           acknowledge_by=due)
