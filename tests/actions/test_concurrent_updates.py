"""Two people saving an update on the same action at the same moment: exactly one wins, the other is told
what changed, and after their retry both updates are kept. Needs real concurrency, so PostgreSQL only."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select

from tests.actions_helpers import make_action, make_case
from trigger.actions import services
from trigger.actions.services import StaleAction
from trigger.extensions import db
from trigger.models import ActionStatus, ActionUpdate, AgencyType, Role, User


def test_simultaneous_updates_one_wins_and_none_is_lost(app, make_area, make_agency, make_user):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: the simultaneous save is exercised on PostgreSQL")
    police = make_agency("Police", AgencyType.POLICE)
    reps = [make_user(Role.AGENCY_REP, agency=police, name=name) for name in ("Ann", "Ben")]
    action = make_action(make_case(make_area()), police)
    action_id, rep_ids = action.id, [rep.id for rep in reps]
    db.session.commit()

    both_loaded = threading.Barrier(2, timeout=20)
    outcomes: dict[str, object] = {}

    def save(index: int, note: str, status: ActionStatus) -> None:
        with app.app_context():
            try:
                actor = db.session.get(User, rep_ids[index])
                mine = services.load_action(action_id)
                version = mine.version  # the version the person's form was built from
                both_loaded.wait()
                try:
                    services.post_update(
                        mine,
                        expected_version=version,
                        note=note,
                        status=status,
                        reason="",
                        actor=actor,
                        today=date.today(),
                    )
                    db.session.commit()
                    outcomes[note] = "saved"
                except StaleAction as stale:
                    db.session.rollback()
                    # What the page would show: the other person's update (read before the session ends).
                    outcomes[note] = ("changed by someone else", [u.note for u in stale.updates])
            except Exception as error:  # pragma: no cover - surfaced by the assertions below
                outcomes[note] = error
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=save, args=(0, "Ann's note", ActionStatus.IN_PROGRESS)),
        threading.Thread(target=save, args=(1, "Ben's note", ActionStatus.COMPLETED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    winners = [note for note, outcome in outcomes.items() if outcome == "saved"]
    losers = {note: outcome for note, outcome in outcomes.items() if isinstance(outcome, tuple)}
    assert len(winners) == 1 and len(losers) == 1, outcomes
    [(loser_note, (_, shown))] = losers.items()
    # The loser is shown the winner's update.
    assert shown == winners

    # The loser retries from the current version: both updates are kept.
    db.session.expire_all()
    current = services.load_action(action_id)
    loser = db.session.get(User, rep_ids[0 if loser_note.startswith("Ann") else 1])
    services.post_update(
        current,
        expected_version=current.version,
        note=loser_note,
        status=ActionStatus.IN_PROGRESS,
        reason="",
        actor=loser,
        today=date.today(),
    )
    db.session.commit()
    notes = db.session.scalars(
        select(ActionUpdate.note).where(ActionUpdate.action_id == action_id).order_by(ActionUpdate.id)
    ).all()
    assert notes == [winners[0], loser_note]
    assert services.load_action(action_id).version == 3
