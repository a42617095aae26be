"""Transaction helpers shared by services."""

from __future__ import annotations

import sqlite3

from sqlalchemy.orm import SessionTransaction

from trigger.extensions import db


def savepoint() -> SessionTransaction:
    """A SAVEPOINT inside the caller's transaction, on SQLite too: `with savepoint(): db.session.add(row)`.

    Use it to try an INSERT that may hit a UNIQUE constraint (e.g. a dedupe key) without spoiling the caller's
    transaction. pysqlite opens its transaction lazily, at the first INSERT/UPDATE; a SAVEPOINT issued before
    that would itself become the outermost transaction, and releasing it would COMMIT - so a request that
    later rolls back would keep the row. Opening the transaction first keeps the savepoint nested.
    """
    connection = db.session.connection()
    raw = connection.connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN")
    return db.session.begin_nested()
