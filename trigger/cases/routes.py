"""Case pages: the list, staff intake, the case page and moving a case's stage."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trigger.authz import MANAGE_CASES, VIEW_CASES, allow, can_manage_case, can_view_case, visible_meetings
from trigger.authz import can_record_escalation
from trigger.cases import services
from trigger.deadlines.dates import london_today
from trigger.deadlines.listing import next_deadlines
from trigger.deadlines.status import case_deadlines
from trigger.cases.forms import (
    CaseForm,
    StageForm,
    add_entry,
    case_fields,
    check_entries,
    incident_data,
    perpetrator_data,
    set_agency_choices,
)
from trigger.domain.stages import DECISION_STAGES, Stage, next_stages
from trigger.extensions import db
from trigger.forms import FieldError, attach_error
from trigger.escalations import services as escalation_services
from trigger.meetings import services as meeting_services
from trigger.risk import services as risk_services
from trigger.restorative import services as restorative_services
from trigger.models import Area, Channel
from trigger.input_guard import requested_page
from trigger.threshold.services import advise

bp = Blueprint("cases", __name__, url_prefix="/cases")

PER_PAGE = 25


def _load_visible(case_id: int, load=services.load_case):
    """404 when there is no such case, then 403 when this user may not see it."""
    case = load(case_id)
    if case is None:
        abort(404)
    if not can_view_case(current_user, case):
        abort(403)
    return case


@bp.route("")
@allow(VIEW_CASES)
def index():
    filters = services.CaseListFilters.from_args(request.args)
    query, area_id, stage, overdue, sort = filters.query, filters.area_id, filters.stage, filters.overdue, filters.sort
    statement = services.search_cases(current_user, query=query, area_id=area_id, stage=stage, overdue=overdue,
                                      sort=sort)
    page = services.page_of_cases(statement, requested_page(), PER_PAGE)
    areas = db.session.scalars(db.select(Area).order_by(Area.name)).all()
    return render_template("cases/index.html", page=page, query=query, area_id=area_id, stage=stage,
                           areas=areas, stages=list(Stage), can_add=MANAGE_CASES.allows(current_user),
                           overdue=overdue, sort=sort,
                           next_deadlines=next_deadlines([c.id for c in page.items]))


@bp.route("/new", methods=["GET", "POST"])
@allow(MANAGE_CASES)
def new():
    form = CaseForm()
    form.area_id.choices = services.area_choices()
    agencies = services.agency_choices()
    if request.method == "GET":
        form.received_on.data = date.today()
        form.channel.data = Channel.PHONE.value
        if len(form.area_id.choices) == 2:
            form.area_id.data = form.area_id.choices[1][0]
    action = request.form.get("add") if request.method == "POST" else None
    if action:
        # "Add another ...": show the form again with one more blank entry; nothing is checked or saved.
        message = add_entry(form, action)
        set_agency_choices(form.incidents, agencies)
        if message:
            flash(message, "info")
        return render_template("cases/new.html", form=form, added=action)
    set_agency_choices(form.incidents, agencies)
    if request.method == "POST":
        valid = form.validate_on_submit()
        valid = check_entries(form, require_report=True) and valid
        area = None
        try:
            area = services.resolve_area(form.area_id.data)
        except FieldError as error:
            if not form.area_id.errors:
                attach_error(form, error)
            valid = False
        if valid:
            case = services.create_case(
                case_fields(form), incident_data(form.incidents), perpetrator_data(form.perpetrators),
                area=area, channel=Channel(form.channel.data), actor=current_user,
            )
            flash(f"Application {case.reference} has been saved.", "success")
            return redirect(url_for("cases.show", case_id=case.id))
        form._errors = None
        return render_template("cases/new.html", form=form), 400
    return render_template("cases/new.html", form=form)


@bp.route("/<int:case_id>")
@allow(VIEW_CASES)
def show(case_id: int):
    case = _load_visible(case_id)
    services.record_view_of(case.id, case.reference)
    manage = can_manage_case(current_user, case)
    return render_template(
        "cases/show.html",
        case=case,
        advice=advise(case),
        links=services.links_of(case, current_user),
        timeline=services.timeline(case, current_user, None if request.args.get("timeline") == "all" else services.TIMELINE_LIMIT),
        meetings=visible_meetings(current_user, case, meeting_services.meetings_of(case, with_attendees=False)),
        can_manage=manage,
        can_decide=manage and case.stage is not Stage.ESCALATED
        and any(s in DECISION_STAGES for s in next_stages(case.stage)),
        deadlines=case_deadlines(case, london_today()),
        escalations=escalation_services.escalations_of(case),
        can_escalate=can_record_escalation(current_user, case) and escalation_services.can_be_escalated(case),
        risk=risk_services.latest_assessment(case),
        restorative=restorative_services.case_section(case, current_user),
        protective_marking="OFFICIAL-SENSITIVE",
    )


@bp.route("/<int:case_id>/stage", methods=["GET", "POST"])
@allow(MANAGE_CASES)
def change_stage(case_id: int):
    case = _load_visible(case_id)
    if not can_manage_case(current_user, case):
        abort(403)
    form = StageForm()
    # Threshold stages are reached by recording a decision, which carries its reasons and decision maker.
    form.stage.choices = [(s.value, s.label) for s in _manual_stages(case.stage)]
    if form.validate_on_submit():
        try:
            target = Stage(form.stage.data)
        except ValueError:
            target = None
        try:
            if target is None or target not in _manual_stages(case.stage):
                raise FieldError("stage", "Choose one of the stages listed")
            services.move_to(case, target, form.reason.data, applicant_told_on=form.applicant_told_on.data)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(f"{case.reference} is now at the stage “{target.label}”.", "success")
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/stage.html", form=form, case=case), 400 if request.method == "POST" else 200


def _manual_stages(current: Stage) -> list[Stage]:
    """The stages this page offers. Threshold stages need a decision (with reasons and decision maker);
    escalating needs the applicant's request (grounds, consent) and leaving "escalated" needs the reviewing
    body's outcome, both recorded in trigger.escalations. While escalated a case can only be withdrawn (closed).
    """
    if current is Stage.ESCALATED:
        return [Stage.CLOSED]
    return [s for s in next_stages(current) if s not in DECISION_STAGES and s is not Stage.ESCALATED]
