"""Administration rules: unique names, agency membership, the last administrator, audit of every change."""

from __future__ import annotations

import secrets

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from trigger import audit
from trigger.auth import services as auth_services
from trigger.auth import two_factor
from trigger.domain.workdays import Nation
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import Agency, AgencyType, Area, Organisation, ProcessName, Role, User
from trigger.secrets_at_rest import seal


def organisation() -> Organisation | None:
    return db.session.get(Organisation, 1)


#: Built once: every page's header shows the name.
_ORGANISATION_NAME = select(Organisation.name).where(Organisation.id == 1)


def organisation_name() -> str | None:
    """The organisation's name alone, for every page's header (no ORM object)."""
    return db.session.scalar(_ORGANISATION_NAME)


#: The same as a column, for a statement that reads it with other things.
ORGANISATION_NAME_COLUMN = _ORGANISATION_NAME.scalar_subquery().label("organisation_name")


# ---- the organisation -----------------------------------------------------------------------------------


def update_organisation(
    org: Organisation,
    *,
    name: str,
    address: str,
    contact_email: str,
    contact_phone: str,
    process_name: str,
    two_factor_roles: list[str] | None = None,
) -> None:
    before = _snapshot(org, "name", "address", "contact_email", "contact_phone", "process_name", "two_factor_roles")
    org.name, org.address = name, address or ""
    org.contact_email, org.contact_phone = (contact_email or "").lower(), contact_phone or ""
    org.process_name = ProcessName(process_name)
    if two_factor_roles is not None:
        org.two_factor_roles = ",".join(role.value for role in Role if role.value in two_factor_roles)
    _record_update("organisation.updated", "organisation", org, before, "Updated the organisation's settings")


# ---- areas ----------------------------------------------------------------------------------------------


def _check_unique_name(model, name: str, current_id: int | None, what: str) -> None:
    clash = db.session.scalar(
        select(model.id).where(func.lower(model.name) == name.lower(), model.id != (current_id or -1))
    )
    if clash is not None:
        raise FieldError("name", f"There is already {what} called {name}")


def save_area(area: Area | None, *, name: str, nation: str, active: bool) -> Area:
    _check_unique_name(Area, name, area.id if area else None, "an area")
    creating = area is None
    if creating:
        area = Area()
        db.session.add(area)
        before = {}
    else:
        before = _snapshot(area, "name", "nation", "active")
    area.name, area.nation, area.active = name, Nation(nation), active
    db.session.flush()
    if creating:
        audit.record("area.created", "area", area.id, f"Created area {name}", {"nation": nation})
    else:
        _record_update("area.updated", "area", area, before, f"Updated area {name}")
    return area


# ---- agencies -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SingleSignOn:
    """An agency's OpenID Connect settings (auth.oidc). A blank client secret keeps the one saved."""

    provider_name: str
    issuer: str
    client_id: str
    client_secret: str
    email_domains: str
    local_passwords: bool


def _apply_sso(agency: Agency, sso: SingleSignOn) -> None:
    if sso.issuer and not sso.issuer.startswith("https://"):
        raise FieldError("sso_issuer", "The issuer address must start with https://")
    if sso.issuer and not (sso.client_id and (sso.client_secret or agency.sso_client_secret) and sso.email_domains):
        raise FieldError("sso_client_id", "Enter the client ID, client secret and email domains as well as the issuer")
    agency.sso_provider_name, agency.sso_issuer = sso.provider_name, sso.issuer.rstrip("/")
    agency.sso_client_id = sso.client_id
    if sso.client_secret:
        agency.sso_client_secret = seal(sso.client_secret)
    agency.sso_email_domains = ",".join(
        d.strip().lower().lstrip("@") for d in sso.email_domains.split(",") if d.strip()
    )
    # Without single sign-on, a Trigger password is the only way in: it cannot be switched off.
    agency.local_passwords = sso.local_passwords or not agency.sso_issuer


def save_agency(
    agency: Agency | None,
    *,
    name: str,
    agency_type: str,
    contact_email: str,
    active: bool,
    sso: SingleSignOn | None = None,
) -> Agency:
    _check_unique_name(Agency, name, agency.id if agency else None, "an agency")
    creating = agency is None
    if creating:
        agency = Agency()
        db.session.add(agency)
        before = {}
    else:
        before = _snapshot(agency, "name", "agency_type", "contact_email", "active")
    agency.name, agency.agency_type = name, AgencyType(agency_type)
    agency.contact_email, agency.active = (contact_email or "").lower(), active
    if sso is not None:
        _apply_sso(agency, sso)
    db.session.flush()
    if creating:
        audit.record("agency.created", "agency", agency.id, f"Created agency {name}", {"type": agency_type})
    else:
        _record_update("agency.updated", "agency", agency, before, f"Updated agency {name}")
    return agency


def agency_choices(include_id: int | None = None) -> list[tuple[str, str]]:
    """Active agencies for a select, plus the one already chosen even if it has since been deactivated."""
    agencies = db.session.scalars(
        select(Agency).where(or_(Agency.active.is_(True), Agency.id == (include_id or -1))).order_by(Agency.name)
    )
    return [("", "No agency")] + [(str(a.id), a.name if a.active else f"{a.name} (inactive)") for a in agencies]


# ---- users ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserInput:
    name: str
    email: str
    role: str
    agency_id: str | None
    active: bool


def _resolve_agency(raw: str | None, role: Role, current: User | None) -> Agency | None:
    if not raw:
        if role is Role.AGENCY_REP:
            raise FieldError("agency_id", "Choose the agency this representative works for")
        return None
    try:
        agency = db.session.get(Agency, int(raw))
    except ValueError:
        agency = None
    if agency is None:
        raise FieldError("agency_id", "Choose an agency from the list")
    unchanged = current is not None and current.agency_id == agency.id
    if not agency.active and not unchanged:
        raise FieldError("agency_id", f"{agency.name} is inactive: choose an active agency")
    return agency


def _active_admin_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active.is_(True))
    )


def save_user(user: User | None, data: UserInput, *, acting_admin: User) -> User:
    email = data.email.lower()
    clash = db.session.scalar(select(User.id).where(User.email == email, User.id != (user.id if user else -1)))
    if clash is not None:
        raise FieldError("email", "There is already an account with this email address")
    role = Role(data.role)
    agency = _resolve_agency(data.agency_id, role, user)
    if user is not None and user.role is Role.ADMIN and user.active and (role is not Role.ADMIN or not data.active):
        if _active_admin_count() <= 1:
            raise FieldError(
                "role" if role is not Role.ADMIN else "active", "There must always be at least one active administrator"
            )

    creating = user is None
    if creating:
        user = User()
        db.session.add(user)
        before = {}
    else:
        before = _snapshot(user, "name", "email", "role", "agency_id", "active")
    user.name, user.email, user.role = data.name, email, role
    user.agency_id, user.active = (agency.id if agency else None), data.active
    if creating:
        # Nobody knows this password: the person chooses their own from the invitation (auth.links).
        auth_services.set_password(user, secrets.token_urlsafe(32))
    db.session.flush()

    if creating:
        audit.record(
            "user.created",
            "user",
            user.id,
            f"Created account for {user.name}",
            {"role": role.value, "agency_id": user.agency_id},
        )
        return user
    _record_update("user.updated", "user", user, before, f"Updated account for {user.name}")
    if before["active"] and not user.active:
        ended = auth_services.revoke_all_sessions(user, "account deactivated")
        audit.record("user.deactivated", "user", user.id, f"Deactivated {user.name}; ended {ended} session(s)")
    return user


def reset_two_factor(user: User) -> int:
    """Remove a person's authenticator app and recovery codes (they lost their phone): they set one up again
    at their next sign-in. Their sessions end, since whoever holds the phone may be signed in."""
    two_factor.reset(user)
    ended = auth_services.revoke_all_sessions(user, "two-factor reset by administrator")
    audit.record(
        "user.two_factor_reset",
        "user",
        user.id,
        f"Reset the two-factor authentication of {user.name}; ended {ended} session(s)",
    )
    return ended


def revoke_sessions(user: User) -> int:
    ended = auth_services.revoke_all_sessions(user, "revoked by administrator")
    audit.record("user.sessions_revoked", "user", user.id, f"Signed {user.name} out everywhere ({ended} session(s))")
    return ended


def contains(query: str) -> str:
    """A LIKE pattern matching the query literally (its % and _ are not wildcards)."""
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_users(query: str | None, role: Role | None):
    statement = select(User).order_by(User.name)
    if query:
        pattern = contains(query)
        statement = statement.where(
            or_(func.lower(User.name).like(pattern, escape="\\"), User.email.like(pattern, escape="\\"))
        )
    if role:
        statement = statement.where(User.role == role)
    return statement


def search_named(model, query: str | None):
    statement = select(model).order_by(model.name)
    if query:
        statement = statement.where(func.lower(model.name).like(contains(query), escape="\\"))
    return statement


# ---- helpers --------------------------------------------------------------------------------------------


def _plain(value):
    return value.value if hasattr(value, "value") else value


def _snapshot(obj, *fields: str) -> dict:
    return {field: _plain(getattr(obj, field)) for field in fields}


def _record_update(action: str, object_type: str, obj, before: dict, summary: str) -> None:
    after = _snapshot(obj, *before)
    diff = audit.changes(before, after)
    if diff:
        audit.record(action, object_type, obj.id, summary, {"changes": diff})
