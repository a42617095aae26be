"""Signing in and out, throttling, idle expiry and revocation, as a person at a browser would notice them."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import TEST_PASSWORD, build_app, login, post, text_of
from trigger.extensions import db
from trigger.models import LoginAttempt, Role, UserSession, utcnow


def test_sign_in_and_out(client, make_user):
    user = make_user(Role.COORDINATOR, name="Tom Evans")
    response = login(client, user)
    assert response.location.endswith("/dashboard")  # coordinators land on the deadlines dashboard
    assert "Welcome, Tom Evans" in text_of(client.get("/home"))
    out = post(client, "/logout", token_from="/home")
    assert out.status_code == 302, text_of(out)
    assert "You have signed out" in text_of(client.get("/login"))
    assert client.get("/home").status_code == 302  # back to sign-in


def test_signed_out_visitor_is_sent_to_sign_in_and_back(client, make_user):
    user = make_user(Role.ADMIN)
    response = client.get("/admin/users?q=x")
    assert response.status_code == 302
    assert "/login?next=" in response.location
    signed_in = post(client, response.location, {"email": user.email, "password": TEST_PASSWORD})
    assert signed_in.location.endswith("/admin/users?q=x")


def test_next_never_leads_to_another_site(client, make_user):
    user = make_user()
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = post(
            client, f"/login?next={target}", {"email": user.email, "password": TEST_PASSWORD}, token_from="/login"
        )
        assert response.location.endswith("/dashboard"), target  # a coordinator's landing page
        post(client, "/logout", token_from="/home")


def test_wrong_password_and_unknown_email_look_the_same(client, make_user):
    user = make_user()
    wrong = post(client, "/login", {"email": user.email, "password": "not the password at all"})
    unknown = post(client, "/login", {"email": "nobody@example.org", "password": "not the password at all"})
    assert wrong.status_code == unknown.status_code == 200
    assert "Enter a correct email address and password" in text_of(wrong)
    assert text_of(wrong) == text_of(unknown).replace("nobody@example.org", user.email)


def test_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user(active=False)
    response = post(client, "/login", {"email": user.email, "password": TEST_PASSWORD})
    assert "Enter a correct email address and password" in text_of(response)


def test_repeated_failures_throttle_the_account_even_with_the_right_password(client, make_user):
    user = make_user()
    for _ in range(5):
        post(client, "/login", {"email": user.email, "password": "wrong wrong wrong"})
    response = post(client, "/login", {"email": user.email, "password": TEST_PASSWORD})
    assert "too many attempts" in text_of(response)
    assert client.get("/home").status_code == 302
    # An unknown email is throttled the same way, so throttling reveals nothing either.
    for _ in range(5):
        post(client, "/login", {"email": "ghost@example.org", "password": "wrong wrong wrong"})
    assert "too many attempts" in text_of(post(client, "/login", {"email": "ghost@example.org", "password": "x"}))


def test_throttle_expires(client, make_user):
    user = make_user()
    for _ in range(5):
        post(client, "/login", {"email": user.email, "password": "wrong wrong wrong"})
    db.session.execute(update(LoginAttempt).values(at=utcnow() - timedelta(minutes=16)))
    db.session.commit()
    login(client, user)


def test_twenty_failures_behind_one_office_address_lock_out_nobody_else(client, make_user):
    """A council office signs in from one NAT address: one person's (or twenty people's) mistakes there do not
    lock out a colleague; the person who failed five times is the one refused, and only from that address."""
    forgetful, colleague = make_user(), make_user()
    for n in range(15):
        post(client, "/login", {"email": f"typo{n}@example.org", "password": "wrong wrong wrong"})
    for _ in range(5):
        post(client, "/login", {"email": forgetful.email, "password": "wrong wrong wrong"})
    assert "too many attempts" in text_of(post(client, "/login", {"email": forgetful.email, "password": TEST_PASSWORD}))
    login(client, colleague)  # 20 failures from this address so far, and the colleague signs in
    elsewhere = {"REMOTE_ADDR": "192.0.2.44"}
    response = post(
        client.application.test_client(),
        "/login",
        {"email": forgetful.email, "password": TEST_PASSWORD},
        environ_base=elsewhere,
    )
    assert response.status_code == 302  # from home, the forgetful person is not locked out


def test_throttle_per_account_across_addresses_and_per_address_ceiling(database_url, make_user):
    app = build_app(database_url, login_max_failures_per_account=3, login_max_failures_per_address=4)
    target, other = make_user(), make_user()
    for n in range(3):  # guessing one account's password from three addresses
        post(
            app.test_client(),
            "/login",
            {"email": target.email, "password": "wrong wrong wrong"},
            environ_base={"REMOTE_ADDR": f"192.0.2.{n + 1}"},
        )
    response = post(
        app.test_client(),
        "/login",
        {"email": target.email, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.99"},
    )
    assert "too many attempts" in text_of(response)
    spray = app.test_client()
    for n in range(4):  # one address trying many accounts reaches the ceiling
        post(spray, "/login", {"email": f"spray{n}@example.org", "password": "wrong wrong wrong"})
    assert "too many attempts" in text_of(post(spray, "/login", {"email": other.email, "password": TEST_PASSWORD}))
    with app.app_context():
        db.engine.dispose()


def test_head_of_the_sign_in_page_is_not_an_error(client):
    assert client.head("/login").status_code == 200


def test_throttle_holds_across_server_processes(database_url, client, make_user):
    """Two app instances (as two gunicorn workers would be) share the failure count through the database."""
    user = make_user()
    other_app = build_app(database_url)
    other = other_app.test_client()
    for n in range(5):
        target = client if n % 2 else other
        post(target, "/login", {"email": user.email, "password": "wrong wrong wrong"})
    assert "too many attempts" in text_of(post(client, "/login", {"email": user.email, "password": TEST_PASSWORD}))
    with other_app.app_context():
        db.engine.dispose()


def test_session_cookie_changes_at_login(client, make_user):
    user = make_user()
    client.get("/login")
    before = client.get_cookie("trigger_session")
    login(client, user)
    after = client.get_cookie("trigger_session")
    assert after is not None and (before is None or before.value != after.value)


def test_replayed_cookie_fails_after_logout(app, client, make_user):
    user = make_user()
    login(client, user)
    stolen = client.get_cookie("trigger_session").value
    post(client, "/logout", token_from="/home")
    thief = app.test_client()
    thief.set_cookie("trigger_session", stolen)
    assert thief.get("/home").status_code == 302


def test_idle_session_expires(client, make_user):
    user = make_user()
    login(client, user)
    assert client.get("/home").status_code == 200
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()
    response = client.get("/home")
    assert response.status_code == 302 and "/login" in response.location
    assert db.session.scalar(select(UserSession.revoked_reason)) == "idle timeout"


def test_activity_keeps_session_alive(client, make_user):
    user = make_user()
    login(client, user)
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=29)))
    db.session.commit()
    assert client.get("/home").status_code == 200
    # the view was seen: the session's idle clock starts again (written at most once a minute)
    assert utcnow() - db.session.scalar(select(UserSession.last_seen_at)) < timedelta(minutes=1)
    assert client.get("/home").status_code == 200


def test_deactivation_ends_sessions_at_once(app, admin_client, make_user):
    user = make_user(Role.CHAIR, name="Chair Person")
    browser = app.test_client()
    login(browser, user)
    assert browser.get("/home").status_code == 200
    response = post(
        admin_client,
        f"/admin/users/{user.id}/edit",
        {"name": user.name, "email": user.email, "role": "chair", "agency_id": ""},
    )  # active unticked
    assert response.status_code == 302
    assert browser.get("/home").status_code == 302
    assert (
        db.session.scalar(select(UserSession.revoked_reason).where(UserSession.user_id == user.id))
        == "account deactivated"
    )


def test_administrator_can_sign_someone_out_everywhere(app, admin_client, make_user):
    user = make_user(Role.VIEWER, name="Val Viewer")
    browsers = [app.test_client(), app.test_client()]
    for browser in browsers:
        login(browser, user)
    page = admin_client.get(f"/admin/users/{user.id}/sessions")
    assert "2 signed-in sessions" in text_of(page)
    response = post(admin_client, f"/admin/users/{user.id}/sessions")
    assert response.status_code == 302
    assert "Val Viewer has been signed out of 2 session(s)" in text_of(admin_client.get(response.location))
    assert all(browser.get("/home").status_code == 302 for browser in browsers)


def test_change_password(app, client, make_user):
    user = make_user(name="Pat Person")
    other_browser = app.test_client()
    login(other_browser, user)
    login(client, user)
    bad = post(
        client,
        "/account/password",
        {"current_password": "wrong guess here", "new_password": "a", "confirm_password": "a"},
    )
    assert "Your current password is not correct" in text_of(bad)
    weak = post(
        client,
        "/account/password",
        {"current_password": TEST_PASSWORD, "new_password": "qwertyuiop123", "confirm_password": "qwertyuiop123"},
    )
    assert "too common" in text_of(weak)
    guessable = post(
        client,
        "/account/password",
        {"current_password": TEST_PASSWORD, "new_password": "123456789012", "confirm_password": "123456789012"},
    )
    assert "Password is too easy to guess. This is similar to a commonly used password" in text_of(guessable)
    ok = post(
        client,
        "/account/password",
        {
            "current_password": TEST_PASSWORD,
            "new_password": "lantern meadow copper fig",
            "confirm_password": "lantern meadow copper fig",
        },
    )
    assert ok.status_code == 302
    assert "Your password has been changed" in text_of(client.get("/home"))
    assert other_browser.get("/home").status_code == 302
    post(client, "/logout", token_from="/home")
    with pytest.raises(AssertionError):
        login(client, user)
    login(client, user, "lantern meadow copper fig")


def test_logout_needs_post_with_csrf(client, make_user):
    user = make_user()
    login(client, user)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert client.get("/home").status_code == 200
