"""Hostile or mistyped input gets a clear 400 or 404 before it can reach the database, never a 500.

- A NUL byte in any query-string or form field (names, values, file names), or in the path: PostgreSQL cannot
  store one, so the whole request is refused, with a message saying what to remove. Every form, the public
  application and the sign-in form included, is covered here once rather than field by field.
- `<int:...>` URL parts beyond the database's integer range do not match a route (404), on both databases.
- `?page=` is read through `requested_page()`, which ignores nonsense.
- A service that meets a number no row can have raises `OutOfRange`, shown as 400 (before a CSV starts).
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from trigger.domain.limits import MAX_DATABASE_INTEGER, has_nul, page_number

NUL_MESSAGE = (
    "Something you entered contains a character that cannot be saved (a NUL character, usually from pasting "
    "text copied out of another program). Go back, remove it or retype the text, and try again."
)


class DatabaseIntegerConverter(IntegerConverter):
    """Flask's `int` converter, bounded by the database's integer range: a larger id is a 404, not a 500."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits, min, MAX_DATABASE_INTEGER if max is None else max, signed)


def requested_page() -> int:
    """The list page asked for in ?page=, 1 for anything that is not a sensible page number."""
    return page_number(request.args.get("page"))


def _request_has_nul() -> bool:
    if has_nul(request.path):
        return True
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if has_nul(key) or has_nul(value):
                return True
    return any(has_nul(key) or has_nul(upload.filename or "") for key, upload in request.files.items(multi=True))


def init_app(app: Flask) -> None:
    """Called before the blueprints are registered, so that every `<int:...>` route uses the bounded converter."""
    app.url_map.converters["int"] = DatabaseIntegerConverter

    @app.before_request
    def refuse_nul_bytes():
        if _request_has_nul():
            from trigger.errors import render_error

            return render_error(400, NUL_MESSAGE)
        return None
