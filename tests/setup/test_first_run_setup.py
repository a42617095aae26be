"""The first-run set-up: offered once on an empty product, then gone for good."""

from sqlalchemy import func, select

from tests.conftest import post, text_of
from trigger.extensions import db
from trigger.models import AuditEvent, Organisation, Role, User

GOOD = {
    "org_name": "Severn Vale Partnership",
    "name": "Alice Admin",
    "email": "Alice@Example.org",
    "password": "violet kettle harbour morning",
    "confirm_password": "violet kettle harbour morning",
}


def test_first_visit_goes_to_setup(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.endswith("/setup")
    page = client.get("/setup")
    assert "Set up Trigger" in text_of(page)
    assert "This page is shown only once" in text_of(page)


def test_setup_creates_organisation_and_signed_in_administrator(client):
    response = post(client, "/setup", GOOD)
    assert response.status_code == 302
    home = client.get("/home", follow_redirects=True)
    assert "Welcome, Alice Admin" in text_of(home)
    assert "Severn Vale Partnership is set up" in text_of(home)
    admin = db.session.scalar(select(User))
    assert admin.email == "alice@example.org"
    assert admin.role is Role.ADMIN
    assert admin.password_hash.startswith("$argon2id$")
    assert db.session.get(Organisation, 1).name == "Severn Vale Partnership"
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"setup.completed", "user.created", "login.succeeded"} <= actions


def test_setup_cannot_be_replayed(client, app):
    token_page = client.get("/setup").get_data(as_text=True)
    post(client, "/setup", GOOD)
    assert client.get("/setup").status_code == 404
    # A second browser that kept the form open cannot create a second administrator either.
    other = app.test_client()
    assert other.get("/setup").status_code == 404
    import re

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token_page).group(1)
    replay = other.post("/setup", data={**GOOD, "email": "mallory@example.org", "csrf_token": token})
    assert replay.status_code in (400, 404)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_setup_rejects_bad_input_and_saves_nothing(client):
    cases = [
        ({"org_name": ""}, "Enter the name of your partnership"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"password": "short", "confirm_password": "short"}, "at least 12 characters"),
        ({"password": "password123456", "confirm_password": "password123456"}, "too common"),
        ({"password": "abcdefghijkl", "confirm_password": "abcdefghijkl"}, "Sequences like"),
        ({"confirm_password": "something else entirely"}, "The passwords do not match"),
        ({"org_name": "x" * 201}, "200 characters or fewer"),
    ]
    for change, message in cases:
        response = post(client, "/setup", {**GOOD, **change})
        assert response.status_code == 400, change
        page = text_of(response)
        assert "There is a problem" in page
        assert message in page, (change, page[:500])
        # What was typed is kept (apart from passwords).
        assert 'value="Alice Admin"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert db.session.get(Organisation, 1) is None
