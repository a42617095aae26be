"""`flask jobs run`: the outbox every minute, the reminders every few minutes, in one long-running process.

Each job runs under a lease (a row in job_leases): a second process, or a second `flask jobs run` on another
machine, finds the lease held and skips that turn, so one job never runs twice at once. A lease outlives its
holder only until it expires, so a killed process blocks nobody for long. Every run is recorded in job_runs
(for the status page) and logged as JSON lines carrying the run's id.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, or_, update
from sqlalchemy.exc import IntegrityError

from trigger import action_tallies
from trigger.extensions import db
from trigger.models.base import utcnow
from trigger.models.operations import JobLease, JobRun, JobStatus
from trigger.operations.logs import current_reference, stamp

log = stamp(logging.getLogger("trigger.jobs"))

OUTBOX, REMINDERS, RETENTION = "outbox", "reminders", "retention"


@dataclass
class Outcome:
    """What a job did: a count (emails sent, reminders queued) and a sentence for the log and the status page."""

    count: int
    summary: str
    failed: bool = False


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# ---- the jobs -----------------------------------------------------------------------------------------------


def send_outbox(batch: int = 50, max_batches: int = 20) -> Outcome:
    """Send the emails that are due, then add the audit events written since the last run to the hash chain."""
    from trigger.audit_chain import ChainBroken, seal
    from trigger.notifications.services import deliver_due

    sent, lines, failed = 0, [], False
    for _ in range(max_batches):
        report = deliver_due(batch=batch)
        sent += report.sent
        lines.append(report.summary())
        # Addresses stay out of the log: the error says what failed, the outbox page says for whom.
        failed = failed or bool(report.failed)
        if not report.smtp_configured or report.sent + report.retrying + report.failed < batch:
            break
    try:
        sealed = seal(db.session)
    except ChainBroken as broken:
        db.session.rollback()
        return Outcome(sent, f"{' '.join(lines)} Audit chain broken: {broken}; run `flask audit verify`.", True)
    if sealed:
        lines.append(f"Sealed {sealed} audit event{'' if sealed == 1 else 's'}.")
    folded = action_tallies.fold(db.session)
    if folded:
        lines.append(folded)
    return Outcome(sent, " ".join(lines), failed)


def run_reminders() -> Outcome:
    from trigger.deadlines.reminders import run_reminders as queue_reminders

    try:
        report = queue_reminders()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return Outcome(report.due, report.summary().replace("\n", " "), bool(report.problems))


def run_retention() -> Outcome:
    """Anonymise closed cases past their retention period, then the operational purges (`flask retention run`)."""
    from flask import current_app

    from trigger.governance import purges
    from trigger.governance.retention import RetentionBusy, run

    try:
        report = run()
    except RetentionBusy as busy:  # a `flask retention run` by hand holds the retention lock: its turn, not ours
        return Outcome(0, str(busy))
    purged = purges.purge(utcnow(), email_body_days=purges.sent_email_body_days(current_app.config))
    return Outcome(
        report.anonymised,
        f"Anonymised {report.anonymised} case(s), {len(report.held)} under a legal "
        f"hold. Purged: {'; '.join(purged.lines())}",
    )


JOBS: dict[str, Callable[[], Outcome]] = {OUTBOX: send_outbox, REMINDERS: run_reminders, RETENTION: run_retention}


# ---- leases -------------------------------------------------------------------------------------------------


def take_lease(job: str, holder: str, seconds: int) -> bool:
    """Hold ``job`` for ``seconds`` unless another holder's lease is still running. Commits."""
    now = utcnow()
    expires = now + timedelta(seconds=seconds)
    taken = db.session.execute(
        update(JobLease)
        .where(JobLease.job == job, or_(JobLease.expires_at < now, JobLease.holder == holder))
        .values(holder=holder, expires_at=expires)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken:
        db.session.commit()
        return True
    try:
        db.session.execute(insert(JobLease).values(job=job, holder=holder, expires_at=expires))
        db.session.commit()
    except IntegrityError:  # a row exists and somebody else holds it
        db.session.rollback()
        return False
    return True


def release_lease(job: str, holder: str) -> None:
    db.session.execute(delete(JobLease).where(JobLease.job == job, JobLease.holder == holder))
    db.session.commit()


# ---- one run ------------------------------------------------------------------------------------------------


def run_job(job: str, *, holder: str | None = None, lease_seconds: int = 900) -> JobRun | None:
    """Run ``job`` once under its lease and record it; None when another process holds the lease."""
    holder = holder or holder_name()
    if not take_lease(job, holder, lease_seconds):
        log.info("job skipped: another process is running it", extra={"job": job})
        return None
    run_id = uuid.uuid4().hex
    token = current_reference.set(run_id)
    started, clock = utcnow(), time.perf_counter()
    record = JobRun(
        job=job, run_id=run_id, started_at=started, status=JobStatus.RUNNING, count=0, summary="", holder=holder[:200]
    )
    db.session.add(record)
    db.session.commit()
    record_id = record.id
    log.info("job started", extra={"job": job})
    try:
        outcome = JOBS[job]()
    except Exception as error:  # recorded and logged; the process carries on with the next turn
        db.session.rollback()
        outcome = Outcome(0, f"{type(error).__name__}: the job stopped with an error (see the log)", True)
        log.exception("job failed", extra={"job": job})
    duration_ms = round((time.perf_counter() - clock) * 1000)
    try:
        db.session.execute(
            update(JobRun)
            .where(JobRun.id == record_id)
            .values(
                finished_at=utcnow(),
                duration_ms=duration_ms,
                count=outcome.count,
                summary=outcome.summary[:1000],
                status=JobStatus.FAILED if outcome.failed else JobStatus.OK,
            )
        )
        db.session.commit()
        log.info(
            "job finished",
            extra={
                "job": job,
                "status": "failed" if outcome.failed else "ok",
                "duration_ms": duration_ms,
                "count": outcome.count,
                "summary": outcome.summary,
            },
        )
    finally:
        release_lease(job, holder)
        current_reference.reset(token)
    return db.session.get(JobRun, record_id)


# ---- the long-running process -------------------------------------------------------------------------------


def run_forever(
    intervals: dict[str, float],
    stop: threading.Event,
    *,
    holder: str | None = None,
    lease_seconds: int = 900,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Run each job every ``intervals[job]`` seconds until ``stop`` is set; a job in progress is finished first.

    Returns the number of runs made. Each job runs at once on start, then on its interval.
    """
    holder = holder or holder_name()
    next_due: dict[str, float] = {job: clock() for job in intervals}
    runs = 0
    log.info("jobs process started", extra={"intervals": intervals, "holder": holder})
    while not stop.is_set():
        for job in sorted(next_due, key=next_due.get):
            if stop.is_set():
                break
            if next_due[job] <= clock():
                try:
                    run_job(job, holder=holder, lease_seconds=lease_seconds)
                    runs += 1
                except Exception:  # the database went away, say: log it, try again next turn, keep running
                    db.session.rollback()
                    log.exception("job could not run", extra={"job": job})
                next_due[job] = clock() + intervals[job]
        db.session.remove()  # no connection or transaction is held while the process waits
        stop.wait(max(0.0, min(next_due.values()) - clock()))
    log.info("jobs process stopped", extra={"runs": runs})
    return runs


def last_runs(job: str, limit: int = 1) -> list[JobRun]:
    from sqlalchemy import select

    return list(
        db.session.scalars(
            select(JobRun).where(JobRun.job == job).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
        )
    )


def age(moment: datetime | None, now: datetime | None = None) -> timedelta | None:
    return None if moment is None else (now or utcnow()) - moment
