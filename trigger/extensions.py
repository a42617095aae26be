"""Flask extensions, created once here and initialised in create_app()."""

import sqlite3

from flask import g, has_request_context
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from trigger.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


def write_before_commit(statement, parameters) -> None:
    """Run a write that the page does not show (a view recorded in the audit trail, a session's last sight of its
    person) just before the request's commit, rather than now; outside a request, now.

    On SQLite the first write of a transaction takes the database's one write lock and holds it until the commit:
    written at the start of a request, it kept every other request that writes waiting while the page was built
    (two gunicorn workers viewing case pages took turns). Dropped with the rest of the request's writes when the
    response is an error (the transaction is rolled back)."""
    if has_request_context():
        g.setdefault("writes_before_commit", []).append((statement, parameters))
    else:
        db.session.execute(statement, parameters)


def run_writes_before_commit() -> None:
    """The request's deferred writes (write_before_commit), in order: called by the commit at the end of a request."""
    for statement, parameters in g.pop("writes_before_commit", ()):
        db.session.execute(statement, parameters)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys (off by default) and use WAL so readers do not block the writer."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_a_transaction(conn, name) -> None:
    """SQLite: open the request's transaction before its first SAVEPOINT.

    The sqlite3 driver only begins a transaction at the first INSERT/UPDATE/DELETE. A SAVEPOINT issued before
    that (e.g. saving a new case inside `begin_nested`) starts a transaction of its own, and releasing it COMMITS:
    the case would be saved on its own, before its audit event - found by killing a server mid-write
    (tests/security/test_escaping_and_crash_safety.py). Beginning first keeps the savepoint nested in the one request transaction.
    """
    dbapi_connection = conn.connection.dbapi_connection
    if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN")
