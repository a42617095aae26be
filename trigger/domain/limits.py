"""The limits of what the database can hold, for checking input before it reaches a query. Pure: no Flask."""

from __future__ import annotations

#: The largest id or count a column can hold on both databases (PostgreSQL INTEGER is 32-bit and signed).
MAX_DATABASE_INTEGER = 2**31 - 1
#: No list has this many pages; a larger ?page= is a typing mistake or a probe, shown as the first page.
MAX_PAGE = 1_000_000


class OutOfRange(Exception):
    """A number in a request that no row can have (an id beyond the database's integer range)."""


def database_id(raw: object) -> int | None:
    """An id from a query string: the number, None when it is missing or not a number, OutOfRange when no row
    could have it (so that a filter is refused before a query runs, rather than silently dropped)."""
    try:
        value = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    if not -MAX_DATABASE_INTEGER <= value <= MAX_DATABASE_INTEGER:
        raise OutOfRange(f"{raw} is not a number Trigger uses")
    return value


def page_number(raw: object) -> int:
    """?page=: 1 when missing, not a number, below 1 or absurdly large."""
    try:
        value = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return 1
    return value if 1 <= value <= MAX_PAGE else 1


def has_nul(value: str) -> bool:
    return "\x00" in value
