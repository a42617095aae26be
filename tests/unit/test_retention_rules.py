"""The pure retention rules (trigger.domain.retention)."""

from datetime import date, timedelta

import pytest

from trigger.domain.retention import (
    REDACTED,
    CaseFacts,
    Verdict,
    add_years,
    due_on,
    latest_due_closure,
    redact,
    validate_retention_years,
    verdict,
)


def test_29_february_becomes_28_february_in_a_year_without_one():
    assert add_years(date(2024, 2, 29), 6) == date(2030, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


@pytest.mark.parametrize("years", [1, 4, 6])
def test_the_cutoff_selects_exactly_the_cases_due(years):
    # Every closure date over two leap cycles, against every "today" around the leap days.
    for today in [date(2030, 2, 27) + timedelta(days=n) for n in range(4)] + [date(2032, 2, 28), date(2032, 3, 1)]:
        cutoff = latest_due_closure(today, years)
        for offset in range(-800, 800, 1):
            closed = add_years(today, -years) + timedelta(days=offset)
            assert (closed <= cutoff) == (due_on(closed, years) <= today), (today, closed)


def test_a_hold_stops_a_due_case_and_open_or_recent_cases_are_not_due():
    today = date(2030, 6, 1)
    closed_long_ago = CaseFacts(closed_on=date(2020, 1, 1), is_closed=True, on_hold=False, anonymised=False)
    assert verdict(closed_long_ago, 6, today) is Verdict.DUE
    assert verdict(CaseFacts(date(2020, 1, 1), True, True, False), 6, today) is Verdict.HELD
    assert verdict(CaseFacts(date(2025, 1, 1), True, False, False), 6, today) is Verdict.NOT_YET
    assert verdict(CaseFacts(None, False, False, False), 6, today) is Verdict.OPEN
    assert verdict(CaseFacts(date(2020, 1, 1), True, False, True), 6, today) is Verdict.ALREADY_ANONYMISED


def test_retention_years_must_be_between_1_and_30():
    assert validate_retention_years(6) is None
    assert validate_retention_years(0) and validate_retention_years(31) and validate_retention_years(None)


def test_redact_replaces_whole_names_whatever_their_case():
    text = "Ronnie Smith shouted at jane; Ronnie's dog barked. Ronald came too."
    assert redact(text, ["Ronnie Smith", "Jane", "Ronnie"]) == (
        f"{REDACTED} shouted at {REDACTED}; {REDACTED}'s dog barked. Ronald came too."
    )
    assert redact("Al was here", ["Al"]) == "Al was here"  # too short to redact safely
