"""One JSON line per request and per job step, each carrying the request id (or the job run id) it is about.

What a line may hold is deliberately narrow: the route's *pattern* (``/cases/<int:case_id>``), never the raw path
or its query string, and never a form value. Case searches are by name and postcode, which are personal data.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import Flask, g, request
from sqlalchemy import inspect as sa_inspect

#: The request id (or job run id) the current log lines are about; set per request and per job run.
current_reference: ContextVar[str | None] = ContextVar("trigger_log_reference", default=None)

# An id a proxy or load balancer already gave the request is kept, so that its logs and ours join up; anything
# else (too long, odd characters that could forge a log line) is replaced by our own.
_SAFE_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
REQUEST_LOGGER = "trigger.requests"


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, message, request_id, and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or current_reference.get(),
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and key not in line:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class ReferenceFilter(logging.Filter):
    """Stamps each record with the request id (or job run id) in force when it was logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_reference.get()
        return True


def install(logger: logging.Logger, stream=None) -> logging.Handler:
    """Give ``logger`` one JSON handler (replacing ours from an earlier app in the same process)."""
    for handler in list(logger.handlers):
        if isinstance(handler.formatter, JsonFormatter):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ReferenceFilter())
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    stamp(logger)
    return handler


def stamp(logger: logging.Logger) -> logging.Logger:
    """Records logged on ``logger`` itself carry the id to every handler (pytest's caplog included)."""
    if not any(isinstance(existing, ReferenceFilter) for existing in logger.filters):
        logger.addFilter(ReferenceFilter())
    return logger


def new_reference() -> str:
    return uuid.uuid4().hex


def init_app(app: Flask) -> None:
    # Added before Flask first touches app.logger, so Flask adds no plain-text handler of its own.
    install(logging.getLogger("trigger"))
    requests_log = stamp(logging.getLogger(REQUEST_LOGGER))

    @app.before_request
    def start_request() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _SAFE_INCOMING_ID.match(incoming) else new_reference()
        g.request_started = time.perf_counter()
        g.request_reference_token = current_reference.set(g.request_id)

    @app.after_request
    def log_request(response):
        request_id = g.get("request_id") or new_reference()
        response.headers["X-Request-Id"] = request_id
        started = g.get("request_started")
        requests_log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                # The pattern, never request.path: a path or query string can hold a name or a postcode.
                "route": request.url_rule.rule if request.url_rule is not None else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
                "user_id": _user_id(),
            },
        )
        return response

    @app.teardown_request
    def forget_reference(_error=None) -> None:
        token = g.pop("request_reference_token", None)
        if token is not None:
            try:
                current_reference.reset(token)
            except ValueError:  # set in another context (a streamed response): nothing to undo here
                current_reference.set(None)


def _user_id() -> int | None:
    """The signed-in user's id, if the request already loaded them; never loads a user just to log."""
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    # From the identity map, not the attribute: after the request's commit the user is expired, and reading
    # user.id would load the whole row again just to log it (one statement on every page that writes).
    state = sa_inspect(user, raiseerr=False)
    if state is not None and state.identity is not None:
        return state.identity[0]
    return getattr(user, "id", None)
