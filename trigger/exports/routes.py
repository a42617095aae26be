"""CSV downloads. Each export has the same policy, loader and scope as the page it comes from, and is audited.

The case list streams (a partnership may have thousands of cases); a plan and an agency's actions are read at
once. The audit event is added before the response starts, so the request's commit (status 200) keeps it.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, abort, request, stream_with_context
from flask_login import current_user

from trigger import audit
from trigger.authz import MY_ACTIONS, VIEW_CASES, allow, can_view_case
from trigger.deadlines.dates import london_today
from trigger.exports import services
from trigger.extensions import db
from trigger.models import Case

bp = Blueprint("exports", __name__)


def _csv_response(name: str, pieces: Iterator[str]) -> Response:
    response = Response(stream_with_context(pieces), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/cases/export.csv")
@allow(VIEW_CASES)
def cases_csv():
    filters = services.CaseListFilters.from_args(request.args)
    today = london_today()
    rows = services.case_list(current_user, filters, today)
    audit.record("export.cases", "case", None, "Exported the case list as CSV", {"filters": filters.described()})
    return _csv_response(services.filename("cases", on=today), services.csv_text(services.CASE_LIST_HEADER, rows))


@bp.route("/cases/<int:case_id>/plan.csv")
@allow(VIEW_CASES)
def plan_csv(case_id: int):
    case = db.session.get(Case, case_id)  # as the plan page: 404, then 403
    if case is None:
        abort(404)
    if not can_view_case(current_user, case):
        abort(403)
    today = london_today()
    rows = services.action_plan(case, today, current_user)
    audit.record(
        "export.action_plan",
        "case",
        case.id,
        f"Exported the action plan of {case.reference} as CSV",
        {"actions": len(rows)},
        case_id=case.id,
    )
    return _csv_response(
        services.filename("action-plan", case.reference, on=today), services.csv_text(services.PLAN_HEADER, rows)
    )


@bp.route("/my-actions.csv")
@allow(MY_ACTIONS)
def my_actions_csv():
    today = london_today()
    rows = services.my_actions(current_user, today)
    audit.record(
        "export.my_actions", "agency", current_user.agency_id, "Exported My actions as CSV", {"actions": len(rows)}
    )
    return _csv_response(services.filename("my-actions", on=today), services.csv_text(services.MY_ACTIONS_HEADER, rows))
