"""Structured logs: one JSON line per request with its request id, route pattern and user, and no personal data."""

from __future__ import annotations

import json
import logging

import pytest

from tests.conftest import login, text_of
from trigger.models import Role
from trigger.operations.logs import REQUEST_LOGGER, JsonFormatter


@pytest.fixture
def log_lines(caplog):
    """Everything logged under `trigger`, as the JSON lines production writes."""
    caplog.set_level(logging.INFO, logger="trigger")
    formatter = JsonFormatter()

    def lines() -> list[dict]:
        return [json.loads(formatter.format(record)) for record in caplog.records if record.name.startswith("trigger")]

    return lines


def request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == REQUEST_LOGGER]


def test_each_request_is_one_json_line_with_its_pattern_status_duration_user_and_id(client, make_user, log_lines):
    user = make_user(Role.COORDINATOR)
    login(client, user)
    response = client.get("/cases?q=Pat+Applicant&postcode=GL1+2AB")
    assert response.status_code == 200
    [line] = [line for line in request_lines(log_lines()) if line["route"] == "/cases"]
    assert line["method"] == "GET" and line["status"] == 200 and line["user_id"] == user.id
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["X-Request-Id"] and len(line["request_id"]) == 32
    assert line["time"].endswith("+00:00")


def test_a_page_that_writes_logs_its_user_without_loading_them_again(
    client, make_user, make_area, make_agency, log_lines
):
    """A case page records the view and commits, which expires the signed-in user: the log line still names them,
    read from the session's identity map rather than by loading the user's row again (issue 19)."""
    from sqlalchemy import event

    from tests.cases_helpers import make_case
    from trigger.extensions import db

    case = make_case(make_area("Logbury"), make_agency("Log Police"), name="Lee Logger")
    user = make_user(Role.COORDINATOR)
    login(client, user)
    statements: list[str] = []

    def listen(*args) -> None:
        statements.append(args[2])

    with client.application.app_context():
        event.listen(db.engine, "before_cursor_execute", listen)
    try:
        assert client.get(f"/cases/{case.id}").status_code == 200
    finally:
        with client.application.app_context():
            event.remove(db.engine, "before_cursor_execute", listen)
    [line] = [line for line in request_lines(log_lines()) if line["route"] == "/cases/<int:case_id>"]
    assert line["user_id"] == user.id
    view = max(i for i, sql in enumerate(statements) if sql.startswith("INSERT INTO audit_events"))
    assert not [sql for sql in statements[view:] if "users.email" in sql], statements[view:]  # the row again


def test_a_search_by_name_or_postcode_never_reaches_the_log(client, make_user, log_lines):
    login(client, make_user(Role.COORDINATOR))
    client.get("/cases?q=Zebedee+Quartermaine")
    client.get("/cases?q=GL99+7ZZ&stage=received")
    client.get("/cases/999999?q=GL99+7ZZ")  # a 404 too
    everything = "\n".join(json.dumps(line) for line in log_lines())
    assert "Zebedee" not in everything and "Quartermaine" not in everything
    assert "GL99" not in everything and "7ZZ" not in everything
    assert "q=" not in everything
    routes = {line["route"] for line in request_lines(log_lines())}
    assert "/cases/<int:case_id>" in routes  # the pattern, not /cases/999999


def test_form_values_never_reach_the_log(client, log_lines):
    client.post("/login", data={"email": "someone@private.example", "password": "hunter2-secret-words"})
    everything = "\n".join(json.dumps(line) for line in log_lines())
    assert "private.example" not in everything and "hunter2" not in everything
    assert request_lines(log_lines())[-1]["route"] == "/login"


def test_an_error_page_shows_the_reference_that_the_log_lines_carry(app, client, log_lines):
    @app.get("/__boom")  # an unexpected error in a view
    def boom():
        raise RuntimeError("went wrong")

    from trigger.authz import PUBLIC, allow

    app.view_functions["boom"] = allow(PUBLIC)(boom)
    response = client.get("/__boom?name=Zebedee")
    assert response.status_code == 500
    reference = response.headers["X-Request-Id"]
    assert f"quote this reference: {reference}" in text_of(response)
    about_it = [line for line in log_lines() if line["request_id"] == reference]
    assert {line["logger"] for line in about_it} == {"trigger", REQUEST_LOGGER}  # the error and the request line
    assert [line["level"] for line in about_it if line["logger"] == "trigger"] == ["error"]
    assert "Zebedee" not in json.dumps(about_it)


def test_a_404_page_shows_its_reference_and_a_proxy_id_is_kept(client):
    response = client.get("/no-such-page", headers={"X-Request-Id": "lb-1234abcd"})
    assert response.status_code == 404
    assert response.headers["X-Request-Id"] == "lb-1234abcd"
    assert "quote this reference: lb-1234abcd" in text_of(response)


def test_a_forged_request_id_is_replaced(client, log_lines):
    response = client.get("/healthz", headers={"X-Request-Id": 'x"} {"forged": true}'})
    assert response.headers["X-Request-Id"] != 'x"} {"forged": true}'
    assert len(response.headers["X-Request-Id"]) == 32
    assert not any("forged" in json.dumps(line) for line in log_lines())
