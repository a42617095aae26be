"""Command-line tools: `flask demo load`, `flask backup`, `flask restore`, `flask outbox send`, `flask audit`,
`flask jobs`, `flask status`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from trigger.extensions import db

demo = AppGroup("demo", help="Demonstration data for trying the product.")


@demo.command("load")
@click.option("--scale", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Also generate a large data set: N=1 is 1,000 cases, N=10 is 10,000 (see trigger/demo_scale.py).")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same generated people and stories.")
def demo_load(scale: float | None, seed: int) -> None:
    """Fill an empty database with a fictional county: six areas, its agencies and a dozen users."""
    from trigger.demo import DemoRefused, load_demo

    profile = current_app.config["TRIGGER_SETTINGS"].password_hash_profile
    try:
        accounts = load_demo(profile)
        if not scale:  # one case at every stage (trigger/demo_stories.py); the scale set makes its own
            from trigger.demo_stories import load_stories

            load_stories()
        db.session.commit()
    except DemoRefused as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from None
    click.echo("Demo data loaded. These passwords are shown once only - keep them somewhere safe:\n")
    width = max(len(a.email) for a in accounts) if accounts else 0
    for account in accounts:
        click.echo(f"  {account.email:<{width}}  {account.password}  ({account.role.label}: {account.name})")
    if not scale:  # the scale data set keeps exact counts of its own; the small county shows the RJ pathway
        from trigger.restorative.demo import load_restorative_demo

        added = load_restorative_demo()
        db.session.commit()
        click.echo(f"\n{added} cases on the restorative justice pathway, one at each step.")
    click.echo("\nThese accounts sign in with the password alone: two-factor authentication is switched off in the "
               "demo.\nTo turn it on, sign in as the administrator and tick the roles under Administration > "
               "Organisation settings\n(\"Roles that must sign in with two-factor authentication\"); people in "
               "those roles set up an\nauthenticator app at their next sign-in.")
    if scale:
        from trigger.demo_scale import load_scale

        click.echo(f"\nGenerating the scale {scale:g} data set (seed {seed}):")
        report = load_scale(scale, seed=seed, echo=click.echo)
        for table, count in report.counts.items():
            click.echo(f"  {table:<26} {count:>9,}")
        click.echo(f"Done in {report.seconds:.1f} s.")
    click.echo(f"\nSign in at {current_app.config['TRIGGER_SETTINGS'].public_url}/login")


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
    click.echo(f"Restored from {path}: {len(counts)} tables, {sum(counts.values()):,} rows; every table's row "
               "count matches the backup.")


def init_app(app: Flask) -> None:
    from trigger.notifications.cli import outbox

    app.cli.add_command(demo)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
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
