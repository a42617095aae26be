"""Staff pages on a phone (390 x 844): nothing scrolls sideways, the tables read as stacked rows with each
value under its column's name, and axe finds nothing serious. The data is the demo county's case stories.

One browser journey (CI time): the coordinator's pages (cases, meetings, escalations, restorative justice), an
agency representative's (their actions and sign-ins), then the administrator's (settings, questions, policies)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from tests.browser.conftest import assert_accessible
from trigger.extensions import db
from trigger.models import Area, AreaClosureDay, AreaTimescalePolicy, Case, User
from trigger.models.area_policies import TIMESCALE_FIELDS
from trigger.models.restorative import AgreementItem
from trigger.models.risk import RiskCategory, RiskQuestion

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
        _fits(coordinator, f"{live_server}/cases/{live.id}/meetings")
        _labelled(coordinator, "Chair")
        _fits(coordinator, live_server + "/escalations")
        _labelled(coordinator, "Reviewing body")
        referral_id = db.session.scalar(select(AgreementItem.referral_id).limit(1))  # one with an agreement
        _fits(coordinator, f"{live_server}/restorative/{referral_id}")
        _labelled(coordinator, "Consent now")
        assert coordinator.locator("#agreement td[data-label='Progress']").count() >= 1
        _fits(coordinator, live_server + "/restorative/figures")
        _labelled(coordinator, "Number")
        coordinator.context.clear_cookies()
        police = _sign_in(context, live_server, "police@demo.example", passwords["police@demo.example"])
        _fits(police, live_server + "/my-actions")
        assert "Patrol the close" in police.locator("main").inner_text()
        _fits(police, live_server + "/account/sessions")  # the reader's own sign-ins, with the browser's name
        _labelled(police, "Browser")
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
    area = db.session.scalar(select(Area).order_by(Area.name).limit(1))  # the demo has no closures nor timescales
    db.session.add(AreaClosureDay(area_id=area.id, day=date(2026, 12, 29), reason="Offices closed over Christmas"))
    db.session.add(AreaTimescalePolicy(area_id=area.id, version=1, **{name: 10 for name in TIMESCALE_FIELDS}))
    if db.session.scalar(select(RiskQuestion.id).limit(1)) is None:
        # The migration's risk questions are gone when an earlier test emptied the tables.
        db.session.add(RiskQuestion(text="Is the victim vulnerable?", category=list(RiskCategory)[0]))
    db.session.commit()
    _fits(admin, f"{base}/admin/areas/{area.id}/closures")
    _labelled(admin, "Reason")
    _fits(admin, f"{base}/admin/areas/{area.id}/timescales")
    _labelled(admin, "Version")
    _fits(admin, base + "/admin/threshold-policies")
    _labelled(admin, "Current policy")
    _fits(admin, base + "/admin/risk-questions")
    _labelled(admin, "Kind of risk")
    _fits(admin, base + "/admin/restorative-questions")
    _labelled(admin, "A concern when")
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
