"""`flask outbox send`: deliver the emails that are due. Run it every minute from cron or a systemd timer."""

from __future__ import annotations

import click
from flask.cli import AppGroup

outbox = AppGroup("outbox", help="The email outbox.")


@outbox.command("send")
@click.option("--batch", default=50, show_default=True, help="Messages claimed at a time.")
@click.option("--max-batches", default=20, show_default=True, help="Most batches in one run.")
def send(batch: int, max_batches: int) -> None:
    """Send queued emails whose next attempt is due; failures are retried later with backoff."""
    from trigger.notifications.services import deliver_due

    for _ in range(max_batches):
        report = deliver_due(batch=batch)
        click.echo(report.summary())
        for error in report.errors:
            click.echo(f"  {error}", err=True)
        if not report.smtp_configured or report.sent + report.retrying + report.failed < batch:
            break
    # The minute's other housekeeping: add the audit events written since the last run to the hash chain.
    from trigger.audit_chain import ChainBroken, seal
    from trigger.extensions import db

    try:
        sealed = seal(db.session)
    except ChainBroken as broken:
        raise click.ClickException(f"audit chain broken: {broken}; run `flask audit verify`") from None
    if sealed:
        click.echo(f"Sealed {sealed} audit event{'' if sealed == 1 else 's'}.")
    from trigger import action_tallies

    folded = action_tallies.fold(db.session)
    if folded:
        click.echo(folded)
