"""`flask deadlines run` over 10,000 open cases and 100,000 open actions (goal: under 10 s, with a number of
SQL statements that does not grow with the rows), and the deadlines dashboard p95 (goal: under 100 ms).

Fills a fresh database (SQLite in a temporary folder, or DATABASE_URL, whose schema it DROPS and recreates on
PostgreSQL: point it only at a database of its own) with a minimal generator of its own: bulk `insert()`s, no ORM
objects; four cases in five have an assigned coordinator. Then times the reminder run twice (the first claims
every due reminder and queues one digest per person, the second must queue nothing) and the dashboard with a warm
in-process client.

    .venv/bin/python bench/deadlines_bench.py [CASES] [ACTIONS]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench .venv/bin/python bench/deadlines_bench.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, event, insert, text  # noqa: E402

from config import Settings, normalise_database_url  # noqa: E402
from trigger import create_app  # noqa: E402
from trigger.auth.passwords import hash_password  # noqa: E402
from trigger.deadlines.dates import london_today  # noqa: E402
from trigger.deadlines.reminders import run_reminders  # noqa: E402
from trigger.domain.deadlines import DeadlineKind  # noqa: E402
from trigger.extensions import db  # noqa: E402
from trigger.models import (  # noqa: E402
    Action,
    ActionPlan,
    Agency,
    Area,
    Case,
    Organisation,
    Role,
    User,
    utcnow,
)
from trigger.models.deadlines import CaseDeadline  # noqa: E402

PASSWORD = "bench-passphrase-not-secret"
CHUNK = 10_000


def _reset(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def _bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start : start + CHUNK])


def generate(n_cases: int, n_actions: int, today: date) -> None:
    rng = random.Random(4)
    now = utcnow()
    stamp = {"created_at": now, "updated_at": now}
    db.session.add(Organisation(id=1, name="Bench Partnership"))
    _bulk(Area, [{"name": f"Area {i}", "nation": "england-and-wales", "active": True, **stamp} for i in range(6)])
    _bulk(
        Agency,
        [
            {
                "name": f"Agency {i}",
                "agency_type": "police" if i % 4 == 0 else "housing",
                "active": True,
                "contact_email": f"team{i}@agency.example" if i % 3 else "",
                **stamp,
            }
            for i in range(20)
        ],
    )
    password = hash_password(PASSWORD, "test")
    users = [
        {
            "email": f"coordinator{i}@vale.example",
            "name": f"Coordinator {i}",
            "role": Role.COORDINATOR.value,
            "active": True,
            "password_hash": password,
            **stamp,
        }
        for i in range(4)
    ]
    users += [
        {
            "email": f"chair{i}@vale.example",
            "name": f"Chair {i}",
            "role": Role.CHAIR.value,
            "active": True,
            "password_hash": password,
            **stamp,
        }
        for i in range(3)
    ]
    users += [
        {
            "email": f"rep{i}@agency.example",
            "name": f"Rep {i}",
            "role": Role.AGENCY_REP.value,
            "agency_id": 1 + i % 20,
            "active": True,
            "password_hash": password,
            **stamp,
        }
        for i in range(60)
    ]
    _bulk(User, users)
    stages = ["received", "acknowledged", "threshold-met", "review-scheduled", "review-held", "plan-live"]
    _bulk(
        Case,
        [
            {
                "reference": f"ASB-B-{i:06d}",
                "area_id": 1 + i % 6,
                "stage": stages[i % len(stages)],
                "received_on": today - timedelta(days=rng.randint(5, 200)),
                "channel": "phone",
                "applicant_name": f"Applicant {i}",
                "coordinator_id": 1 + i % 4 if i % 5 else None,
                **stamp,
            }
            for i in range(n_cases)
        ],
    )
    deadlines = []
    for case_id in range(1, n_cases + 1):
        for kind in (DeadlineKind.ACKNOWLEDGE, DeadlineKind.INFORMATION, DeadlineKind.THRESHOLD_DECISION):
            due = today + timedelta(days=rng.randint(-20, 40))
            deadlines.append(
                {
                    "case_id": case_id,
                    "kind": kind.value,
                    "cycle": 1,
                    "anchor_on": due - timedelta(14),
                    "due_on": due,
                    "original_due_on": due,
                    **stamp,
                }
            )
    _bulk(CaseDeadline, deadlines)
    _bulk(
        ActionPlan,
        [
            {"case_id": case_id, "status": "live", "victim_consulted": False, "closed_reason": "", **stamp}
            for case_id in range(1, n_cases + 1)
        ],
    )
    reps_of = {agency: [8 + i for i in range(60) if 1 + i % 20 == agency] for agency in range(1, 21)}
    actions = []
    for i in range(n_actions):
        agency = 1 + rng.randrange(20)
        due = today + timedelta(days=rng.randint(-30, 90))
        actions.append(
            {
                "plan_id": 1 + i % n_cases,
                "description": f"Action {i}",
                "owner_agency_id": agency,
                "owner_user_id": rng.choice(reps_of[agency]) if i % 4 else None,
                "due_on": due,
                "original_due_on": due,
                "priority": "medium",
                "status": "not-started",
                "version": 1,
                "victim_visible": False,
                "victim_wording": "",
                "status_reason": "",
                "source_note": "",
                **stamp,
            }
        )
    _bulk(Action, actions)
    db.session.commit()


class Counter:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, *args) -> None:
        self.n += 1


def timed_run(today: date) -> tuple[float, int, object]:
    counter = Counter()
    event.listen(db.engine, "before_cursor_execute", counter)
    start = time.perf_counter()
    report = run_reminders(today)
    db.session.commit()
    seconds = time.perf_counter() - start
    event.remove(db.engine, "before_cursor_execute", counter)
    return seconds, counter.n, report


def main(n_cases: int = 10_000, n_actions: int = 100_000) -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    url = normalise_database_url(url)
    _reset(url)
    settings = Settings(
        environment="local",
        secret_key="bench",
        database_url=url,
        password_hash_profile="test",
        login_max_failures_per_address=10_000,
    )
    app = create_app({"TRIGGER_SETTINGS": settings, "WTF_CSRF_ENABLED": False})
    today = london_today()
    print(
        f"deadlines bench on {url.split(':')[0]}: {n_cases:,} cases, {n_actions:,} actions; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        generate(n_cases, n_actions, today)
        print(f"  generated in {time.perf_counter() - start:.1f} s")
        # Planner statistics, as `flask demo load` leaves them: without them SQLite will not pick the partial
        # indexes the dashboard relies on.
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"))
        first = timed_run(today)
        second = timed_run(today)
        for label, (seconds, statements, report) in (("first run ", first), ("second run", second)):
            print(
                f"  {label}: {seconds:.2f} s, {statements} SQL statements; {report.deadlines_checked:,} deadlines "
                f"and {report.actions_checked:,} actions checked, {report.due:,} reminders newly due, "
                f"{report.digests:,} digests: {report.emails:,} emails and {report.notifications:,} notifications "
                "newly queued"
            )
        print("  goal: under 10 s each -", "MET" if max(first[0], second[0]) < 10 else "NOT MET")
        print(f"  load average after the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    client = app.test_client()
    response = client.post("/login", data={"email": "coordinator0@vale.example", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    for _ in range(5):  # warm up
        assert client.get("/dashboard").status_code == 200
    timings = []
    for _ in range(50):
        start = time.perf_counter()
        page = client.get("/dashboard")
        timings.append(time.perf_counter() - start)
        assert page.status_code == 200
    timings.sort()
    p95 = timings[int(round(0.95 * len(timings))) - 1]
    print(
        f"  dashboard (coordinator, all areas), 50 warm requests: median {statistics.median(timings) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms"
    )
    print("  goal: p95 under 100 ms -", "MET" if p95 < 0.1 else "NOT MET")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
