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


def test_an_upgrade_that_rebuilds_a_sqlite_table_gathers_its_planner_statistics_again(tmp_path):
    """SQLite drops a table's statistics when a batch migration rebuilds it; without them the dashboard took 33 ms
    instead of 7 on the scale-10 data (bench/README.md). migrations/env.py runs ANALYZE after an upgrade where the
    database had statistics."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from tests.conftest import build_app
    from trigger.extensions import db

    app = build_app(f"sqlite:///{tmp_path / 'stats.db'}")
    with app.app_context():
        upgrade(revision="f3b9c2d4e6a1")
        db.session.execute(
            text(
                "INSERT INTO users (email, name, role, active, password_hash, created_at, "
                "updated_at) VALUES ('pat@example.org', 'Pat', 'coordinator', 1, 'x', '2026-01-01', "
                "'2026-01-01')"
            )
        )
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        assert db.session.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'users'")).scalar()
        upgrade()  # a4c8e2f6b1d3 rebuilds users to widen a column
        assert db.session.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'users'")).scalar()
        db.session.remove()
        db.engine.dispose()


def test_downgrading_and_upgrading_the_days_migrations_on_sqlite_keeps_every_row(tmp_path):
    """The migrations that rebuild `actions`, `meetings`, `users` and `agencies` on SQLite (batch mode: copy, drop,
    rename) run with foreign keys off: with them on, dropping `actions` deleted its updates (ON DELETE CASCADE)
    and dropping `meetings` its attendees and minutes. The demo county's stories have all of those."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from tests.conftest import build_app
    from trigger.extensions import db

    tables = ("action_updates", "actions", "meeting_attendees", "minute_items", "recommendations", "users")
    app = build_app(f"sqlite:///{tmp_path / 'demo.db'}")
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
        db.session.execute(  # the demo's actions have no progress updates yet: one, for the cascade to reach
            text(
                "INSERT INTO action_updates (action_id, author_id, note, status_from, status_to, reason, "
                "action_version, created_at) SELECT id, 1, 'Visited.', 'not-started', 'in-progress', '', 1, "
                "'2026-12-01' FROM actions LIMIT 1"
            )
        )
        db.session.commit()

        def counts():
            db.session.remove()
            return {t: db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}

        def tallies_and_counts():  # My actions' totals (f3b7a9c2d1e5): the tallies, and the actions counted
            tallied = "SELECT agency_id, sum(actions), sum(open_actions) FROM action_tallies GROUP BY agency_id"
            counted = (
                "SELECT owner_agency_id, count(*), sum(CASE WHEN status IN ('not-started', 'in-progress') THEN 1 "
                "ELSE 0 END) FROM actions GROUP BY owner_agency_id"
            )
            return [sorted(map(tuple, db.session.execute(text(sql)).all())) for sql in (tallied, counted)]

        before = counts()
        assert all(before.values()), before  # the demo has rows in each
        tallied, counted = tallies_and_counts()
        assert tallied == counted and len(counted) > 1  # kept by the triggers while the demo was loaded
        downgrade(revision="a4c8e2f6b1d3")  # a7c4e2f81b35 rebuilds actions and meetings
        assert counts() == before
        upgrade()
        assert counts() == before
        assert tallies_and_counts() == [counted, counted]  # filled again by the migration from the actions
        db.session.remove()
        db.engine.dispose()
