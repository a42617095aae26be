"""What the jobs process did (one row per job run) and the lease that keeps two runs of one job apart."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from trigger.models.base import Base, UTCDateTime, utcnow
from trigger.models.organisation import enum_column


class JobStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"


class JobRun(Base):
    """One run of one job (the outbox sender, the reminders): when, how long, what it did, whether it failed."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started_at", "job", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    run_id: Mapped[str] = mapped_column(String(32))  # the reference every log line of this run carries
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[JobStatus] = mapped_column(
        enum_column(JobStatus, "job_status", length=20), default=JobStatus.RUNNING
    )
    #: What it queued or sent: emails for the outbox, reminders for the reminder run.
    count: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(String(1000), default="")
    holder: Mapped[str] = mapped_column(String(200), default="")  # host:pid of the process that ran it


class JobLease(Base):
    """Held by one process while it runs ``job``; a crashed holder's lease runs out at ``expires_at``."""

    __tablename__ = "job_leases"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
