"""Generic error pages that say what happened in plain words and leak nothing about the system.

Nor does the server log leak the case file: a database error is logged with its statement and stack but without
its parameters or the driver's detail line, which quote the values (an applicant's name, address, email).
"""

from __future__ import annotations

import traceback

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, StatementError
from werkzeug.exceptions import HTTPException

from trigger.domain.limits import OutOfRange

MESSAGES = {
    400: ("There was a problem with your request", "Go back, check what you entered and try again."),
    403: ("You do not have permission to see this page", "If you think you should, ask your administrator."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("This action is not allowed", "Go back and try again from the page you were on."),
    413: ("What you sent is too large", "Send a smaller file or shorter text."),
    429: ("Too many requests", "Wait a few minutes and try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you entered has been saved."),
    503: ("Sorry, the service is unavailable", "Try again later."),
}


def render_error(status: int, detail: str | None = None):
    title, advice = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title, advice=detail or advice), status


def _without_personal_data(error: BaseException) -> str:
    """The stack and what failed, for the log: SQLAlchemy errors keep their statement, never their values."""
    stack = "".join(traceback.format_tb(error.__traceback__))
    if isinstance(error, StatementError):
        original = type(error.orig).__name__ if error.orig is not None else type(error).__name__
        described = f"{type(error).__name__} ({original}) in statement: {error.statement}"
    else:
        described = f"{type(error).__name__}: {error}"
    return f"{stack}{described}"


def _route() -> str:
    """The route's pattern for the log, never the raw path (a path can hold a name or a postcode)."""
    return request.url_rule.rule if request.url_rule is not None else "(no route)"


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, "The form had expired or was sent from somewhere else. Go back, reload the page and try again."
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(OutOfRange)
    def out_of_range(error: OutOfRange):
        return render_error(
            400, "The address asks for a number Trigger does not use. Go back and choose from the page."
        )

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        from trigger.extensions import db

        db.session.rollback()
        if isinstance(error, DataError):
            # A value the database refused (out of range, malformed) that no check caught before: the request
            # was bad, not the service. Logged as a warning to be fixed, without the values.
            app.logger.warning(
                "Database refused a value on %s %s\n%s", request.method, _route(), _without_personal_data(error)
            )
            return render_error(400)
        app.logger.error("Unhandled error on %s %s\n%s", request.method, _route(), _without_personal_data(error))
        return render_error(500)
