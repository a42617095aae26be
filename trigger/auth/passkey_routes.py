"""Passkey pages and the JSON endpoints the browser's WebAuthn ceremonies call (static/js/passkeys.js)."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from trigger import audit
from trigger.auth import links, passkeys, services
from trigger.auth.forms import EmptyForm, PasskeyNameForm
from trigger.auth.passkeys import PasskeyRefused
from trigger.auth.blueprint import bp
from trigger.auth.flow import _safe_next, landing_url, pending_user
from trigger.authz import PUBLIC, SIGNED_IN, allow
from trigger.extensions import db
from trigger.models import Passkey


def _refused(error: PasskeyRefused):
    # The refusal's audit event is kept although the answer is an error.
    db.session.commit()
    return jsonify(error=str(error)), 400


@bp.route("/account/passkeys")
@allow(SIGNED_IN)
def my_passkeys():
    return render_template(
        "auth/passkeys.html",
        passkeys=passkeys.passkeys_of(current_user),
        form=PasskeyNameForm(),
        delete_form=EmptyForm(),
    )


@bp.route("/account/passkeys/options", methods=["POST"])
@allow(SIGNED_IN)
def passkey_registration_options():
    return current_app_json(passkeys.registration_options(current_user))


@bp.route("/account/passkeys", methods=["POST"])
@allow(SIGNED_IN)
def add_passkey():
    user = current_user._get_current_object()
    try:
        data = passkeys.parse(request.get_data())
        passkey = passkeys.register(user, data.get("credential") or {}, str(data.get("name") or ""))
    except PasskeyRefused as error:
        return _refused(error)
    links.security_notice(
        user,
        "A passkey was added to your Trigger account",
        f"A passkey or security key ({passkey.name}) was added to your Trigger account. It can be used to sign in.",
    )
    flash(f"Your passkey ({passkey.name}) has been added.", "success")
    return jsonify(redirect=url_for("auth.my_passkeys"))


@bp.route("/account/passkeys/<int:passkey_id>/delete", methods=["POST"])
@allow(SIGNED_IN)
def delete_passkey(passkey_id: int):
    passkey = db.session.get(Passkey, passkey_id)
    if passkey is None or passkey.user_id != current_user.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    db.session.delete(passkey)
    audit.record("passkey.removed", "user", current_user.id, f"Removed a passkey ({passkey.name})")
    flash(f"The passkey {passkey.name} has been removed.", "success")
    return redirect(url_for("auth.my_passkeys"))


@bp.route("/login/passkey/options", methods=["POST"])
@allow(PUBLIC)
def passkey_sign_in_options():
    return current_app_json(passkeys.authentication_options(pending_user()))


@bp.route("/login/passkey", methods=["POST"])
@allow(PUBLIC)
def passkey_sign_in():
    pending = pending_user()
    try:
        user = passkeys.authenticate(passkeys.parse(request.get_data()), pending)
    except PasskeyRefused as error:
        return _refused(error)
    next_url = session.get("pending_next") if pending is not None else None
    session.clear()
    services.start_session(user)
    login_user(user)
    return jsonify(redirect=_safe_next(next_url) or landing_url(user))


def current_app_json(text: str):
    from flask import current_app

    return current_app.response_class(text, mimetype="application/json")
