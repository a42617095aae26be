"""Helpers for the whole-mission browser journey (tests/browser/test_mission_journey.py): keyboard-only form
filling, signing in, screenshots and reading what a real SMTP server received."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.browser.conftest import assert_accessible
from tests.conftest import TEST_PASSWORD

#: A directory for screenshots of the journey, for a person to look at: MISSION_SCREENSHOTS=/tmp/shots pytest ...
SCREENSHOTS = os.environ.get("MISSION_SCREENSHOTS", "")
SUBMIT = "main form button[type=submit]:not([tabindex='-1'])"


def check_page(page) -> None:
    """axe-core on the page once it has loaded (its style sheet too: target sizes depend on it)."""
    page.wait_for_load_state("load")
    assert_accessible(page)


def visit(page, url: str) -> None:
    """Go to a page and check it with axe-core, as every page of the journey is."""
    page.goto(url)
    check_page(page)


def follow(page, name) -> None:
    """Click a link by its accessible name (GOV.UK button-styled links have the role "button")."""
    page.get_by_role("link", name=name).or_(page.get_by_role("button", name=name)).first.click()


def focused(page) -> str:
    """What has the keyboard focus, as a person would name it: the id, else the text."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e ? (e.id || e.getAttribute('name') || e.textContent.trim()) : ''; }"
    )


def tab_to(page, selector: str, limit: int = 80) -> int:
    """Press Tab (only Tab) until the element matching ``selector`` has the focus; the number of presses.

    Called one field after another, it proves the focus order reaches each field, then the button, in turn.
    """
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"Tab never reached {selector} on {page.url} (last focus: {focused(page)!r})")


def keyboard_sign_in(page, base: str, email: str, password: str = TEST_PASSWORD) -> None:
    """Sign in with the keyboard only: skip link first, then the fields and the button in order, Enter."""
    visit(page, base + "/login")
    page.keyboard.press("Tab")
    assert focused(page) == "Skip to main content"
    tab_to(page, "#email")
    page.keyboard.type(email)
    assert tab_to(page, "#password") == 1  # straight from the email to the password
    page.keyboard.type(password)
    tab_to(page, SUBMIT)
    assert page.evaluate("document.activeElement.textContent").strip() == "Sign in"
    page.keyboard.press("Enter")
    _signed_in(page)


def sign_in(page, base: str, email: str, password: str = TEST_PASSWORD) -> None:
    visit(page, base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button:has-text('Sign in')")
    _signed_in(page)


def _signed_in(page) -> None:
    """Each role lands on its own first page (dashboard, My actions, escalations); the header names them."""
    page.wait_for_url(lambda url: not url.endswith("/login"))
    assert "Signed in as" in page.inner_text("header"), page.url


def main_text(page) -> str:
    return re.sub(r"\s+", " ", page.inner_text("main"))


def success_banner(page) -> str:
    """The text of the success notification banner (a flash message) on the page."""
    banner = page.locator(".govuk-notification-banner--success")
    try:  # the page after a redirect may still be arriving on a busy machine
        banner.first.wait_for(timeout=10_000)
    except Exception:
        pass
    assert banner.count() >= 1, f"no success message on {page.url}: {main_text(page)[:400]}"
    return " ".join(re.sub(r"\s+", " ", text) for text in banner.all_inner_texts())


def screenshot(page, name: str) -> None:
    """A full-page screenshot as journey-<name>.png, only when MISSION_SCREENSHOTS names a directory."""
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"journey-{name}.png"), full_page=True)


def mail_text(message) -> str:
    """Subject and plain-text body of a received email, white space folded."""
    body = message.get_body(("plain",))
    text = f"{message['Subject']}\n{body.get_content() if body else ''}"
    return re.sub(r"\s+", " ", text)
