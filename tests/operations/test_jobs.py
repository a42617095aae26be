"""`flask jobs run`: the outbox and the reminders in one process, never two runs of one job at once, SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from tests.deadlines_helpers import bare_case, deadline
from trigger.domain.deadlines import DeadlineKind
from trigger.domain.workdays import Nation, WorkingCalendar
from trigger.extensions import db
from trigger.models import Role
from trigger.models.base import utcnow
from trigger.models.operations import JobLease, JobRun, JobStatus
from trigger.notifications.services import queue_email
from trigger.operations import jobs

ROOT = Path(__file__).resolve().parents[2]


def runs(job: str | None = None) -> list[JobRun]:
    db.session.expire_all()
    query = select(JobRun).order_by(JobRun.started_at, JobRun.id)
    if job:
        query = query.where(JobRun.job == job)
    return list(db.session.scalars(query))


def test_a_lease_keeps_a_second_holder_out_until_it_is_released_or_runs_out(app):
    assert jobs.take_lease("outbox", "host-a:1", 60)
    assert not jobs.take_lease("outbox", "host-b:2", 60)
    assert jobs.take_lease("outbox", "host-a:1", 60)  # the holder may renew
    assert jobs.take_lease("reminders", "host-b:2", 60)  # another job is another lease
    jobs.release_lease("outbox", "host-a:1")
    assert jobs.take_lease("outbox", "host-b:2", 60)
    # A holder that died: its lease runs out and somebody else takes the job.
    db.session.get(JobLease, "outbox").expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert jobs.take_lease("outbox", "host-c:3", 60)


def test_a_run_is_recorded_and_skipped_while_another_process_holds_the_job(app, caplog):
    assert jobs.take_lease("reminders", "elsewhere:9", 60)
    assert jobs.run_job("reminders", holder="here:1") is None
    assert runs() == []
    assert "job skipped" in caplog.text
    jobs.release_lease("reminders", "elsewhere:9")
    record = jobs.run_job("reminders", holder="here:1")
    assert (
        record.status is JobStatus.OK and record.duration_ms >= 0 and "Checked 0 open case deadline" in record.summary
    )
    assert db.session.get(JobLease, "reminders") is None  # released when done


def test_a_job_that_raises_is_recorded_as_failed_and_the_process_carries_on(app, monkeypatch):
    def broken():
        raise RuntimeError("SMTP relay on fire")

    monkeypatch.setitem(jobs.JOBS, "outbox", broken)
    record = jobs.run_job("outbox")
    assert record.status is JobStatus.FAILED and record.summary.startswith("RuntimeError")
    assert db.session.get(JobLease, "outbox") is None
    stop = threading.Event()
    stop.set()
    assert jobs.run_forever({"outbox": 60}, stop) == 0  # already asked to stop: runs nothing, returns


def test_the_process_keeps_running_when_a_job_cannot_even_start(app, monkeypatch, caplog):
    stop = threading.Event()
    attempts = []

    def database_gone(*args, **kwargs):
        attempts.append(1)
        if len(attempts) == 2:
            stop.set()
        raise OSError("connection refused")

    monkeypatch.setattr(jobs, "take_lease", database_gone)
    assert jobs.run_forever({"outbox": 0.01}, stop) == 0
    assert len(attempts) == 2 and "job could not run" in caplog.text


def _jobs_env(database_url: str, mail_port: int) -> dict:
    env = dict(os.environ)
    env.update(
        FLASK_APP="wsgi",
        TRIGGER_ENV="local",
        SECRET_KEY="jobs-test-secret",
        DATABASE_URL=database_url,
        PASSWORD_HASH_PROFILE="test",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(mail_port),
        SMTP_STARTTLS="false",
        MAIL_FROM="trigger@vale.example",
        JOBS_OUTBOX_SECONDS="1",
        JOBS_REMINDERS_SECONDS="2",
    )
    return env


def test_flask_jobs_run_sends_through_smtp_runs_the_reminders_never_twice_and_stops_on_sigterm(
    app, database_url, mail_server, make_area, make_user
):
    # Something for each job: an email already queued, and a deadline five working days overdue.
    coordinator = make_user(Role.COORDINATOR, email="spoc@vale.example")
    area = make_area()
    overdue = WorkingCalendar(Nation.ENGLAND_AND_WALES).add_working_days(utcnow().date(), -5)
    deadline(bare_case(area, coordinator=coordinator), DeadlineKind.THRESHOLD_DECISION, overdue)
    queue_email("pat@applicant.example", "Your application has been received", "Body")
    db.session.commit()

    env = _jobs_env(database_url, mail_server.port)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "jobs", "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        deadline_at = time.monotonic() + 60
        while time.monotonic() < deadline_at:
            subjects = mail_server.subjects()
            if len(subjects) >= 2 and len([r for r in runs("reminders") if r.finished_at]) >= 2:
                break
            time.sleep(0.5)
        time.sleep(2)  # a few more turns of both processes: nothing may be sent again
        for process in processes:
            process.send_signal(signal.SIGTERM)
        outputs = [process.communicate(timeout=30) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    for process, (_, err) in zip(processes, outputs):
        assert process.returncode == 0, err[-2000:]
        assert "Jobs stopped." in err

    recipients = sorted(recipient for recipients, _ in mail_server.received for recipient in recipients)
    assert recipients == ["pat@applicant.example", "spoc@vale.example"]  # each exactly once
    assert "Your application has been received" in mail_server.subjects()

    reminders = runs("reminders")
    assert reminders and all(run.status is JobStatus.OK for run in reminders)
    assert sum(run.count for run in reminders) == 1 + 1  # the overdue rung and its escalation, queued once
    # Never two runs of one job at the same time, whichever process ran them.
    for job in ("outbox", "reminders"):
        done = runs(job)
        assert all(run.finished_at is not None for run in done)
        for earlier, later in zip(done, done[1:]):
            assert later.started_at >= earlier.finished_at, f"{job} runs overlapped"
    assert len({run.holder for run in runs()}) >= 1
    assert db.session.scalars(select(JobLease)).all() == []  # both released their leases on the way out
    # The jobs' log lines are JSON, and every line of one run carries that run's id.
    stderr = "".join(err for _, err in outputs)
    finished = [line for line in stderr.splitlines() if '"job finished"' in line]
    assert finished and all('"request_id": "' in line and '"job": ' in line for line in finished)


def test_retention_can_run_as_a_job_and_is_recorded(app):
    record = jobs.run_job("retention")
    assert record.status is JobStatus.OK and record.count == 0
    assert record.summary.startswith("Anonymised 0 case(s), 0 under a legal hold. Purged:")


def test_retention_is_off_in_the_jobs_process_unless_an_interval_is_set(app, monkeypatch):
    from trigger.operations import cli

    seen = {}
    monkeypatch.setattr(jobs, "run_forever", lambda intervals, stop: seen.update(intervals) or 0)
    runner = app.test_cli_runner()
    assert runner.invoke(cli.jobs, ["run"]).exit_code == 0
    assert set(seen) == {"outbox", "reminders"}
    seen.clear()
    assert runner.invoke(cli.jobs, ["run", "--retention-every", "86400"]).exit_code == 0
    assert seen["retention"] == 86400
