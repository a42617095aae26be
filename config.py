"""Typed settings, read from the environment.

Production refuses to start without a SECRET_KEY; the local default generates one once and keeps it
under instance/ so that a laptop needs no set-up. Nothing secret has a default value here.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


def _existing_file(name: str) -> str | None:
    raw = os.environ.get(name) or None
    if raw is not None and not Path(raw).is_file():
        raise ConfigError(f"{name} names a file that does not exist: {raw!r}")
    return raw


def _public_url(raw: str) -> str:
    """``https://host[:port][/prefix]`` without a trailing slash, or a ConfigError saying what is wrong."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"PUBLIC_URL must be an address such as https://trigger.council.example, not {raw!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator gave."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _local_secret_key(instance_path: Path) -> str:
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created readable by the owner only: the key signs every session cookie.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _data_keys() -> tuple[str, ...]:
    """DATA_ENCRYPTION_KEYS: Fernet keys separated by commas, newest first (see trigger.secrets_at_rest)."""
    from cryptography.fernet import Fernet

    keys = tuple(key.strip() for key in os.environ.get("DATA_ENCRYPTION_KEYS", "").split(",") if key.strip())
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise ConfigError(
                f"DATA_ENCRYPTION_KEYS: key {position} is not a Fernet key (32 bytes, URL-safe base64). Make one "
                "with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            ) from None
    return keys


@dataclass
class Settings:
    """Everything the application reads from its environment, with safe defaults."""

    environment: str
    secret_key: str
    database_url: str
    session_idle_minutes: int = 30
    password_hash_profile: str = "production"
    #: Sign-in throttling (auth.services.is_throttled): failures within login_throttle_minutes.
    login_max_failures_per_account_and_address: int = 5
    login_max_failures_per_account: int = 20
    login_max_failures_per_address: int = 100
    login_throttle_minutes: int = 15
    public_form_per_hour: int = 10
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_ssl: bool = False  # implicit TLS from the first byte (port 465), instead of STARTTLS
    smtp_ca_file: str | None = None  # a private CA for an internal relay; the system's CAs otherwise
    mail_from: str = "trigger@localhost"
    secure_cookies: bool = False
    behind_proxy: bool = False
    #: Where people reach this Trigger, for the links in emails (a path alone is no use in a mail client).
    public_url: str = "http://127.0.0.1:5000"
    #: `flask jobs run` (trigger.operations.jobs): how often each job runs, in seconds.
    jobs_outbox_seconds: int = 60
    jobs_reminders_seconds: int = 300
    jobs_retention_seconds: int = 0  # 0: `flask jobs run` leaves retention to `flask retention run`
    #: The administrators' banner says the outbox or the reminders are late after these many minutes.
    outbox_late_minutes: int = 10
    reminders_late_minutes: int = 60
    #: Bearer token for /status.json (monitoring); unset: the endpoint does not exist (404).
    status_token: str | None = None
    #: Fernet keys sealing the secrets stored in the database (trigger.secrets_at_rest), newest first.
    data_keys: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, instance_path: Path) -> "Settings":
        environment = os.environ.get("TRIGGER_ENV", "local")
        if environment not in {"local", "production"}:
            raise ConfigError(f"TRIGGER_ENV must be 'local' or 'production', not {environment!r}")
        secret_key = os.environ.get("SECRET_KEY", "")
        if not secret_key:
            if environment == "production":
                raise ConfigError(
                    "SECRET_KEY is not set. In production Trigger needs a long random SECRET_KEY in its "
                    "environment, e.g. the output of: python -c 'import secrets; print(secrets.token_hex(32))'"
                )
            secret_key = _local_secret_key(instance_path)
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'trigger.db'}"
        public_url = os.environ.get("PUBLIC_URL", "")
        if not public_url and environment == "production":
            raise ConfigError(
                "PUBLIC_URL is not set. In production Trigger needs the address people use to reach it, "
                "e.g. PUBLIC_URL=https://trigger.council.example, so that links in emails work."
            )
        smtp_port = _int("SMTP_PORT", 587)
        smtp_ssl = _bool("SMTP_SSL", smtp_port == 465)
        return cls(
            environment=environment,
            secret_key=secret_key,
            database_url=normalise_database_url(database_url),
            session_idle_minutes=_int("SESSION_IDLE_MINUTES", 30),
            password_hash_profile=os.environ.get("PASSWORD_HASH_PROFILE", "production"),
            login_max_failures_per_account_and_address=_int("LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS", 5),
            login_max_failures_per_account=_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 20),
            login_max_failures_per_address=_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 100),
            login_throttle_minutes=_int("LOGIN_THROTTLE_MINUTES", 15),
            public_form_per_hour=_int("PUBLIC_FORM_PER_HOUR", 10),
            smtp_host=os.environ.get("SMTP_HOST") or None,
            smtp_port=smtp_port,
            smtp_ssl=smtp_ssl,
            smtp_starttls=_bool("SMTP_STARTTLS", not smtp_ssl),
            smtp_ca_file=_existing_file("SMTP_CA_FILE"),
            smtp_username=os.environ.get("SMTP_USERNAME") or None,
            smtp_password=os.environ.get("SMTP_PASSWORD") or None,
            mail_from=os.environ.get("MAIL_FROM", "trigger@localhost"),
            secure_cookies=_bool("SECURE_COOKIES", environment == "production"),
            behind_proxy=_bool("BEHIND_PROXY", False),
            public_url=_public_url(public_url) if public_url else cls.public_url,
            jobs_outbox_seconds=_int("JOBS_OUTBOX_SECONDS", 60),
            jobs_reminders_seconds=_int("JOBS_REMINDERS_SECONDS", 300),
            jobs_retention_seconds=_int("JOBS_RETENTION_SECONDS", 0),
            outbox_late_minutes=_int("OUTBOX_LATE_MINUTES", 10),
            reminders_late_minutes=_int("REMINDERS_LATE_MINUTES", 60),
            status_token=os.environ.get("STATUS_TOKEN") or None,
            data_keys=_data_keys(),
        )

    def flask_config(self) -> dict:
        """The settings in the shape Flask and its extensions read them."""
        # hide_parameters: an error's message never quotes the values of a statement (personal data) in the log.
        engine_options: dict = {"pool_pre_ping": True, "hide_parameters": True}
        if self.database_url.startswith("sqlite"):
            engine_options = {"connect_args": {"timeout": 30}, "hide_parameters": True}
        return {
            "TRIGGER_SETTINGS": self,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "SESSION_COOKIE_NAME": "trigger_session",
            "REMEMBER_COOKIE_SECURE": self.secure_cookies,
            "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead, which expires when idle
            "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
            "PREFERRED_URL_SCHEME": "https" if self.secure_cookies else "http",
        }
