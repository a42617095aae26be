"""Case pages: the list, staff intake, the case page's sections, correcting details, and moving a case's stage.

The case page is in sections, one URL each (summary with "what happens next", incidents and threshold, timeline,
and the whole case for printing here; meetings, plan and documents in their own blueprints), under one
sub-navigation (templates/cases/_subnav.html). Each section loads the case (404), checks access (403) and records
the view, as the single long page did.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trigger.authz import MANAGE_CASES, VIEW_CASES, allow, can_manage_case, can_view_case, visible_meetings
from trigger.authz import CORRECT_CASES, can_correct_case, can_record_escalation
from trigger.cases import corrections
from trigger.cases.correction_forms import ApplicantCorrectionForm, IncidentCorrectionForm
from trigger.cases.corrections import StaleDetails
from trigger.cases import tasks as case_tasks
from trigger.cases import services
from trigger.cases.summary import SummaryFacts, summary_facts
from trigger.governance import retention
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
    statement = services.search_cases(
        current_user, query=query, area_id=area_id, stage=stage, overdue=overdue, sort=sort, for_list=True
    )
    counted = services.listed_total(current_user, filters)
    page = services.shown_to(current_user, services.page_of_cases(statement, requested_page(), PER_PAGE, counted))
    areas = db.session.scalars(db.select(Area).order_by(Area.name)).all()
    return render_template(
        "cases/index.html",
        page=page,
        query=query,
        area_id=area_id,
        stage=stage,
        areas=areas,
        stages=list(Stage),
        can_add=MANAGE_CASES.allows(current_user),
        overdue=overdue,
        sort=sort,
        next_deadlines=next_deadlines([c.id for c in page.items]),
    )


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
                case_fields(form),
                incident_data(form.incidents),
                perpetrator_data(form.perpetrators),
                area=area,
                channel=Channel(form.channel.data),
                actor=current_user,
            )
            flash(f"Application {case.reference} has been saved.", "success")
            return redirect(url_for("cases.show", case_id=case.id))
        form._errors = None
        return render_template("cases/new.html", form=form), 400
    return render_template("cases/new.html", form=form)


def _section(case_id: int, load=services.load_case):
    """Every section page of a case: load it (404), check access (403), record the view (DOMAIN.md section 6)."""
    case = _load_visible(case_id, load)
    services.record_view_of(case.id, case.reference)
    return case


def _case_context(case, has_links: bool = True) -> dict:
    """What the summary and the incidents section both show: linked cases and what this person may do.
    ``has_links``: False when the caller knows the case has no links (trigger.cases.summary)."""
    manage = can_manage_case(current_user, case)
    return dict(
        links=services.links_of(case, current_user) if has_links else [],
        can_manage=manage,
        can_decide=manage
        and case.stage is not Stage.ESCALATED
        and any(s in DECISION_STAGES for s in next_stages(case.stage)),
        can_correct=can_correct_case(current_user, case),
    )


def _threshold_context(case) -> dict:
    """The incidents section's: the above and the threshold check (evaluating every incident and report)."""
    return dict(advice=advise(case), **_case_context(case))


def _summary_context(case, facts: SummaryFacts | None = None) -> dict:
    """What the summary (and the print view) shows besides the case: read in one statement (trigger.cases.summary),
    then only the sections that have anything."""
    facts = facts or summary_facts(case, current_user)
    return dict(
        **_case_context(case, facts.has_links),
        deadlines=case_deadlines(case, london_today(), coordinator=facts.coordinator),
        escalations=escalation_services.escalations_of(case) if facts.has_escalations else [],
        can_escalate=can_record_escalation(current_user, case) and escalation_services.can_be_escalated(case),
        risk=risk_services.latest_assessment(case) if facts.has_risk_assessment else None,
        restorative=restorative_services.case_section(case, current_user, None if facts.has_referrals else []),
        known_governance=retention.banner(case.id) if facts.held or facts.anonymised else None,
    )


@bp.route("/<int:case_id>")
@allow(VIEW_CASES)
def show(case_id: int):
    """The case's summary: what happens next, deadlines, the application and the people."""
    if request.args.get("timeline") == "all":  # the single long page's "Show the whole timeline" link, kept
        return timeline(case_id)
    case = _section(case_id, services.load_case_summary)
    facts = summary_facts(case, current_user)  # the summary shows no threshold check: the incidents section does
    return render_template(
        "cases/show.html",
        case=case,
        case_section="summary",
        tasks=case_tasks.shown_tasks(case, current_user, facts.tasks),
        protective_marking="OFFICIAL-SENSITIVE",
        **_summary_context(case, facts),
    )


@bp.route("/<int:case_id>/incidents")
@allow(VIEW_CASES)
def incidents(case_id: int):
    """Incidents and the threshold: the evaluation, each incident with its reports, and the decisions."""
    case = _section(case_id)
    return render_template(
        "cases/incidents.html",
        case=case,
        case_section="incidents",
        protective_marking="OFFICIAL-SENSITIVE",
        **_threshold_context(case),
    )


@bp.route("/<int:case_id>/timeline")
@allow(VIEW_CASES)
def timeline(case_id: int):
    case = _section(case_id)
    limit = None if request.args.get("timeline") == "all" else services.TIMELINE_LIMIT
    return render_template(
        "cases/timeline.html",
        case=case,
        case_section="timeline",
        timeline=services.timeline(case, current_user, limit),
        protective_marking="OFFICIAL-SENSITIVE",
    )


@bp.route("/<int:case_id>/print")
@allow(VIEW_CASES)
def print_view(case_id: int):
    """The whole case on one page, for printing: every section the reader may see, the whole timeline."""
    case = _section(case_id)
    return render_template(
        "cases/print.html",
        case=case,
        case_section=None,
        timeline=services.timeline(case, current_user, None),
        meetings=visible_meetings(current_user, case, meeting_services.meetings_of(case)),
        protective_marking="OFFICIAL-SENSITIVE",
        advice=advise(case),
        **_summary_context(case),
    )


# ---- correcting details after intake ----------------------------------------------------------------------


def _correctable(case_id: int):
    case = _load_visible(case_id)
    if not can_correct_case(current_user, case):
        abort(403)
    return case


def _same(a, b) -> bool:
    plain = [x.isoformat() if hasattr(x, "isoformat") else x for x in (a, b)]
    return str("" if plain[0] is None else plain[0]) == str("" if plain[1] is None else plain[1])


def _merge_stale(form, stale: StaleDetails, fields: dict) -> list[tuple[str, str]]:
    """Refuse a stale save without losing anything: the details this person left alone take the other person's
    new values, what they typed stays, and the page lists what the other person changed."""
    opened = corrections.opened_with(form.token.data)
    form.token.data = stale.token
    changed = []
    for key, current in stale.current.items():
        field = fields.get(key)
        if field is None or _same(current, opened.get(key)):
            continue  # the other person did not change it
        if _same(field.data, opened.get(key)):  # this person did not touch it: take the other person's value
            _set_field(field, current)
        label = field.label.text if key in form else f"{field.label.text} ({key.split('_')[1]})"
        changed.append((label, "Yes" if current is True else "No" if current is False else str(current or "(blank)")))
    form.form_errors.append(
        "Someone else changed these details while you were correcting them. Nothing you entered "
        "has been saved yet: the details they changed are listed below and are now in the form "
        "where you had not changed them. Check them, then send your correction again."
    )
    return changed


def _set_field(field, value) -> None:
    if isinstance(value, bool) or field.type == "BooleanField":
        field.data = bool(value)
        return
    text = "" if value is None else str(value)
    if field.type in ("DateInput", "TimeInput"):
        field.raw_data = [text[:5] if field.type == "TimeInput" else text]
    field.data = value if field.type in ("DateInput", "TimeInput") else text


@bp.route("/<int:case_id>/applicant", methods=["GET", "POST"])
@allow(CORRECT_CASES)
def correct_applicant(case_id: int):
    case = _correctable(case_id)
    form = ApplicantCorrectionForm()
    now = None
    if request.method == "GET":
        snapshot = corrections.snapshot_applicant(case)
        for name in form.FIELDS:
            getattr(form, name).data = (
                getattr(case, name).value if name.startswith("preferred_") else getattr(case, name)
            )
        form.token.data = corrections.details_token(snapshot)
    elif form.validate_on_submit():
        values = {name: getattr(form, name).data for name in form.FIELDS}
        try:
            result = corrections.correct_applicant(
                case, values, reason=form.reason.data, expected_token=form.token.data or "", actor=current_user
            )
        except FieldError as error:
            attach_error(form, error)
        except StaleDetails as stale:
            now = _merge_stale(form, stale, {name: getattr(form, name) for name in form.FIELDS})
        else:
            flash(
                f"The applicant's {', '.join(result.described)} {'has' if len(result.described) == 1 else 'have'} "
                "been corrected.",
                "success",
            )
            return redirect(url_for("cases.show", case_id=case.id, _anchor="people"))
    status = 409 if now else 400 if request.method == "POST" else 200
    return render_template("cases/correct_applicant.html", form=form, case=case, now=now), status


@bp.route("/<int:case_id>/incidents/<int:incident_id>/correct", methods=["GET", "POST"])
@allow(CORRECT_CASES)
def correct_incident(case_id: int, incident_id: int):
    case = _correctable(case_id)
    incident = next((i for i in case.incidents if i.id == incident_id), None)
    if incident is None:
        abort(404)
    number = advise(case).numbers.get(incident.id, 1)
    form = IncidentCorrectionForm()
    now = None
    if request.method == "GET":
        for name in form.FIELDS:
            getattr(form, name).data = getattr(incident, name)
        for report in incident.reports:
            form.reports.append_entry(
                {
                    "reported_on": report.reported_on,
                    "agency_reference": report.agency_reference,
                    "how_reported": report.how_reported.value if report.how_reported else "",
                    "what_was_done": report.what_was_done,
                }
            )
        form.token.data = corrections.details_token(corrections.snapshot_incident(incident))
    elif form.validate_on_submit():
        values = {name: getattr(form, name).data for name in form.FIELDS}
        reports = [entry.form.data for entry in form.reports]
        try:
            result = corrections.correct_incident(
                case,
                incident,
                number,
                values,
                reports,
                reason=form.reason.data,
                expected_token=form.token.data or "",
                actor=current_user,
            )
        except FieldError as error:
            attach_error(form, error)
        except StaleDetails as stale:
            fields = {name: getattr(form, name) for name in form.FIELDS}
            for n, entry in enumerate(form.reports, start=1):
                fields.update({f"report_{n}_{k}": entry.form[k] for k in corrections.REPORT_FIELDS})
            now = _merge_stale(form, stale, fields)
        else:
            flash(
                f"Incident {number}'s {', '.join(result.described)} "
                f"{'has' if len(result.described) == 1 else 'have'} been corrected.",
                "success",
            )
            return redirect(url_for("cases.incidents", case_id=case.id, _anchor="threshold"))
    status = 409 if now else 400 if request.method == "POST" else 200
    return render_template(
        "cases/correct_incident.html",
        form=form,
        case=case,
        incident=incident,
        number=number,
        report_rows=list(zip(form.reports, incident.reports, strict=False)),
        now=now,
    ), status


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
