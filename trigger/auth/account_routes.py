"""A person's own sign-in security: the browsers signed in as them, each of which they can sign out."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user

from trigger import audit
from trigger.auth import services, two_factor
from trigger.auth.forms import EmptyForm
from trigger.auth.blueprint import bp
from trigger.authz import SIGNED_IN, allow
from trigger.extensions import db
from trigger.models import UserSession


@bp.route("/account/sessions")
@allow(SIGNED_IN)
def my_sessions():
    user = current_user._get_current_object()
    current_hash = services._token_hash(user.current_session_token or "")
    return render_template(
        "auth/sessions.html",
        sessions=services.live_sessions(user),
        current_hash=current_hash,
        form=EmptyForm(),
        enrolled=two_factor.is_enrolled(user),
        recovery_left=two_factor.remaining_recovery_codes(user),
    )


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@allow(SIGNED_IN)
def end_my_session(session_id: int):
    form = EmptyForm()
    row = db.session.get(UserSession, session_id)
    # Another person's session is answered as if it did not exist.
    if row is None or row.user_id != current_user.id:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    if row.revoked_at is None:
        services.end_session_row(row, "ended by its owner")
        audit.record("session.ended", "user", current_user.id, "Ended one of their own sessions")
    if row.token_hash == services._token_hash(current_user.current_session_token or ""):
        logout_user()
        session.clear()
        flash("You have signed out.", "success")
        return redirect(url_for("auth.login"))
    flash("That session has been signed out.", "success")
    return redirect(url_for("auth.my_sessions"))
