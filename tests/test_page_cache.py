"""The page cache (trigger.page_cache): a repeat view is served from memory, and never once anything changed, to
anyone else, after signing out, with a message to show, or on another day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text, update

from tests.cases_helpers import make_case
from tests.conftest import build_app, login, post, text_of
from trigger import page_cache
from trigger.extensions import db
from trigger.models import AgencyType, AuditEvent, Case, DataVersion, Role


@pytest.fixture
def world(app, make_area, make_agency, make_user):
    area = make_area("Northbury")
    police = make_agency("Test Police", AgencyType.POLICE)
    return {
        "case": make_case(area, police, name="Alice Archer"),
        "police": police,
        "ann": make_user(Role.COORDINATOR, name="Ann Coordinator"),
        "bob": make_user(Role.COORDINATOR, name="Bob Coordinator"),
    }


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    client.get("/home")  # the session gets its CSRF secret on the first page with a form
    return client


def hits(app) -> int:
    return page_cache.cache_of(app).hits


def views_of(case) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.case_id == case.id, AuditEvent.action == "case.viewed"))


def test_a_repeat_view_is_served_from_memory_and_still_audited(app, world):
    case, client = world["case"], signed_in(app, world["ann"])
    first = client.get(f"/cases/{case.id}")
    before = hits(app)
    second = client.get(f"/cases/{case.id}")
    assert second.status_code == 200
    assert hits(app) == before + 1
    assert second.get_data() == first.get_data()
    assert "Alice Archer" in text_of(second)
    assert views_of(case) == 2  # every view is in the audit trail, served from memory or not
    summaries = db.session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "case.viewed")).all()
    assert summaries == [f"Viewed case {case.reference}"] * 2


def test_losing_access_to_a_case_takes_effect_on_the_next_view(app, world, make_user, make_agency):
    case = world["case"]
    rep = make_user(Role.AGENCY_REP, agency=world["police"])  # the police are involved in the case
    client = signed_in(app, rep)
    assert "Alice Archer" in served_from_memory(app, client, f"/cases/{case.id}")
    db.session.get(type(rep), rep.id).agency_id = make_agency("Vale Homes", AgencyType.HOUSING).id
    db.session.commit()
    assert client.get(f"/cases/{case.id}").status_code == 403


def served_from_memory(app, client, url: str) -> str:
    """Ask twice; the second answer must come from memory (so that a test of what follows can fail)."""
    client.get(url)
    before = hits(app)
    page = text_of(client.get(url))
    assert hits(app) == before + 1, f"{url} was not served from memory"
    return page


def test_a_change_by_someone_else_shows_on_the_next_view(app, world):
    case, ann, bob = world["case"], signed_in(app, world["ann"]), signed_in(app, world["bob"])
    assert "none assigned" in served_from_memory(app, ann, f"/cases/{case.id}")
    answer = post(bob, f"/cases/{case.id}/coordinator", {"coordinator_id": str(world["bob"].id)})
    assert answer.status_code == 302
    page = text_of(ann.get(f"/cases/{case.id}"))
    assert "Coordinator: Bob Coordinator" in page
    assert "Ann Coordinator" in page  # Ann's own page: her name in the header, not Bob's


@pytest.mark.parametrize("how", ["orm", "bulk", "sql"])
def test_every_way_of_writing_counts_as_a_change(app, world, how):
    case, client = world["case"], signed_in(app, world["ann"])
    assert "Alice Archer" in served_from_memory(app, client, "/cases")
    if how == "orm":
        db.session.get(Case, case.id).applicant_name = "Zoe Zed"
    elif how == "bulk":
        db.session.execute(update(Case).where(Case.id == case.id).values(applicant_name="Zoe Zed"))
    else:
        db.session.execute(text("UPDATE cases SET applicant_name = 'Zoe Zed' WHERE id = :id"), {"id": case.id})
    db.session.commit()
    page = text_of(client.get("/cases"))
    assert "Zoe Zed" in page and "Alice Archer" not in page


def test_a_change_made_by_another_server_process_is_seen(app, database_url, world):
    case, client = world["case"], signed_in(app, world["ann"])
    served_from_memory(app, client, f"/cases/{case.id}")
    other = build_app(database_url)  # a second worker: its own memory, the same database
    with other.app_context():
        db.session.execute(update(Case).where(Case.id == case.id).values(applicant_name="Changed Elsewhere"))
        db.session.commit()
        db.session.remove()
    assert "Changed Elsewhere" in text_of(client.get(f"/cases/{case.id}"))


def test_a_rolled_back_change_leaves_the_version_alone_and_the_next_one_replaces_it(app, world):
    token = db.session.scalar(select(DataVersion.token))
    db.session.get(Case, world["case"].id).applicant_name = "Never Saved"
    db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(DataVersion.token)) == token
    db.session.get(Case, world["case"].id).applicant_name = "Saved"
    db.session.commit()
    assert db.session.scalar(select(DataVersion.token)) != token


def test_views_and_session_activity_do_not_count_as_changes(app, world):
    case, client = world["case"], signed_in(app, world["ann"])
    client.get(f"/cases/{case.id}")
    token = db.session.scalar(select(DataVersion.token))
    client.get(f"/cases/{case.id}")
    client.get(f"/cases/{case.id}/plan")  # the action plan page records a view through the ORM
    db.session.expire_all()
    assert db.session.scalar(select(DataVersion.token)) == token


def test_nobody_is_served_another_persons_page(app, world, make_user, make_agency):
    case = world["case"]
    outsider_user = make_user(Role.AGENCY_REP, agency=make_agency("Vale Homes", AgencyType.HOUSING))
    ann, bob, outsider = (signed_in(app, user) for user in (world["ann"], world["bob"], outsider_user))
    served_from_memory(app, ann, f"/cases/{case.id}")
    served_from_memory(app, ann, "/cases")
    assert outsider.get(f"/cases/{case.id}").status_code == 403
    assert "Alice Archer" not in text_of(outsider.get("/cases"))
    page = text_of(bob.get(f"/cases/{case.id}"))
    assert "Bob Coordinator" in page and "Ann Coordinator" not in page
    # The same person in a second browser is a second sign-in, with its own page (and its own CSRF tokens).
    ann_elsewhere = signed_in(app, world["ann"])
    served_from_memory(app, ann, f"/cases/{case.id}")
    before = hits(app)
    ann_elsewhere.get(f"/cases/{case.id}")
    assert hits(app) == before


def test_a_new_sign_in_and_a_deactivated_account_get_no_kept_page(app, world, admin_client):
    case, user = world["case"], world["ann"]
    client = signed_in(app, user)
    served_from_memory(app, client, f"/cases/{case.id}")
    post(client, "/logout", token_from="/home")
    assert client.get(f"/cases/{case.id}").status_code == 302  # to the sign-in page
    signed_in_again = signed_in(app, user)
    before = hits(app)
    assert signed_in_again.get(f"/cases/{case.id}").status_code == 200
    assert hits(app) == before  # built afresh for the new sign-in
    served_from_memory(app, signed_in_again, f"/cases/{case.id}")
    db.session.get(type(user), user.id).active = False
    db.session.commit()
    assert signed_in_again.get(f"/cases/{case.id}").status_code == 302


def test_a_message_to_show_is_shown_once_and_never_kept(app, world):
    case, client = world["case"], signed_in(app, world["ann"])
    served_from_memory(app, client, f"/cases/{case.id}")
    answer = post(client, f"/cases/{case.id}/coordinator", {"coordinator_id": str(world["bob"].id)},
                  follow_redirects=True)
    assert "Bob Coordinator is now the coordinator" in text_of(answer)
    assert "is now the coordinator" not in text_of(client.get(f"/cases/{case.id}"))


def test_a_new_day_builds_the_page_again(app, world, monkeypatch):
    from trigger.deadlines import services as deadline_services

    client = signed_in(app, world["ann"])
    served_from_memory(app, client, "/dashboard")
    before = hits(app)
    monkeypatch.setattr(deadline_services, "london_today", lambda: date.today() + timedelta(days=1))
    client.get("/dashboard")
    assert hits(app) == before


def test_the_cache_keeps_to_its_memory_limit_dropping_the_least_recently_used():
    cache = page_cache.PageCache(max_bytes=4000)
    for n in range(10):
        cache.put(("page", n), b"x" * 900)
    assert len(cache) == 4
    assert cache.get(("page", 0)) is None and cache.get(("page", 9)).body == b"x" * 900
    cache.put(("big",), b"y" * 1001)  # over a quarter of the limit: never kept
    assert cache.get(("big",)) is None


def test_page_cache_mib_0_turns_it_off(database_url, monkeypatch, tmp_path):
    from config import Settings

    monkeypatch.setenv("PAGE_CACHE_MIB", "0")
    monkeypatch.setenv("DATABASE_URL", database_url)
    settings = Settings.from_env(tmp_path)
    assert settings.page_cache_mib == 0
    app = build_app(database_url, page_cache_mib=0)
    assert page_cache.cache_of(app) is None
    assert page_cache.cache_of(build_app(database_url)) is not None
