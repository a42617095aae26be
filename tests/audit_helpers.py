"""Helpers for the audit chain's tests: tamper with the trail as someone with database access could."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import text

from trigger.extensions import db


@contextmanager
def append_only_guard_removed():
    """Remove the append-only trigger for the block (as a tamperer with database rights could), then restore it."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        db.session.commit()
        try:
            yield
        finally:
            db.session.rollback()
            db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"))
            db.session.commit()
    else:
        triggers = db.session.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'")
        ).all()
        for name, _ in triggers:
            db.session.execute(text(f'DROP TRIGGER "{name}"'))
        db.session.commit()
        try:
            yield
        finally:
            db.session.rollback()
            for _, sql in triggers:
                db.session.execute(text(sql))
            db.session.commit()


def tamper(sql: str, **params) -> None:
    """Run one statement against the audit trail with the trigger out of the way, and commit it."""
    with append_only_guard_removed():
        db.session.execute(text(sql), params)
        db.session.commit()
