"""Staff pages on a phone (390 x 844): nothing scrolls sideways, the tables read as stacked rows with each
value under its column's name, and axe finds nothing serious. The data is the demo county's case stories.

One browser journey (CI time): the coordinator's pages, an agency representative's, then the administrator's."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.browser.conftest import assert_accessible
from trigger.extensions import db
from trigger.models import Case, User

WIDTH = 390


def _sign_in(context, base: str, email: str, password: str):
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _fits(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{url} is {width} px wide on a {WIDTH} px screen"
    header = page.locator(".app-header__account")
    if header.count():
        box = header.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, f"'Signed in as' leaves the screen on {url}"
    assert_accessible(page)


def _load_demo(app) -> dict[str, str]:
    """Load the demo county; its accounts' passwords, by email address."""
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return dict(re.findall(r"^\s+(\S+@demo\.example)\s+(\S+)\s+\(", result.output, re.M))


def _labelled(page, label: str) -> None:
    """The first row of the page's first responsive table labels a cell with its column's name."""
    first = page.locator("table.app-table--responsive tbody tr").first
    assert first.locator(f"td[data-label='{label}']").count() == 1, f"no cell labelled {label!r} on {page.url}"


def test_staff_tables_fit_a_phone(app, live_server, browser):
    passwords = _load_demo(app)
    live = db.session.scalar(select(Case).where(Case.applicant_name == "Farah Hussain"))
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, is_mobile=True)
    try:
        coordinator = _sign_in(context, live_server, "coordinator@demo.example", passwords["coordinator@demo.example"])
        _fits(coordinator, live_server + "/dashboard")  # where a coordinator lands: the deadlines
        assert "Overdue" in coordinator.locator("main").inner_text()
        _fits(coordinator, live_server + "/no-such-page")  # an error page, with its long reference to quote
        assert coordinator.locator("[data-request-id]").count() == 1
        _fits(coordinator, live_server + "/cases")
        _labelled(coordinator, "Stage")  # each value is labelled with its column when the rows are stacked
        _fits(coordinator, f"{live_server}/cases/{live.id}/plan")
        _fits(coordinator, f"{live_server}/cases/{live.id}/documents")
        coordinator.context.clear_cookies()
        police = _sign_in(context, live_server, "police@demo.example", passwords["police@demo.example"])
        _fits(police, live_server + "/my-actions")
        assert "Patrol the close" in police.locator("main").inner_text()
        police.context.clear_cookies()
        admin = _sign_in(context, live_server, "admin@demo.example", passwords["admin@demo.example"])
        _administration_fits(admin, live_server)
    finally:
        context.close()


def _administration_fits(admin, base: str) -> None:
    """The administrator's pages: the settings lists, sessions, the audit trail, statistics with its charts,
    governance, the outbox and the service status, with their long email addresses, browsers and addresses."""
    police = db.session.scalar(select(User).where(User.email == "police@demo.example"))
    _fits(admin, base + "/admin/")
    assert "Outbox" in admin.locator("main").inner_text()
    _fits(admin, base + "/admin/users")
    _labelled(admin, "Agency")
    _fits(admin, f"{base}/admin/users/{police.id}/sessions")  # signed in earlier in this journey
    _labelled(admin, "Browser")
    _fits(admin, base + "/admin/agencies")
    _labelled(admin, "Contact email")
    _fits(admin, base + "/admin/areas")
    _labelled(admin, "Bank holidays")
    _fits(admin, base + "/admin/audit")
    _labelled(admin, "Who")
    _fits(admin, base + "/statistics")
    assert admin.locator("svg.app-chart__svg").count() >= 1
    _labelled(admin, "Threshold not met")
    _fits(admin, base + "/admin/governance")
    _fits(admin, base + "/admin/retention")
    _labelled(admin, "Kept after closure")
    _fits(admin, base + "/admin/data-we-hold")
    _labelled(admin, "Personal data")
    _fits(admin, base + "/admin/outbox")
    _labelled(admin, "To")
    _fits(admin, base + "/admin/status")
    assert "Service status" in admin.locator("h1").inner_text()
