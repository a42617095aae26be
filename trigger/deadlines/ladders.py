"""The reminder ladder of each area: how many working days before a deadline, on the day, when overdue and when
escalated its reminders go out (the rule itself is trigger.domain.reminders)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlalchemy import select

from trigger import audit
from trigger.domain.reminders import DEFAULT_LADDER, Ladder
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import Area, User
from trigger.models.deadlines import AreaReminderLadder


LADDER_FIELDS = ("days_before", "on_the_day", "when_overdue", "escalate_after")


def _ladder_of(row: AreaReminderLadder | None) -> Ladder:
    return DEFAULT_LADDER if row is None else Ladder(**{name: getattr(row, name) for name in LADDER_FIELDS})


def ladder_for_area(area: Area) -> Ladder:
    return _ladder_of(db.session.scalar(select(AreaReminderLadder).where(AreaReminderLadder.area_id == area.id)))


def ladders_for_areas(areas: Iterable[Area]) -> dict[int, Ladder]:
    """ladder_for_area for many areas in one query, keyed by area id."""
    ids = [a.id for a in areas]
    rows = {
        r.area_id: r for r in db.session.scalars(select(AreaReminderLadder).where(AreaReminderLadder.area_id.in_(ids)))
    }
    return {area_id: _ladder_of(rows.get(area_id)) for area_id in ids}


def save_ladder(area: Area, values: dict, *, by: User | None) -> bool:
    """Change an area's reminder ladder (audited); False when nothing changed. Raises FieldError."""
    try:
        new = Ladder(**{name: values[name] for name in LADDER_FIELDS})
    except ValueError as refusal:
        field_name = "days_before" if "advance" in str(refusal) else "escalate_after"
        raise FieldError(field_name, str(refusal)) from None
    row = db.session.scalar(select(AreaReminderLadder).where(AreaReminderLadder.area_id == area.id))
    before = dataclasses.asdict(_ladder_of(row))
    diff = audit.changes(before, dataclasses.asdict(new))
    if not diff:
        return False
    if row is None:
        row = AreaReminderLadder(area_id=area.id)
        db.session.add(row)
    for name in LADDER_FIELDS:
        setattr(row, name, getattr(new, name))
    row.updated_by_id = by.id if by else None
    db.session.flush()
    audit.record(
        "area.reminders_changed",
        "area",
        area.id,
        f"Changed the reminder ladder of {area.name}",
        {"changes": diff},
        actor=by,
    )
    return True
