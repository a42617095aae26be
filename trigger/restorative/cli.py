"""`flask restorative remind`: tell facilitators about follow-up checks that are due. Run it daily from cron."""

from __future__ import annotations

import click
from flask.cli import AppGroup

restorative = AppGroup("restorative", help="The restorative pathway's periodic work.")


@restorative.command("remind")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Evaluate as if it were this date (YYYY-MM-DD); default today in Europe/London.",
)
def remind(today) -> None:
    """Each due, undone follow-up check is reminded once (safe to run twice)."""
    from trigger.deadlines.dates import london_today
    from trigger.extensions import db
    from trigger.restorative.services import remind_due_follow_ups

    try:
        count = remind_due_follow_ups(today.date() if today else london_today())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"{count} follow-up check(s) reminded")
