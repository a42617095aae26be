"""How many actions an agency owns and how many are open, read from action_tallies (trigger.models.ActionTally)
instead of counted.

The database keeps the table: triggers on `actions` add rows of +1 / -1 as actions are added, removed, given to
another agency, opened or finished, in the same transaction as the change, so an agency's counts are always the
sums of its rows (tests/actions/test_action_tallies.py holds them to real counts after every kind of change).
`compact` folds each agency's rows into one; the minute's housekeeping runs it (`fold`, from `flask outbox send` and
the outbox job of `flask jobs run`, beside the audit chain's seal), so a read sums one row or a few, however many
actions the agency has.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Integer, bindparam, case, delete, func, insert, select, text
from sqlalchemy.orm import Session

from trigger.models import Action, ActionTally
from trigger.models.actions import OPEN_ACTION_SQL

_TALLIES = ActionTally.__table__
_OF_AGENCY = ActionTally.agency_id == bindparam("agency_id", type_=Integer)

#: An agency's actions and open actions (bind agency_id), as scalar subqueries to put beside other counts in one
#: statement.
AGENCY_ACTIONS = select(func.coalesce(func.sum(ActionTally.actions), 0)).where(_OF_AGENCY).scalar_subquery()
AGENCY_OPEN_ACTIONS = select(func.coalesce(func.sum(ActionTally.open_actions), 0)).where(_OF_AGENCY).scalar_subquery()

#: The agencies whose counts are spread over more than one row.
_SPREAD = select(ActionTally.agency_id).group_by(ActionTally.agency_id).having(func.count() > 1)


def compact(session: Session) -> int:
    """Fold each agency's rows into one row holding their sums (none if both are 0); returns how many rows went.

    Reads only when there is nothing to fold (every agency has one row), so running it every minute costs no
    write. On PostgreSQL rows another compaction holds are skipped (FOR UPDATE SKIP LOCKED), so two runs at once
    neither wait for nor count each other's rows; rows a writer has not committed yet are not seen, and are left
    for the next run. The caller commits.
    """
    agency_ids = session.scalars(_SPREAD).all()
    if not agency_ids:
        return 0
    taken = (
        select(ActionTally.id)
        .where(ActionTally.agency_id.in_(agency_ids))
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    gone = session.execute(
        delete(_TALLIES)
        .where(_TALLIES.c.id.in_(taken))
        .returning(_TALLIES.c.agency_id, _TALLIES.c.actions, _TALLIES.c.open_actions)
    ).all()
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for agency_id, actions, open_actions in gone:
        sums[agency_id][0] += actions
        sums[agency_id][1] += open_actions
    kept = [
        {"agency_id": agency_id, "actions": actions, "open_actions": open_actions}
        for agency_id, (actions, open_actions) in sorted(sums.items())
        if actions or open_actions
    ]
    if kept:
        session.execute(insert(_TALLIES), kept)
    return len(gone) - len(kept)


def fold(session: Session) -> str:
    """`compact` and commit, for the minute's housekeeping: a sentence for its log when it folded anything, else ""
    (most minutes: it then only read)."""
    folded = compact(session)
    session.commit()
    return f"Folded {folded} action tally row{'' if folded == 1 else 's'}." if folded else ""


def rebuild(session: Session) -> dict[int, tuple[int, int]]:
    """Count every agency's actions and open actions again and make the tallies say so; returns the counts.

    Only needed after actions were changed with the triggers off (a data-only restore with --disable-triggers,
    SQLite triggers dropped by hand): `flask recount-actions`. On PostgreSQL it first locks the tallies against
    writers (they wait a moment) so that no change slips between the count and the rows it replaces. The caller
    commits.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE action_tallies IN EXCLUSIVE MODE"))
    is_open = case((text(f"actions.{OPEN_ACTION_SQL}"), 1), else_=0)
    counts = {
        agency_id: (actions, open_actions)
        for agency_id, actions, open_actions in session.execute(
            select(Action.owner_agency_id, func.count(), func.sum(is_open))
            .group_by(Action.owner_agency_id)
            .order_by(Action.owner_agency_id)
        )
    }
    session.execute(delete(_TALLIES))
    if counts:
        session.execute(
            insert(_TALLIES),
            [{"agency_id": a, "actions": n, "open_actions": o} for a, (n, o) in counts.items()],
        )
    return counts
