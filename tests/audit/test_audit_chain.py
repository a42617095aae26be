"""The audit trail is append-only and verifiable: `flask audit verify`, the sealer, and the database trigger."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.audit_helpers import append_only_guard_removed, tamper
from trigger import audit
from trigger.audit_chain import seal
from trigger.extensions import db
from trigger.models import AuditEvent


def write_events(count: int, case_id: int | None = 5, actor=None) -> list[int]:
    ids = []
    for n in range(count):
        event = audit.record(
            "case.updated", "case", case_id, f"Change {n}", {"changes": {"n": [n, n + 1]}}, actor=actor, case_id=case_id
        )
        db.session.flush()
        ids.append(event.id)
    db.session.commit()
    return ids


def verify_output(app) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def test_verify_seals_new_events_and_reports_the_chain_ok(app):
    write_events(5)
    assert verify_output(app) == (0, "audit chain ok: 5 events\n")
    write_events(2)
    assert verify_output(app) == (0, "audit chain ok: 7 events\n")
    seqs = db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.id)).all()
    assert seqs == [1, 2, 3, 4, 5, 6, 7]


def test_an_empty_trail_verifies(app):
    assert verify_output(app) == (0, "audit chain ok: 0 events\n")


def test_flask_audit_seal_says_how_many_it_sealed(app):
    write_events(3)
    result = app.test_cli_runner().invoke(args=["audit", "seal"])
    assert result.exit_code == 0 and result.output.startswith("Sealed 3 audit events")
    assert app.test_cli_runner().invoke(args=["audit", "seal"]).output.startswith("Sealed 0 audit events")


def test_the_minutely_outbox_run_seals_the_trail(app):
    write_events(2)
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "Sealed 2 audit events." in result.output
    assert db.session.scalar(select(AuditEvent.seq).where(AuditEvent.seq.is_(None))) is None


# ---- the database refuses changes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET summary = 'nothing happened' WHERE id = :id",
        "UPDATE audit_events SET hash = NULL, seq = NULL, prev_hash = NULL WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_sealed_event(app, statement):
    [event_id] = write_events(1)
    seal(db.session)
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement), {"id": event_id})
        db.session.commit()
    db.session.rollback()
    assert verify_output(app) == (0, "audit chain ok: 1 events\n")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET summary = 'nothing happened' WHERE id = :id",
        "UPDATE audit_events SET summary = 'nothing happened', seq = 1, prev_hash = 'x', hash = 'y' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_unsealed_event_other_than_by_sealing_it(app, statement):
    [event_id] = write_events(1)
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement), {"id": event_id})
        db.session.commit()
    db.session.rollback()


# ---- tampering by someone who removed the trigger is detected ------------------------------------------


@pytest.mark.parametrize(
    "column, value",
    [
        ("at", "2020-01-01 00:00:00.000000"),
        ("actor_id", None),
        ("actor_label", "someone else"),
        ("action", "case.viewed"),
        ("object_type", "action"),
        ("object_id", 99),
        ("case_id", 99),
        ("summary", "nothing happened"),
        ("details", '{"changes": {}}'),
        ("ip_address", "198.51.100.1"),
        ("id", 1000),
        ("seq", 1000),
        ("prev_hash", "0" * 64),
        ("hash", "f" * 64),
    ],
)
def test_changing_any_column_of_one_event_is_detected_and_named(app, make_user, column, value):
    ids = write_events(4, actor=make_user())
    seal(db.session)
    if column == "at" and db.engine.dialect.name == "postgresql":
        value = "2020-01-01T00:00:00+00:00"
    tamper(f"UPDATE audit_events SET {column} = :value WHERE id = :id", value=value, id=ids[2])
    status, output = verify_output(app)
    assert status == 1
    expected = {
        "seq": f"event {ids[3]} (entry 4 of the chain): entry 3 before it is missing",
        "prev_hash": f"event {ids[2]} (entry 3 of the chain): its previous hash does not match the entry before it",
        "id": "event 1000 (entry 3 of the chain): its hash does not match its content",
    }.get(column, f"event {ids[2]} (entry 3 of the chain): its hash does not match its content")
    assert output == f"audit chain broken after 2 good entries: {expected}\n"


@pytest.mark.parametrize("position", [0, 2, 4])
def test_deleting_any_one_event_is_detected(app, position):
    ids = write_events(5)
    seal(db.session)
    tamper("DELETE FROM audit_events WHERE id = :id", id=ids[position])
    status, output = verify_output(app)
    assert status == 1
    if position < 4:
        assert (
            f"event {ids[position + 1]} (entry {position + 2} of the chain): entry {position + 1} before it is "
            "missing" in output
        )
    else:
        assert "the chain ends at entry 4 but the last seal ended at entry 5" in output


def test_an_event_changed_and_made_to_look_unsealed_is_detected_although_verify_seals_it_again(app):
    ids = write_events(3)
    seal(db.session)
    tamper(
        "UPDATE audit_events SET summary = 'nothing happened', seq = NULL, prev_hash = NULL, hash = NULL "
        "WHERE id = :id",
        id=ids[1],
    )
    status, output = verify_output(app)
    assert status == 1 and f"event {ids[2]} (entry 3 of the chain): entry 2 before it is missing" in output


# ---- concurrent writers ----------------------------------------------------------------------------------


def test_an_event_committed_after_a_later_id_was_sealed_joins_the_chain_at_its_end(app):
    """What PostgreSQL does when a transaction holding a lower id commits last: here the late row is given a
    lower id by hand, on both databases."""
    later = write_events(2)
    seal(db.session)
    db.session.execute(
        text(
            "INSERT INTO audit_events (id, at, actor_label, action, object_type, summary, details, "
            "ip_address) VALUES (:id, :at, 'system', 'late.commit', 'case', 'late', '{}', '')"
        ),
        {
            "id": later[0] - 1 if later[0] > 1 else 0,
            "at": "2026-12-02 06:00:00.000000" if db.engine.dialect.name == "sqlite" else "2026-12-02T06:00:00+00:00",
        },
    )
    db.session.commit()
    assert verify_output(app) == (0, "audit chain ok: 3 events\n")
    late = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "late.commit"))
    assert late.seq == 3


def test_writers_on_postgresql_do_not_wait_for_a_sealer_or_for_each_other(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's concurrency; SQLite has one writer at a time anyway")
    from trigger.audit_chain import SEAL_LOCK_KEY

    with db.engine.connect() as sealer, db.engine.connect() as slow_writer:
        sealer.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEAL_LOCK_KEY})  # a sealer at work
        slow_writer.execute(
            text(
                "INSERT INTO audit_events (at, actor_label, action, object_type, summary, details, "
                "ip_address) VALUES (now(), 'system', 'slow.writer', 'case', '', '{}', '')"
            )
        )
        # Another writer commits at once, with a higher id, while both of those transactions are open.
        db.session.execute(text("SET LOCAL lock_timeout = '2s'"))
        write_events(1)
        sealer.rollback()
        assert seal(db.session) == 1  # the committed one; the slow writer's row is not visible yet
        slow_writer.commit()
    assert seal(db.session) == 1
    assert verify_output(app) == (0, "audit chain ok: 2 events\n")
    order = db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars().all()
    assert order == ["case.updated", "slow.writer"]


def test_each_seal_is_the_domain_hash_of_the_event_as_the_product_reads_it(app, make_user):
    """The sealer reads raw columns for speed; its hashes must be those of trigger.domain.audit_chain over the
    event as the ORM loads it (time zone, microseconds, details JSON in any key order, text that is not ASCII)."""
    from trigger.domain.audit_chain import GENESIS_HASH, entry_hash

    user = make_user(name="Siân Ó Briain")
    audit.record(
        "case.updated",
        "case",
        3,
        'Changé "quoted"\nline',
        {"z": 1, "a": {"y": [1.5, None, "é"]}},
        actor=user,
        case_id=3,
    )
    audit.record("case.viewed", "case", 3, "", {}, case_id=None)
    db.session.commit()
    seal(db.session)
    db.session.expire_all()
    previous = GENESIS_HASH
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        entry = {
            name: getattr(event, name)
            for name in (
                "id",
                "seq",
                "at",
                "actor_id",
                "actor_label",
                "action",
                "object_type",
                "object_id",
                "case_id",
                "summary",
                "details",
                "ip_address",
            )
        }
        assert event.prev_hash == previous
        assert event.hash == entry_hash(previous, entry)
        previous = event.hash


def test_two_sealers_at_once_build_one_chain(app):
    """Sealers take turns per batch (the advisory lock on PostgreSQL, the writer lock on SQLite): each event is
    sealed once and the chain has no fork."""
    import threading

    write_events(400)
    sealed, errors = [], []

    def sealer() -> None:
        with app.app_context():
            try:
                sealed.append(seal(db.session, batch=25))
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sealer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sum(sealed) == 400
    assert verify_output(app) == (0, "audit chain ok: 400 events\n")


def test_a_removed_chain_head_is_reported_not_papered_over(app):
    write_events(2)
    seal(db.session)
    db.session.execute(text("DELETE FROM audit_chain_head"))
    db.session.commit()
    write_events(1)
    assert verify_output(app) == (
        1,
        "audit chain broken after 0 good entries: the record of the chain's last entry (audit_chain_head) is missing\n",
    )
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 1 and "audit chain broken" in result.output


@pytest.mark.parametrize("tampering", ["none", "update", "delete"])
def test_a_chain_checked_in_parallel_parts_gets_the_same_verdict_as_one_walk(app, monkeypatch, tampering):
    """A long chain is verified by worker processes, one part each; wherever the tampering falls (inside a part,
    on either side of a boundary), the verdict is the one a single walk gives."""
    from trigger import audit_chain

    monkeypatch.setattr(audit_chain, "PARALLEL_FROM", 1)
    ids = write_events(9)
    seal(db.session)
    positions = [None] if tampering == "none" else range(9)
    for position in positions:
        if position is not None:
            statement = (
                "UPDATE audit_events SET summary = 'nothing' WHERE id = :id"
                if tampering == "update"
                else "DELETE FROM audit_events WHERE id = :id"
            )
            tamper(statement, id=ids[position])
        one_walk = audit_chain.verify(db.session, seal_first=False, workers=1)
        db.session.rollback()
        in_parts = audit_chain.verify(db.session, seal_first=False, workers=3)  # parts 1-3, 4-6, 7-end
        db.session.rollback()
        assert in_parts == one_walk
        assert one_walk.ok is (position is None)
        if position is not None:  # put the chain back for the next position
            _truncate_and_rebuild(ids)


def _truncate_and_rebuild(ids: list[int]) -> None:
    with append_only_guard_removed():
        db.session.execute(text("DELETE FROM audit_events"))
        db.session.execute(text("DELETE FROM audit_chain_head"))
        db.session.commit()
    for event_id in ids:
        db.session.execute(
            text(
                "INSERT INTO audit_events (id, at, actor_label, action, object_type, summary, "
                "details, ip_address) VALUES (:id, :at, 'system', 'case.updated', 'case', "
                "'rebuilt', '{}', '')"
            ),
            {
                "id": event_id,
                "at": "2026-12-02 06:00:00.000000"
                if db.engine.dialect.name == "sqlite"
                else "2026-12-02T06:00:00+00:00",
            },
        )
    db.session.commit()
    seal(db.session)
