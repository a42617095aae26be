"""Action plan pages: the plan of a case, adding and changing actions, posting updates, and "My actions".

Each view loads the object (404), checks the person may act on it (403), then calls a service. A refused
attempt on an action (someone else's agency, a forged post) is audited as "action.update_refused" and the
audit event is committed on its own, because the request itself is rolled back (status 403).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trigger import audit
from trigger.actions import services
from trigger.actions.forms import ActionForm, DueDateForm, NewActionForm, PlanForm, UpdateForm, version_of
from trigger.actions.services import StaleAction
from trigger.authz import (
    ACTION_PAGES,
    MANAGE_PLANS,
    MY_ACTIONS,
    VIEW_CASES,
    allow,
    can_manage_plan,
    can_read_recommendation,
    can_update_action,
    can_view_case,
)
from trigger.extensions import db
from trigger.forms import FieldError, attach_error
from trigger.models.audit import CASE_VIEWED
from trigger.models import ActionStatus, Case, ContactMethod, PlanStatus, Priority, UpdateFrequency
from trigger.input_guard import requested_page
from trigger.domain.limits import database_id

bp = Blueprint("actions", __name__)


def _status() -> int:
    return 400 if request.method == "POST" else 200


def _today() -> date:
    return date.today()


def _load_case(case_id: int, *, manage: bool = False) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    allowed = can_manage_plan(current_user, case) if manage else can_view_case(current_user, case)
    if not allowed:
        abort(403)
    return case


def _refuse(action, what: str):
    """403, recorded in the audit trail (committed now: the refused request itself is rolled back)."""
    audit.record(
        "action.update_refused",
        "action",
        action.id,
        f"Refused: {what} an action owned by {action.owner_agency.name}",
        {
            "endpoint": request.endpoint,
            "method": request.method,
            "user_agency_id": current_user.agency_id,
            "owner_agency_id": action.owner_agency_id,
            "role": current_user.role.value,
        },
        case_id=action.plan.case_id,
    )
    db.session.commit()
    abort(403)


def _load_action(action_id: int, *, manage: bool = False):
    action = services.load_action(action_id)
    if action is None:
        abort(404)
    if manage:
        if not can_manage_plan(current_user, action.plan.case):
            _refuse(action, "change")
    elif not can_update_action(current_user, action):
        _refuse(action, "update")
    return action


# ---- the plan ----------------------------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/plan")
@allow(VIEW_CASES)
def plan(case_id: int):
    case = _load_case(case_id)
    action_plan = services.load_plan(case)
    today = _today()
    manages = can_manage_plan(current_user, case)
    rows = services.plan_rows(action_plan, case, today)
    updatable = {row.action.id for row in rows if can_update_action(current_user, row.action, manages_plan=manages)}
    audit.record(
        CASE_VIEWED,
        "case",
        case.id,
        f"Viewed the action plan of {case.reference}",
        {"page": "action plan"},
        case_id=case.id,
    )
    return render_template(
        "actions/plan.html",
        case=case,
        plan=action_plan,
        rows=rows,
        histories=services.plan_histories(action_plan),
        can_manage=manages,
        updatable=updatable,
        protective_marking="OFFICIAL-SENSITIVE",
    )


@bp.route("/cases/<int:case_id>/plan/settings", methods=["GET", "POST"])
@allow(MANAGE_PLANS)
def plan_settings(case_id: int):
    case = _load_case(case_id, manage=True)
    action_plan = services.load_plan(case)
    form = PlanForm()
    if request.method == "GET":
        form.status.data = (action_plan.status if action_plan else PlanStatus.LIVE).value
        if action_plan is not None:
            form.closed_reason.data = action_plan.closed_reason
            form.victim_update_frequency.data = (
                action_plan.victim_update_frequency or ""
            ) and action_plan.victim_update_frequency.value
            form.victim_update_method.data = (
                action_plan.victim_update_method or ""
            ) and action_plan.victim_update_method.value
            form.victim_consulted.data = action_plan.victim_consulted
            form.victim_consulted_on.data = action_plan.victim_consulted_on
    if form.validate_on_submit():
        try:
            services.save_plan_settings(
                case,
                status=PlanStatus(form.status.data),
                closed_reason=form.closed_reason.data,
                frequency=UpdateFrequency(form.victim_update_frequency.data)
                if form.victim_update_frequency.data
                else None,
                method=ContactMethod(form.victim_update_method.data) if form.victim_update_method.data else None,
                consulted=form.victim_consulted.data,
                consulted_on=form.victim_consulted_on.data,
                actor=current_user,
                today=_today(),
            )
        except FieldError as error:
            attach_error(form, error)
        else:
            flash("The action plan's settings have been saved.", "success")
            return redirect(url_for("actions.plan", case_id=case.id))
    return render_template("actions/plan_settings.html", form=form, case=case, plan=action_plan), _status()


# ---- adding and changing actions (coordinators, chairs, administrators) -------------------------------------


def _set_owner_choices(form, case: Case, action=None) -> None:
    form.owner_agency_id.choices = services.owner_agency_choices(case)
    # The named people of the owning agency once it is known: sent back, being changed, or prefilled.
    chosen = (
        form.owner_agency_id.data
        if request.method == "POST"
        else (action.owner_agency_id if action else form.owner_agency_id.data)
    )
    form.owner_user_id.choices = services.owner_user_choices(case, database_id(chosen))
    form.meeting_id.choices = services.meeting_choices(case, action.meeting_id if action else None)


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _recommendation(case: Case, raw):
    """The recommendation "Make this an action" came from: 404 if it is not one of the case's, 403 if this
    person may not read it (a restricted one)."""
    recommendation_id = database_id(raw)  # a number no row can have is refused (400), not sent to the database
    if recommendation_id is None:
        return None
    recommendation = services.recommendation_of(case, recommendation_id)
    if recommendation is None:
        abort(404)
    if not can_read_recommendation(current_user, recommendation):
        abort(403)
    return recommendation


def _prefill_from(form, draft: services.ActionDraft) -> None:
    form.description.data = draft.description
    form.owner_agency_id.data = str(draft.owner_agency_id or "")
    form.meeting_id.data = str(draft.meeting_id)
    form.restricted.data = draft.restricted
    form.victim_visible.data = draft.victim_visible
    form.victim_wording.data = draft.victim_wording


@bp.route("/cases/<int:case_id>/plan/actions/new", methods=["GET", "POST"])
@allow(MANAGE_PLANS)
def new_action(case_id: int):
    case = _load_case(case_id, manage=True)
    form = NewActionForm()
    recommendation = _recommendation(
        case, request.args.get("recommendation_id") if request.method == "GET" else form.recommendation_id.data
    )
    if recommendation is not None and request.method == "GET":
        # "Make this an action": the recommendation's words, body, meeting and sharing, in one form.
        _prefill_from(form, services.draft_from_recommendation(case, recommendation))
        form.recommendation_id.data = str(recommendation.id)
    _set_owner_choices(form, case)
    if request.method == "GET" and recommendation is None:
        # Coming from a meeting's page ("add an action agreed here"): preselect that meeting.
        form.meeting_id.data = request.args.get("meeting_id", "")
    if form.validate_on_submit():
        try:
            action = services.create_action(
                case,
                description=form.description.data,
                victim_wording=form.victim_wording.data,
                victim_visible=form.victim_visible.data,
                owner_agency_id=_int(form.owner_agency_id.data),
                owner_user_id=_int(form.owner_user_id.data),
                source_note=form.source_note.data,
                due_on=form.due_on.data,
                priority=Priority(form.priority.data),
                actor=current_user,
                today=_today(),
                meeting_id=_int(form.meeting_id.data),
                restricted=form.restricted.data,
                recommendation_id=recommendation.id if recommendation else None,
            )
        except FieldError as error:
            attach_error(form, error)
        else:
            if recommendation is not None:
                flash(
                    f"The recommendation to {recommendation.agency.name} is now action {action.number} on the "
                    "action plan.",
                    "success",
                )
                return redirect(
                    url_for("meetings.minutes", case_id=case.id, meeting_id=recommendation.meeting_id)
                    + "#recommendations"
                )
            flash(f"The action has been added to the plan. It is action {action.number}.", "success")
            return redirect(url_for("actions.plan", case_id=case.id))
    return render_template(
        "actions/action_form.html", form=form, case=case, action=None, recommendation=recommendation
    ), _status()


def _stale_response(template: str, form, stale: StaleAction, **context):
    """Refuse a stale save: say what the other person changed, keep what this person typed, and let them send
    it again from the action's current version."""
    form.version.data = str(stale.action.version)
    form.form_errors.append(
        "Someone else changed this action while you were working on it. Nothing you entered has been saved "
        "yet: check what they changed below, then send your changes again."
    )
    return render_template(
        template, form=form, stale=stale, action=stale.action, case=stale.action.plan.case, **context
    ), 409


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@allow(ACTION_PAGES)
def edit_action(action_id: int):
    action = _load_action(action_id, manage=True)
    case = action.plan.case
    form = ActionForm(obj=action if request.method == "GET" else None)
    _set_owner_choices(form, case, action)
    if request.method == "GET":
        form.owner_agency_id.data = str(action.owner_agency_id)
        form.owner_user_id.data = str(action.owner_user_id or "")
        form.meeting_id.data = str(action.meeting_id or "")
        form.priority.data = action.priority.value
        form.version.data = str(action.version)
    if form.validate_on_submit():
        try:
            services.edit_action(
                action,
                expected_version=version_of(form),
                description=form.description.data,
                victim_wording=form.victim_wording.data,
                victim_visible=form.victim_visible.data,
                owner_agency_id=_int(form.owner_agency_id.data),
                owner_user_id=_int(form.owner_user_id.data),
                source_note=form.source_note.data,
                priority=Priority(form.priority.data),
                actor=current_user,
                meeting_id=_int(form.meeting_id.data),
                restricted=form.restricted.data,
            )
        except StaleAction as stale:
            _set_owner_choices(form, stale.action.plan.case, stale.action)
            return _stale_response("actions/action_form.html", form, stale)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash("The action has been saved.", "success")
            return redirect(url_for("actions.plan", case_id=case.id))
    return render_template("actions/action_form.html", form=form, case=case, action=action), _status()


@bp.route("/actions/<int:action_id>/due-date", methods=["GET", "POST"])
@allow(ACTION_PAGES)
def change_due_date(action_id: int):
    action = _load_action(action_id, manage=True)
    form = DueDateForm()
    if request.method == "GET":
        form.version.data = str(action.version)
    if form.validate_on_submit():
        try:
            services.change_due_date(
                action,
                expected_version=version_of(form),
                due_on=form.due_on.data,
                reason=form.reason.data,
                actor=current_user,
            )
        except StaleAction as stale:
            return _stale_response("actions/due_date.html", form, stale)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash("The due date has been changed.", "success")
            return redirect(url_for("actions.plan", case_id=action.plan.case_id))
    return render_template("actions/due_date.html", form=form, case=action.plan.case, action=action), _status()


# ---- updates (the owning agency's representatives, and the plan's managers) ---------------------------------


@bp.route("/actions/<int:action_id>/update", methods=["GET", "POST"])
@allow(ACTION_PAGES)
def post_update(action_id: int):
    action = _load_action(action_id)
    form = UpdateForm()
    if request.method == "GET":
        form.status.data = action.status.value
        form.version.data = str(action.version)
    if form.validate_on_submit():
        try:
            services.post_update(
                action,
                expected_version=version_of(form),
                note=form.note.data,
                status=ActionStatus(form.status.data),
                reason=form.reason.data,
                actor=current_user,
                today=_today(),
            )
        except StaleAction as stale:
            return _stale_response(
                "actions/update.html",
                form,
                stale,
                back=_back_url(stale.action),
                action_history=services.action_history(stale.action),
            )
        except FieldError as error:
            attach_error(form, error)
        else:
            flash("Your update has been saved.", "success")
            return redirect(_back_url(action))
    return render_template(
        "actions/update.html",
        form=form,
        case=action.plan.case,
        action=action,
        action_history=services.action_history(action),
        back=_back_url(action),
    ), _status()


def _back_url(action) -> str:
    if MY_ACTIONS.allows(current_user):
        return url_for("actions.my_actions")
    return url_for("actions.plan", case_id=action.plan.case_id)


@bp.route("/my-actions")
@allow(MY_ACTIONS)
def my_actions():
    # Paged: an agency can own thousands of actions over the years (overdue first, finished last).
    listing = services.my_actions_page(current_user, _today(), requested_page())
    return render_template("actions/my_actions.html", listing=listing)
