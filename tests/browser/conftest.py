"""Browser tests: the real app served on a loopback port, driven by Debian's headless Chromium via Playwright.

Playwright's own browser download is not reachable here, so the tests launch /usr/bin/chromium (installed by
.ci/run) and are skipped when it is missing. Every page a journey visits can be checked with axe-core
(`assert_accessible(page)`), vendored from npm as tests/browser/axe.min.js (MPL-2.0).
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = (Path(__file__).parent / "axe.min.js").read_text()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server(app):
    """Serve the test app on a free loopback port for the duration of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def assert_accessible(page) -> None:
    """Run axe-core on the current page: no serious or critical WCAG 2.x A/AA violations.

    Waits for the page's style sheets first: axe measuring an unstyled page reports false target sizes."""
    page.wait_for_load_state("load")
    page.evaluate(AXE)
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"accessibility violations on {page.url}: {bad}"


def fill_date(page, field_id: str, day) -> None:
    """The GOV.UK date input: day, month and year boxes (the day box has the field's id)."""
    page.locator(f"#{field_id}").fill(str(day.day))
    page.locator(f"#{field_id}-month").fill(str(day.month))
    page.locator(f"#{field_id}-year").fill(str(day.year))
