"""Page speed at scale: the busiest pages under 16 concurrent clients, behind gunicorn with 2 workers.

Needs a database filled by `flask demo load --scale 10` (see bench/README.md) and `wrk` (apt-get install wrk).

    DATABASE_URL=sqlite:////tmp/bench10.db .venv/bin/python bench/pages_bench.py [--duration 60]

What it does, in order:
1. adds two bench accounts with a known password (production argon2id hash): a coordinator, and an agency
   representative of the agency that owns the most actions; picks the case with the most meetings;
2. starts `gunicorn -w 2 wsgi:app` on the database (TRIGGER_ENV=local, a SECRET_KEY set), signs both accounts
   in with a small urllib script to get their session cookies;
3. runs wrk (16 connections, 2 threads) for each page, a Lua script sending the cookie and counting any answer
   other than 200 as an error, and prints p50/p95/p99, requests/s and errors;
4. compares each page's requests/s with `/healthz` in the same run (goal: at least 0.12 of it) - the bare-est
   route the product has (one `SELECT 1`; there is deliberately no test-only route in the product) - and the
   case page's again from `--interleave N` (6) alternating 10 s runs of each, which share whatever else the
   machine is doing;
5. reads the workers' resident memory before and after (a soak: it must not keep growing).

Every request builds its page from the database: there is no page cache (issue 19).

`--in-process N` measures the same pages without gunicorn or wrk: N requests each through Flask's test client in
this one process, printing wall-clock p50/p95, the process's CPU time per request (p50 and best) and the SQL
statements per page. CPU time barely moves when other work shares the machine, so it is the figure to compare
before and after a change; wrk's figures are only comparable on an idle machine (the load average is printed).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "violet kettle harbour morning"
COORDINATOR = "bench.coordinator@bench.example"
REP = "bench.rep@bench.example"
#: Issue 19's goals, as ratios to the bare route measured in the same run: CPU per page in process at most this
#: many times /healthz's, and under wrk at least RPS_GOAL of /healthz's requests per second.
CPU_GOALS = {"cases": 7.0, "case": 7.0, "my-actions": 6.0, "dashboard": 10.0}
RPS_GOAL = 0.12

LUA = r"""
wrk.headers["Cookie"] = "%(cookie)s"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) errors = 0 end
function response(status, headers, body) if status ~= 200 then errors = errors + 1 end end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("errors") end
  io.write(string.format('RESULT {"requests": %%d, "seconds": %%f, "p50": %%f, "p95": %%f, "p99": %%f, '
    .. '"errors": %%d, "socket_errors": %%d}\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def prepare(database_url: str) -> dict:
    """Bench accounts with a known password, and the ids the pages need."""
    from sqlalchemy import func, select

    from config import Settings, normalise_database_url
    from trigger import create_app
    from trigger.auth.passwords import hash_password
    from trigger.extensions import db
    from trigger.models import Action, Attendee, Case, Meeting, MeetingStatus, MinutesApproval, Role, User

    settings = Settings(environment="local", secret_key="bench", database_url=normalise_database_url(database_url))
    app = create_app({"TRIGGER_SETTINGS": settings})
    with app.app_context():
        if db.session.scalar(select(func.count()).select_from(Case)) < 1000:
            sys.exit("This database has fewer than 1,000 cases: load one with `flask demo load --scale 10` first.")
        agency_id = db.session.scalar(
            select(Action.owner_agency_id).group_by(Action.owner_agency_id).order_by(func.count().desc()).limit(1)
        )
        password_hash = hash_password(PASSWORD, "production")
        for email, role, agency in ((COORDINATOR, Role.COORDINATOR, None), (REP, Role.AGENCY_REP, agency_id)):
            user = db.session.scalar(select(User).where(User.email == email))
            if user is None:
                user = User(email=email, name=f"Bench {role.label}", role=role)
                db.session.add(user)
            user.agency_id, user.password_hash, user.active = agency, password_hash, True
        case_id = db.session.scalar(
            select(Meeting.case_id).group_by(Meeting.case_id).order_by(func.count().desc(), Meeting.case_id).limit(1)
        )
        actions = db.session.scalar(select(func.count()).select_from(Action).where(Action.owner_agency_id == agency_id))
        # The minutes editor (the load bench's slowest form): the meeting not yet approved with the most attendees.
        meeting = db.session.execute(
            select(Meeting.case_id, Meeting.id)
            .join(Attendee, Attendee.meeting_id == Meeting.id)
            .outerjoin(MinutesApproval, MinutesApproval.meeting_id == Meeting.id)
            .where(
                MinutesApproval.meeting_id.is_(None),
                Meeting.status != MeetingStatus.CANCELLED,
                Meeting.is_restorative_conference.is_(False),
            )
            .group_by(Meeting.case_id, Meeting.id)
            .order_by(func.count().desc(), Meeting.id)
            .limit(1)
        ).one()
        db.session.commit()
        db.engine.dispose()
    return {"case_id": case_id, "rep_actions": actions, "minutes": f"/cases/{meeting[0]}/meetings/{meeting[1]}/minutes"}


def sign_in(base: str, email: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token}).encode()
    opener.open(urllib.request.Request(f"{base}/login", data=body))
    cookie = next(c for c in jar if c.name == "trigger_session")
    return f"{cookie.name}={cookie.value}"


def status_of(base: str, path: str, cookie: str) -> int:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        return urllib.request.build_opener(NoRedirect).open(request).status
    except urllib.error.HTTPError as error:
        return error.code


def worker_memory(master_pid: int) -> dict[int, int]:
    """Resident memory (KiB) of each gunicorn worker."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    memory = {}
    for pid in map(int, children):
        status = Path(f"/proc/{pid}/status").read_text()
        memory[pid] = int(re.search(r"VmRSS:\s+(\d+)", status)[1])
    return memory


def run_wrk(base: str, path: str, cookie: str, duration: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"cookie": cookie})
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            base + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    result = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def in_process(
    database_url: str, ids: dict, runs: int, names: list[str], profile: bool = False, rounds: int = 10
) -> None:
    """Each page `runs` times through the test client: wall p50/p95, CPU p50/best, SQL statements per request."""
    from sqlalchemy import event

    from config import Settings, normalise_database_url
    from trigger import create_app
    from trigger.extensions import db

    settings = Settings(
        environment="local",
        secret_key="bench-secret-key-" + "x" * 32,
        database_url=normalise_database_url(database_url),
    )
    app = create_app({"TRIGGER_SETTINGS": settings})

    def client_for(email: str):
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
        answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        assert answer.status_code == 302, answer.status_code
        return client

    coordinator, rep = client_for(COORDINATOR), client_for(REP)
    pages = {
        "healthz": ("/healthz", coordinator),
        # The signed-in floor: a page with no data of its own (session, user, navigation, layout).
        "home": ("/home", rep),
        "cases": ("/cases", coordinator),
        "case": (f"/cases/{ids['case_id']}", coordinator),
        "my-actions": ("/my-actions", rep),
        # The case list as the agency representative sees it: only the cases their agency is involved in (the
        # police: 9,436 of the 10,000), worked out from reports, actions, attendees and referrals on every view.
        "cases-rep": ("/cases", rep),
        # The case page's other sections (issue 16 split the one long page); "case" is its summary.
        **{
            f"case-{section}": (f"/cases/{ids['case_id']}/{section}", coordinator)
            for section in ("incidents", "meetings", "plan", "documents", "timeline", "print")
        },
        "dashboard": ("/dashboard", coordinator),
        # The minutes editor of a meeting not yet approved (the coordinators' and chairs' write in load_bench.py).
        "minutes": (ids["minutes"], coordinator),
    }
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    print(
        f"in process ({database_url.split(':')[0]}), {runs} requests a page, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(f"  {'page':<12} {'wall p50':>9} {'wall p95':>9} {'CPU p50':>9} {'CPU best':>9} {'SQL':>4}  x healthz (goal)")
    cpu_p50: dict[str, float] = {}
    counts: dict[str, int] = {}
    for name in names:
        path, client = pages[name]
        for _ in range(2):  # warm: the first view of a sign-in gives it its CSRF secret
            assert client.get(path).status_code == 200, path
        statements.clear()
        client.get(path)
        counts[name] = len(statements)
        if os.environ.get("BENCH_SHOW_SQL"):
            print(f"{name}:\n" + "\n".join(" ".join(sql.split())[:160] for sql in statements))
    # The pages take turns, `rounds` rounds of runs/rounds requests each: whatever else the machine does (other
    # virtual machines on the same host, a test run) then weighs on every page alike, and the ratios to /healthz
    # compare like with like. CPU time still counts time stolen by the host; the best run shows the floor.
    walls: dict[str, list[float]] = {name: [] for name in names}
    cpus: dict[str, list[float]] = {name: [] for name in names}
    rounds = max(1, min(rounds, runs))
    for _ in range(rounds):
        for name in names:
            path, client = pages[name]
            for _ in range(runs // rounds):
                wall, cpu = time.perf_counter(), time.process_time()
                client.get(path)
                walls[name].append(time.perf_counter() - wall)
                cpus[name].append(time.process_time() - cpu)
    for name in names:
        path, client = pages[name]
        walls[name].sort()
        cpus[name].sort()
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(runs):
                client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(45)
        page_walls, page_cpus = walls[name], cpus[name]
        cpu_p50[name] = page_cpus[len(page_cpus) // 2]
        ratio = ""
        if name in CPU_GOALS and cpu_p50.get("healthz"):
            times = cpu_p50[name] / cpu_p50["healthz"]
            ratio = (
                f"  {times:5.1f}x (at most {CPU_GOALS[name]:g}x: {'MET' if times <= CPU_GOALS[name] else 'NOT MET'})"
            )
        print(
            f"  {name:<12} {page_walls[len(page_walls) // 2] * 1000:7.1f}ms "
            f"{page_walls[int(len(page_walls) * 0.95) - 1] * 1000:7.1f}ms "
            f"{cpu_p50[name] * 1000:7.1f}ms {page_cpus[0] * 1000:7.1f}ms {counts[name]:>4}{ratio}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--threads", type=int, default=1, help="gunicorn --threads: 1 is the sync worker; more is the gthread worker"
    )
    parser.add_argument(
        "--pages",
        default="healthz,cases,case,my-actions,dashboard",
        help="healthz first: the other pages' figures are compared with it (also: cases-rep, the case list of the "
        "representative of the agency owning the most actions; and with --in-process, case-incidents, case-meetings, "
        "case-plan, case-documents, case-timeline, case-print, minutes (the minutes editor of the unapproved meeting with the "
        "most attendees), and home, the signed-in floor: a page with no data)",
    )
    parser.add_argument(
        "--in-process",
        type=int,
        default=0,
        metavar="N",
        help="no server: N requests a page through the test client, with CPU time and SQL counts",
    )
    parser.add_argument(
        "--interleave",
        type=int,
        default=6,
        metavar="N",
        help="after the runs, N alternating 10 s runs of the bare route and the case page for the ratio (0: none)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=10,
        metavar="K",
        help="with --in-process: the pages take turns, K rounds of N/K requests each (1: each page's N at once)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="with --in-process: also print a cProfile of each page's N requests"
    )
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        sys.exit("Set DATABASE_URL to a database loaded with `flask demo load --scale 10`.")
    ids = prepare(database_url)
    if args.in_process:
        in_process(database_url, ids, args.in_process, args.pages.split(","), args.profile, args.rounds)
        return
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="bench-secret-key-" + "x" * 32, TRIGGER_ENV="local")
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            "2",
            "--threads",
            str(args.threads),
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                if urllib.request.urlopen(f"{base}/healthz").status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        coordinator, rep = sign_in(base, COORDINATOR), sign_in(base, REP)
        pages = {
            "healthz": ("/healthz", coordinator, "bare route (/healthz: one SELECT 1)"),
            "cases": ("/cases", coordinator, "case list, page 1 of 10,000 cases (coordinator)"),
            "case": (f"/cases/{ids['case_id']}", coordinator, f"case page (case {ids['case_id']}, most meetings)"),
            "my-actions": ("/my-actions", rep, f"My actions ({ids['rep_actions']:,} actions owned by the agency)"),
            "cases-rep": ("/cases", rep, "case list, page 1 (the agency representative: their cases only)"),
            "dashboard": ("/dashboard", coordinator, "deadlines dashboard (coordinator)"),
        }
        chosen = {}
        for name in args.pages.split(","):
            path, cookie, label = pages[name]
            status = status_of(base, path, cookie)
            if status == 404 and name == "dashboard":
                print("  (no /dashboard on this server yet: skipped)")
                continue
            assert status == 200, f"{path} answered {status}"
            for _ in range(5):  # warm both workers' caches before measuring memory
                status_of(base, path, cookie)
            chosen[name] = (path, cookie, label)
        memory_before = worker_memory(server.pid)
        engine = database_url.split(":")[0]
        print(
            f"{engine}: gunicorn -w 2 --threads {args.threads}, wrk -t2 -c{args.connections} -d{args.duration}s per page "
            f"(load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())})"
        )
        print(f"  {'page':<58} {'p50':>8} {'p95':>8} {'p99':>8} {'req/s':>8} {'errors':>7}")
        results = {}
        for name, (path, cookie, label) in chosen.items():
            r = results[name] = run_wrk(base, path, cookie, args.duration, args.connections)
            met = ""
            if name != "healthz" and "healthz" in results:
                share = r["rps"] / results["healthz"]["rps"]
                met = f"  {share:.2f} of healthz ({'MET' if share >= RPS_GOAL and not r['errors'] else 'NOT MET'})"
            print(
                f"  {label:<58} {r['p50']:7.1f}ms {r['p95']:7.1f}ms {r['p99']:7.1f}ms {r['rps']:8.1f} "
                f"{r['errors'] + r['socket_errors']:>7}{met}  (load {os.getloadavg()[0]:.2f})",
                flush=True,
            )
        memory_after = worker_memory(server.pid)
        if "healthz" in results and "case" in results:
            ratio = results["case"]["rps"] / results["healthz"]["rps"]
            print(
                f"  case page / bare route requests per second: {ratio:.2f} (goal at least {RPS_GOAL}: "
                f"{'MET' if ratio >= RPS_GOAL else 'NOT MET'})"
            )
            if args.interleave:
                # The two runs above are a minute or more apart, and on a shared machine a minute can change
                # either figure by a third; alternating short runs puts both under the same conditions.
                totals = {"healthz": [0, 0.0], "case": [0, 0.0]}
                for _ in range(args.interleave):
                    for name in totals:
                        path, cookie, _ = chosen[name]
                        r = run_wrk(base, path, cookie, 10, args.connections)
                        totals[name][0] += r["requests"]
                        totals[name][1] += r["seconds"]
                rates = {name: n / seconds for name, (n, seconds) in totals.items()}
                ratio = rates["case"] / rates["healthz"]
                print(
                    f"  interleaved, {args.interleave} x 10 s each: bare route {rates['healthz']:.0f} req/s, case "
                    f"page {rates['case']:.0f} req/s, ratio {ratio:.2f} (goal at least {RPS_GOAL}: "
                    f"{'MET' if ratio >= RPS_GOAL else 'NOT MET'})",
                    flush=True,
                )
        for pid, before in memory_before.items():
            after = memory_after.get(pid)
            print(
                f"  worker {pid} resident memory: {before / 1024:.1f} MiB before, "
                f"{(after or 0) / 1024:.1f} MiB after" + ("" if after else " (worker gone!)")
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
