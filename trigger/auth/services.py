"""Authentication: checking credentials with throttling, and server-side sessions that can be revoked.

The Flask session cookie holds only a random token. Its SHA-256 names a `UserSession` row, so signing out,
an administrator's revocation or deactivating the account ends that browser's access at once, even if
somebody kept a copy of the cookie. Idle expiry is decided on the server from `last_seen_at`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app, request
from sqlalchemy import bindparam, func, select, update

from trigger import audit
from trigger.auth.passwords import hash_password, needs_rehash, verify_password
from trigger.extensions import db, write_before_commit
from trigger.models import LoginAttempt, User, UserSession, utcnow

# Writing last_seen_at on every request would turn each page view into a write; once a minute is enough
# to judge a 30-minute idle limit.
_TOUCH_INTERVAL = timedelta(seconds=60)


def settings():
    return current_app.config["TRIGGER_SETTINGS"]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---- credentials and throttling -------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str | None


GENERIC_FAILURE = "Enter a correct email address and password"


def _throttle_message() -> str:
    minutes = settings().login_throttle_minutes
    return (
        "There have been too many attempts to sign in. Wait "
        f"{minutes} minutes and try again, or ask your administrator to help"
    )


def _recent_failures(*conditions, since: datetime) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(*conditions, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)
    )


def is_throttled(email: str, ip_address: str) -> bool:
    """Three limits over the last LOGIN_THROTTLE_MINUTES, each with its own setting:

    - failures for this account from this address (someone guessing, or a person who forgot): the tight one;
    - failures for this account from anywhere (guessing spread over many addresses);
    - failures from this address for any account: a generous ceiling, because a council office or a school
      signs in from one NAT address, and one person's mistakes must not lock out everyone behind it.
    """
    config = settings()
    since = utcnow() - timedelta(minutes=config.login_throttle_minutes)
    by_email, by_address = LoginAttempt.email == email, LoginAttempt.ip_address == ip_address
    return (
        _recent_failures(by_email, by_address, since=since) >= config.login_max_failures_per_account_and_address
        or _recent_failures(by_email, since=since) >= config.login_max_failures_per_account
        or _recent_failures(by_address, since=since) >= config.login_max_failures_per_address
    )


_dummy_hash_cache: dict[str, str] = {}


def _dummy_hash(profile: str) -> str:
    # Verifying against a real hash when the email is unknown keeps the response time the same either way.
    if profile not in _dummy_hash_cache:
        _dummy_hash_cache[profile] = hash_password(secrets.token_hex(16), profile)
    return _dummy_hash_cache[profile]


def authenticate(email: str, password: str) -> LoginResult:
    """Check an email and password. The message never says whether the email has an account."""
    email = email.strip().lower()
    ip_address = audit.client_address()
    profile = settings().password_hash_profile
    if is_throttled(email, ip_address):
        return LoginResult(None, _throttle_message())
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        verify_password(_dummy_hash(profile), password, profile)
        ok = False
    else:
        ok = verify_password(user.password_hash, password, profile) and user.active
    db.session.add(LoginAttempt(email=email, ip_address=ip_address, succeeded=ok))
    if not ok:
        if user is not None:
            audit.record("login.failed", "user", user.id, "Failed sign-in attempt")
        return LoginResult(None, GENERIC_FAILURE)
    if user.agency is not None and not user.agency.local_passwords:
        # The agency signs in through its own provider only (auth.oidc): a right password is not enough.
        audit.record("login.refused", "user", user.id, "Password sign-in is switched off for their agency")
        return LoginResult(
            None,
            f"{user.agency.sso_provider_name or user.agency.name} accounts sign in with the "
            "button below, not with a password",
        )
    if needs_rehash(user.password_hash, profile):
        user.password_hash = hash_password(password, profile)
    user.last_login_at = utcnow()
    return LoginResult(user, None)


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password, settings().password_hash_profile)


# ---- sessions -------------------------------------------------------------------------------------------


def start_session(user: User) -> str:
    """Create a session row for a freshly authenticated user; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=_token_hash(token),
            ip_address=audit.client_address(),
            user_agent=(request.headers.get("User-Agent") or "")[:255],
        )
    )
    user.current_session_token = token
    audit.record("login.succeeded", "user", user.id, "Signed in", actor=user)
    return token


@lru_cache(maxsize=1)
def _session_lookup():
    """The user (with their agency) and the three columns of their session that the loader checks, built once:
    this runs on every signed-in request. The session row itself is not loaded as an object; it is written only
    when it must be (the touch below, or the idle timeout), by id."""
    return (
        select(User, UserSession.id, UserSession.last_seen_at, UserSession.revoked_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == bindparam("token_hash"))
    )


_SESSION_ID = bindparam("session_id")
#: The session's last sight of its person, and its end after idleness: written by id, built once.
_TOUCH_SESSION = update(UserSession).where(UserSession.id == _SESSION_ID).values(last_seen_at=bindparam("now"))
_END_IDLE_SESSION = (
    update(UserSession)
    .where(UserSession.id == _SESSION_ID, UserSession.revoked_at.is_(None))
    .values(revoked_at=bindparam("now"), revoked_reason="idle timeout")
)


def load_session_user(token: str) -> User | None:
    """Flask-Login's user loader: the user behind a live session token, or None."""
    row = db.session.execute(_session_lookup(), {"token_hash": _token_hash(token)}).first()
    if row is None:
        return None
    user, session_id, last_seen_at, revoked_at = row
    if revoked_at is not None or not user.active:
        return None
    now = utcnow()
    if now - last_seen_at > timedelta(minutes=settings().session_idle_minutes):
        # Committed by the request; the person is sent to sign in again.
        db.session.execute(_END_IDLE_SESSION, {"session_id": session_id, "now": now})
        return None
    if now - last_seen_at > _TOUCH_INTERVAL:
        # at the request's commit, not now: on SQLite a write holds the write lock until the commit
        write_before_commit(_TOUCH_SESSION, {"session_id": session_id, "now": now})
    user.current_session_token = token
    return user


def end_session(token: str | None, reason: str = "signed out") -> None:
    if not token:
        return
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _token_hash(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


def revoke_all_sessions(user: User, reason: str) -> int:
    """End every live session of a user (deactivation, password change, an administrator's request)."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )
    return result.rowcount or 0


def live_sessions(user: User) -> list[UserSession]:
    cutoff = utcnow() - timedelta(minutes=settings().session_idle_minutes)
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.revoked_at.is_(None),
                UserSession.last_seen_at >= cutoff,
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    )


def end_session_row(row: UserSession, reason: str) -> None:
    row.revoked_at = utcnow()
    row.revoked_reason = reason
