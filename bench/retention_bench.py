"""`flask retention run` over the whole scale-10 data set (goal: under 60 s) and subject access exports
(goal: under 5 s each), on the database in DATABASE_URL, which must hold `flask demo load --scale 10`.

The retention run CHANGES THE DATA: on SQLite the bench works on a copy of the file; on PostgreSQL point it only
at a database of its own and reload it afterwards. Steps, each timed:

1. subject access exports (before anything is anonymised): the applicant with the most cases, the staff member
   with the most audit events, a meeting attendee (search + ZIP with the PDF summary and JSON);
2. a dry run as of 40 years from now (every closed case is then past its 6-year period);
3. the real run as of that day: every closed case anonymised, in batches, audited per case;
4. a second run, which must find nothing to do.

    DATABASE_URL=sqlite:////tmp/bench10.db .venv/bin/python bench/retention_bench.py
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_retention .venv/bin/python bench/retention_bench.py
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

RUN_GOAL_S, EXPORT_GOAL_S = 60.0, 5.0


def main() -> None:
    from config import Settings, normalise_database_url
    from trigger import create_app
    from trigger.extensions import db
    from trigger.governance import retention, subject_access
    from trigger.models import Attendee, AuditEvent, Case, Role, User

    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("Set DATABASE_URL to a database holding `flask demo load --scale 10`.")
    if url.startswith("sqlite:///"):
        source = url.removeprefix("sqlite:///")
        copy = Path(tempfile.mkdtemp()) / "retention-bench.db"
        shutil.copyfile(source, copy)
        url = f"sqlite:///{copy}"
        print(f"Working on a copy of {source}")
        import atexit

        atexit.register(shutil.rmtree, copy.parent, True)
    settings = Settings(
        environment="local", secret_key="bench-secret-key-" + "x" * 32, database_url=normalise_database_url(url)
    )
    app = create_app({"TRIGGER_SETTINGS": settings})
    results = []
    with app.app_context():
        from trigger.pdf import warm_up

        started = time.perf_counter()
        warm_up()  # the PDF worker starts once per server process, not per export
        print(f"PDF worker started in {time.perf_counter() - started:.1f} s (not counted below)")
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id))
        # 1. subject access
        name, email = db.session.execute(
            select(Case.applicant_name, Case.applicant_email)
            .group_by(Case.applicant_name, Case.applicant_email)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        busiest = db.session.scalar(
            select(AuditEvent.actor_id)
            .where(AuditEvent.actor_id.is_not(None))
            .group_by(AuditEvent.actor_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        staff = db.session.get(User, busiest)
        attendee = db.session.scalar(
            select(Attendee.name).where(Attendee.user_id.is_(None), Attendee.kind == "applicant").limit(1)
        )
        for label, query, kind in (
            ("applicant", email or name, "applicant"),
            ("staff member", staff.email, "staff"),
            ("attendee", attendee, "attendee"),
        ):
            started = time.perf_counter()
            candidates, _ = subject_access.search(query)
            chosen = next(c for c in candidates if c.kind == kind)
            content, _ = subject_access.export(chosen.kind, chosen.ids, admin)
            db.session.commit()
            seconds = time.perf_counter() - started
            results.append(
                (
                    f"subject access export: {label} ({len(chosen.ids)} record(s), {len(content):,} bytes)",
                    seconds,
                    EXPORT_GOAL_S,
                )
            )
        # 2-4. retention
        today = date.today() + timedelta(days=365 * 40)
        closed = db.session.scalar(select(func.count()).select_from(Case).where(Case.stage == "closed"))
        started = time.perf_counter()
        dry = retention.run(today, dry_run=True)
        results.append(
            (f"dry run ({len(dry.due):,} of {closed:,} closed cases due)", time.perf_counter() - started, RUN_GOAL_S)
        )
        spent: dict[str, float] = {}
        if "--profile" in sys.argv:
            from sqlalchemy import event

            @event.listens_for(db.engine, "before_cursor_execute")
            def _before(conn, cursor, statement, parameters, context, executemany):
                conn.info["t0"] = time.perf_counter()

            @event.listens_for(db.engine, "after_cursor_execute")
            def _after(conn, cursor, statement, parameters, context, executemany):
                key = " ".join(statement.split()[:3])[:60]
                spent[key] = spent.get(key, 0.0) + time.perf_counter() - conn.info["t0"]

        started = time.perf_counter()
        report = retention.run(today)
        results.append(
            (f"retention run ({report.anonymised:,} cases anonymised)", time.perf_counter() - started, RUN_GOAL_S)
        )
        started = time.perf_counter()
        again = retention.run(today)
        results.append((f"second run ({again.anonymised} cases)", time.perf_counter() - started, RUN_GOAL_S))
        assert again.anonymised == 0
        left = db.session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.stage == "closed", Case.applicant_name != "Anonymised applicant")
        )
        assert left == 0, f"{left} closed cases still carry a name"
        for key, seconds in sorted(spent.items(), key=lambda kv: -kv[1])[:12]:
            print(f"  SQL {key:<60} {seconds:6.2f} s")
        print(f"\n{db.engine.dialect.name}:")
        for label, seconds, goal in results:
            print(f"  {label:<70} {seconds:7.2f} s  {'met' if seconds < goal else 'MISSED'} (< {goal:g} s)")


if __name__ == "__main__":
    main()
