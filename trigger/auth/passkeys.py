"""Passkeys and security keys (WebAuthn, with the `webauthn` package): registering one, and signing in with
one, either as the second step after a password or on its own.

The relying party is PUBLIC_URL: its host name is the RP ID and its origin the only origin accepted, so a
passkey made for Trigger cannot be used by a look-alike site. Each ceremony's challenge lives in the signed
Flask session for a few minutes and is used once.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

from flask import session
from sqlalchemy import select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from trigger import audit
from trigger.auth.services import settings
from trigger.extensions import db
from trigger.models import Passkey, User, utcnow

CHALLENGE_SECONDS = 300


class PasskeyRefused(Exception):
    """A passkey response that cannot be accepted; the message is safe to show."""


def _relying_party() -> tuple[str, str]:
    parts = urlsplit(settings().public_url)
    return parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}"


def _keep_challenge(kind: str, challenge: bytes) -> None:
    session[f"webauthn_{kind}"] = {"challenge": bytes_to_base64url(challenge), "at": int(time.time())}


def _take_challenge(kind: str) -> bytes:
    kept = session.pop(f"webauthn_{kind}", None)
    if not isinstance(kept, dict) or time.time() - kept.get("at", 0) > CHALLENGE_SECONDS:
        raise PasskeyRefused("That took too long. Try again.")
    return base64url_to_bytes(kept["challenge"])


def passkeys_of(user: User) -> list[Passkey]:
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id)))


def has_passkey(user: User) -> bool:
    return db.session.scalar(select(Passkey.id).where(Passkey.user_id == user.id).limit(1)) is not None


def registration_options(user: User) -> str:
    rp_id, _ = _relying_party()
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name="Trigger",
        user_name=user.email,
        user_display_name=user.name,
        user_id=f"trigger-user-{user.id}".encode(),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in passkeys_of(user)
        ],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED
        ),
    )
    _keep_challenge("registration", options.challenge)
    return options_to_json(options)


def register(user: User, credential: dict, name: str) -> Passkey:
    rp_id, origin = _relying_party()
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=_take_challenge("registration"),
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
    except (InvalidRegistrationResponse, KeyError, TypeError, ValueError) as error:
        audit.record("passkey.refused", "user", user.id, "A passkey registration was refused")
        raise PasskeyRefused("The passkey could not be registered. Try again.") from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)) is not None:
        raise PasskeyRefused("This passkey is registered already.")
    passkey = Passkey(
        user_id=user.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=(name or "Passkey").strip()[:80] or "Passkey",
    )
    db.session.add(passkey)
    db.session.flush()
    audit.record("passkey.added", "user", user.id, f"Added a passkey ({passkey.name})")
    return passkey


def authentication_options(user: User | None) -> str:
    """For a person half-way through signing in, their own passkeys; for a passwordless sign-in, any
    passkey the browser holds for Trigger (a discoverable credential names its person)."""
    rp_id, _ = _relying_party()
    allow = (
        [PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in passkeys_of(user)]
        if user is not None
        else []
    )
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=allow,
        user_verification=UserVerificationRequirement.PREFERRED if user else UserVerificationRequirement.REQUIRED,
    )
    _keep_challenge("authentication", options.challenge)
    return options_to_json(options)


def authenticate(credential: dict, pending: User | None) -> User:
    """The person a passkey response proves, or PasskeyRefused (audited). With ``pending`` (password already
    given) the passkey must be theirs; without, it must prove user verification (it stands for both factors)."""
    rp_id, origin = _relying_party()
    challenge = _take_challenge("authentication")
    raw_id = credential.get("id") if isinstance(credential, dict) else None
    passkey = (
        db.session.scalar(select(Passkey).where(Passkey.credential_id == raw_id)) if isinstance(raw_id, str) else None
    )
    if passkey is None:
        audit.record("passkey.refused", "user", pending.id if pending else None, "Unknown passkey")
        raise PasskeyRefused("This passkey is not registered with Trigger.")
    if pending is not None and passkey.user_id != pending.id:
        audit.record("passkey.refused", "user", pending.id, "A passkey of another person was offered")
        raise PasskeyRefused("This passkey belongs to another account.")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=pending is None,
        )
    except (InvalidAuthenticationResponse, KeyError, TypeError, ValueError) as error:
        audit.record("passkey.refused", "user", passkey.user_id, "A passkey response failed verification")
        raise PasskeyRefused("The passkey could not be checked. Try again.") from error
    if not passkey.user.active:
        audit.record("passkey.refused", "user", passkey.user_id, "Passkey of a deactivated account")
        raise PasskeyRefused("This account is not active.")
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = utcnow()
    return passkey.user


def parse(body: bytes) -> dict:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise PasskeyRefused("The browser's answer could not be read.") from None
    if not isinstance(data, dict):
        raise PasskeyRefused("The browser's answer could not be read.")
    return data
