"""`flask retention run [--dry-run]`, `flask retention purge [--dry-run]`, `flask retention unlock`."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from trigger.extensions import db

retention = AppGroup("retention", help="Anonymise closed cases past their retention period; purge operational data.")


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="List what would be anonymised and purged; change nothing.")
@click.option("--no-purge", is_flag=True, help="Only anonymise cases; leave the operational purges for later.")
def run_command(dry_run: bool, no_purge: bool) -> None:
    """Anonymise closed cases past their area's retention period (not those under a legal hold), then purge
    operational records (sign-in attempts, public-form submissions, ended sessions, sent emails' bodies)."""
    from trigger.governance import purges
    from trigger.governance.retention import RetentionBusy, run
    from trigger.models import utcnow

    started = time.perf_counter()
    try:
        report = run(dry_run=dry_run, echo=None if dry_run else click.echo)
    except RetentionBusy as busy:
        raise click.ClickException(str(busy)) from None
    verb = "Would anonymise" if dry_run else "Anonymised"
    click.echo(
        f"{verb} {len(report.due) if dry_run else report.anonymised:,} case(s) closed past their "
        f"retention period (as of {report.today.isoformat()})."
    )
    if dry_run:
        for item in report.due:
            click.echo(
                f"  {item.reference}  {item.area_name}: closed {item.closed_on.isoformat()}, "
                f"{item.retention_years}-year retention, due {item.due_on.isoformat()}"
            )
    if report.held:
        click.echo(f"{'Would skip' if dry_run else 'Skipped'} {len(report.held):,} case(s) under a legal hold:")
        for item in report.held:
            click.echo(f"  {item.reference}  {item.area_name}: due {item.due_on.isoformat()}, held")
    if not no_purge:
        days = purges.sent_email_body_days(current_app.config)
        purged = purges.purge(utcnow(), email_body_days=days, dry_run=dry_run)
        click.echo(f"{'Would purge' if dry_run else 'Purged'} operational records:")
        for line in purged.lines():
            click.echo(f"  {line}")
    click.echo(f"{'Dry run: nothing was changed. ' if dry_run else ''}Done in {time.perf_counter() - started:.1f} s.")


@retention.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be purged; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Only the operational purges (no anonymisation)."""
    from trigger.governance import purges
    from trigger.models import utcnow

    report = purges.purge(utcnow(), email_body_days=purges.sent_email_body_days(current_app.config), dry_run=dry_run)
    click.echo(f"{'Would purge' if dry_run else 'Purged'} operational records:")
    for line in report.lines():
        click.echo(f"  {line}")


@retention.command("unlock")
def unlock_command() -> None:
    """Release the lock of a retention run that did not finish (a crash or a restart). Never during a run."""
    from trigger.governance.retention import release_lock

    if release_lock():
        click.echo("The retention lock was released.")
    else:
        click.echo("No retention run held the lock.")
    db.session.remove()
