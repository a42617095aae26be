"""How long one sign-in takes with the production argon2id parameters (goal: under 0.5 s).

Runs the real app in-process on a fresh SQLite database (or DATABASE_URL), creates one account, then times
N complete sign-in requests (POST /login with a CSRF token, password verified, session row written, commit).

    .venv/bin/python bench/login_bench.py [N]
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from config import Settings, normalise_database_url  # noqa: E402
from trigger import create_app  # noqa: E402
from trigger.auth.passwords import hash_password  # noqa: E402
from trigger.extensions import db  # noqa: E402
from trigger.models import Organisation, Role, User  # noqa: E402

PASSWORD = "violet kettle harbour morning"


def main(runs: int = 20) -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    settings = Settings(
        environment="local",
        secret_key="bench",
        database_url=normalise_database_url(url),
        password_hash_profile="production",
        login_max_failures_per_address=10_000,
    )
    app = create_app({"TRIGGER_SETTINGS": settings})
    with app.app_context():
        upgrade()
        if db.session.get(Organisation, 1) is None:
            db.session.add(
                Organisation(id=1, name="Bench", two_factor_roles="")
            )  # password alone: see signin_code_bench
        db.session.add(
            User(
                email="bench@example.org",
                name="Bench",
                role=Role.COORDINATOR,
                password_hash=hash_password(PASSWORD, "production"),
            )
        )
        db.session.commit()
    timings = []
    for _ in range(runs):
        client = app.test_client()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
        start = time.perf_counter()
        response = client.post("/login", data={"email": "bench@example.org", "password": PASSWORD, "csrf_token": token})
        timings.append(time.perf_counter() - start)
        assert response.status_code == 302, response.status_code
    timings.sort()
    p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
    print(f"sign-in with argon2id (production profile), {runs} runs, {url.split(':')[0]}:")
    print(
        f"  median {statistics.median(timings) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {timings[-1] * 1000:.0f} ms"
    )
    print("  goal: under 500 ms -", "MET" if p95 < 0.5 else "NOT MET")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
