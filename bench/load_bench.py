"""The load people make: 50 signed-in people across the roles, each waiting 2-10 s between requests.

Needs a database filled by `flask demo load --scale 10` (see bench/README.md).

    DATABASE_URL=sqlite:////tmp/bench10.db .venv/bin/python bench/load_bench.py [--duration 180]

What it does:
1. adds 50 bench accounts with one known password (production argon2id hash): 10 coordinators, 5 chairs, 25
   agency representatives (spread over the agencies owning the most actions), 5 viewers and 5 PCC reviewers;
2. starts `gunicorn -w 2 wsgi:app` (TRIGGER_ENV=local), as in production;
3. in a separate process (the client), each person signs in (spread over the first 10 s; not measured), then
   once all are signed in, repeatedly waits 2-10 s and makes one request: nine in ten read a page their role uses (case list, a case page,
   My actions, the dashboard, an action plan, escalations), one in ten is a write through the real form (GET the
   form, POST it back with its CSRF token: an action's progress update by an agency representative, a minutes
   save by a coordinator or chair, a threshold decision on an acknowledged application by a coordinator; the
   product has no free-text case notes, so that write of the issue's list has no form to use);
4. every minute, as the cron schedule in docs/operations.md does, runs `flask outbox send` and `flask deadlines run`,
   each a new process (`--jobs commands`, the default); or, with `--jobs process`, starts the jobs process that
   docs/operations.md recommends (`flask jobs run`, here with the outbox and the reminders every 60 s) once, before
   the people start, and reads the durations of its runs from the job_runs table afterwards. Before the server
   starts, both jobs run once to catch up, as they have in any deployment where they run every minute: a freshly
   loaded database has never had its audit events sealed or its reminders queued (the first reminder run over the
   scale-10 data queues about 29,000 reminders). The catch-up is timed and printed, not measured with the pages.
   The outbox sends real email over SMTP, to a server in the bench process (tests/mailserver.py, aiosmtpd) that
   counts the messages;
5. prints p50/p95/p99 per kind of request, the errors (any 5xx, a refused connection, or a status the request
   should never get) and the forms refused (a 400 or 409: a stale version, someone else's save first), and checks
   issue 19's goal: p95 of every page under 150 ms, p99 under 400 ms, zero errors.

The machine is shared with the server and the database: figures are wall-clock times seen by the client.
"""

from __future__ import annotations

import argparse
import html.parser
import http.cookiejar
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "violet kettle harbour morning"
P95_GOAL_MS, P99_GOAL_MS = 150.0, 400.0
ROLES = (("coordinator", 10), ("chair", 5), ("agency-representative", 25), ("viewer", 5), ("pcc-reviewer", 5))


def job_runs_since(database_url: str, since) -> list[tuple[str, float, int]]:
    """The jobs process's runs since ``since``, as (job, seconds, 0 or 1 if it failed), from the job_runs table."""
    from sqlalchemy import select

    from config import Settings, normalise_database_url
    from trigger import create_app
    from trigger.extensions import db
    from trigger.models.operations import JobRun

    settings = Settings(environment="local", secret_key="bench", database_url=normalise_database_url(database_url))
    with create_app({"TRIGGER_SETTINGS": settings}).app_context():
        runs = db.session.execute(
            select(JobRun.job, JobRun.duration_ms, JobRun.status)
            .where(JobRun.started_at >= since)
            .order_by(JobRun.started_at, JobRun.id)
        ).all()
    return [(job, (ms or 0) / 1000, int(str(status) == "failed")) for job, ms, status in runs]


def prepare(database_url: str) -> list[dict]:
    """The 50 accounts, and for each the ids its requests pick from."""
    from sqlalchemy import func, select

    from config import Settings, normalise_database_url
    from trigger import create_app
    from trigger.auth.passwords import hash_password
    from trigger.extensions import db
    from trigger.models import Action, ActionPlan, ActionStatus, Case, Meeting, MinuteItem, Role, User
    from trigger.models.meetings import MinutesApproval

    settings = Settings(environment="local", secret_key="bench", database_url=normalise_database_url(database_url))
    app = create_app({"TRIGGER_SETTINGS": settings})
    people = []
    with app.app_context():
        password_hash = hash_password(PASSWORD, "production")
        agencies = db.session.scalars(
            select(Action.owner_agency_id).group_by(Action.owner_agency_id).order_by(func.count().desc()).limit(5)
        ).all()
        case_ids = db.session.scalars(select(Case.id).order_by(Case.id.desc()).limit(2000)).all()
        open_items = db.session.execute(
            select(MinuteItem.id, Meeting.id, Meeting.case_id)
            .join(Meeting, MinuteItem.meeting_id == Meeting.id)
            .outerjoin(MinutesApproval, MinutesApproval.meeting_id == Meeting.id)
            .where(MinutesApproval.meeting_id.is_(None))
            .order_by(MinuteItem.id.desc())
            .limit(500)
        ).all()
        escalated = db.session.scalars(select(Case.id).where(Case.stage == "escalated").limit(200)).all()
        # Acknowledged applications wait for the threshold decision: each coordinator has their own to decide.
        awaiting = db.session.scalars(select(Case.id).where(Case.stage == "acknowledged").order_by(Case.id)).all()
        n = 0
        for role_name, count in ROLES:
            for i in range(count):
                n += 1
                email = f"load.{role_name}.{i}@bench.example"
                agency_id = agencies[i % len(agencies)] if role_name == "agency-representative" else None
                user = db.session.scalar(select(User).where(User.email == email))
                if user is None:
                    user = User(email=email, name=f"Load {role_name} {i}", role=Role(role_name))
                    db.session.add(user)
                user.agency_id, user.password_hash, user.active = agency_id, password_hash, True
                person = {"email": email, "role": role_name, "cases": case_ids[:], "minutes": [], "actions": []}
                if role_name == "agency-representative":
                    rows = db.session.execute(
                        select(Action.id, ActionPlan.case_id)
                        .join(ActionPlan, Action.plan_id == ActionPlan.id)
                        .where(
                            Action.owner_agency_id == agency_id,
                            Action.status.in_([ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS]),
                        )
                        .order_by(Action.id)
                        .offset(i * 40)
                        .limit(40)
                    ).all()
                    person["actions"] = [r[0] for r in rows]
                    person["cases"] = sorted({r[1] for r in rows})
                elif role_name in ("coordinator", "chair"):
                    person["minutes"] = [list(r) for r in open_items[i::15]]
                    if role_name == "coordinator":
                        person["decisions"] = list(awaiting[i::10])
                elif role_name == "pcc-reviewer":
                    person["cases"] = list(escalated)
                people.append(person)
        db.session.commit()
        db.engine.dispose()
    return people


class _Form(html.parser.HTMLParser):
    """The POST forms of a page: each one's action and the values its fields would send."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.fields: dict[str, str] | None = None
        self.radios: dict[str, str] = {}
        self.action = ""
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.fields, self.radios, self.action = {}, {}, a.get("action") or ""
        elif self.fields is not None and tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind == "radio":
                if "checked" in a or a["name"] not in self.radios:
                    self.radios[a["name"]] = a.get("value", "")
            elif kind == "checkbox":
                if "checked" in a:
                    self.fields[a["name"]] = a.get("value", "y")
            elif kind != "submit":
                self.fields[a["name"]] = a.get("value", "")
        elif self.fields is not None and tag == "textarea" and a.get("name"):
            self.textarea = a["name"]
            self.fields[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea and self.fields is not None:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.fields is not None:
            self.fields.update(self.radios)
            self.forms.append((self.action, self.fields))
            self.fields = None

    def form_for(self, path: str) -> dict[str, str] | None:
        """The form that posts to `path` (or to itself), not the header's "Sign out"."""
        for action, fields in self.forms:
            if action in ("", path) or action.split("?")[0].endswith(path):
                return dict(fields)
        return None


class Person(threading.Thread):
    def __init__(
        self, base: str, person: dict, start: threading.Barrier, until: list, results: list, seed: int
    ) -> None:
        super().__init__(daemon=True)
        self.base, self.person, self.start_line, self.until, self.results = base, person, start, until, results
        self.rng = random.Random(seed)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )

    def call(self, kind: str, path: str, data: dict | None = None, expect=(200,)) -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.perf_counter()
        status, text = 0, ""
        try:
            answer = self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=30)
            status, text = answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        except OSError:
            status = -1
        self.results.append((kind, time.perf_counter() - started, status, status in expect))
        if status not in expect and os.environ.get("LOAD_BENCH_DEBUG"):
            print(kind, path, status, data, " ".join(text.split())[:3000], file=sys.stderr)
        return text

    def run(self) -> None:
        p, rng = self.person, self.rng
        time.sleep(rng.uniform(0, 20))
        page = self.call("sign-in form", "/login")
        token = _csrf(page)
        self.call("sign-in", "/login", {"email": p["email"], "password": PASSWORD, "csrf_token": token}, expect=(302,))
        self.start_line.wait()  # everyone signed in (argon2id takes ~150 ms of CPU each): the measured part starts
        while True:
            time.sleep(rng.uniform(2, 10))
            if time.time() >= self.until[0]:
                break
            if rng.random() < 0.1 and self.write():
                continue
            self.read()

    def read(self) -> None:
        p, rng = self.person, self.rng
        role = p["role"]
        case = rng.choice(p["cases"]) if p["cases"] else None
        choices = {
            "coordinator": ["cases", "case", "case", "dashboard", "plan"],
            "chair": ["dashboard", "case", "case", "cases"],
            "agency-representative": ["my-actions", "my-actions", "case", "dashboard", "cases"],
            "viewer": ["cases", "case", "case"],
            "pcc-reviewer": ["dashboard", "escalations", "case"],
        }[role]
        kind = rng.choice(choices)
        if kind in ("case", "plan") and case is None:
            kind = "cases" if role != "pcc-reviewer" else "dashboard"
        path = {
            "cases": "/cases",
            "case": f"/cases/{case}",
            "dashboard": "/dashboard",
            "my-actions": "/my-actions",
            "plan": f"/cases/{case}/plan",
            "escalations": "/escalations",
        }[kind]
        if kind == "cases" and rng.random() < 0.3:
            path += f"?page={rng.randint(2, 20)}"
        self.call(kind, path)

    def write(self) -> bool:
        p, rng = self.person, self.rng
        if p["actions"]:
            action_id = rng.choice(p["actions"])
            form = _form_of(
                self.call("write: action update (form)", f"/actions/{action_id}/update"), f"/actions/{action_id}/update"
            )
            if form is None:
                return True
            form["note"] = f"Visited again on {time.strftime('%d %B')}: no further reports this week."
            form.setdefault("status", "in-progress")
            self.call("write: action update", f"/actions/{action_id}/update", form, expect=(302,))
            return True
        if p.get("decisions") and rng.random() < 0.5:
            # A threshold decision through its form, as the advice suggests it (a different outcome would need a
            # reason why); the case moves on, so each is decided once.
            case_id = p["decisions"].pop()
            path = f"/cases/{case_id}/threshold"
            form = _form_of(self.call("write: threshold decision (form)", path), path)
            if form is None:
                return True
            form["reasons"] = "Three incidents in six months, reported to the police and the council."
            self.call("write: threshold decision", path, form, expect=(302,))
            return True
        if p["minutes"]:
            item_id, meeting_id, case_id = rng.choice(p["minutes"])
            # The minutes of every agenda item are one form (issue 16); each item saves as its own revision.
            path = f"/cases/{case_id}/meetings/{meeting_id}/minutes"
            form = _form_of(self.call("write: minutes (form)", path), path)
            if form is None:
                return True
            field = f"text_{item_id}"
            form[field] = (form.get(field) or "") + f"\nAdded {time.strftime('%H:%M:%S')}: agreed to review."
            form.setdefault("reason", "Load bench")
            self.call("write: minutes save", path, form, expect=(302,))
            return True
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _csrf(page: str) -> str:
    form = _Form()
    form.feed(page)
    return (form.form_for("/login") or {}).get("csrf_token", "")


def _form_of(page: str, path: str) -> dict | None:
    form = _Form()
    form.feed(page)
    return form.form_for(path)


def client(base: str, people: list[dict], duration: float, out: str) -> None:
    """The separate client process: one thread a person; writes every request's (kind, seconds, status, ok)."""
    results: list = []
    until = [float("inf")]
    start = threading.Barrier(len(people) + 1)
    threads = [Person(base, person, start, until, results, seed) for seed, person in enumerate(people)]
    for thread in threads:
        thread.start()
    start.wait()
    until[0] = time.time() + duration
    print(f"  all {len(people)} signed in; measuring for {duration} s", flush=True)
    for thread in threads:
        thread.join()
    Path(out).write_text(json.dumps(results))


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else 0.0


def _analyze(database_url: str) -> None:
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=180)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--jobs",
        choices=("commands", "process"),
        default="commands",
        help="commands: `flask outbox send` and `flask deadlines run` as new processes every minute (cron); "
        "process: one `flask jobs run` process for the whole run (the way docs/operations.md recommends)",
    )
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        sys.exit("Set DATABASE_URL to a database loaded with `flask demo load --scale 10`.")
    people = prepare(database_url)
    from tests.mailserver import MailServer  # the tests' real SMTP server (aiosmtpd), which keeps what it accepts

    mail = MailServer()
    mail.start()
    env = dict(
        os.environ,
        # Real email: the outbox sends over SMTP to a server in this process (aiosmtpd) that counts what it takes.
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(mail.port),
        SMTP_STARTTLS="0",
        DATABASE_URL=database_url,
        SECRET_KEY="bench-secret-key-" + "x" * 32,
        TRIGGER_ENV="local",
        FLASK_APP="wsgi",
    )
    base = f"http://127.0.0.1:{args.port}"
    catch_up = []
    for command in (["deadlines", "run"], ["outbox", "send"]):  # the reminders queued, then sent
        t = time.perf_counter()
        done = subprocess.run(
            [str(ROOT / ".venv/bin/flask"), *command], cwd=ROOT, env=env, capture_output=True, text=True
        )
        last = (done.stdout.strip().splitlines() or [""])[-1]
        catch_up.append(f"{' '.join(command)} {time.perf_counter() - t:.1f} s (exit {done.returncode}): {last[:160]}")
    print("  catch-up before the people start (not measured):\n    " + "\n    ".join(catch_up), flush=True)
    if database_url.startswith("postgresql"):
        # Autovacuum is off on the bench's server (bench/README.md): without this the planner still thinks
        # sent_reminders is as empty as before the catch-up filled it, and each reminder run reads it 70,000 times
        # (6.6 s instead of 0.3 s). A production server's autovacuum analyses a table that grew this much.
        _analyze(database_url)
    mail_before = len(mail.received)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    jobs: list[tuple[str, float, int]] = []
    jobs_process = None
    try:
        for _ in range(100):
            try:
                if urllib.request.urlopen(f"{base}/healthz").status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        out = str(ROOT / "instance" / f"load-bench-{os.getpid()}.json")
        (ROOT / "instance").mkdir(exist_ok=True)
        print(
            f"{database_url.split(':')[0]}: 50 people for {args.duration} s (load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})",
            flush=True,
        )
        from trigger.models import utcnow

        bench_started = utcnow()
        if args.jobs == "process":
            jobs_process = subprocess.Popen(
                [str(ROOT / ".venv/bin/flask"), "jobs", "run", "--outbox-every", "60", "--reminders-every", "60"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        process = multiprocessing.get_context("spawn").Process(target=client, args=(base, people, args.duration, out))
        process.start()
        started = time.time()
        next_jobs = started + 60
        while process.is_alive():
            process.join(timeout=1)
            if args.jobs == "commands" and time.time() >= next_jobs:
                next_jobs += 60
                for command in (["outbox", "send"], ["deadlines", "run"]):
                    t = time.perf_counter()
                    done = subprocess.run(
                        [str(ROOT / ".venv/bin/flask"), *command], cwd=ROOT, env=env, capture_output=True, text=True
                    )
                    jobs.append((" ".join(command), time.perf_counter() - t, done.returncode))
        results = json.loads(Path(out).read_text())
        os.unlink(out)
    finally:
        if jobs_process is not None:
            jobs_process.send_signal(signal.SIGTERM)
            jobs_process.wait(timeout=120)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        mail.stop()
    if jobs_process is not None:
        jobs = job_runs_since(database_url, bench_started)
    by_kind: dict[str, list] = {}
    for kind, seconds, status, ok in results:
        by_kind.setdefault(kind, []).append((seconds, status, ok))
    print(f"  {'request':<30} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8} {'errors':>7} {'refused':>8}")
    all_met = True
    for kind in sorted(by_kind):
        rows = by_kind[kind]
        times = [s * 1000 for s, _, _ in rows]
        errors = sum(
            1 for _, status, ok in rows if not ok and (status >= 500 or status < 0 or status in (401, 403, 404))
        )
        refused = sum(1 for _, status, ok in rows if not ok and status in (400, 409))
        other = sum(1 for _, _, ok in rows if not ok) - errors - refused
        p95, p99 = percentile(times, 0.95), percentile(times, 0.99)
        page = not kind.startswith("sign-in")
        met = p95 < P95_GOAL_MS and p99 < P99_GOAL_MS and not errors and not other
        all_met &= met or not page
        print(
            f"  {kind:<30} {len(rows):>5} {percentile(times, 0.5):7.1f}ms {p95:7.1f}ms {p99:7.1f}ms "
            f"{errors + other:>7} {refused:>8}" + (("  MET" if met else "  NOT MET") if page else "")
        )
    total = len(results)
    print(
        f"  {total} requests ({total / args.duration:.1f} a second); scheduled jobs: "
        + (", ".join(f"{name} {seconds:.1f} s (exit {code})" for name, seconds, code in jobs) or "none")
        + (" (in the jobs process; exit 1 = the run failed)" if args.jobs == "process" else "")
        + f"; emails received over SMTP: {len(mail.received)} ({len(mail.received) - mail_before} during the measured run)"
    )
    print(
        f"  goal (every page p95 < {P95_GOAL_MS:g} ms, p99 < {P99_GOAL_MS:g} ms, zero errors): "
        f"{'MET' if all_met else 'NOT MET'} (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})"
    )


if __name__ == "__main__":
    main()
