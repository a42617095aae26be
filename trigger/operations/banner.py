"""The administrators' banner when the outbox or the reminders are late, on every page they see.

Worked out at most once a minute per server process: a banner a minute stale is fine, a few queries on every
page an administrator opens are not.
"""

from __future__ import annotations

import time

from flask import Flask, current_app
from flask_login import current_user

from trigger.authz import ADMIN

CACHE_SECONDS = 60
_EXTENSION = "trigger.operations.banner"


def late_messages() -> list[str]:
    if not ADMIN.allows(current_user):
        return []
    cache = current_app.extensions.setdefault(_EXTENSION, {"at": None, "messages": []})
    if cache["at"] is None or time.monotonic() - cache["at"] > CACHE_SECONDS:
        from trigger.operations.status import current_status

        status = current_status()
        cache["messages"] = status.problems if not status.database_ok else _late_only(status)
        cache["at"] = time.monotonic()
    return cache["messages"]


def _late_only(status) -> list[str]:
    from trigger.operations.status import lateness

    return lateness(status)


def init_app(app: Flask) -> None:
    @app.context_processor
    def operations_banner():
        return {"operations_late": late_messages}
