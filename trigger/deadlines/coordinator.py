"""The coordinator who looks after a case (and gets its reminders).

Set when a coordinator records a case (create_case); changed on the case page (``assign_coordinator``, audited);
taken on by a coordinator who acknowledges a case nobody looks after yet (``coordinator_acknowledging``, called by
opening.on_stage_change).
"""

from __future__ import annotations

from sqlalchemy import select

from trigger import audit
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import Case, Role, User


def coordinator_choices() -> list[tuple[str, str]]:
    """The active coordinators, for a select: (id, name)."""
    return [
        (str(u.id), u.name)
        for u in db.session.scalars(
            select(User).where(User.active.is_(True), User.role == Role.COORDINATOR).order_by(User.name, User.id)
        )
    ]


def assign_coordinator(case: Case, coordinator_id: int | None, *, by: User | None) -> bool:
    """Make an active coordinator the one who looks after ``case`` (audited); False when nothing changed.

    Raises FieldError("coordinator_id") for anyone who is not an active coordinator.
    """
    user = db.session.get(User, coordinator_id) if coordinator_id else None
    if user is None or not user.active or user.role is not Role.COORDINATOR:
        raise FieldError("coordinator_id", "Choose an active coordinator")
    if case.coordinator_id == user.id:
        return False
    before = db.session.get(User, case.coordinator_id) if case.coordinator_id else None
    case.coordinator_id = user.id
    audit.record(
        "case.coordinator_assigned",
        "case",
        case.id,
        f"Coordinator: {user.name}" + (f" (was {before.name})" if before else ""),
        {"from": before.id if before else None, "to": user.id},
        actor=by,
        case_id=case.id,
    )
    return True


def coordinator_acknowledging(case: Case) -> None:
    """A coordinator who acknowledges a case nobody looks after yet takes it on."""
    from flask import has_request_context
    from flask_login import current_user

    if case.coordinator_id is not None or not has_request_context() or not current_user.is_authenticated:
        return
    user = current_user._get_current_object()
    if user.role is Role.COORDINATOR:
        assign_coordinator(case, user.id, by=user)
