"""Administration pages. Every view here is for administrators, except the audit trail (auditors too)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trigger.admin import services
from trigger.admin.audit_search import AuditSearch, case_references
from trigger.admin.forms import AgencyForm, AreaForm, AuditSearchForm, ConfirmForm, OrganisationForm, UserForm
from trigger.auth import links, passkeys, two_factor
from trigger.auth.services import live_sessions
from trigger.notifications.services import absolute_url
from trigger.authz import ADMIN, VIEW_AUDIT, allow
from trigger.extensions import db
from trigger.forms import FieldError, attach_error
from trigger.models import Agency, Area, Role, User, utcnow
from trigger.input_guard import requested_page

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 25
AUDIT_FILTERS = ("person", "case_reference", "record_type", "record_id", "action", "date_from", "date_to")


def _page() -> int:
    return requested_page()


def _form_status() -> int:
    return 400 if request.method == "POST" else 200


def _get_or_404(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


@bp.route("/")
@allow(ADMIN)
def index():
    return render_template("admin/index.html")


# ---- organisation ---------------------------------------------------------------------------------------


@bp.route("/organisation", methods=["GET", "POST"])
@allow(ADMIN)
def organisation():
    org = services.organisation()
    if org is None:
        abort(404)
    form = OrganisationForm(obj=org if request.method == "GET" else None)
    if request.method == "GET":
        form.process_name.data = org.process_name.value
        form.two_factor_roles.data = [value for value in org.two_factor_roles.split(",") if value]
    if form.validate_on_submit():
        services.update_organisation(
            org,
            name=form.name.data,
            address=form.address.data,
            contact_email=form.contact_email.data,
            contact_phone=form.contact_phone.data,
            process_name=form.process_name.data,
            two_factor_roles=form.two_factor_roles.data or [],
        )
        flash("The organisation's settings have been saved.", "success")
        return redirect(url_for("admin.organisation"))
    return render_template("admin/organisation.html", form=form), _form_status()


# ---- areas ----------------------------------------------------------------------------------------------


@bp.route("/areas")
@allow(ADMIN)
def areas():
    query = (request.args.get("q") or "").strip()[:100]
    page = db.paginate(services.search_named(Area, query), page=_page(), per_page=PER_PAGE, error_out=False)
    return render_template("admin/areas.html", page=page, query=query)


@bp.route("/areas/new", methods=["GET", "POST"])
@bp.route("/areas/<int:area_id>/edit", methods=["GET", "POST"])
@allow(ADMIN)
def edit_area(area_id: int | None = None):
    area = _get_or_404(Area, area_id) if area_id is not None else None
    form = AreaForm(obj=area if request.method == "GET" else None)
    if request.method == "GET" and area is not None:
        form.nation.data = area.nation.value
    if form.validate_on_submit():
        try:
            saved = services.save_area(area, name=form.name.data, nation=form.nation.data, active=form.active.data)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(f"Area {saved.name} has been {'created' if area is None else 'saved'}.", "success")
            return redirect(url_for("admin.areas"))
    return render_template("admin/area_form.html", form=form, area=area), _form_status()


# ---- agencies -------------------------------------------------------------------------------------------


@bp.route("/agencies")
@allow(ADMIN)
def agencies():
    query = (request.args.get("q") or "").strip()[:100]
    page = db.paginate(services.search_named(Agency, query), page=_page(), per_page=PER_PAGE, error_out=False)
    return render_template("admin/agencies.html", page=page, query=query)


@bp.route("/agencies/new", methods=["GET", "POST"])
@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@allow(ADMIN)
def edit_agency(agency_id: int | None = None):
    agency = _get_or_404(Agency, agency_id) if agency_id is not None else None
    form = AgencyForm(obj=agency if request.method == "GET" else None)
    if request.method == "GET" and agency is not None:
        form.agency_type.data = agency.agency_type.value
    if form.validate_on_submit():
        try:
            saved = services.save_agency(
                agency,
                name=form.name.data,
                agency_type=form.agency_type.data,
                contact_email=form.contact_email.data,
                active=form.active.data,
                sso=services.SingleSignOn(
                    provider_name=form.sso_provider_name.data or "",
                    issuer=form.sso_issuer.data or "",
                    client_id=form.sso_client_id.data or "",
                    client_secret=form.sso_client_secret.data or "",
                    email_domains=form.sso_email_domains.data or "",
                    local_passwords=form.local_passwords.data,
                ),
            )
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(f"Agency {saved.name} has been {'created' if agency is None else 'saved'}.", "success")
            return redirect(url_for("admin.agencies"))
    return render_template(
        "admin/agency_form.html", form=form, agency=agency, sso_redirect=absolute_url(url_for("auth.sso_callback"))
    ), _form_status()


# ---- users ----------------------------------------------------------------------------------------------


@bp.route("/users")
@allow(ADMIN)
def users():
    query = (request.args.get("q") or "").strip()[:100]
    role_value = request.args.get("role") or ""
    role = Role(role_value) if role_value in {r.value for r in Role} else None
    page = db.paginate(services.search_users(query, role), page=_page(), per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, query=query, role=role, roles=list(Role))


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@allow(ADMIN)
def edit_user(user_id: int | None = None):
    user = _get_or_404(User, user_id) if user_id is not None else None
    form = UserForm(obj=user if request.method == "GET" else None)
    form.agency_id.choices = services.agency_choices(user.agency_id if user else None)
    if request.method == "GET" and user is not None:
        form.role.data = user.role.value
        form.agency_id.data = str(user.agency_id or "")
    if form.validate_on_submit():
        data = services.UserInput(
            name=form.name.data,
            email=form.email.data,
            role=form.role.data,
            agency_id=form.agency_id.data or None,
            active=form.active.data,
        )
        try:
            saved = services.save_user(user, data, acting_admin=current_user)
        except FieldError as error:
            attach_error(form, error)
        else:
            if user is None:
                links.invite(saved, by=current_user)
                flash(
                    f"The account for {saved.name} has been created, and an invitation to set a password "
                    f"has been emailed to {saved.email}.",
                    "success",
                )
            else:
                flash(f"The account for {saved.name} has been saved.", "success")
            return redirect(url_for("admin.users"))
    invitation = links.open_invitation(user) if user is not None else None
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        invitation=invitation,
        confirm=ConfirmForm(),
        now=utcnow(),
        two_factor_enrolled=user is not None and (two_factor.is_enrolled(user) or passkeys.has_passkey(user)),
    ), _form_status()


@bp.route("/users/<int:user_id>/invitation", methods=["POST"])
@allow(ADMIN)
def resend_invitation(user_id: int):
    user = _get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not user.active:
        flash(f"{user.name}'s account is not active: make it active before sending an invitation.", "error")
    else:
        links.invite(user, by=current_user, resent=True)
        flash(f"A new invitation has been emailed to {user.email}. Earlier invitation links no longer work.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/invitation/revoke", methods=["POST"])
@allow(ADMIN)
def revoke_invitation(user_id: int):
    user = _get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if links.revoke_invitation(user):
        flash(f"The invitation to {user.name} has been withdrawn: its link no longer works.", "success")
    else:
        flash(f"{user.name} has no open invitation.", "info")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@allow(ADMIN)
def reset_two_factor(user_id: int):
    user = _get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.reset_two_factor(user)
    links.security_notice(
        user,
        "Your Trigger two-factor authentication has been reset",
        f"An administrator ({current_user.name}) removed the authenticator app from your "
        "Trigger account. You will set up a new one the next time you sign in.",
    )
    flash(
        f"{user.name}'s two-factor authentication has been reset. They set up a new authenticator app at "
        "their next sign-in, and have been told by email.",
        "success",
    )
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/sessions", methods=["GET", "POST"])
@allow(ADMIN)
def user_sessions(user_id: int):
    user = _get_or_404(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        ended = services.revoke_sessions(user)
        flash(f"{user.name} has been signed out of {ended} session(s).", "success")
        return redirect(url_for("admin.user_sessions", user_id=user.id))
    return render_template("admin/user_sessions.html", user=user, sessions=live_sessions(user), form=form)


# ---- audit trail ----------------------------------------------------------------------------------------


@bp.route("/audit")
@allow(VIEW_AUDIT)
def audit_trail():
    form = AuditSearchForm(request.args)
    form.validate()
    search = AuditSearch(
        **{name: form[name].data or ("" if name not in ("date_from", "date_to") else None) for name in AUDIT_FILTERS}
    )
    for error in [] if form.errors else search.check():
        attach_error(form, error)
    if any(field.errors for field in form):
        return render_template("admin/audit.html", form=form, page=None, case_refs={}, searched=True), 400
    page = db.paginate(search.statement(), page=_page(), per_page=50, error_out=False)
    return render_template(
        "admin/audit.html",
        form=form,
        page=page,
        case_refs=case_references(page.items),
        searched=any(request.args.get(name) for name in AUDIT_FILTERS),
    )
