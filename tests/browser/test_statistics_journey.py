"""A coordinator reads the statistics in a browser: the year's figures, a date range typed the wrong way round,
keyboard only, checked with axe-core on every page."""

from tests.browser.conftest import assert_accessible
from tests.conftest import TEST_PASSWORD
from tests.statistics.test_statistics_page_and_publication import world  # noqa: F401 - the fixture: two areas whose events sit on the edges
from trigger.models import Role


def test_statistics_by_keyboard_with_a_bad_range_then_a_good_one(live_server, page, world):  # noqa: F811
    coordinator = world["people"][Role.COORDINATOR]
    page.goto(live_server + "/login")
    page.fill("#email", coordinator.email)
    page.fill("#password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.click("nav >> text=Statistics")
    page.select_option("#year", "2026")
    page.click("text=Show statistics")
    main = page.inner_text("main")
    assert "All areas: Financial year 2026-27" in main and "How each figure is counted" in main
    assert page.locator("svg[role=img]").count() >= 3
    assert_accessible(page)

    page.check("#period-range")
    for prefix, (day, month, year) in (("from", ("31", "3", "2027")), ("to", ("1", "4", "2026"))):
        page.fill(f"#{prefix}-day", day)
        page.fill(f"#{prefix}-month", month)
        page.fill(f"#{prefix}-year", year)
    page.click("text=Show statistics")
    assert page.title().startswith("Error:")
    assert "The end date must be the same as or after the start date" in page.inner_text(".govuk-error-summary")
    assert page.input_value("#from-day") == "31"  # nothing typed is lost
    assert_accessible(page)

    page.fill("#to-day", "31")
    page.fill("#to-month", "3")
    page.fill("#to-year", "2027")
    page.fill("#from-day", "1")
    page.fill("#from-month", "4")
    page.fill("#from-year", "2026")
    page.click("text=Show statistics")
    # A range that is exactly a financial year is named as one.
    assert "All areas: Financial year 2026-27 (1 April 2026 to 31 March 2027)" in page.inner_text("main")
    assert page.is_checked("#period-range")
    assert_accessible(page)
