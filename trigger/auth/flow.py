"""The sign-in flow shared by every way of signing in (password, emailed link, passkey, single sign-on): where a
person lands, the half-signed-in state between the first and the second factor, and finishing a sign-in."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import redirect, session, url_for
from flask_login import login_user

from trigger.auth import passkeys, services, two_factor
from trigger.extensions import db


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


PENDING_MINUTES = 10


def _begin_pending(user) -> None:
    """The password (or an emailed link) is right; the second factor is still to come. Nothing set before
    this survives, and the pending state lasts a few minutes only."""
    session.clear()
    session["pending_user_id"] = user.id
    session["pending_since"] = int(time.time())


def pending_user():
    """The person half-way through signing in (password done, second factor not yet), or None."""
    from trigger.models import User

    user_id, since = session.get("pending_user_id"), session.get("pending_since")
    if not isinstance(user_id, int) or not isinstance(since, int):
        return None
    if time.time() - since > PENDING_MINUTES * 60:
        session.pop("pending_user_id", None)
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


def finish_sign_in(user, next_url: str | None = None):
    # A fresh Flask session at sign-in: nothing set before authentication survives it.
    session.clear()
    services.start_session(user)
    login_user(user)
    return redirect(_safe_next(next_url) or landing_url(user))


def after_first_factor(user, next_url: str | None = None):
    """Where a person goes once their password is right: a code if they have an authenticator, setting one
    up if their role needs it, else straight in."""
    if two_factor.is_enrolled(user) or passkeys.has_passkey(user):
        _begin_pending(user)
        session["pending_next"] = _safe_next(next_url)
        return redirect(url_for("auth.sign_in_code"))
    if two_factor.is_required(user):
        _begin_pending(user)
        session["pending_next"] = _safe_next(next_url)
        return redirect(url_for("auth.set_up_two_factor"))
    return finish_sign_in(user, next_url)
