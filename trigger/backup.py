"""`flask backup` and `flask restore` for SQLite installations; PostgreSQL uses its own tools (pg_dump/pg_restore).

A backup is SQLite's online backup (`sqlite3.Connection.backup`): a consistent copy of the whole database taken
page by page while the product keeps running, checked with `PRAGMA integrity_check` and counted table by table.
A restore refuses to overwrite a database that holds data unless told to (`--force`), copies the backup over it
with the same API, and then checks that every table has exactly the rows the backup had - so an audit trail
either comes back whole (same ids, same order) or the command says it did not.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

POSTGRESQL_ADVICE = (
    "This installation uses PostgreSQL: back it up with pg_dump and restore it with pg_restore, e.g.\n"
    '  pg_dump --format=custom --file=trigger-$(date +%F).dump "$DATABASE_URL"\n'
    "  pg_restore --clean --if-exists --no-owner --single-transaction \\\n"
    '      --dbname="$DATABASE_URL" trigger-2026-11-25.dump\n'
    "See docs/operations.md (Backups) for the full procedure."
)
# A database "holds data" when any of these has a row (a freshly migrated one has only seeded templates).
DATA_TABLES = ("organisations", "users", "cases", "audit_events")


class BackupError(Exception):
    """The backup or restore did not happen, or did not verify; the message says why, for the operator."""


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(POSTGRESQL_ADVICE)
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _check(connection: sqlite3.Connection, what: str) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{what} failed SQLite's integrity check: {result}")
    if "alembic_version" not in row_counts(connection):
        raise BackupError(f"{what} is not a Trigger database (it has no alembic_version table).")


def _copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def backup(database_url: str, target: Path) -> dict[str, int]:
    """Copy the live database to `target` (which must not exist); returns the copy's row counts."""
    source = sqlite_path(database_url)
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name for the backup.")
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(source, target)
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        _check(copy, "The backup")
        counts = row_counts(copy)
    live.close()
    copy.close()
    return counts


def restore(database_url: str, source: Path, *, force: bool = False) -> dict[str, int]:
    """Replace the database with the backup at `source`, then verify every table's row count."""
    target = sqlite_path(database_url)
    source = Path(source)
    if not source.exists():
        raise BackupError(f"There is no backup at {source}.")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_db:
        _check(backup_db, "The backup")
        expected = row_counts(backup_db)
    backup_db.close()
    if target.exists() and not force:
        with sqlite3.connect(target) as current:
            counts = row_counts(current)
        current.close()
        holding = [name for name in DATA_TABLES if counts.get(name)]
        if holding:
            raise BackupError(
                f"The database at {target} already holds data ({', '.join(holding)}); restoring would replace "
                "it. Run again with --force to overwrite it."
            )
    _copy(source, target)
    with sqlite3.connect(target) as restored:
        _check(restored, "The restored database")
        actual = row_counts(restored)
    restored.close()
    if actual != expected:
        differ = sorted(name for name in set(actual) | set(expected) if actual.get(name) != expected.get(name))
        raise BackupError(f"The restore did not verify: row counts differ in {', '.join(differ)}.")
    return actual
