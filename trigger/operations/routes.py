"""The operators' status: an administrator's page, and /status.json for monitoring (a bearer token)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from trigger.authz import ADMIN, PUBLIC, allow, status_token_allows
from trigger.operations.status import current_status

bp = Blueprint("operations", __name__)


@bp.route("/admin/status")
@allow(ADMIN)
def status_page():
    return render_template("operations/status.html", status=current_status())


@bp.route("/status.json")
@allow(PUBLIC)  # no session: the token below is the check (authz.status_token_allows)
def status_json():
    configured = current_app.config["TRIGGER_SETTINGS"].status_token
    if not configured:
        abort(404)  # monitoring switched off: the endpoint does not exist
    if not status_token_allows(request.headers.get("Authorization", ""), configured):
        abort(403)
    status = current_status()
    # 200 whatever the news: a monitor reads "status" and "problems"; 503 only when the database is gone.
    return jsonify(status.as_dict()), 200 if status.database_ok else 503
