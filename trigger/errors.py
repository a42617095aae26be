"""Generic error pages that say what happened in plain words and leak nothing about the system."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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


def _render(status: int, detail: str | None = None):
    title, advice = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title, advice=detail or advice), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(
            400, "The form had expired or was sent from somewhere else. Go back, reload the page and try again."
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _render(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        from trigger.extensions import db

        db.session.rollback()
        app.logger.exception("Unhandled error")
        return _render(500)
