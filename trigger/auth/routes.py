"""Sign in, sign out and change password. Thin: the rules live in auth.services and auth.passwords."""

from __future__ import annotations


from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from trigger import audit
from trigger.auth import links, oidc, passkeys, services, two_factor
from trigger.auth.forms import ChangePasswordForm, CodeForm, LoginForm
from trigger.auth.passwords import password_problems, verify_password
from trigger.authz import PUBLIC, SIGNED_IN, allow

from trigger.auth.blueprint import bp
from trigger.auth.flow import (
    _safe_next,
    after_first_factor,
    finish_sign_in,
    landing_url,
    pending_user,
)


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
            return after_first_factor(result.user, request.args.get("next"))
        error = result.error
        form.email.errors.append(error)
    # A refused sign-in is still committed (200), so that the attempt counts towards throttling.
    # (HEAD is a GET without the body: monitors and link checkers use it.)
    status = 200 if request.method in {"GET", "HEAD"} or error else 400
    return render_template("auth/login.html", form=form, sso_providers=oidc.providers()), status


@bp.route("/login/code", methods=["GET", "POST"])
@allow(PUBLIC)
def sign_in_code():
    user = pending_user()
    if user is None or not (two_factor.is_enrolled(user) or passkeys.has_passkey(user)):
        flash("Sign in again: that took too long, or the page was opened on its own.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    refused = False
    if form.validate_on_submit():
        if services.is_throttled(user.email, audit.client_address()):
            form.code.errors.append(services._throttle_message())
            refused = True
        elif (how := two_factor.verify(user, form.code.data)) is not None:
            left = two_factor.remaining_recovery_codes(user) if how == "recovery" else None
            response = finish_sign_in(user, session.get("pending_next"))
            if left is not None:
                flash(
                    f"You signed in with a recovery code. You have {left} left: if your phone is lost, "
                    "ask your administrator to reset your two-factor authentication.",
                    "info",
                )
            return response
        else:
            form.code.errors.append(
                "The code is not correct, or has been used already. Enter the newest code "
                "from your authenticator app, or a recovery code"
            )
            refused = True
    # A refused code is committed (200) so that it counts towards throttling.
    status = 200 if request.method == "GET" or refused else 400
    return render_template(
        "auth/code.html",
        form=form,
        user=user,
        has_app=two_factor.is_enrolled(user),
        has_passkey=passkeys.has_passkey(user),
    ), status


@bp.route("/two-factor/set-up", methods=["GET", "POST"])
@allow(PUBLIC)
def set_up_two_factor():
    """Enrol an authenticator app: at the first sign-in when the role needs it, or by choice when signed in."""
    signed_in = current_user.is_authenticated
    user = current_user._get_current_object() if signed_in else pending_user()
    if user is None:
        flash("Sign in again: that took too long, or the page was opened on its own.", "info")
        return redirect(url_for("auth.login"))
    if two_factor.is_enrolled(user) and not signed_in:
        return redirect(url_for("auth.sign_in_code"))
    secret = session.get("enrol_secret")
    # The same secret until it is confirmed: reloading the page must not invalidate what the app has scanned.
    if not isinstance(secret, str) or len(secret) != 32:
        secret = two_factor.new_secret()
        session["enrol_secret"] = secret
    form = CodeForm()
    if form.validate_on_submit():
        step = two_factor.check_enrolment_code(secret, form.code.data)
        if step is None:
            form.code.errors.append("The code is not correct. Enter the 6-digit code your app shows now")
        else:
            session.pop("enrol_secret", None)
            codes = two_factor.enrol(user, secret, step)
            links.security_notice(
                user,
                "Two-factor authentication set up on your Trigger account",
                "An authenticator app was set up as the second step of signing in to your Trigger account.",
            )
            if not signed_in:
                next_url = session.get("pending_next")
                session.clear()
                services.start_session(user)
                login_user(user)
            else:
                next_url = None
            return render_template(
                "auth/recovery_codes.html", codes=codes, next_url=_safe_next(next_url) or landing_url(user)
            )
    uri = two_factor.provisioning_uri(user, secret)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "auth/set_up_two_factor.html",
        form=form,
        user=user,
        qr=two_factor.qr_svg(uri),
        secret=two_factor.grouped(secret),
        required=two_factor.is_required(user),
    ), status


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
                links.security_notice(
                    user,
                    "Your Trigger password has been changed",
                    "The password of your Trigger account was changed, and every other "
                    "device signed in as you was signed out.",
                )
                flash("Your password has been changed. Other devices have been signed out.", "success")
                return redirect(url_for("main.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/change_password.html", form=form), status


# The other pages of signing in live in their own modules, on this blueprint.
from trigger.auth import account_routes, link_routes, passkey_routes  # noqa: E402,F401
