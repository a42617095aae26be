"""`flask audit verify` over 1,000,000 audit events (goal: under 30 s on SQLite and on PostgreSQL).

Fills a fresh database (SQLite in a temporary folder, or DATABASE_URL, whose schema it DROPS and recreates on
PostgreSQL: point it only at a database of its own) with N unsealed events in one set-based INSERT (a recursive
CTE on SQLite, generate_series on PostgreSQL): a mix of views, changes with details, sign-ins and system events.
Then times, each as its own process exactly as an operator runs it:

1. `flask audit seal`: seals all N (what the first seal after upgrading an existing trail does);
2. on PostgreSQL, VACUUM ANALYZE (autovacuum is off on the bench server; production runs it for you);
3. `flask audit verify`, twice (the goal: the second, warm, run; the first is also shown).

Each line gives the wall time, the CPU time of the command and its worker processes (not PostgreSQL's own), and
the load average: on a shared machine, the wall time depends on everyone else's work.

    .venv/bin/python bench/audit_verify_bench.py [N] [--verify-only]   # --verify-only: DATABASE_URL's chain again
    createdb -h 127.0.0.1 -U postgres bench_audit
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_audit .venv/bin/python bench/audit_verify_bench.py
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from config import Settings, normalise_database_url  # noqa: E402
from trigger import create_app  # noqa: E402
from trigger.extensions import db  # noqa: E402
from trigger.models import Organisation, Role, User  # noqa: E402

GOAL_SECONDS = 30.0

POSTGRESQL_FILL = """
INSERT INTO audit_events (at, actor_id, actor_label, action, object_type, object_id, case_id, summary, details,
                          ip_address)
SELECT timestamptz '2026-01-01 00:00:00+00' + x * interval '1 second' + (x % 997) * interval '1 microsecond',
       CASE WHEN x % 5 = 0 THEN NULL ELSE 1 END,
       CASE WHEN x % 5 = 0 THEN 'system' ELSE 'Bench Coordinator <coordinator@bench.example>' END,
       (ARRAY['case.viewed', 'case.updated', 'action.updated', 'login', 'case.viewed'])[1 + x % 5],
       'case', 1 + x % 10000, 1 + x % 10000, 'Event number ' || x || ' on case ASB-B-' || (1 + x % 10000),
       CASE WHEN x % 5 IN (1, 2) THEN json_build_object('changes', json_build_object(
                'status', json_build_array('open', 'in-progress'), 'due_on', json_build_array('2026-03-01', x)))
            ELSE '{}'::json END,
       CASE WHEN x % 5 = 0 THEN '' ELSE '192.0.2.' || (x % 250) END
FROM generate_series(1, :n) AS x
"""

SQLITE_FILL = """
INSERT INTO audit_events (at, actor_id, actor_label, action, object_type, object_id, case_id, summary, details,
                          ip_address)
WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < :n)
SELECT printf('%s.%06d', datetime('2026-01-01 00:00:00', '+' || x || ' seconds'), x % 997),
       CASE WHEN x % 5 = 0 THEN NULL ELSE 1 END,
       CASE WHEN x % 5 = 0 THEN 'system' ELSE 'Bench Coordinator <coordinator@bench.example>' END,
       CASE x % 5 WHEN 1 THEN 'case.updated' WHEN 2 THEN 'action.updated' WHEN 3 THEN 'login'
                  ELSE 'case.viewed' END,
       'case', 1 + x % 10000, 1 + x % 10000, 'Event number ' || x || ' on case ASB-B-' || (1 + x % 10000),
       CASE WHEN x % 5 IN (1, 2) THEN json_object('changes', json_object(
                'status', json_array('open', 'in-progress'), 'due_on', json_array('2026-03-01', x)))
            ELSE '{}' END,
       CASE WHEN x % 5 = 0 THEN '' ELSE '192.0.2.' || (x % 250) END
FROM s
"""


def _reset(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def _flask(url: str, *args: str) -> tuple[float, str]:
    """Run one flask command; its wall time, and its output with the CPU time it and its workers used and the
    machine's load average (the standard machine is shared: a wall time means little without them)."""
    env = dict(os.environ, DATABASE_URL=url, FLASK_APP="wsgi", TRIGGER_ENV="local")
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    output = (result.stdout + result.stderr).strip().replace("\n", " ")
    if result.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed ({result.returncode}): {output}")
    return seconds, f"{output}; CPU {cpu:.1f} s, load average {os.getloadavg()[0]:.1f}"


def verify_runs(url: str, n: int) -> None:
    runs = []
    for label in ("first", "second"):
        seconds, output = _flask(url, "audit", "verify")
        runs.append(seconds)
        print(f"flask audit verify: {seconds:6.1f} s  ({label} run: {output})")
    verdict = "met" if runs[-1] < GOAL_SECONDS else "NOT met"
    print(f"Goal (verify of {n:,} events under {GOAL_SECONDS:.0f} s): {verdict}")


def main() -> None:
    args = [arg for arg in sys.argv[1:] if arg != "--verify-only"]
    n = int(args[0]) if args else 1_000_000
    url = normalise_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp()) / 'audit-bench.db'}"
    )
    if "--verify-only" in sys.argv:  # the chain a previous run built in DATABASE_URL
        verify_runs(url, n)
        return
    _reset(url)
    settings = Settings(environment="local", secret_key="bench", database_url=url, password_hash_profile="test")
    app = create_app({"TRIGGER_SETTINGS": settings})
    postgresql = url.startswith("postgresql")
    with app.app_context():
        upgrade()
        db.session.add(Organisation(id=1, name="Bench Partnership"))
        db.session.add(
            User(
                id=1,
                email="coordinator@bench.example",
                name="Bench Coordinator",
                role=Role.COORDINATOR,
                active=True,
                password_hash="x",
            )
        )
        db.session.commit()
        started = time.perf_counter()
        db.session.execute(text(POSTGRESQL_FILL if postgresql else SQLITE_FILL), {"n": n})
        db.session.commit()
        print(
            f"{'PostgreSQL' if postgresql else 'SQLite'}: {n:,} unsealed events written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        db.session.remove()
        db.engine.dispose()

    seconds, output = _flask(url, "audit", "seal")
    print(f"flask audit seal:   {seconds:6.1f} s  ({output})")
    if postgresql:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            started = time.perf_counter()
            connection.execute(text("VACUUM ANALYZE audit_events"))
            print(f"VACUUM ANALYZE:     {time.perf_counter() - started:6.1f} s")
        engine.dispose()
    verify_runs(url, n)


if __name__ == "__main__":
    main()
