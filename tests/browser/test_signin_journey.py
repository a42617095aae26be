"""Sign-in in a real browser: an administrator invites a coordinator, who sets a password, sets up an
authenticator app, signs out and back in with a code, then forgets the password and resets it. axe-core
checks every page."""

from __future__ import annotations

import re
import threading
import time

import pyotp
import pytest
from werkzeug.serving import make_server

from tests.browser.mission_helpers import check_page, visit
from tests.conftest import TEST_PASSWORD, build_app
from trigger.extensions import db
from trigger.models import Role

NEW_PASSWORD = "lantern orchard pebble drum"
RESET_PASSWORD = "copper meadow violin tide"


@pytest.fixture
def smtp_server(app, database_url, mail_server):
    """The app, delivering sign-in emails to a real SMTP server, served on a loopback port."""
    served = build_app(
        database_url,
        smtp_host="127.0.0.1",
        smtp_port=mail_server.port,
        smtp_starttls=False,
        mail_from="trigger@vale.example",
        public_url="https://trigger.vale.example",
    )
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    with served.app_context():
        db.session.remove()
        db.engine.dispose()


def emailed_path(mail_server, subject: str) -> str:
    for _, message in reversed(mail_server.received):
        if message["Subject"] == subject:
            body = message.get_body(("plain",)).get_content()
            return re.search(r"https://trigger\.vale\.example(/\S+\?token=[\w-]+)", body).group(1)
    raise AssertionError(f"no email {subject!r}: {[m['Subject'] for _, m in mail_server.received]}")


def submit(page, text: str) -> None:
    page.click(f"main button:has-text('{text}')")
    page.wait_for_load_state("load")


def test_invitation_two_factor_sign_in_and_reset(smtp_server, browser, mail_server, org, make_user):
    org.two_factor_roles = "coordinator"  # the administrator of this test signs in with a password alone
    db.session.commit()
    admin = make_user(Role.ADMIN, name="Ada Admin", email="ada@example.org")
    base = smtp_server
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        # The administrator adds a coordinator: no password field anywhere.
        visit(page, base + "/login")
        page.fill("#email", admin.email)
        page.fill("#password", TEST_PASSWORD)
        submit(page, "Sign in")
        visit(page, base + "/admin/users/new")
        assert page.locator("input[type=password]").count() == 0
        page.fill("#name", "Cora Coordinator")
        page.fill("#email", "cora@example.org")
        page.check("input[value=coordinator]")
        submit(page, "Save and send invitation")
        check_page(page)
        assert "an invitation to set a password has been emailed to cora@example.org" in page.inner_text("main")
        page.click("header button:has-text('Sign out')")
        page.wait_for_url(base + "/login")

        # Cora follows the link (already delivered: no outbox run), sets a password, sets up her app.
        visit(page, base + emailed_path(mail_server, "You have been invited to use Trigger"))
        assert "Set your password" in page.inner_text("h1")
        page.fill("#new_password", NEW_PASSWORD)
        page.fill("#confirm_password", NEW_PASSWORD)
        submit(page, "Set password")
        page.wait_for_url(base + "/two-factor/set-up")
        check_page(page)
        assert page.locator("main svg").count() == 1  # the QR code, drawn on the server
        secret = page.inner_text("[data-testid=totp-secret]").replace(" ", "")
        totp = pyotp.TOTP(secret)
        enrolment_code = totp.now()
        page.fill("#code", enrolment_code)
        submit(page, "Continue")
        check_page(page)
        assert page.locator("[data-testid=recovery-codes] li").count() == 10
        recovery_code = page.inner_text("[data-testid=recovery-codes] li >> nth=0").strip()
        page.click("text=I have kept my codes: continue")
        page.wait_for_load_state("load")
        check_page(page)
        assert "Signed in as Cora Coordinator" in page.inner_text("header")
        visit(page, base + "/account/sessions")
        assert "You sign in with a code from an authenticator app" in page.inner_text("main")
        page.click("header button:has-text('Sign out')")
        page.wait_for_url(base + "/login")

        # Back again: password, then a code (the one used to enrol is refused: codes work once).
        visit(page, base + "/login")
        page.fill("#email", "cora@example.org")
        page.fill("#password", NEW_PASSWORD)
        submit(page, "Sign in")
        page.wait_for_url(base + "/login/code")
        check_page(page)
        page.fill("#code", enrolment_code)
        submit(page, "Continue")
        check_page(page)
        assert "has been used already" in page.inner_text("main")
        page.fill("#code", totp.at(time.time() + 30))
        submit(page, "Continue")
        page.wait_for_url(lambda url: "/login" not in url)
        assert "Signed in as Cora Coordinator" in page.inner_text("header")
        page.click("header button:has-text('Sign out')")
        page.wait_for_url(base + "/login")

        # She forgets her password.
        page.click("text=Forgotten your password?")
        page.wait_for_load_state("load")
        check_page(page)
        page.fill("#email", "cora@example.org")
        submit(page, "Send the link")
        check_page(page)
        assert "Check your email" in page.inner_text("h1")
        visit(page, base + emailed_path(mail_server, "Reset your Trigger password"))
        page.fill("#new_password", RESET_PASSWORD)
        page.fill("#confirm_password", RESET_PASSWORD)
        submit(page, "Reset password")
        page.wait_for_url(base + "/login/code")  # a reset does not skip the second factor
        check_page(page)
        page.fill("#code", recovery_code)  # (the app's next code may not have come round yet)
        submit(page, "Continue")
        page.wait_for_url(lambda url: "/login" not in url)
        assert "Signed in as Cora Coordinator" in page.inner_text("header")
        assert "Your Trigger password has been reset" in [m["Subject"] for _, m in mail_server.received]

        # The used reset link says so.
        visit(page, base + emailed_path(mail_server, "Reset your Trigger password"))
        assert "This link has already been used" in page.inner_text("h1")
    finally:
        context.close()
