"""Secrets kept in the database are sealed with a key kept outside it.

Two columns hold secrets someone could use: a person's authenticator-app secret (``users.totp_secret``: whoever
reads it can make their sign-in codes) and an agency's single sign-on client secret
(``agencies.sso_client_secret``). Both are stored as Fernet tokens (AES-128-CBC with HMAC-SHA256, from the
``cryptography`` package), so a copy of the database or a backup alone does not give them away.

The keys come from the environment, never from the database:
- ``DATA_ENCRYPTION_KEYS``: Fernet keys separated by commas, the newest first. The first seals; every one opens.
  Rotate by putting a new key first, running ``flask secrets rotate`` (which re-seals every secret with it), then
  removing the old key.
- Without it, one key is derived from ``SECRET_KEY`` (HKDF-SHA256), so that a laptop runs with no setting. That
  key is also accepted for opening when ``DATA_ENCRYPTION_KEYS`` is set, so moving to explicit keys is: set them,
  run ``flask secrets rotate``.
"""

from __future__ import annotations

import base64
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import select

from trigger.extensions import db
from trigger.models import Agency, User

log = logging.getLogger(__name__)

_EXTENSION = "trigger_secret_keys"


class UnreadableSecret(Exception):
    """A stored secret none of the configured keys opens (the keys changed without ``flask secrets rotate``)."""


def derived_key(secret_key: str) -> bytes:
    """The Fernet key derived from SECRET_KEY (used when DATA_ENCRYPTION_KEYS is not set, and always to open)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"trigger: secrets at rest, v1").derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


def keys_for(data_keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    """The keys in the order they are tried: the configured ones (the first seals), then the derived one."""
    fernets = [Fernet(key.encode()) for key in data_keys]
    fernets.append(Fernet(derived_key(secret_key)))
    return MultiFernet(fernets)


def _keys() -> MultiFernet:
    keys = current_app.extensions.get(_EXTENSION)
    if keys is None:
        settings = current_app.config["TRIGGER_SETTINGS"]
        keys = current_app.extensions[_EXTENSION] = keys_for(settings.data_keys, settings.secret_key)
    return keys


def seal(secret: str) -> str:
    """The stored form of ``secret``."""
    return _keys().encrypt(secret.encode()).decode("ascii")


def reveal(stored: str) -> str:
    """The secret from its stored form. Raises UnreadableSecret when no configured key opens it."""
    try:
        return _keys().decrypt(stored.encode("ascii")).decode()
    except (InvalidToken, ValueError, UnicodeError) as error:
        raise UnreadableSecret(
            "A stored secret cannot be opened with this server's keys: DATA_ENCRYPTION_KEYS or SECRET_KEY "
            "changed without `flask secrets rotate`."
        ) from error


def reseal(stored: str) -> str:
    """``stored`` sealed again with the newest key (``flask secrets rotate``). Raises UnreadableSecret."""
    try:
        return _keys().rotate(stored.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError, UnicodeError) as error:
        raise UnreadableSecret("A stored secret cannot be opened with this server's keys.") from error


def rotate_all() -> tuple[int, int]:
    """Seal every stored secret again with the newest key: (resealed, unreadable). Unreadable ones are left as
    they are (each is logged by table and id), so nothing is lost if a key was left out by mistake."""
    resealed = unreadable = 0
    for model, column in ((User, User.totp_secret), (Agency, Agency.sso_client_secret)):
        for row in db.session.scalars(select(model).where(column.is_not(None), column != "")):
            try:
                setattr(row, column.key, reseal(getattr(row, column.key)))
                resealed += 1
            except UnreadableSecret:
                log.error(
                    "secrets rotate: %s %s cannot be opened with the configured keys", model.__tablename__, row.id
                )
                unreadable += 1
    return resealed, unreadable
