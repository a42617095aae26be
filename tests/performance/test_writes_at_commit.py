"""Writes a page does not show are made when the request commits, not while the page is built (issue 19).

On SQLite the first write of a transaction takes the database's one write lock until the commit. A case page
recorded its view in the audit trail before reading the case, so the lock was held while the page was built and
every other request that writes (another case viewed, a form saved) waited: under wrk, two workers serving case
pages took turns. The view, and a session's once-a-minute touch, are now the request's last statements.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from tests.cases_helpers import make_case
from tests.conftest import login
from tests.deadlines_helpers import counted_statements
from trigger.extensions import db
from trigger.models import AuditEvent, Role, UserSession, utcnow

_WRITES = ("INSERT", "UPDATE", "DELETE")


def _one_line(statements: list[str]) -> list[str]:
    return [" ".join(sql.split()) for sql in statements]


def _reads_after_first_write(statements: list[str]) -> list[str]:
    first = next(i for i, sql in enumerate(statements) if sql.upper().startswith(_WRITES))
    return [sql for sql in statements[first:] if not sql.upper().startswith(_WRITES)]


def test_a_case_view_is_recorded_after_the_page_is_read(client, make_user, make_area, make_agency):
    police = make_agency("Vale Police")
    case = make_case(make_area("Vale"), police, perpetrator="Pat Person")
    coordinator = make_user(Role.COORDINATOR, name="Cora Ordinator")
    login(client, coordinator)
    client.get(f"/cases/{case.id}")  # the session's first touch, and the CSRF secret, out of the way

    with counted_statements() as raw:
        page = client.get(f"/cases/{case.id}")
    statements = _one_line(raw)
    assert page.status_code == 200 and case.reference in page.get_data(as_text=True)
    assert any(sql.startswith("INSERT INTO audit_events") for sql in statements)
    assert _reads_after_first_write(statements) == []  # nothing is read once the write lock is taken
    viewed = db.session.scalars(
        select(AuditEvent.summary).where(AuditEvent.case_id == case.id, AuditEvent.action == "case.viewed")
    ).all()
    assert viewed == [f"Viewed case {case.reference}"] * 2  # still recorded, once a view


def test_a_case_view_that_fails_records_nothing(client, make_user, make_area, make_agency):
    police = make_agency("Vale Police")
    case = make_case(make_area("Vale"), police)
    rep = make_user(Role.AGENCY_REP, name="Rita Rep", agency=make_agency("Vale Fire"))
    login(client, rep)
    assert client.get(f"/cases/{case.id}").status_code == 403  # their agency is not involved in the case
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.viewed")).all()


def test_a_session_is_touched_after_the_page_is_read(client, make_user):
    user = make_user(Role.VIEWER, name="Val Viewer")
    login(client, user)
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()

    with counted_statements() as raw:
        assert client.get("/home").status_code == 200
    statements = _one_line(raw)
    assert any(sql.startswith("UPDATE user_sessions SET last_seen_at") for sql in statements)
    assert _reads_after_first_write(statements) == []
    assert utcnow() - db.session.scalar(select(UserSession.last_seen_at)) < timedelta(minutes=1)
