"""The public application form at /apply. Anyone may use it; it reveals nothing about any other case."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, redirect, render_template, request, session, url_for

from trigger.apply import services
from trigger.apply.forms import MAX_PUBLIC_INCIDENTS, MAX_PUBLIC_REPORTS, ApplicationForm
from trigger.audit import client_address
from trigger.domain.wording import for_the_public
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


_ENTRY = re.compile(r"^incidents-(\d+)-(?:reports-(\d+)-)?")


def _entries_beyond_the_limits() -> str | None:
    """The form keeps the first MAX_PUBLIC_INCIDENTS incidents (and MAX_PUBLIC_REPORTS reports of each): say so
    rather than drop the rest silently (a browser without the page's limits, or an assistive tool, can send more)."""
    incidents: set[str] = set()
    reports: dict[str, set[str]] = {}
    for key in request.form:
        match = _ENTRY.match(key)
        if match:
            incidents.add(match.group(1))
            if match.group(2) is not None:
                reports.setdefault(match.group(1), set()).add(match.group(2))
    if len(incidents) > MAX_PUBLIC_INCIDENTS:
        return (
            f"You have told us about {len(incidents)} incidents. This form takes up to {MAX_PUBLIC_INCIDENTS}: "
            "remove the others and tell us about them when you describe the problem."
        )
    if any(len(numbers) > MAX_PUBLIC_REPORTS for numbers in reports.values()):
        return (
            f"You can add up to {MAX_PUBLIC_REPORTS} reports for one incident. Remove the others and tell us "
            "about them in the incident's description."
        )
    return None


@bp.route("", methods=["GET", "POST"])
@allow(PUBLIC)
def apply():
    form = ApplicationForm()
    form.area_id.choices = case_services.area_choices()
    agencies = [
        (value, for_the_public(label))
        for value, label in case_services.agency_choices(blank="I did not report it, or I am not sure")
    ]
    if request.method == "GET" and len(form.area_id.choices) == 2:
        form.area_id.data = form.area_id.choices[1][0]
    action = request.form.get("add") if request.method == "POST" else None
    if request.method == "POST" and request.form.get("edit") == "yes":  # "Change your answers"
        case_forms.set_agency_choices(form.incidents, agencies)
        return render_template("apply/form.html", form=form)
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
    valid = form.validate_on_submit()
    too_many = _entries_beyond_the_limits()
    if too_many:
        form.form_errors.append(too_many)
        valid = False
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
    if request.form.get("confirmed") != "yes":
        # Check your answers: nothing is saved until the applicant has seen what they are sending. The answers
        # travel in hidden fields, so "Change your answers" brings the form back exactly as it was.
        carried = [
            (key, value)
            for key, value in request.form.items(multi=True)
            if key not in ("csrf_token", "confirmed", "edit", "add")
        ]
        return render_template(
            "apply/check.html", form=form, carried=carried, groups=services.answers(form, dict(agencies), area.name)
        )
    if form.website.data:
        # A bot filled the hidden field. It gets what a person gets - the same checks above, then a confirmation
        # with a plausible reference and date - so it cannot tell it was caught; nothing is saved but the attempt
        # (for the hourly limit).
        services.record_submission(address)
        received_on = date.today()
        due = services.acknowledge_by(area, received_on)
        session[_CONFIRMATION] = {
            "reference": services.plausible_reference(received_on),
            "area": area.name,
            "acknowledge_by": due.isoformat() if due else None,
            "emailed": bool(form.applicant_email.data),
        }
        return redirect(url_for("apply.confirmation"))
    case = services.submit(form, area)
    services.record_submission(address)
    due = services.acknowledge_by(area, case.received_on)
    session[_CONFIRMATION] = {
        "reference": case.reference,
        "area": area.name,
        "acknowledge_by": due.isoformat() if due else None,
        "emailed": bool(case.applicant_email),
    }
    return redirect(url_for("apply.confirmation"))


@bp.route("/confirmation")
@allow(PUBLIC)
def confirmation():
    details = session.pop(_CONFIRMATION, None)
    if details is None:
        return redirect(url_for("apply.apply"))
    due = date.fromisoformat(details["acknowledge_by"]) if details.get("acknowledge_by") else None
    return render_template(
        "apply/confirmation.html",
        reference=details.get("reference"),
        area=details.get("area"),
        acknowledge_by=due,
        emailed=details.get("emailed", False),
    )
