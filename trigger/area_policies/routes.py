"""Administration pages under an area: its closure days, its stage timescales and its reminder ladder."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trigger.admin.forms import ConfirmForm
from trigger.area_policies import services
from trigger.area_policies.forms import ClosureDayForm, LadderForm, TimescaleForm
from trigger.authz import ADMIN, allow
from trigger.domain.deadlines import ANCHOR_OF, PUBLISHED_RANGES, DeadlineKind, TimescalePolicy
from trigger.extensions import db
from trigger.forms import FieldError, attach_error
from trigger.models import Area, AreaClosureDay
from trigger.models.area_policies import TIMESCALE_FIELDS

bp = Blueprint("area_policies", __name__, url_prefix="/admin/areas/<int:area_id>")

# Field -> the stage it sets, for hints ("Published range: 1 to 10 working days").
KIND_OF_FIELD = {
    "acknowledge": DeadlineKind.ACKNOWLEDGE,
    "information_gathered": DeadlineKind.INFORMATION,
    "threshold_decision": DeadlineKind.THRESHOLD_DECISION,
    "meeting_held": DeadlineKind.MEETING,
    "outcome_sent": DeadlineKind.OUTCOME,
    "escalation_window": DeadlineKind.ESCALATION_REQUEST,
    "escalation_decided": DeadlineKind.ESCALATION_DECISION,
}


def _area(area_id: int) -> Area:
    area = db.session.get(Area, area_id)
    if area is None:
        abort(404)
    return area


def _form_status() -> int:
    return 400 if request.method == "POST" else 200


@bp.route("/closures", methods=["GET", "POST"])
@allow(ADMIN)
def closures(area_id: int):
    area = _area(area_id)
    form = ClosureDayForm()
    if form.validate_on_submit():
        try:
            closure = services.add_closure_day(area, form.day.data, form.reason.data or "")
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(
                f"{closure.day:%A} {closure.day.day} {closure.day:%B %Y} is now a closure day in {area.name}: "
                "deadlines computed from now on skip it.",
                "success",
            )
            return redirect(url_for("area_policies.closures", area_id=area.id))
    return render_template(
        "area_policies/closures.html", area=area, form=form, closures=services.closure_days(area)
    ), _form_status()


@bp.route("/closures/<int:closure_id>/remove", methods=["GET", "POST"])
@allow(ADMIN)
def remove_closure(area_id: int, closure_id: int):
    area = _area(area_id)
    closure = db.session.get(AreaClosureDay, closure_id)
    if closure is None or closure.area_id != area.id:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        day = closure.day
        services.remove_closure_day(area, closure)
        flash(f"{day:%A} {day.day} {day:%B %Y} is no longer a closure day in {area.name}.", "success")
        return redirect(url_for("area_policies.closures", area_id=area.id))
    return render_template("area_policies/remove_closure.html", area=area, closure=closure, form=form)


@bp.route("/timescales", methods=["GET", "POST"])
@allow(ADMIN)
def timescales(area_id: int):
    area = _area(area_id)
    current = services.timescale_for_area(area)
    form = TimescaleForm(
        data={name: getattr(current, name) for name in TIMESCALE_FIELDS} if request.method == "GET" else None
    )
    if form.validate_on_submit():
        try:
            saved = services.save_timescales(
                area,
                {name: getattr(form, name).data for name in TIMESCALE_FIELDS},
                by=current_user._get_current_object(),
            )
        except FieldError as error:
            attach_error(form, error)
        else:
            if saved is None:
                flash("No changes were made to the timescales.", "success")
            else:
                flash(
                    f"The timescales of {area.name} have been saved. They apply to deadlines computed from now "
                    "on; existing cases keep theirs unless the coordinator recomputes them.",
                    "success",
                )
                for warning in _policy_from_form(form).outside_published_ranges():
                    flash(warning, "warning")
            return redirect(url_for("area_policies.timescales", area_id=area.id))
    hints = {
        name: f"Working days {ANCHOR_OF[kind]}. "
        + (
            f"Published range: {PUBLISHED_RANGES[kind][0]} to {PUBLISHED_RANGES[kind][1]} working days. "
            if kind in PUBLISHED_RANGES
            else ""
        )
        + f"Default: {getattr(TimescalePolicy(), name)}."
        for name, kind in KIND_OF_FIELD.items()
    }
    return render_template(
        "area_policies/timescales.html",
        area=area,
        form=form,
        hints=hints,
        warnings=current.outside_published_ranges(),
        history=services.timescale_history(area),
        fields=TIMESCALE_FIELDS,
    ), _form_status()


def _policy_from_form(form: TimescaleForm) -> TimescalePolicy:
    return TimescalePolicy(**{name: getattr(form, name).data for name in TIMESCALE_FIELDS})


@bp.route("/reminders", methods=["GET", "POST"])
@allow(ADMIN)
def reminders(area_id: int):
    from trigger.deadlines.ladders import LADDER_FIELDS, ladder_for_area, save_ladder
    from trigger.domain.reminders import DEFAULT_LADDER

    area = _area(area_id)
    current = ladder_for_area(area)
    form = LadderForm(
        data={
            "days_before": current.days_before,
            "escalate_after": current.escalate_after,
            "on_the_day": "yes" if current.on_the_day else "no",
            "when_overdue": "yes" if current.when_overdue else "no",
        }
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in LADDER_FIELDS}
        values["on_the_day"], values["when_overdue"] = values["on_the_day"] == "yes", values["when_overdue"] == "yes"
        try:
            saved = save_ladder(area, values, by=current_user._get_current_object())
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(
                f"The reminders of {area.name} have been saved. They apply from the next reminder run."
                if saved
                else "No changes were made to the reminders.",
                "success",
            )
            return redirect(url_for("area_policies.reminders", area_id=area.id))
    return render_template(
        "area_policies/reminders.html",
        area=area,
        form=form,
        default=DEFAULT_LADDER,
        is_default=current == DEFAULT_LADDER,
    ), _form_status()
