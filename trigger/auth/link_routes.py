"""Pages behind emailed links: accepting an invitation, asking for and using a password reset.

Every bad link (unknown, used, expired, withdrawn, for a deactivated account) gets a page that says which, and
what to do next; nothing is changed and the refusal is audited.
"""

from __future__ import annotations

from flask import flash, render_template, request

from trigger import audit
from trigger.auth import links, services
from trigger.auth.forms import ForgottenPasswordForm, NewPasswordForm
from trigger.auth.links import LinkState
from trigger.auth.passwords import password_problems
from trigger.auth.blueprint import bp
from trigger.auth.flow import after_first_factor
from trigger.authz import PUBLIC, allow
from trigger.models import LinkPurpose

# How each state is answered: (HTTP status, heading). The template adds what to do next.
_BAD_LINK_STATUS = {
    LinkState.UNKNOWN: 404,
    LinkState.USED: 410,
    LinkState.EXPIRED: 410,
    LinkState.REVOKED: 410,
    LinkState.INACTIVE: 410,
}


def _bad_link(purpose: LinkPurpose, checked: links.LinkCheck):
    user_id = checked.link.user_id if checked.link is not None else None
    # The refusal is kept (the audit row) though the response is an error: commit it explicitly.
    audit.record("sign_in_link.refused", "user", user_id, f"Refused a {purpose.value} link: {checked.state.value}")
    from trigger.extensions import db

    db.session.commit()
    return render_template("auth/bad_link.html", purpose=purpose.value, state=checked.state.value), _BAD_LINK_STATUS[
        checked.state
    ]


def _choose_password(purpose: LinkPurpose, template: str):
    token = request.args.get("token", "")
    checked = links.check(token, purpose)
    if checked.state is not LinkState.VALID:
        return _bad_link(purpose, checked)
    link = checked.link
    user = link.user
    form = NewPasswordForm()
    if form.validate_on_submit():
        problems = password_problems(form.new_password.data, email=user.email, name=user.name)
        if problems:
            form.new_password.errors.extend(problems)
        else:
            services.set_password(user, form.new_password.data)
            links.use(link)
            if purpose is LinkPurpose.PASSWORD_RESET:
                ended = services.revoke_all_sessions(user, "password reset")
                audit.record(
                    "user.password_reset_by_link",
                    "user",
                    user.id,
                    f"Reset their password with an emailed link; {ended} other session(s) ended",
                    actor=user,
                )
                links.security_notice(
                    user,
                    "Your Trigger password has been reset",
                    "The password of your Trigger account was reset with a link sent to this "
                    "address, and every device signed in as you was signed out.",
                )
                flash("Your password has been reset.", "success")
            else:
                audit.record(
                    "user.invitation_accepted",
                    "user",
                    user.id,
                    "Accepted the invitation and set a password",
                    actor=user,
                )
                flash("Your password has been set.", "success")
            return after_first_factor(user)
    status = 400 if request.method == "POST" else 200
    return render_template(template, form=form, user=user), status


@bp.route("/invitation", methods=["GET", "POST"])
@allow(PUBLIC)
def accept_invitation():
    return _choose_password(LinkPurpose.INVITATION, "auth/accept_invitation.html")


@bp.route("/password/reset", methods=["GET", "POST"])
@allow(PUBLIC)
def reset_password():
    return _choose_password(LinkPurpose.PASSWORD_RESET, "auth/reset_password.html")


@bp.route("/password/forgotten", methods=["GET", "POST"])
@allow(PUBLIC)
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        links.request_reset(form.email.data)
        # The same page whether or not the address has an account, was throttled, or was sent an email.
        return render_template("auth/reset_sent.html", email=form.email.data.strip())
    status = 400 if request.method == "POST" else 200
    return render_template("auth/forgotten_password.html", form=form), status


# ---- single sign-on (auth.oidc) ---------------------------------------------------------------------------


@bp.route("/login/sso/<int:agency_id>", methods=["POST"])
@allow(PUBLIC)
def sso_start(agency_id: int):
    from flask import abort, redirect

    from trigger.auth import oidc
    from trigger.auth.forms import EmptyForm
    from trigger.extensions import db
    from trigger.models import Agency

    agency = db.session.get(Agency, agency_id)
    if agency is None or agency not in oidc.providers():
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        return redirect(oidc.start(agency))
    except oidc.SignOnRefused as error:
        return render_template("auth/sso_refused.html", message=str(error)), 502


@bp.route("/login/sso/callback")
@allow(PUBLIC)
def sso_callback():
    from trigger.auth import oidc
    from trigger.auth.flow import finish_sign_in
    from trigger.extensions import db

    try:
        user = oidc.finish(request.args)
    except oidc.SignOnRefused as error:
        db.session.commit()  # keep the refusal's audit event
        return render_template("auth/sso_refused.html", message=str(error)), 400
    return finish_sign_in(user)
