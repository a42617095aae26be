"""`flask jobs run` (the long-running jobs process), `flask jobs once JOB` and `flask status`."""

from __future__ import annotations

import json
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

jobs = AppGroup("jobs", help="The background jobs: the outbox and the reminders.")


@jobs.command("run")
@click.option(
    "--outbox-every",
    type=click.FloatRange(min=1),
    default=None,
    help="Seconds between outbox runs (default JOBS_OUTBOX_SECONDS, 60).",
)
@click.option(
    "--reminders-every",
    type=click.FloatRange(min=1),
    default=None,
    help="Seconds between reminder runs (default JOBS_REMINDERS_SECONDS, 300).",
)
@click.option(
    "--retention-every",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds between retention runs (default JOBS_RETENTION_SECONDS, 0: off, see docs/operations.md).",
)
def run(outbox_every: float | None, reminders_every: float | None, retention_every: float | None) -> None:
    """Send the outbox every minute and run the reminders every few minutes until stopped (SIGTERM, Ctrl-C).

    A job in progress is finished before the process exits. Two such processes never run the same job at once.
    """
    from trigger.operations.jobs import OUTBOX, REMINDERS, RETENTION, run_forever

    settings = current_app.config["TRIGGER_SETTINGS"]
    intervals = {
        OUTBOX: outbox_every or settings.jobs_outbox_seconds,
        REMINDERS: reminders_every or settings.jobs_reminders_seconds,
    }
    retention_seconds = settings.jobs_retention_seconds if retention_every is None else retention_every
    if retention_seconds:  # off unless asked for: anonymising is a decision, not a default
        intervals[RETENTION] = retention_seconds
    stop = threading.Event()

    def request_stop(signum, _frame) -> None:
        stop.set()

    previous = {signum: signal.signal(signum, request_stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    every = ", ".join(f"{job} every {seconds:g} s" for job, seconds in intervals.items())
    click.echo(f"Jobs running: {every}. Stop with SIGTERM or Ctrl-C.", err=True)
    try:
        run_forever(intervals, stop)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo("Jobs stopped.", err=True)


@jobs.command("once")
@click.argument("job", type=click.Choice(["outbox", "reminders", "retention"]))
def once(job: str) -> None:
    """Run one job once, under the same lock and record as `flask jobs run` (for cron or a systemd timer)."""
    from trigger.operations.jobs import run_job

    record = run_job(job)
    if record is None:
        raise click.ClickException(f"{job} is already running in another process; nothing done.")
    click.echo(f"{job}: {record.status} in {record.duration_ms} ms. {record.summary}")
    if str(record.status) == "failed":
        raise SystemExit(1)


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="The same JSON as /status.json.")
def status_command(as_json: bool) -> None:
    """The outbox, the last job runs and the database; exit status 1 when something needs attention."""
    from trigger.operations.status import current_status

    status = current_status()
    if as_json:
        click.echo(json.dumps(status.as_dict(), indent=2))
    else:
        click.echo(
            f"Database: {status.database}, {'answers' if status.database_ok else 'DOES NOT ANSWER'}"
            f"{f', migration {status.migration}' if status.migration else ''}"
        )
        age = status.oldest_unsent_age_seconds
        click.echo(
            f"Outbox: {status.unsent} unsent"
            f"{f', the oldest due {age // 60} min {age % 60} s ago' if age is not None else ''}; "
            f"{status.failed_emails} failed"
        )
        for name, run_view in (("outbox", status.last_outbox), ("reminders", status.last_reminders)):
            if run_view is None:
                click.echo(f"Last {name} run: never recorded")
            else:
                click.echo(
                    f"Last {name} run: {run_view.started_at:%Y-%m-%d %H:%M:%S} UTC, {run_view.status}, "
                    f"{run_view.duration_ms} ms, {run_view.count} done. {run_view.summary}"
                )
        for problem in status.problems:
            click.echo(f"PROBLEM: {problem}")
    if not status.ok:
        raise SystemExit(1)


def init_app(app) -> None:
    app.cli.add_command(jobs)
    app.cli.add_command(status_command)
