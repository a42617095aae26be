"""Settings come from the environment; production refuses to start without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, Settings, normalise_database_url

ROOT = Path(__file__).resolve().parents[2]


def test_production_without_secret_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("TRIGGER_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        Settings.from_env(tmp_path)
    assert not (tmp_path / "secret_key").exists()


def test_production_start_up_prints_a_clear_message_not_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    env.update(TRIGGER_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Trigger cannot start: SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_local_secret_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("TRIGGER_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = Settings.from_env(tmp_path)
    second = Settings.from_env(tmp_path)
    assert len(first.secret_key) == 64 and first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only
    assert first.database_url == f"sqlite:///{tmp_path / 'trigger.db'}"
    assert first.secure_cookies is False


def test_production_defaults_to_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("TRIGGER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("PUBLIC_URL", "https://trigger.vale.example/")
    settings = Settings.from_env(tmp_path)
    assert settings.secure_cookies is True
    assert settings.public_url == "https://trigger.vale.example"  # no trailing slash: paths are appended


def test_production_without_public_url_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("TRIGGER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    with pytest.raises(ConfigError, match="PUBLIC_URL is not set"):
        Settings.from_env(tmp_path)


def test_local_public_url_defaults_to_the_address_make_run_serves(monkeypatch, tmp_path):
    monkeypatch.delenv("TRIGGER_ENV", raising=False)
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    assert Settings.from_env(tmp_path).public_url == "http://127.0.0.1:5000"


def test_smtp_port_465_means_implicit_tls_and_587_means_starttls(monkeypatch, tmp_path):
    monkeypatch.setenv("SMTP_PORT", "465")
    settings = Settings.from_env(tmp_path)
    assert (settings.smtp_ssl, settings.smtp_starttls) == (True, False)
    monkeypatch.setenv("SMTP_PORT", "587")
    settings = Settings.from_env(tmp_path)
    assert (settings.smtp_ssl, settings.smtp_starttls) == (False, True)


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("SESSION_IDLE_MINUTES", "soon", "SESSION_IDLE_MINUTES must be a whole number"),
        ("SMTP_STARTTLS", "perhaps", "SMTP_STARTTLS must be true or false"),
        ("TRIGGER_ENV", "staging", "TRIGGER_ENV must be 'local' or 'production'"),
        ("PUBLIC_URL", "trigger.vale.example", "PUBLIC_URL must be an address such as https://"),
        ("PUBLIC_URL", "javascript:alert(1)", "PUBLIC_URL must be an address"),
        ("SMTP_SSL", "maybe", "SMTP_SSL must be true or false"),
        ("SMTP_CA_FILE", "/nonexistent/ca.pem", "SMTP_CA_FILE names a file that does not exist"),
    ],
)
def test_malformed_settings_are_named(monkeypatch, tmp_path, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(tmp_path)


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
