"""Statistics at scale: the page and the CSV for all areas over a financial year (goal: under 1 s each).

Needs a database filled by `flask demo load --scale 10` (see bench/README.md):

    DATABASE_URL=sqlite:////tmp/bench10.db .venv/bin/python bench/statistics_bench.py [--runs 20]

Adds one bench coordinator (hashed with the configured profile; signing in is not what is measured), signs in through the real /login form with Flask's test client, then times in-process, N times each, the complete
requests for all areas over the financial year that holds the most applications, the current one and the last
complete one:
`GET /statistics` (the page, with its charts), `GET /statistics/export.csv` and `GET /statistics/publication.csv`
(each audited and committed). Prints median, p95 and max wall-clock time, the process CPU time per request, the
SQL statements per request, the figures, and the load average (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "violet kettle harbour morning"
EMAIL = "bench.statistics@bench.example"
GOAL_S = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-statistics")
    os.environ.setdefault("TRIGGER_ENV", "local")

    from sqlalchemy import event, func, select

    from trigger import create_app
    from trigger.auth.passwords import hash_password
    from trigger.deadlines.dates import london_today
    from trigger.domain.statistics import financial_year_of
    from trigger.extensions import db
    from trigger.models import Case, Role, User

    app = create_app()
    with app.app_context():
        if db.session.scalar(select(func.count(Case.id))) < 5000:
            print("Load the scale-10 data first: flask demo load --scale 10")
            return 2
        if db.session.scalar(select(User).where(User.email == EMAIL)) is None:
            db.session.add(
                User(
                    email=EMAIL,
                    name="Bench Statistics",
                    role=Role.COORDINATOR,
                    password_hash=hash_password(PASSWORD, app.config["TRIGGER_SETTINGS"].password_hash_profile),
                )
            )
            db.session.commit()
        received = db.session.execute(select(Case.received_on)).scalars().all()
        by_year: dict[int, int] = {}
        for day in received:
            year = financial_year_of(day)
            by_year[year] = by_year.get(year, 0) + 1
        busiest = max(by_year, key=by_year.get)
        current = financial_year_of(london_today())
        engine = db.engine

    statements = {"n": 0}

    @event.listens_for(engine, "before_cursor_execute")
    def count(*_args, **_kwargs):
        statements["n"] += 1

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 302:
        print("Could not sign in the bench account:", response.status_code)
        return 2

    print(
        f"Database: {engine.url.render_as_string(hide_password=True)}; cases: {len(received):,}; "
        f"applications per financial year: {dict(sorted(by_year.items()))}"
    )
    print(f"Load average before: {os.getloadavg()[0]:.2f}")
    results = []
    for year in sorted({busiest, current, current - 1}):
        query = {"area": "all", "period": "year", "year": str(year)}
        for label, url in (
            ("page", "/statistics"),
            ("CSV", "/statistics/export.csv"),
            ("publication CSV", "/statistics/publication.csv"),
        ):
            walls, cpus, counts = [], [], []
            for _ in range(args.runs):
                statements["n"] = 0
                wall, cpu = time.perf_counter(), time.process_time()
                response = client.get(url, query_string=query)
                body = response.get_data()
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                counts.append(statements["n"])
                assert response.status_code == 200, (url, response.status_code)
            walls.sort()
            p95 = walls[min(len(walls) - 1, round(0.95 * len(walls)) - 1)]
            met = "met" if p95 < GOAL_S else "NOT met"
            results.append(met == "met")
            print(
                f"FY {year}-{(year + 1) % 100:02d} {label:<16} median {statistics.median(walls) * 1000:7.1f} ms  "
                f"p95 {p95 * 1000:7.1f} ms  max {walls[-1] * 1000:7.1f} ms  CPU median "
                f"{statistics.median(cpus) * 1000:7.1f} ms  SQL {max(counts)}  ({len(body):,} bytes)  goal {met}"
            )
        publication = client.get("/statistics/publication.csv", query_string=query).get_data(as_text=True)
        print("  " + publication.lstrip("\ufeff").strip().replace("\r\n", "\n  "))
    print(f"Load average after: {os.getloadavg()[0]:.2f}")
    print("All goals met (under 1 s)" if all(results) else "Some goals NOT met")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
