"""Need to know, everywhere: a canary crawl (issue 13, "Keep them closed").

One world per database (tests/crawl_helpers.py) puts a distinctive canary string into every kind of restricted
record: a meeting only agency B attends (minutes, recommendation, response, an attendee's name), agency B's
restricted action and its update, a restricted recommendation to agency B, a not-for-victim action and
recommendation, a shared recommendation's internal text, the alleged perpetrator's name and address, and a second
case (same applicant, "possibly linked") that agency A's representative and the PCC reviewer cannot open.

Then each role signs in through the real /login form and crawls every page reachable by links from the landing
pages (GET only, same origin, bounded), every CSV export and PDF it is offered, and reads the emails queued to it.
Each canary must appear only where that role may see it; the letters and emails to the applicant must hold none
of the not-for-victim canaries. A failure lists every leak (canary, role, where), not just the first.

The crawl finds new pages by itself: a new page, export or email that leaks one of these records fails this suite
without anyone writing a test for it. Run with -s to see how much each role's crawl covered.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from tests.conftest import _empty_all_tables, build_app, login
from tests.crawl_helpers import (
    STAFF_ROLES,
    CanaryWorld,
    Found,
    crawl,
    emails_to,
    issued_for_applicant,
    seed_canary_world,
    squash,
)
from trigger.extensions import db
from trigger.models import DocumentKind, OutboxMessage

# Roles that may open case 1 but not agency B's restricted records: they must see the neutral line instead.
NEUTRAL_LINE_ROLES = ("viewer", "pcc", "rep_a")
# The crawl must reach at least this many HTML pages, so that it cannot silently crawl nothing.
MIN_PAGES = {"admin": 50, "coordinator": 50, "chair": 25, "viewer": 15, "pcc": 8, "rep_a": 10, "rep_b": 10}
MAX_PAGES = 400

COVERAGE: dict[str, dict] = {}  # role -> numbers, for the summary printed at the end of the module
ALL_LEAKS: list[str] = []
# Administrators, coordinators and chairs have the same rights on every record here: a draft preview rendered for
# one of them is read, not rendered again, for the others (it saves about 25 renders per database).
FULL_ACCESS_ROLES = ("admin", "coordinator", "chair")
PREVIEWS: dict = {}


@pytest.fixture(scope="module")
def world(database_url):
    """The canary world, built once per database for the whole module."""
    app = build_app(database_url)
    with app.app_context():
        _empty_all_tables()
        started = time.perf_counter()
        seeded = seed_canary_world(app)
        emails = {role: user.email for role, user in seeded.users.items()}
        seeded_in = time.perf_counter() - started
        COVERAGE.clear()
        ALL_LEAKS.clear()
        PREVIEWS.clear()
        yield app, seeded, emails
        _print_summary(db.engine.dialect.name, seeded_in)
        db.session.remove()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def _print_summary(dialect: str, seeded_in: float) -> None:
    lines = [
        f"\n=== canary crawl on {dialect} (world built in {seeded_in:.1f} s) ===",
        f"{'role':<12}{'pages':>7}{'CSV':>6}{'PDFs':>6}{'other':>7}{'emails':>8}{'403/404':>9}"
        f"{'leaks':>7}{'seconds':>9}  (of which pages / PDFs)",
    ]
    for role in STAFF_ROLES + ("applicant",):
        n = COVERAGE.get(role)
        if n:
            lines.append(
                f"{role:<12}{n['pages']:>7}{n['csv']:>6}{n['pdf']:>6}{n['other']:>7}{n['emails']:>8}"
                f"{n['refused']:>9}{n['leaks']:>7}{n['seconds']:>9.1f}"
                f"  ({n.get('split', {}).get('page', 0):.1f} / {n.get('split', {}).get('pdf', 0):.1f})"
            )
    lines.append(f"--- {len(ALL_LEAKS)} leak(s) on {dialect}, by canary and reader ---")
    grouped: dict[str, list[str]] = {}
    for leak in ALL_LEAKS:
        head, _, where = leak.partition(" via ")
        grouped.setdefault(head, []).append(where)
    for head, places in grouped.items():
        lines.append(f"{head}\n      " + "\n      ".join(places))
    print("\n".join(lines))


def _leaks_in(found: list[Found], role: str, world: CanaryWorld) -> list[str]:
    leaks = []
    for canary in world.all_canaries():
        needle = squash(canary.text)
        for item in found:
            if needle not in item.text:
                continue
            if role not in canary.allowed:
                leaks.append(f"{canary.text} ({canary.what}) -> {role} via {item.where}")
            elif item.kind is not None and item.kind.for_applicant and not canary.victim_ok:
                leaks.append(
                    f"{canary.text} ({canary.what}) -> the applicant's {item.kind.label} "
                    f"(seen by {role}) via {item.where}"
                )
    return leaks


def _report(title: str, problems: list[str]) -> str:
    return f"{title}: {len(problems)}\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_each_role_reads_each_canary_only_where_it_may(world, role):
    app, seeded, emails = world
    client = app.test_client()
    started = time.perf_counter()
    login(client, seeded.users[role])
    shared = PREVIEWS if role in FULL_ACCESS_ROLES else None
    result = crawl(client, role, seeded.issued, max_pages=MAX_PAGES, shared_previews=shared)
    mail = emails_to(emails[role])
    found = result.visited + mail
    leaks = _leaks_in(found, role, seeded)

    problems = list(leaks)
    everything = [f for f in found if f.channel != "email"]
    if role in NEUTRAL_LINE_ROLES:
        for line in (seeded.neutral_action_line(), seeded.neutral_recommendation_line()):
            if not any(squash(line) in f.text for f in everything):
                problems.append(
                    f"missing neutral line for {role}: “{line}” appears on none of its "
                    f"{len(everything)} pages/exports/PDFs"
                )
    if role in ("coordinator", "chair"):  # the control: the crawl reaches every canary (else it could not see it leak)
        for canary in seeded.all_canaries():
            # The coordinator checks every canary it may read; the chair those only chairs read (restorative).
            if (role == "coordinator") != ("coordinator" in canary.allowed):
                continue
            if not any(squash(canary.text) in f.text for f in everything):
                problems.append(f"crawl gap: the coordinator's crawl never met {canary.text} ({canary.what})")
    problems += [f"server error: {e}" for e in result.errors]
    # Every role here may open case 1 (the PCC reviewer because it was escalated): a crawl that never reaches its
    # page or its plan tests nothing about it.
    for must_reach in (f"page /cases/{seeded.case1_id}", f"page /cases/{seeded.case1_id}/plan"):
        if not any(f.where == must_reach for f in result.visited):
            problems.append(f"crawl gap: the {role} crawl never reached {must_reach.removeprefix('page ')}")

    COVERAGE[role] = dict(
        pages=result.count("page"),
        csv=result.count("csv"),
        pdf=result.count("pdf"),
        other=result.count("other"),
        emails=len(mail),
        refused=result.statuses.get(403, 0) + result.statuses.get(404, 0),
        leaks=len(leaks),
        seconds=time.perf_counter() - started,
        split=result.seconds,
    )
    ALL_LEAKS.extend(leaks)

    assert result.count("page") >= MIN_PAGES[role], (
        f"the {role} crawl reached only {result.count('page')} pages (statuses {result.statuses})"
    )
    assert not problems, _report(f"{role}: need-to-know problems", problems)


def test_letters_and_emails_to_the_applicant_hold_nothing_not_for_the_victim(world):
    app, seeded, emails = world
    started = time.perf_counter()
    letters = issued_for_applicant(seeded.case1_id)
    mail = emails_to(seeded.applicant_email)
    assert {f.kind for f in letters} >= {k for k in DocumentKind if k.for_applicant}, "a victim letter was not issued"
    assert len(mail) >= len(letters), "each letter issued by email is queued to the applicant"
    problems = []
    for canary in seeded.all_canaries():
        if canary.victim_ok:
            continue
        needle = squash(canary.text)
        problems += [
            f"{canary.text} ({canary.what}) -> applicant via {f.where}" for f in letters + mail if needle in f.text
        ]
    COVERAGE["applicant"] = dict(
        pages=0,
        csv=0,
        pdf=len(letters),
        other=0,
        emails=len(mail),
        refused=0,
        leaks=len(problems),
        seconds=time.perf_counter() - started,
    )
    ALL_LEAKS.extend(problems)
    assert not problems, _report("the applicant: not-for-victim canaries in letters and emails", problems)


def test_the_outbox_is_not_empty(world):
    """The control for the email channel: the world queued emails to staff and to the applicant."""
    total = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert total >= 10, f"only {total} emails were queued: the email channel is barely tested"
