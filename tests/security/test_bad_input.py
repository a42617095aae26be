"""Hostile or mistyped input is answered with a clear 400 or 404, never a 500, on both databases; and a database
error that does happen leaves no personal data in the server log."""

from __future__ import annotations

import logging

from sqlalchemy import text

from tests.cases_helpers import count, make_case, public_form
from tests.conftest import login, post, text_of
from tests.meetings_helpers import make_world, meeting_data
from trigger.authz import PUBLIC, allow
from trigger.extensions import db
from trigger.models import AgencyType, Case, LoginAttempt, Meeting, Role

NUL_WORDS = "contains a character that cannot be saved (a NUL character"


def test_a_nul_byte_in_the_public_form_or_the_sign_in_form_is_refused_clearly(client, make_area, make_agency):
    area, police = make_area("Testbury"), make_agency("Test Police", AgencyType.POLICE)
    response = post(client, "/apply", public_form(area, police, applicant_name="Pat\x00Public"))
    assert response.status_code == 400 and NUL_WORDS in text_of(response)
    assert count(Case) == 0
    response = post(client, "/login", {"email": "pat\x00@example.org", "password": "a-long-test-passphrase-42"})
    assert response.status_code == 400 and NUL_WORDS in text_of(response)
    assert client.get("/apply?area=\x00").status_code == 400


def test_ids_and_pages_beyond_the_database_range_are_not_found_or_ignored(client, make_user, make_area, make_agency):
    coordinator = make_user(Role.COORDINATOR)
    case = make_case(make_area("Testbury"), make_agency("Test Police", AgencyType.POLICE))
    login(client, coordinator)
    for big in (2**31, 2**63, 2**64 + 1):
        assert client.get(f"/cases/{big}").status_code == 404
        assert client.get(f"/cases/{case.id}/meetings/{big}").status_code == 404
        assert client.get(f"/cases/export.csv?area={big}").status_code == 400
        listing = client.get(f"/cases?page={big}")
        assert listing.status_code == 200 and case.reference in text_of(listing)
        assert client.get(f"/cases?area={big}").status_code == 400
    assert case.reference in text_of(client.get("/cases?page=-3"))


def test_a_csv_with_an_impossible_filter_is_refused_before_it_starts(client, make_user):
    login(client, make_user(Role.COORDINATOR))
    response = client.get(f"/cases/export.csv?area={2**40}")
    assert response.status_code == 400
    assert response.content_type.startswith("text/html")
    assert "a number Trigger does not use" in text_of(response)


def test_method_override_in_the_query_string_of_a_paged_list_is_ignored(client, make_user):
    admin = make_user(Role.ADMIN)
    for _ in range(30):  # more than one page, so that the page links are built
        make_user(Role.VIEWER)
    login(client, admin)
    for url in ("/admin/users", "/cases", "/admin/audit", "/admin/outbox", "/notifications"):
        response = client.get(f"{url}?_method=POST&_external=1&endpoint=x&page=1")
        assert response.status_code == 200, url
    page = text_of(client.get("/admin/users?_method=POST&page=1"))
    assert "Next" in page


def test_a_line_break_in_a_meetings_online_link_is_a_form_error(client, make_user, make_agency, make_area):
    world = make_world(make_user, make_agency, make_area)
    login(client, world.coordinator)
    for link in ("https://meet.example/abc\r\nATTENDEE:mailto:evil@example.org", "https://meet.example/a b"):
        response = post(client, f"/cases/{world.case.id}/meetings/new", meeting_data(world, virtual_link=link))
        assert response.status_code == 400
        assert "Enter the meeting link as one web address, without spaces or line breaks" in text_of(response)
    assert count(Meeting) == 0


def test_a_database_error_logs_the_statement_but_not_the_personal_data(app, client, caplog):
    @allow(PUBLIC)
    def broken():
        # A value the database cannot take, quoted by PostgreSQL in its message and by SQLAlchemy in its own.
        db.session.execute(
            text("SELECT CAST(:value AS INTEGER) FROM no_such_table"), {"value": "Jane Secret, 1 Elm Road"}
        )
        return "unreachable"

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    assert db.engine.hide_parameters
    with caplog.at_level(logging.WARNING):
        response = client.get("/broken-for-test")
    assert response.status_code == 500
    assert "no_such_table" in caplog.text  # what failed is still there to fix it
    assert "Jane Secret" not in caplog.text and "Elm Road" not in caplog.text
    assert count(LoginAttempt) == 0
