"""`flask backup` / `flask restore`: an SQLite round trip keeps every row and the audit trail exactly."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from trigger import audit
from trigger.backup import row_counts
from trigger.extensions import db
from trigger.models import Agency, AgencyType, AuditEvent, Role


def audit_trail() -> list[tuple]:
    db.session.expire_all()
    return [
        (e.id, e.action, e.object_type, e.object_id, e.summary, e.at)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


def sqlite_counts(app) -> dict[str, int]:
    path = db.engine.url.database
    with sqlite3.connect(path) as connection:
        counts = row_counts(connection)
    connection.close()
    return counts


def test_a_backup_restores_every_row_and_the_audit_trail(app, make_user, make_agency, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite round trip; PostgreSQL is covered by the next test")
    make_user(Role.COORDINATOR)
    police = make_agency("Severn Vale Police", AgencyType.POLICE)
    for n in range(5):
        audit.record("agency.updated", "agency", police.id, f"Change {n}")
    db.session.commit()
    trail, counts = audit_trail(), sqlite_counts(app)
    assert len(trail) == 5

    runner = app.test_cli_runner()
    target = tmp_path / "trigger-backup.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output

    # Life goes on after the backup: more rows, and one agency deleted.
    db.session.add(Agency(name="Vale Homes", agency_type=AgencyType.HOUSING))
    audit.record("agency.created", "agency", None, "Added Vale Homes")
    db.session.commit()
    db.session.remove()

    refused = runner.invoke(args=["restore", str(target)])
    assert refused.exit_code != 0
    assert "already holds data" in refused.output and "--force" in refused.output

    restored = runner.invoke(args=["restore", str(target), "--force"])
    assert restored.exit_code == 0, restored.output
    assert "every table's row count matches the backup" in restored.output
    assert sqlite_counts(app) == counts
    assert audit_trail() == trail  # same ids, actions, summaries, times and order
    assert db.session.scalar(select(Agency.name).where(Agency.name == "Vale Homes")) is None


def test_backup_refuses_to_overwrite_a_file_and_restore_refuses_a_non_trigger_file(app, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    runner = app.test_cli_runner()
    existing = tmp_path / "exists.db"
    existing.write_bytes(b"")
    assert "already exists" in runner.invoke(args=["backup", str(existing)]).output
    stranger = tmp_path / "stranger.db"
    with sqlite3.connect(stranger) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER)")
    connection.close()
    result = runner.invoke(args=["restore", str(stranger), "--force"])
    assert result.exit_code != 0 and "not a Trigger database" in result.output


def test_on_postgresql_the_commands_point_to_pg_dump_and_pg_restore(app, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    runner = app.test_cli_runner()
    for args in (["backup", str(tmp_path / "x.db")], ["restore", str(tmp_path / "x.db")]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0
        assert "pg_dump" in result.output and "pg_restore" in result.output and "docs/operations.md" in result.output
