from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from trigger.authz import PUBLIC, SIGNED_IN, allow
from trigger.extensions import db
from trigger.setup.services import setup_required

bp = Blueprint("main", __name__)


@bp.route("/")
@allow(PUBLIC)
def index():
    if setup_required():
        return redirect(url_for("setup.first_run"))
    if current_user.is_authenticated:
        from trigger.auth.flow import landing_url

        return redirect(landing_url(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/home")
@allow(SIGNED_IN)
def home():
    return render_template("main/home.html")


@bp.route("/healthz")
@allow(PUBLIC)
def healthz():
    """For load balancers: 200 when the database answers, 503 with the reason when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        reason = type(error.orig if getattr(error, "orig", None) else error).__name__
        return jsonify(status="error", database="unreachable", reason=reason), 503
    return jsonify(status="ok", database="ok")


@bp.route("/accessibility")
@allow(PUBLIC)
def accessibility():
    from trigger.governance import notices

    return render_template("main/accessibility.html", notice=notices.current("accessibility"))


@bp.route("/privacy")
@allow(PUBLIC)
def privacy():
    from trigger.governance import notices

    return render_template("main/privacy.html", notice=notices.current("privacy"))
