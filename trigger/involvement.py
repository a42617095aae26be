"""Keeps case_agencies (trigger.models.CaseAgency) in step with the rule it records: which agencies are involved in
which cases (trigger.authz.involvement_pairs).

Every flush that adds, removes or re-points a row of the rule's sources (an incident report, an action, an
attendee, a restorative referral, or the incident, plan or meeting they hang from) recomputes the pairs of the
cases it touched, in the same transaction: a change and the list that shows it commit together or not at all.
Writes that bypass the ORM (the scale loader's bulk inserts) call ``rebuild()`` when they are done.

The table only makes a representative's case list fast. The list still checks each case it shows against the rule
itself (trigger.authz.visible_among), so a row this module failed to remove can change a count, never show a
case to someone who may not see it.
"""

from __future__ import annotations

from itertools import chain

from sqlalchemy import delete, event, func, inspect, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from trigger.authz import involvement_pairs
from trigger.models import Action, ActionPlan, Attendee, CaseAgency, Incident, IncidentReport, Meeting
from trigger.models.restorative import RestorativeReferral

#: The columns of each source that say which case and which agency a row involves: a row is looked at when it is
#: added or removed, or when one of these changes.
_KEYS: dict[type, tuple[str, ...]] = {
    Incident: ("case_id",),
    IncidentReport: ("incident_id", "agency_id"),
    ActionPlan: ("case_id",),
    Action: ("plan_id", "owner_agency_id"),
    Meeting: ("case_id",),
    Attendee: ("meeting_id", "agency_id"),
    RestorativeReferral: ("case_id", "agency_id"),
}


def _key_values(state, name: str) -> set:
    """The key's values in this flush: now and, if it changed, before (read without loading anything)."""
    history = state.attrs[name].history
    values = {*(history.added or ()), *(history.unchanged or ()), *(history.deleted or ()), state.dict.get(name)}
    values.discard(None)
    return values


#: Where a child row's case is: the parent key, and the parent's case column and id column.
_PARENT_CASES = (
    ("incident_id", Incident.case_id, Incident.id),
    ("plan_id", ActionPlan.case_id, ActionPlan.id),
    ("meeting_id", Meeting.case_id, Meeting.id),
)


def cases_touched(session: Session) -> set[int]:
    """The ids of the cases whose involved agencies this flush may have changed."""
    case_ids: set[int] = set()
    parents: dict[str, set[int]] = {name: set() for name, _, _ in _PARENT_CASES}
    for obj in chain(session.new, session.deleted, session.dirty):
        keys = _KEYS.get(type(obj))
        if keys is None:
            continue
        state = inspect(obj)
        changed = obj in session.new or obj in session.deleted
        if not changed and not any(state.attrs[name].history.has_changes() for name in keys):
            continue  # an edit of something else (an action's status, a report's text)
        for name in keys:
            if name == "case_id":
                case_ids |= _key_values(state, name)
            elif name in parents:
                parents[name] |= _key_values(state, name)
    connection = session.connection()
    for name, case_column, id_column in _PARENT_CASES:
        if parents[name]:
            case_ids.update(connection.scalars(select(case_column).where(id_column.in_(sorted(parents[name])))))
    return case_ids


def refresh(session: Session, case_ids: set[int]) -> None:
    """Recompute the involved agencies of ``case_ids`` from the rule's sources, in the session's transaction."""
    if not case_ids:
        return
    ids = sorted(case_ids)
    connection = session.connection()
    connection.execute(delete(CaseAgency).where(CaseAgency.case_id.in_(ids)))
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    # ON CONFLICT DO NOTHING: two transactions refreshing the same case at once both insert its pairs.
    connection.execute(
        insert(CaseAgency).from_select(["case_id", "agency_id"], involvement_pairs(ids)).on_conflict_do_nothing()
    )


def rebuild(session: Session) -> int:
    """Recompute the whole table (after a bulk load that bypassed the ORM); returns the number of pairs."""
    connection = session.connection()
    connection.execute(delete(CaseAgency))
    connection.execute(CaseAgency.__table__.insert().from_select(["case_id", "agency_id"], involvement_pairs()))
    return connection.scalar(select(func.count()).select_from(CaseAgency)) or 0


def _keep_in_step(session: Session, _flush_context) -> None:
    refresh(session, cases_touched(session))


def init_app(app) -> None:
    """Listen to every session's flushes (once per process): the web workers, the jobs and the commands all write."""
    if not event.contains(Session, "after_flush", _keep_in_step):
        event.listen(Session, "after_flush", _keep_in_step)
