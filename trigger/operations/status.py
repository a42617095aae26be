"""What an operator needs to know at a glance: is mail going out, did the reminders run, does the database answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from trigger.extensions import db
from trigger.models.base import utcnow
from trigger.models.notifications import OutboxMessage, OutboxStatus
from trigger.models.operations import JobRun, JobStatus
from trigger.operations.jobs import OUTBOX, REMINDERS, RETENTION, last_runs


@dataclass
class RunView:
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    status: str
    count: int
    summary: str

    @classmethod
    def of(cls, run: JobRun | None) -> RunView | None:
        if run is None:
            return None
        return cls(run.started_at, run.finished_at, run.duration_ms, str(run.status), run.count, run.summary)

    def as_dict(self) -> dict:
        return {
            "started_at": self.started_at.isoformat(),
            "finished_at": _iso(self.finished_at),
            "duration_ms": self.duration_ms,
            "status": self.status,
            "count": self.count,
        }


@dataclass
class Status:
    now: datetime
    database_ok: bool
    database: str  # "postgresql" or "sqlite"
    database_error: str | None
    migration: str | None
    unsent: int = 0
    oldest_unsent_at: datetime | None = None
    failed_emails: int = 0
    last_outbox: RunView | None = None
    last_reminders: RunView | None = None
    last_retention: RunView | None = None  # only when the jobs process runs retention (JOBS_RETENTION_SECONDS)
    problems: list[str] = field(default_factory=list)

    @property
    def oldest_unsent_age_seconds(self) -> int | None:
        return None if self.oldest_unsent_at is None else int((self.now - self.oldest_unsent_at).total_seconds())

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        """For the monitoring endpoint and `flask status --json`: counts and times, never an address or a name."""
        return {
            "status": "ok" if self.ok else "problem",
            "problems": self.problems,
            "time": self.now.isoformat(),
            "database": {
                "ok": self.database_ok,
                "engine": self.database,
                "migration": self.migration,
                "error": self.database_error,
            },
            "outbox": {
                "unsent": self.unsent,
                "oldest_unsent_at": _iso(self.oldest_unsent_at),
                "oldest_unsent_age_seconds": self.oldest_unsent_age_seconds,
                "failed": self.failed_emails,
                "last_run": self.last_outbox.as_dict() if self.last_outbox else None,
            },
            "reminders": {"last_run": self.last_reminders.as_dict() if self.last_reminders else None},
            "retention": {"last_run": self.last_retention.as_dict() if self.last_retention else None},
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def current_status(now: datetime | None = None) -> Status:
    now = now or utcnow()
    engine = db.engine.dialect.name
    try:
        migration = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError as error:
        db.session.rollback()
        reason = type(getattr(error, "orig", None) or error).__name__
        status = Status(now, False, engine, reason, None)
        status.problems.append(f"The database does not answer ({reason}).")
        return status
    status = Status(now, True, engine, None, migration)
    unsent = (OutboxStatus.QUEUED, OutboxStatus.SENDING)
    status.unsent, status.oldest_unsent_at, status.failed_emails = db.session.execute(
        select(
            select(func.count()).where(OutboxMessage.status.in_(unsent)).scalar_subquery(),
            select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status.in_(unsent)).scalar_subquery(),
            select(func.count()).where(OutboxMessage.status == OutboxStatus.FAILED).scalar_subquery(),
        )
    ).one()
    status.last_outbox = RunView.of(next(iter(last_runs(OUTBOX)), None))
    status.last_reminders = RunView.of(next(iter(last_runs(REMINDERS)), None))
    status.last_retention = RunView.of(next(iter(last_runs(RETENTION)), None))
    status.problems.extend(lateness(status))
    if status.failed_emails:
        status.problems.append(f"{status.failed_emails} email(s) failed for good: see the outbox.")
    return status


def lateness(status: Status) -> list[str]:
    """Why the outbox or the reminders are late, in words for the administrators' banner; empty when on time.

    Late means evidence of lateness: an email due for longer than OUTBOX_LATE_MINUTES, a reminder run that
    failed, or none finished for REMINDERS_LATE_MINUTES. A site that has never recorded a run (cron calling the
    older commands, or a laptop) is not nagged; the status page says "never".
    """
    settings = current_app.config["TRIGGER_SETTINGS"]
    late: list[str] = []
    oldest = status.oldest_unsent_at
    if oldest is not None and status.now - oldest > timedelta(minutes=settings.outbox_late_minutes):
        minutes = int((status.now - oldest).total_seconds() // 60)
        late.append(f"The outbox is late: an email has waited {minutes} minutes to be sent.")
    last = status.last_reminders
    if last is not None:
        if last.status == JobStatus.FAILED:
            late.append("The last reminder run failed.")
        elif status.now - last.started_at > timedelta(minutes=settings.reminders_late_minutes):
            minutes = int((status.now - last.started_at).total_seconds() // 60)
            late.append(f"The reminders are late: the last run was {minutes} minutes ago.")
    return late
