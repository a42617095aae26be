"""Governance pages: retention periods, legal holds on cases, "Data we hold", subject access, public notices."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trigger.authz import ADMIN, MANAGE_LEGAL_HOLDS, allow, can_view_case
from trigger.extensions import db
from trigger.forms import FieldError, attach_error
from trigger.governance import notices, register, retention, subject_access
from trigger.governance.forms import (
    ExportForm,
    HoldForm,
    RetentionForm,
    SubjectSearchForm,
    notice_form_class,
)
from trigger.models import Area, Case

bp = Blueprint("governance", __name__)


def _status() -> int:
    return 400 if request.method == "POST" else 200


def _area(area_id: int) -> Area:
    area = db.session.get(Area, area_id)
    if area is None:
        abort(404)
    return area


def _case(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    if not can_view_case(current_user, case):
        abort(403)
    return case


@bp.route("/admin/governance")
@allow(ADMIN)
def index():
    return render_template("governance/index.html")


@bp.route("/admin/retention")
@allow(ADMIN)
def retention_periods():
    areas = db.session.scalars(db.select(Area).order_by(Area.name)).all()
    due, held_due = retention.candidates(date.today())
    return render_template(
        "governance/retention.html",
        areas=areas,
        years=retention.retention_by_area(),
        held=retention.cases_on_hold(),
        due=due,
        held_due=held_due,
    )


@bp.route("/admin/areas/<int:area_id>/retention", methods=["GET", "POST"])
@allow(ADMIN)
def edit_retention(area_id: int):
    area = _area(area_id)
    form = RetentionForm(data={"retention_years": retention.retention_years(area)} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            retention.set_retention_years(area, form.retention_years.data, current_user)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(
                f"Closed cases in {area.name} are now anonymised {form.retention_years.data} years after they close.",
                "success",
            )
            return redirect(url_for("governance.retention_periods"))
    return render_template("governance/edit_retention.html", area=area, form=form), _status()


@bp.route("/cases/<int:case_id>/legal-hold", methods=["GET", "POST"])
@allow(MANAGE_LEGAL_HOLDS)
def place_hold(case_id: int):
    case = _case(case_id)
    form = HoldForm()
    if form.validate_on_submit():
        try:
            retention.place_hold(case, form.reason.data, current_user)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(
                f"{case.reference} is under a legal hold: the retention run will not anonymise it until the "
                "hold is lifted.",
                "success",
            )
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template(
        "governance/hold.html", case=case, form=form, lifting=False, holds=retention.holds_of(case.id)
    ), _status()


@bp.route("/cases/<int:case_id>/legal-hold/lift", methods=["GET", "POST"])
@allow(MANAGE_LEGAL_HOLDS)
def lift_hold(case_id: int):
    case = _case(case_id)
    hold = retention.hold_in_force(case.id)
    form = HoldForm()
    if hold is None and request.method == "GET":
        flash(f"{case.reference} is not under a legal hold.", "info")
        return redirect(url_for("cases.show", case_id=case.id))
    if form.validate_on_submit():
        try:
            retention.lift_hold(case, form.reason.data, current_user)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(f"The legal hold on {case.reference} was lifted.", "success")
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template(
        "governance/hold.html", case=case, form=form, lifting=True, hold=hold, holds=retention.holds_of(case.id)
    ), _status()


@bp.route("/admin/data-we-hold")
@allow(ADMIN)
def data_we_hold():
    return render_template(
        "governance/data_we_hold.html",
        records=register.records(),
        years=retention.retention_by_area(),
        areas=db.session.scalars(db.select(Area).order_by(Area.name)).all(),
    )


@bp.app_template_global("legal_hold_banner")
def legal_hold_banner(case: Case) -> dict | None:
    """For templates/governance/_case_hold.html: the hold in force, or the anonymisation, of a case (or None).

    A template global rather than a value from the case view, so the case page needs only a one-line include.
    """
    return retention.banner(case.id)


def _edit_notice(kind: str):
    form = notice_form_class(kind)(data=notices.form_defaults(kind) if request.method == "GET" else None)
    if form.validate_on_submit():
        notices.save(kind, form.data, current_user)
        flash(f"The {notices.KINDS[kind][0].lower()} was saved and is now public.", "success")
        return redirect(url_for(f"governance.edit_{kind}"))
    public_url = url_for(f"main.{kind}")
    return render_template(
        "governance/edit_notice.html",
        form=form,
        kind=kind,
        title=notices.KINDS[kind][0],
        sections=notices.KINDS[kind][1],
        dates=notices.DATE_FIELDS.get(kind, ()),
        public_url=public_url,
    ), _status()


@bp.route("/admin/notices/privacy", methods=["GET", "POST"])
@allow(ADMIN)
def edit_privacy():
    return _edit_notice("privacy")


@bp.route("/admin/notices/accessibility", methods=["GET", "POST"])
@allow(ADMIN)
def edit_accessibility():
    return _edit_notice("accessibility")


def _search_page(search: SubjectSearchForm, export_form: ExportForm, status: int = 200):
    candidates, truncated, searched = [], False, False
    if search.q.data is not None and search.validate():
        searched = True
        candidates, truncated = subject_access.search(search.q.data)
    elif search.q.data is not None:
        status = 400
    return render_template(
        "governance/subject_access.html",
        search=search,
        export_form=export_form,
        candidates=candidates,
        truncated=truncated,
        searched=searched,
    ), status


@bp.route("/admin/subject-access")
@allow(ADMIN)
def subject_access_search():
    search = SubjectSearchForm(request.args, meta={"csrf": False})
    if "q" not in request.args:
        search.q.data = None
    return _search_page(search, ExportForm())


@bp.route("/admin/subject-access/export", methods=["POST"])
@allow(ADMIN)
def subject_access_export():
    search = SubjectSearchForm(request.form, meta={"csrf": False})
    form = ExportForm()
    if form.validate_on_submit():
        try:
            kind, ids = subject_access.parse_token(form.subject.data)
            content, filename = subject_access.export(kind, ids, current_user)
        except subject_access.SubjectNotFound as problem:
            form.subject.errors.append(str(problem))
        else:
            return Response(
                content,
                mimetype="application/zip",
                headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
            )
    return _search_page(search, form, status=400)
