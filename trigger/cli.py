"""Command-line tools: `flask backup`, `flask restore`, and the registration of every feature's commands (`flask demo
load` in trigger.demo.cli, `flask outbox send`, `flask audit`, `flask jobs`, `flask status`...)."""

from __future__ import annotations

import click
from flask import Flask, current_app

from trigger.extensions import db


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path: str) -> None:
    """Copy the SQLite database to PATH while the product runs (PostgreSQL: use pg_dump, see docs/operations.md)."""
    from trigger.backup import BackupError, backup

    try:
        counts = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {path}: {len(counts)} tables, {sum(counts.values()):,} rows, integrity check ok.")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite a database that already holds data.")
def restore_command(path: str, force: bool) -> None:
    """Replace the SQLite database with the backup at PATH and verify every table's row count.

    Stop the web server and the outbox sender first. PostgreSQL: use pg_restore, see docs/operations.md.
    """
    from trigger.backup import BackupError, restore

    db.session.remove()
    db.engine.dispose()  # no pooled connection may keep the old database open
    try:
        counts = restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Restored from {path}: {len(counts)} tables, {sum(counts.values()):,} rows; every table's row "
        "count matches the backup."
    )


@click.command("recount-actions")
def recount_actions_command() -> None:
    """Count every agency's actions again into the tallies My actions reads (after editing actions with the
    database triggers off; see docs/operations.md)."""
    from trigger import action_tallies

    counts = action_tallies.rebuild(db.session)
    db.session.commit()
    actions = sum(n for n, _ in counts.values())
    click.echo(f"Recounted {actions:,} actions of {len(counts)} agencies.")


def init_app(app: Flask) -> None:
    from trigger.demo.cli import demo
    from trigger.notifications.cli import outbox

    app.cli.add_command(demo)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(recount_actions_command)
    app.cli.add_command(outbox)
    from trigger.deadlines.cli import deadlines

    app.cli.add_command(deadlines)
    from trigger.statistics.cli import statistics_command

    app.cli.add_command(statistics_command)

    from trigger.governance.cli import retention

    app.cli.add_command(retention)

    from trigger.audit_cli import audit

    app.cli.add_command(audit)

    from trigger.restorative.cli import restorative

    app.cli.add_command(restorative)

    from trigger.secrets_cli import secrets

    app.cli.add_command(secrets)

    from trigger.operations import cli as operations_cli

    operations_cli.init_app(app)  # flask jobs run / once, flask status
