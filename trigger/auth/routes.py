"""Sign in, sign out and change password. Thin: the rules live in auth.services and auth.passwords."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from trigger import audit
from trigger.auth import services
from trigger.auth.forms import ChangePasswordForm, LoginForm
from trigger.auth.passwords import password_problems, verify_password
from trigger.authz import PUBLIC, SIGNED_IN, allow

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only follow same-site relative paths after sign-in, never another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def landing_url(user) -> str:
    """Where sign-in leads: agency representatives start on their agency's actions, PCC reviewers on the
    escalations, everyone else at home."""
    from trigger.models import Role

    if user.role in (Role.COORDINATOR, Role.CHAIR):
        return url_for("deadlines.dashboard")  # what is overdue and due soon, across cases and actions
    if user.role is Role.PCC_REVIEWER:
        return url_for("escalations.index")  # a PCC reviewer's work is the escalations waiting for them
    return url_for("actions.my_actions") if user.role is Role.AGENCY_REP else url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data)
        if result.user is not None:
            # A fresh Flask session at sign-in: nothing set before authentication survives it.
            session.clear()
            services.start_session(result.user)
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")) or landing_url(result.user))
        error = result.error
        form.email.errors.append(error)
    # A refused sign-in is still committed (200), so that the attempt counts towards throttling.
    # (HEAD is a GET without the body: monitors and link checkers use it.)
    status = 200 if request.method in {"GET", "HEAD"} or error else 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@allow(SIGNED_IN)
def logout():
    services.end_session(current_user.get_id())
    audit.record("logout", "user", current_user.id, "Signed out")
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(SIGNED_IN)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        profile = services.settings().password_hash_profile
        if not verify_password(user.password_hash, form.current_password.data, profile):
            form.current_password.errors.append("Your current password is not correct")
        else:
            problems = password_problems(form.new_password.data, email=user.email, name=user.name)
            if problems:
                form.new_password.errors.extend(problems)
            else:
                services.set_password(user, form.new_password.data)
                # Other browsers signed in as this person are signed out; this one carries on.
                services.revoke_all_sessions(user, "password changed")
                services.start_session(user)
                login_user(user)
                audit.record("user.password_changed", "user", user.id, "Changed their password")
                flash("Your password has been changed. Other devices have been signed out.", "success")
                return redirect(url_for("main.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/change_password.html", form=form), status
