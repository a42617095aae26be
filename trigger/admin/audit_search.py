"""Searching the audit trail: by person, case reference, record, action and date range (London days)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import AuditEvent, Case

LONDON = ZoneInfo("Europe/London")


def _contains(query: str) -> str:
    """A LIKE pattern matching the query literally, any case (its % and _ are not wildcards)."""
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class AuditSearch:
    person: str = ""
    case_reference: str = ""
    record_type: str = ""
    record_id: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    case_id: int | None = field(default=None, init=False)  # the case_reference's case, once checked

    def check(self) -> list[FieldError]:
        """What is wrong with the filters (each error names its field); also looks up the case reference."""
        errors = []
        if self.record_id and not re.fullmatch(r"[0-9]{1,9}", self.record_id):
            errors.append(FieldError("record_id", "Enter the record number as a whole number, like 42"))
        elif self.record_id and not self.record_type:
            errors.append(
                FieldError(
                    "record_type", f"Enter the type of record, like case, to find record number {self.record_id}"
                )
            )
        if self.date_from and self.date_to and self.date_to < self.date_from:
            errors.append(FieldError("date_to", "The ‘to’ date must be the same as or after the ‘from’ date"))
        if self.case_reference:
            self.case_id = db.session.scalar(
                select(Case.id).where(func.upper(Case.reference) == self.case_reference.upper())
            )
            if self.case_id is None:
                errors.append(
                    FieldError("case_reference", f"There is no case with the reference {self.case_reference}")
                )
        return errors

    def statement(self) -> Select:
        """The matching events, newest first (call check() first)."""
        statement = select(AuditEvent).order_by(AuditEvent.id.desc())
        if self.person:
            statement = statement.where(func.lower(AuditEvent.actor_label).like(_contains(self.person), escape="\\"))
        if self.case_reference:
            statement = statement.where(AuditEvent.case_id == self.case_id)
        if self.record_type:
            statement = statement.where(AuditEvent.object_type == self.record_type.lower())
        if self.record_id:
            statement = statement.where(AuditEvent.object_id == int(self.record_id))
        if self.action:
            statement = statement.where(AuditEvent.action.like(_contains(self.action), escape="\\"))
        if self.date_from:
            statement = statement.where(AuditEvent.at >= _london_midnight(self.date_from))
        if self.date_to:
            statement = statement.where(AuditEvent.at < _london_midnight(self.date_to + timedelta(days=1)))
        return statement


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), LONDON)


def case_references(events) -> dict[int, str]:
    """{case id: reference} for the cases these events belong to, in one query (a deleted case is missing)."""
    ids = {event.case_id for event in events if event.case_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(Case.id, Case.reference).where(Case.id.in_(ids))).all()
    return {case_id: reference for case_id, reference in rows}
