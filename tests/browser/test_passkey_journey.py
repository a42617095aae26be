"""Passkeys in a real browser, with Chromium's virtual authenticator (the DevTools protocol's WebAuthn domain):
add a passkey, sign in with it alone, then use it as the second step after a password. axe checks each page."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.mission_helpers import check_page, visit
from tests.conftest import TEST_PASSWORD
from trigger.extensions import db
from trigger.models import AuditEvent, Passkey, Role


@pytest.fixture
def localhost_server(app):
    """WebAuthn needs a host name for its relying party (not an IP address): serve on localhost, and make
    PUBLIC_URL say so."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://localhost:{server.server_port}"
    app.config["TRIGGER_SETTINGS"] = dataclasses.replace(app.config["TRIGGER_SETTINGS"], public_url=base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join(timeout=5)


def password_step(page, base, email):
    visit(page, base + "/login")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.click("main button:has-text('Sign in')")
    page.wait_for_load_state("load")


def sign_out(page, base):
    page.click("header button:has-text('Sign out')")
    page.wait_for_url(base + "/login")


def test_add_a_passkey_then_sign_in_with_it(localhost_server, browser, make_user):
    base = localhost_server
    person = make_user(Role.VIEWER, name="Vic Viewer", email="vic@example.org")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    try:
        password_step(page, base, person.email)
        assert "Signed in as Vic Viewer" in page.inner_text("header")
        visit(page, base + "/account/passkeys")
        page.fill("#name", "Work laptop")
        page.click("button:has-text('Add a passkey')")
        page.wait_for_selector("[data-testid=passkeys]")
        check_page(page)
        assert "Work laptop" in page.inner_text("[data-testid=passkeys]")
        sign_out(page, base)

        # Passwordless: the passkey alone (it proved the person and user verification).
        visit(page, base + "/login")
        page.click("button:has-text('Sign in with a passkey')")
        page.wait_for_url(lambda url: "/login" not in url)
        assert "Signed in as Vic Viewer" in page.inner_text("header")
        sign_out(page, base)

        # As the second step after a password.
        password_step(page, base, person.email)
        page.wait_for_url(base + "/login/code")
        check_page(page)
        page.click("button:has-text('Use a passkey')")
        page.wait_for_url(lambda url: "/login" not in url)
        assert "Signed in as Vic Viewer" in page.inner_text("header")
    finally:
        context.close()
    db.session.expire_all()
    passkey = db.session.query(Passkey).one()
    assert passkey.user_id == person.id and passkey.last_used_at is not None
    assert "passkey.added" in {e.action for e in db.session.query(AuditEvent)}
