"""Secrets stored in the database are sealed with a key kept outside it (trigger.secrets_at_rest): a copy of the
database alone does not give away anyone's authenticator app or an agency's single sign-on client secret."""

from __future__ import annotations

import logging
import time

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text

from config import ConfigError, Settings
from tests.conftest import post
from tests.auth.test_two_factor import enrol, password_step
from trigger.extensions import db
from trigger.models import Role
from trigger.secrets_at_rest import keys_for, reveal, seal

KEYS = "trigger_secret_keys"


def raw(sql: str, **params):
    return db.session.execute(text(sql), params).scalar()


@pytest.fixture
def two_factor_on(org):
    org.two_factor_roles = "administrator,coordinator,chair"
    db.session.commit()
    return org


@pytest.fixture
def keys(app):
    """Change the server's keys as a restart with new settings would; put them back afterwards."""
    settings = app.config["TRIGGER_SETTINGS"]
    before = app.extensions.get(KEYS)

    def use(*data_keys: str) -> None:
        app.extensions[KEYS] = keys_for(data_keys, settings.secret_key)

    yield use
    app.extensions.pop(KEYS, None)
    if before is not None:
        app.extensions[KEYS] = before


def test_an_authenticator_secret_is_stored_sealed_and_still_signs_people_in(
    app,
    client,
    two_factor_on,
    make_user,
):
    user = make_user(Role.COORDINATOR)
    totp, _ = enrol(client, user)
    stored = raw("SELECT totp_secret FROM users WHERE id = :id", id=user.id)
    assert totp.secret not in stored and stored.startswith("gAAAA")  # a Fernet token, not the secret
    assert reveal(stored) == totp.secret
    fresh = app.test_client()
    assert password_step(fresh, user).location == "/login/code"
    signed_in = post(fresh, "/login/code", {"code": totp.at(time.time() + 30)})
    assert signed_in.status_code == 302 and signed_in.location == "/dashboard"


def test_with_the_wrong_keys_the_app_code_is_refused_but_a_recovery_code_works_and_the_log_says_why(
    app, client, two_factor_on, make_user, keys, caplog
):
    user = make_user(Role.CHAIR)
    totp, codes = enrol(client, user)
    settings = app.config["TRIGGER_SETTINGS"]
    saved, settings.secret_key = settings.secret_key, "another-secret-key-" + "x" * 40
    try:
        keys(Fernet.generate_key().decode())  # a new DATA_ENCRYPTION_KEYS key and a new SECRET_KEY: neither sealed it
        fresh = app.test_client()
        password_step(fresh, user)
        with caplog.at_level(logging.ERROR):
            refused = post(fresh, "/login/code", {"code": totp.now()})
        assert refused.status_code == 200 and "not correct" in refused.get_data(as_text=True)
        assert "cannot be opened with this server's keys" in caplog.text
        assert totp.secret not in caplog.text
        ok = post(fresh, "/login/code", {"code": codes[0]})
        assert ok.status_code == 302
    finally:
        app.config["TRIGGER_SETTINGS"].secret_key = saved


def test_flask_secrets_rotate_reseals_with_the_newest_key_so_the_old_one_can_go(
    app,
    client,
    two_factor_on,
    make_user,
    make_agency,
    keys,
):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys(old)
    user = make_user(Role.COORDINATOR)
    totp, _ = enrol(client, user)
    agency = make_agency("Vale Homes")
    agency.sso_client_secret = seal("client-s3cret")
    db.session.commit()

    only_new = keys_for((new,), "unrelated-secret-key")
    sealed_before = raw("SELECT totp_secret FROM users WHERE id = :id", id=user.id)
    with pytest.raises(InvalidToken):
        only_new.decrypt(sealed_before.encode())

    keys(new, old)
    result = app.test_cli_runner().invoke(args=["secrets", "rotate"])
    assert result.exit_code == 0, result.output
    assert "secrets sealed with the newest key" in result.output
    db.session.expire_all()
    sealed_after = raw("SELECT totp_secret FROM users WHERE id = :id", id=user.id)
    client_after = raw("SELECT sso_client_secret FROM agencies WHERE id = :id", id=agency.id)
    assert only_new.decrypt(sealed_after.encode()).decode() == totp.secret
    assert only_new.decrypt(client_after.encode()).decode() == "client-s3cret"
    assert raw("SELECT count(*) FROM audit_events WHERE action = 'secrets.rotated'") == 1


def test_a_data_encryption_key_that_is_not_a_fernet_key_stops_the_start_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", "not-a-key")
    with pytest.raises(ConfigError, match="key 1 is not a Fernet key"):
        Settings.from_env(tmp_path)
    good = Fernet.generate_key().decode()
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", f"{good}, ")
    assert Settings.from_env(tmp_path).data_keys == (good,)


def test_the_migration_seals_the_secrets_already_stored_and_downgrading_opens_them(tmp_path):
    from flask_migrate import downgrade, upgrade

    from tests.conftest import build_app

    app = build_app(f"sqlite:///{tmp_path / 'before.db'}")
    with app.app_context():
        upgrade(revision="f3b9c2d4e6a1")  # authenticator and SSO secrets stored as typed
        # An agency with a person in it: rebuilding either table must neither be refused nor cascade.
        db.session.execute(
            text(
                "INSERT INTO agencies (id, name, agency_type, active, contact_email, "
                "sso_client_secret, created_at, updated_at) VALUES (1, 'Vale Homes', 'housing', 1, "
                "'', 'client-s3cret', '2026-01-01', '2026-01-01')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO users (email, name, role, agency_id, active, password_hash, "
                "totp_secret, created_at, updated_at) VALUES ('pat@example.org', 'Pat', "
                "'agency-representative', 1, 1, 'x', 'JBSWY3DPEHPK3PXP', '2026-01-01', '2026-01-01')"
            )
        )
        db.session.commit()
        upgrade()
        totp = raw("SELECT totp_secret FROM users")
        client_secret = raw("SELECT sso_client_secret FROM agencies")
        assert "JBSWY3DPEHPK3PXP" not in totp and reveal(totp) == "JBSWY3DPEHPK3PXP"
        assert "client-s3cret" not in client_secret and reveal(client_secret) == "client-s3cret"
        downgrade(revision="f3b9c2d4e6a1")
        assert raw("SELECT totp_secret FROM users") == "JBSWY3DPEHPK3PXP"
        assert raw("SELECT sso_client_secret FROM agencies") == "client-s3cret"
        assert raw("SELECT agency_id FROM users") == 1  # nothing cascaded
        db.session.remove()
        db.engine.dispose()
