"""Single-use emailed links: invitations (72 hours, set a first password) and password resets (1 hour).

A link's token is random and only its SHA-256 is stored. Checking a token says *why* it cannot be used
(unknown, used, expired, withdrawn) so that the page can tell the person what to do next; it never changes
anything. Using one is a separate step, done only with a valid new password.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from flask import render_template, url_for
from sqlalchemy import func, select, update

from trigger import audit
from trigger.auth.services import _token_hash, settings
from trigger.extensions import db
from trigger.models import LinkPurpose, LoginAttempt, SignInLink, User, utcnow
from trigger.notifications.services import absolute_url, queue_email, send_at_once

LIFETIME = {LinkPurpose.INVITATION: timedelta(hours=72), LinkPurpose.PASSWORD_RESET: timedelta(hours=1)}
#: At most this many reset emails per account per hour, whatever the address asking.
MAX_RESETS_PER_HOUR = 3


class LinkState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"  # never issued, mistyped, or for another purpose
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"  # withdrawn by an administrator or replaced by a newer link
    INACTIVE = "inactive"  # the account has been deactivated


@dataclass(frozen=True)
class LinkCheck:
    state: LinkState
    link: SignInLink | None = None


def check(token: str, purpose: LinkPurpose) -> LinkCheck:
    if not token or len(token) > 100:
        return LinkCheck(LinkState.UNKNOWN)
    link = db.session.scalar(
        select(SignInLink).where(SignInLink.token_hash == _token_hash(token), SignInLink.purpose == purpose)
    )
    if link is None:
        return LinkCheck(LinkState.UNKNOWN)
    if link.used_at is not None:
        return LinkCheck(LinkState.USED, link)
    if link.revoked_at is not None:
        return LinkCheck(LinkState.REVOKED, link)
    if not link.user.active:
        return LinkCheck(LinkState.INACTIVE, link)
    if link.expires_at <= utcnow():
        return LinkCheck(LinkState.EXPIRED, link)
    return LinkCheck(LinkState.VALID, link)


def _withdraw_open_links(user: User, purpose: LinkPurpose) -> int:
    return (
        db.session.execute(
            update(SignInLink)
            .where(
                SignInLink.user_id == user.id,
                SignInLink.purpose == purpose,
                SignInLink.used_at.is_(None),
                SignInLink.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )


def _issue(user: User, purpose: LinkPurpose, created_by: User | None) -> str:
    # One open link of each kind per person: a new one replaces the old, so only the latest email works.
    _withdraw_open_links(user, purpose)
    token, now = secrets.token_urlsafe(32), utcnow()
    db.session.add(
        SignInLink(
            user_id=user.id,
            purpose=purpose,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + LIFETIME[purpose],
            created_by_id=created_by.id if created_by else None,
        )
    )
    return token


def open_invitation(user: User) -> SignInLink | None:
    return db.session.scalar(
        select(SignInLink)
        .where(
            SignInLink.user_id == user.id,
            SignInLink.purpose == LinkPurpose.INVITATION,
            SignInLink.used_at.is_(None),
            SignInLink.revoked_at.is_(None),
        )
        .order_by(SignInLink.id.desc())
        .limit(1)
    )


def _send(user: User, subject: str, template: str, **context) -> None:
    body = render_template(template, user=user, **context)
    message = queue_email(user.email, subject, body, user=user)
    send_at_once(message)


def invite(user: User, *, by: User, resent: bool = False) -> None:
    """Email a person a link, valid 72 hours, to set their own password. Commits (the email goes at once)."""
    token = _issue(user, LinkPurpose.INVITATION, by)
    audit.record(
        "user.invitation_resent" if resent else "user.invited",
        "user",
        user.id,
        f"{'Resent the invitation to' if resent else 'Invited'} {user.name}",
    )
    _send(
        user,
        "You have been invited to use Trigger",
        "auth/email/invitation.txt",
        link=absolute_url(url_for("auth.accept_invitation", token=token)),
        invited_by=by,
        hours=int(LIFETIME[LinkPurpose.INVITATION].total_seconds() // 3600),
    )


def revoke_invitation(user: User) -> bool:
    withdrawn = _withdraw_open_links(user, LinkPurpose.INVITATION)
    if withdrawn:
        audit.record("user.invitation_revoked", "user", user.id, f"Withdrew the invitation to {user.name}")
    return bool(withdrawn)


def reset_throttled(email: str, ip_address: str) -> bool:
    """Requests are counted per address and per email, like sign-in attempts (auth.services.is_throttled)."""
    config = settings()
    since = utcnow() - timedelta(minutes=config.login_throttle_minutes)
    key = f"reset:{email}"
    by_pair = db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.email == key, LoginAttempt.ip_address == ip_address, LoginAttempt.at >= since)
    )
    by_address = db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.email.startswith("reset:"), LoginAttempt.ip_address == ip_address, LoginAttempt.at >= since)
    )
    return (
        by_pair >= config.login_max_failures_per_account_and_address
        or by_address >= config.login_max_failures_per_address
    )


def request_reset(email: str) -> None:
    """Email a reset link if the address belongs to an active person. Says nothing either way, on purpose."""
    email = email.strip().lower()
    ip_address = audit.client_address()
    throttled = reset_throttled(email, ip_address)
    db.session.add(LoginAttempt(email=f"reset:{email}", ip_address=ip_address, succeeded=False))
    if throttled:
        return
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        return
    if user.agency is not None and not user.agency.local_passwords:
        return  # their agency signs in through its own provider only (auth.oidc): no Trigger password to reset
    recent = db.session.scalar(
        select(func.count())
        .select_from(SignInLink)
        .where(
            SignInLink.user_id == user.id,
            SignInLink.purpose == LinkPurpose.PASSWORD_RESET,
            SignInLink.created_at >= utcnow() - timedelta(hours=1),
        )
    )
    if recent >= MAX_RESETS_PER_HOUR:
        audit.record("password_reset.throttled", "user", user.id, "Password reset requested too often")
        return
    token = _issue(user, LinkPurpose.PASSWORD_RESET, None)
    audit.record("password_reset.requested", "user", user.id, "Asked to reset their password", actor=user)
    _send(
        user,
        "Reset your Trigger password",
        "auth/email/reset.txt",
        link=absolute_url(url_for("auth.reset_password", token=token)),
        minutes=int(LIFETIME[LinkPurpose.PASSWORD_RESET].total_seconds() // 60),
    )


def use(link: SignInLink) -> None:
    """Mark a link used; other open links of the same kind stop working too."""
    link.used_at = utcnow()
    _withdraw_open_links(link.user, link.purpose)


def security_notice(user: User, subject: str, what: str) -> None:
    """Tell a person by email that something changed about how they sign in (they may not have done it)."""
    _send(
        user,
        subject,
        "auth/email/security_notice.txt",
        what=what,
        sign_in=absolute_url(url_for("auth.login")),
        forgotten=absolute_url(url_for("auth.forgotten_password")),
    )
