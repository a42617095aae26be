"""The second factor: authenticator-app codes (TOTP, RFC 6238) and single-use recovery codes.

Which roles must use it is the organisation's setting (Organisation.two_factor_roles): administrators,
coordinators and chairs by default. A code is accepted once: the time step of the last accepted code is
kept, and only later steps are accepted after it. Wrong codes count as failed sign-in attempts, so the
sign-in throttle (auth.services.is_throttled) limits guessing.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, select, update

from trigger import audit
from trigger.extensions import db
from trigger.models import LoginAttempt, Organisation, Passkey, RecoveryCode, Role, User, utcnow
from trigger.models.organisation import DEFAULT_TWO_FACTOR_ROLES
from trigger.secrets_at_rest import UnreadableSecret, reveal, seal

ISSUER = "Trigger"
RECOVERY_CODE_COUNT = 10
#: One step either side of now: phones' clocks drift, and typing a code takes a few seconds.
VALID_WINDOW = 1
STEP_SECONDS = 30

log = logging.getLogger(__name__)


def required_roles() -> set[Role]:
    org = db.session.get(Organisation, 1)
    raw = org.two_factor_roles if org is not None else DEFAULT_TWO_FACTOR_ROLES
    return {Role(value) for value in raw.split(",") if value in {role.value for role in Role}}


def is_enrolled(user: User) -> bool:
    return user.totp_secret is not None


def is_required(user: User) -> bool:
    return user.role in required_roles()


def _app_secret(user: User) -> str | None:
    """The person's authenticator secret, opened; None (recovery codes still work) when the keys changed."""
    try:
        return reveal(user.totp_secret)
    except UnreadableSecret as error:
        log.error("authenticator app of user %s: %s", user.id, error)
        return None


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The enrolment QR code as inline SVG drawn here (no external service, nothing for the CSP to allow)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, dark="#0b0c0c", light="#ffffff", title="QR code to scan with your authenticator app"
    )
    return Markup(svg)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    code = _normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    current = int(now // STEP_SECONDS)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def check_enrolment_code(secret: str, code: str) -> int | None:
    return _matching_step(secret, code)


def enrol(user: User, secret: str, step: int) -> list[str]:
    """Save a confirmed authenticator secret; returns the new recovery codes (shown once, stored hashed)."""
    user.totp_secret = seal(secret)
    user.totp_last_step = step
    user.totp_enrolled_at = utcnow()
    codes = _new_recovery_codes(user)
    audit.record("two_factor.enrolled", "user", user.id, "Set up an authenticator app", actor=user)
    return codes


def _code_hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))  # ~49 bits each
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(raw)))
    return codes


def remaining_recovery_codes(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def verify(user: User, code: str) -> str | None:
    """Check a sign-in code: "app" or "recovery" when accepted (and used up), None when refused.

    A refusal is recorded as a failed attempt for throttling and in the audit trail (without the code).
    """
    secret = _app_secret(user) if user.totp_secret else None
    step = _matching_step(secret, code) if secret else None
    if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
        user.totp_last_step = step
        return "app"
    if step is None:
        # A recovery code is used once: the UPDATE ... WHERE used_at IS NULL decides, even under concurrency.
        used = db.session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _code_hash(code),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if used:
            audit.record("two_factor.recovery_code_used", "user", user.id, "Signed in with a recovery code", actor=user)
            return "recovery"
    reason = "a code already used" if step is not None else "a wrong code"
    db.session.add(LoginAttempt(email=user.email, ip_address=audit.client_address(), succeeded=False))
    audit.record("login.code_refused", "user", user.id, f"Second factor refused: {reason}", actor=user)
    return None


def reset(user: User) -> None:
    """Remove someone's second factors, app and passkeys (an administrator's action): they enrol again at
    their next sign-in."""
    db.session.execute(delete(Passkey).where(Passkey.user_id == user.id))
    user.totp_secret = None
    user.totp_last_step = None
    user.totp_enrolled_at = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
