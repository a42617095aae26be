"""The migrations make the schema the models describe: autogenerate finds nothing to add."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from trigger.extensions import db


def test_migrated_database_matches_the_models(app):

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_sqlite_enforces_foreign_keys_and_uses_wal(app):
    from sqlalchemy import text

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_postgresql_runs_through_psycopg3(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL driver")
    assert db.engine.dialect.driver == "psycopg"
