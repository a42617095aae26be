"""My actions states how many actions an agency owns and how many are open from tallies the database keeps
(trigger.action_tallies, triggers on actions): after every kind of change, made through the forms or behind the
product's back, the page and the tallies say what a real count says; folding them keeps the sums and writes nothing
when there is nothing to fold."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import case, func, insert, select, text
from sqlalchemy.orm import Session

from tests.actions_helpers import make_action, make_case
from tests.conftest import login, post, text_of
from trigger import action_tallies
from trigger.actions import services
from trigger.extensions import db
from trigger.models import Action, ActionPlan, ActionStatus, ActionTally, AgencyType, Role
from trigger.models.actions import OPEN_STATUSES


def _real_counts() -> dict[int, tuple[int, int]]:
    """Each agency's actions and open actions, counted."""
    is_open = case((Action.status.in_([s.value for s in OPEN_STATUSES]), 1), else_=0)
    rows = db.session.execute(
        select(Action.owner_agency_id, func.count(), func.sum(is_open)).group_by(Action.owner_agency_id)
    )
    return {agency_id: (actions, open_actions) for agency_id, actions, open_actions in rows}


def _tallied() -> dict[int, tuple[int, int]]:
    """Each agency's actions and open actions, as the tallies have them (agencies whose sums are both 0 left out)."""
    rows = db.session.execute(
        select(ActionTally.agency_id, func.sum(ActionTally.actions), func.sum(ActionTally.open_actions)).group_by(
            ActionTally.agency_id
        )
    )
    return {agency_id: (actions, open_actions) for agency_id, actions, open_actions in rows if actions or open_actions}


@pytest.fixture
def world(app, make_area, make_agency, make_user):
    """Fifty open police actions on one case, two finished ones on another, one council action."""
    area = make_area("Tallybury")
    police = make_agency("Tally Police", AgencyType.POLICE)
    council = make_agency("Tallybury Council", AgencyType.COUNCIL)
    case_a, case_b = make_case(area, applicant="Alice Victim"), make_case(area, applicant="Bob Victim")
    for n in range(50):
        make_action(case_a, police, description=f"Patrol street {n}", due_in_days=10 + n)
    for status in (ActionStatus.COMPLETED, ActionStatus.CANCELLED):
        make_action(case_b, police, description=f"Old work ({status.value})", status=status)
    make_action(case_b, council, description="Serve a warning", due_in_days=3)
    return {
        "police": police,
        "council": council,
        "case_a": case_a,
        "case_b": case_b,
        "police_rep": make_user(Role.AGENCY_REP, agency=police, name="Priya Police"),
        "coordinator": make_user(Role.COORDINATOR, name="Cora Coordinator"),
    }


def _first_police_action(world) -> Action:
    return db.session.scalars(
        select(Action).where(Action.owner_agency_id == world["police"].id).order_by(Action.id).limit(1)
    ).one()


def test_my_actions_states_the_counts_as_people_change_actions(app, world):
    assert _tallied() == _real_counts() == {world["police"].id: (52, 50), world["council"].id: (1, 1)}
    rep = app.test_client()
    login(rep, world["police_rep"])
    assert "50 open and 2 finished actions; page 1 of 2." in text_of(rep.get("/my-actions"))

    # The representative completes an action through the update form.
    action = _first_police_action(world)
    done = post(
        rep,
        f"/actions/{action.id}/update",
        {"note": "Patrolled", "status": "completed", "reason": "", "version": str(action.version)},
    )
    assert done.status_code == 302, text_of(done)
    assert "49 open and 3 finished actions; page 1 of 2." in text_of(rep.get("/my-actions"))

    # The coordinator gives another open police action to the council.
    coordinator = app.test_client()
    login(coordinator, world["coordinator"])
    moved = db.session.scalars(
        select(Action).where(Action.owner_agency_id == world["police"].id, Action.status == "not-started").limit(1)
    ).one()
    saved = post(
        coordinator,
        f"/actions/{moved.id}/edit",
        {
            "description": moved.description,
            "victim_wording": "",
            "owner_agency_id": str(world["council"].id),
            "owner_user_id": "",
            "source_note": "",
            "priority": moved.priority.value,
            "meeting_id": "",
            "version": str(moved.version),
        },
    )
    assert saved.status_code == 302, text_of(saved)
    db.session.expire_all()
    assert db.session.get(Action, moved.id).owner_agency_id == world["council"].id
    assert "48 open and 3 finished actions; page 1 of 2." in text_of(rep.get("/my-actions"))
    assert _tallied() == _real_counts() == {world["police"].id: (51, 48), world["council"].id: (2, 2)}


def test_every_status_change_counts_both_ways(app, world):
    action_id = _first_police_action(world).id
    actor = world["police_rep"]
    for status in [*ActionStatus, *reversed(ActionStatus)]:
        action = services.load_action(action_id)
        services.post_update(
            action,
            expected_version=action.version,
            note=f"Now {status.label}",
            status=status,
            reason="Because" if status.needs_reason else "",
            actor=actor,
            today=date.today(),
        )
        db.session.commit()
        assert _tallied() == _real_counts(), f"after {status.value}"


def test_changes_behind_the_products_back_are_counted_too(app, world):
    """psql, a bulk load or a cascade: the triggers see them, the ORM does not."""
    police, council = world["police"].id, world["council"].id
    plan_id = db.session.scalar(select(ActionPlan.id).where(ActionPlan.case_id == world["case_a"].id))
    due = date.today() + timedelta(days=4)
    db.session.execute(
        insert(Action.__table__),
        [
            {
                "plan_id": plan_id,
                "number": 100 + n,
                "description": f"Bulk {n}",
                "owner_agency_id": council,
                "due_on": due,
                "original_due_on": due,
                "version": 1,
            }
            for n in range(3)
        ],
    )
    db.session.execute(text("UPDATE actions SET owner_agency_id = :to WHERE description = 'Bulk 0'"), {"to": police})
    db.session.execute(
        text("UPDATE actions SET status = 'cancelled', status_reason = 'Duplicate' WHERE description = 'Bulk 1'")
    )
    db.session.execute(text("UPDATE actions SET due_on = due_on + 1 WHERE description = 'Bulk 2'"))  # not counted
    db.session.commit()
    assert _tallied() == _real_counts() == {police: (53, 51), council: (3, 2)}
    # Deleting a case removes its plan and actions by cascade.
    db.session.execute(text("DELETE FROM case_agencies WHERE case_id = :id"), {"id": world["case_b"].id})
    db.session.execute(text("DELETE FROM cases WHERE id = :id"), {"id": world["case_b"].id})
    db.session.commit()
    assert _tallied() == _real_counts() == {police: (51, 51), council: (2, 1)}


def test_folding_keeps_the_sums_and_writes_nothing_the_second_time(app, world):
    before = _tallied()
    spread = db.session.scalar(select(func.count()).select_from(ActionTally))
    assert spread == 53  # one row per action inserted by the factories
    assert action_tallies.compact(db.session) == 53 - 2
    db.session.commit()
    rows = db.session.execute(select(ActionTally.id, ActionTally.agency_id).order_by(ActionTally.id)).all()
    assert len(rows) == 2 and _tallied() == before == _real_counts()
    assert action_tallies.compact(db.session) == 0
    db.session.commit()
    assert db.session.execute(select(ActionTally.id, ActionTally.agency_id).order_by(ActionTally.id)).all() == rows

    # The minute's housekeeping folds what the day adds: `flask outbox send` and the jobs' outbox run.
    make_action(world["case_a"], world["police"], description="One more")
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "Folded 1 action tally row." in result.output
    make_action(world["case_a"], world["council"], description="And another")
    result = app.test_cli_runner().invoke(args=["jobs", "once", "outbox"])
    assert result.exit_code == 0 and "Folded 1 action tally row." in result.output
    assert len(db.session.scalars(select(ActionTally.id)).all()) == 2
    assert _tallied() == _real_counts() == {world["police"].id: (53, 51), world["council"].id: (2, 2)}


def test_two_folds_at_once_and_a_writer_in_between_lose_nothing(app, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: simultaneous folds are exercised on PostgreSQL")
    plan_id = db.session.scalar(select(ActionPlan.id).where(ActionPlan.case_id == world["case_a"].id))
    due = date.today() + timedelta(days=4)
    db.session.commit()
    with db.engine.connect() as one, db.engine.connect() as two, db.engine.connect() as writer:
        first, second, adding = Session(one), Session(two), Session(writer)
        # A writer adds an action and has not committed: its tally row is invisible to both folds.
        adding.execute(
            insert(Action.__table__).values(
                plan_id=plan_id,
                number=200,
                description="Added meanwhile",
                owner_agency_id=world["police"].id,
                due_on=due,
                original_due_on=due,
                version=1,
            )
        )
        assert action_tallies.compact(first) == 53 - 2  # holds the rows it took until it commits
        two.execute(text("SET lock_timeout = '5s'"))  # fail, rather than hang, if the second fold waited
        assert action_tallies.compact(second) == 0  # skips the rows the first holds
        first.commit()
        second.commit()
        adding.commit()
    assert _tallied() == _real_counts() == {world["police"].id: (53, 51), world["council"].id: (1, 1)}


def test_recount_repairs_tallies_left_wrong_by_changes_made_with_the_triggers_off(app, world):
    db.session.execute(text("DELETE FROM action_tallies"))
    db.session.execute(insert(ActionTally).values(agency_id=world["council"].id, actions=7, open_actions=7))
    db.session.commit()
    rep = app.test_client()
    login(rep, world["police_rep"])
    assert "50 open and 2 finished" not in text_of(rep.get("/my-actions"))
    result = app.test_cli_runner().invoke(args=["recount-actions"])
    assert result.exit_code == 0 and "Recounted 53 actions of 2 agencies." in result.output
    assert _tallied() == _real_counts() == {world["police"].id: (52, 50), world["council"].id: (1, 1)}
    assert "50 open and 2 finished actions; page 1 of 2." in text_of(rep.get("/my-actions"))
