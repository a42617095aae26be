"""Writing to the audit trail. Called by services, inside the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import insert

from trigger.extensions import db, write_before_commit
from trigger.models import AuditEvent, User, utcnow


def client_address() -> str:
    return (request.remote_addr or "")[:45] if has_request_context() else ""


def actor_label(user: User | None) -> str:
    if user is None:
        return "system"
    return f"{user.name} <{user.email}>"


def record(
    action: str,
    object_type: str,
    object_id: int | None,
    summary: str = "",
    details: dict[str, Any] | None = None,
    actor: User | None = None,
    case_id: int | None = None,
) -> AuditEvent:
    """Add one audit event for the current request's user (or the given actor, or the system)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()  # type: ignore[attr-defined]
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label(actor) if actor or not has_request_context() else "anonymous visitor",
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case_id,
        summary=summary[:500],
        details=details or {},
        ip_address=client_address(),
    )
    db.session.add(event)
    return event


#: Built once: every view of a case page runs it.
_INSERT_EVENT = insert(AuditEvent)


def record_view(action: str, object_type: str, object_id: int, summary: str, case_id: int | None = None) -> None:
    """Record that the current user looked at something: one INSERT without an ORM object (this runs on every view
    of a busy page), made just before the request commits (write_before_commit: on SQLite, not holding the write
    lock while the page is built)."""
    actor = current_user._get_current_object()  # type: ignore[attr-defined]
    write_before_commit(
        _INSERT_EVENT,
        [
            {
                "at": utcnow(),
                "actor_id": actor.id,
                "actor_label": actor_label(actor),
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "case_id": case_id,
                "summary": summary[:500],
                "details": {},
                "ip_address": client_address(),
            }
        ],
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields that differ, as {field: [old, new]}, for an audit event's details."""
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
