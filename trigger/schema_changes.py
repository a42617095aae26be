"""Helpers for the migrations in migrations/versions/ (Alembic imports them from there).

SQLite cannot alter most of a table in place: Alembic's batch mode copies the table, drops the old one and renames
the copy. trigger.extensions turns SQLite's foreign keys on for every connection, and dropping a table with them on
either is refused or, worse, deletes the rows that refer to it through ON DELETE CASCADE (dropping `actions` empties
`action_updates`; dropping `meetings` empties attendees, minutes and recommendations). Every batch rebuild of a table
that other tables refer to runs inside ``foreign_keys_off_on_sqlite``.
"""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def foreign_keys_off_on_sqlite(op):
    """Foreign keys off for the block on SQLite (no-op elsewhere), then on again.

    SQLite ignores PRAGMA foreign_keys inside a transaction, and the migrations before this one in the same run (or
    this one's own updates) leave the driver's transaction open: what is done so far is committed first, as it would
    be if each migration ran on its own. Stops, before anything is rebuilt, if foreign keys are still on."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    dbapi_connection = bind.connection.dbapi_connection
    if dbapi_connection.in_transaction:
        dbapi_connection.commit()
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("SQLite could not turn foreign keys off to rebuild a table; nothing was rebuilt.")
    yield
    if dbapi_connection.in_transaction:
        dbapi_connection.commit()
    bind.exec_driver_sql("PRAGMA foreign_keys=ON")
