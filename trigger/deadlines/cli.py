"""`flask deadlines run`: queue the reminders the ladders call for today. Run it from cron every hour or so."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

deadlines = AppGroup("deadlines", help="Case deadlines and action reminders.")


@deadlines.command("run")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Evaluate as if it were this date (YYYY-MM-DD); default today in Europe/London.",
)
def run(today) -> None:
    """Queue each due reminder exactly once (safe to run twice, or on two machines at once)."""
    from trigger.deadlines.reminders import run_reminders
    from trigger.extensions import db

    day: date | None = today.date() if today else None
    try:
        report = run_reminders(day)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(report.summary())
