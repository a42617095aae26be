"""Test fixtures: the real app on a real database, SQLite always and PostgreSQL when TEST_DATABASE_URL is set.

Every test that takes `app` (or anything built on it) runs once per database. The schema is made by the
migrations, exactly as in production, once per database per run; after each test every table is emptied.
CSRF protection stays on: `post()` reads the token from the page like a browser would.
"""

from __future__ import annotations

import os
import re
from html import unescape
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from config import Settings, normalise_database_url
from trigger import create_app
from trigger.extensions import db
from trigger.models import Agency, AgencyType, Area, Organisation, Role, User
from trigger.models.base import Base

TEST_PASSWORD = "a-long-test-passphrase-42"


def _database_params() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get("TEST_DATABASE_URL"):
        params.append(pytest.param("postgresql", id="postgresql"))
    return params


def make_settings(database_url: str, **overrides) -> Settings:
    values = dict(
        environment="local",
        secret_key="test-secret-key-not-for-production",
        database_url=normalise_database_url(database_url),
        password_hash_profile="test",
    )
    values.update(overrides)
    return Settings(**values)


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production.

    The `app` fixture keeps an app context open so tests can use `db.session`; without this, requests would
    reuse that context, sharing `g` (and the CSRF token cached in it) and the database session between
    requests, which no real server does.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def build_app(database_url: str, **overrides) -> Flask:
    app = create_app({"TRIGGER_SETTINGS": make_settings(database_url, **overrides), "TESTING": True})
    app.test_client_class = FreshContextClient
    return app


def _reset_postgres(url: str) -> None:
    engine = create_engine(normalise_database_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=_database_params())
def database_url(request, tmp_path_factory) -> str:
    """A migrated, empty database for this run."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'trigger-test.db'}"
    else:
        url = os.environ["TEST_DATABASE_URL"]
        _reset_postgres(url)
    app = build_app(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _empty_all_tables() -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        # TRUNCATE does not fire row triggers, so the audit trail's append-only trigger does not stand in the way.
        names = ", ".join(table.name for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        # SQLite has no TRUNCATE and no way to disable a trigger: drop the triggers (the audit trail's refuse
        # DELETE), empty the tables and create the triggers again from the SQL SQLite kept for them.
        triggers = db.session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
        for name, _ in triggers:
            db.session.execute(text(f'DROP TRIGGER "{name}"'))
        for table in tables:
            db.session.execute(table.delete())
        for _, sql in triggers:
            db.session.execute(text(sql))
    db.session.commit()


@pytest.fixture
def app(database_url) -> Iterator[Flask]:
    app = build_app(database_url)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


# ---- helpers a test reads like a user story -------------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {page.status_code})"
    return match.group(1)


def post(client: FlaskClient, url: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):
    """Submit a form as a browser would: read the CSRF token from the page first."""
    payload = dict(data or {})
    payload["csrf_token"] = csrf_from(client, token_from or url)
    return client.post(url, data=payload, **kwargs)


def text_of(response) -> str:
    """The page's visible text with tags stripped and white space folded, for assertions."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@pytest.fixture
def org(app) -> Organisation:
    # Two-factor is off for the test partnership so that login() signs in with a password; the tests of
    # two-factor switch it on (production and a new partnership have it on for administrators, coordinators
    # and chairs).
    organisation = Organisation(id=1, name="Test Vale Partnership", two_factor_roles="")
    db.session.add(organisation)
    db.session.commit()
    return organisation


@pytest.fixture
def make_agency(app):
    def make(name: str = "Test Police", agency_type: AgencyType = AgencyType.POLICE, active: bool = True) -> Agency:
        agency = Agency(name=name, agency_type=agency_type, active=active, contact_email="")
        db.session.add(agency)
        db.session.commit()
        return agency

    return make


@pytest.fixture
def make_area(app):
    def make(name: str = "Testbury") -> Area:
        area = Area(name=name)
        db.session.add(area)
        db.session.commit()
        return area

    return make


@pytest.fixture
def make_user(app, org, make_agency):
    from trigger.auth.passwords import hash_password

    counter = {"n": 0}

    def make(
        role: Role = Role.COORDINATOR,
        *,
        agency: Agency | None = None,
        active: bool = True,
        email: str | None = None,
        name: str | None = None,
    ) -> User:
        counter["n"] += 1
        if role is Role.AGENCY_REP and agency is None:
            agency = make_agency(f"Agency {counter['n']}")
        user = User(
            email=email or f"user{counter['n']}@example.org",
            name=name or f"Test {role.label} {counter['n']}",
            role=role,
            agency_id=agency.id if agency else None,
            active=active,
            password_hash=hash_password(TEST_PASSWORD, "test"),
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


def login(client: FlaskClient, user: User, password: str = TEST_PASSWORD):
    response = post(client, "/login", {"email": user.email, "password": password})
    assert response.status_code == 302, f"sign-in failed for {user.email}: {text_of(response)[:300]}"
    return response


@pytest.fixture
def admin(make_user) -> User:
    return make_user(Role.ADMIN, name="Ada Admin", email="ada@example.org")


@pytest.fixture
def admin_client(client, admin) -> FlaskClient:
    login(client, admin)
    return client


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def mail_server():
    """A real SMTP server (aiosmtpd) on a free loopback port for one test."""
    from tests.mailserver import MailServer

    server = MailServer()
    server.start()
    yield server
    server.stop()
