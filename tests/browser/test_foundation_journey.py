"""A newcomer's first minutes in a browser: set-up, sign in by keyboard, add an agency, sign out."""

import pyotp
from sqlalchemy import select

from tests.browser.conftest import assert_accessible
from trigger.extensions import db
from trigger.models import Agency


def test_first_run_setup_admin_pages_and_keyboard_sign_in(live_server, page):
    page.goto(live_server + "/")
    assert page.url.endswith("/setup")
    assert_accessible(page)

    # A mistake first: the error summary takes focus and links to the field.
    page.fill("#org_name", "Severn Vale CSP")
    page.fill("#name", "Alice Admin")
    page.fill("#email", "alice@example.org")
    page.fill("#password", "too short")
    page.fill("#confirm_password", "too short")
    page.click("text=Create the administrator and continue")
    assert page.title().startswith("Error:")
    assert "Password must be at least 12 characters long" in page.inner_text(".govuk-error-summary")
    assert_accessible(page)
    page.fill("#password", "violet kettle harbour morning")
    page.fill("#confirm_password", "violet kettle harbour morning")
    page.click("text=Create the administrator and continue")
    assert "Welcome, Alice Admin" in page.inner_text("main")
    assert_accessible(page)

    page.click("text=Administration")
    page.click("text=Agencies")
    assert "There are no agencies yet" in page.inner_text("main")
    assert_accessible(page)
    page.click("text=Add an agency")
    page.fill("#name", "Severn Vale Police")
    page.select_option("#agency_type", "police")
    page.click("text=Save agency")
    assert "Agency Severn Vale Police has been created" in page.inner_text("main")
    assert_accessible(page)
    assert db.session.scalar(select(Agency.name)) == "Severn Vale Police"

    page.click("text=Sign out")
    assert "You have signed out" in page.inner_text("main")

    # Sign in again with the keyboard only: skip link, tab order, Enter submits.
    page.goto(live_server + "/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.focus("#email")
    page.keyboard.type("alice@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type("violet kettle harbour morning")
    page.keyboard.press("Enter")
    # A new partnership requires two-factor for administrators: Alice sets up her authenticator app now.
    page.wait_for_url("**/two-factor/set-up")
    assert_accessible(page)
    secret = page.inner_text("[data-testid=totp-secret]").replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("main button:has-text('Continue')")
    page.click("text=I have kept my codes: continue")
    page.wait_for_url("**/home")
    assert "Welcome, Alice Admin" in page.inner_text("main")
