"""Authenticator-app two-factor: required per role, enrolled at next sign-in, codes used once, throttled,
recovery codes, and an administrator's reset."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD, login, post, text_of
from trigger.extensions import db
from trigger.models import AuditEvent, Organisation, OutboxMessage, RecoveryCode, Role


@pytest.fixture
def two_factor_on(org):
    org.two_factor_roles = "administrator,coordinator,chair"
    db.session.commit()
    return org


def actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def password_step(client, user):
    return post(client, "/login", {"email": user.email, "password": TEST_PASSWORD})


def enrol(client, user) -> tuple[pyotp.TOTP, list[str]]:
    response = password_step(client, user)
    assert response.status_code == 302 and response.location == "/two-factor/set-up"
    page = client.get("/two-factor/set-up")
    html = page.get_data(as_text=True)
    assert "<svg" in html and "<img" not in html  # drawn here, inline: no external QR service
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    totp = pyotp.TOTP(secret)
    done = post(client, "/two-factor/set-up", {"code": totp.now()}, token_from=None)
    assert done.status_code == 200, text_of(done)[:500]
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.get_data(as_text=True))
    return totp, codes


def test_the_defaults_require_two_factor_for_administrators_coordinators_and_chairs(app):
    from trigger.auth import two_factor

    db.session.add(Organisation(id=1, name="New partnership"))
    db.session.commit()
    assert two_factor.required_roles() == {Role.ADMIN, Role.COORDINATOR, Role.CHAIR}


def test_a_coordinator_enrols_at_next_sign_in_then_signs_in_with_a_code(app, client, two_factor_on, make_user):
    user = make_user(Role.COORDINATOR)
    # Half-way through (password right, no code yet) nothing else is open.
    password_step(client, user)
    assert client.get("/home").status_code == 302
    page = client.get("/two-factor/set-up")
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.get_data(as_text=True)).group(1)
    wrong = post(client, "/two-factor/set-up", {"code": "000000"}, token_from=None)
    # (the same secret stays for the POST that follows the page)
    assert wrong.status_code == 400 and "The code is not correct" in text_of(wrong)
    totp = pyotp.TOTP(secret.replace(" ", ""))
    enrolment_code = totp.now()
    done = post(client, "/two-factor/set-up", {"code": enrolment_code}, token_from=None)
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashed
    assert client.get("/home").status_code == 200  # signed in
    assert db.session.scalars(select(OutboxMessage.subject)).all() == [
        "Two-factor authentication set up on your Trigger account"
    ]

    fresh = app.test_client()
    assert password_step(fresh, user).location == "/login/code"
    assert fresh.get("/home").status_code == 302
    # The enrolment code was accepted once; the same code cannot be used again. The next one can.
    replay = post(fresh, "/login/code", {"code": enrolment_code})
    assert "has been used already" in text_of(replay)
    signed_in = post(fresh, "/login/code", {"code": totp.at(time.time() + 30)})
    assert signed_in.status_code == 302 and signed_in.location == "/dashboard"
    assert fresh.get("/home").status_code == 200
    assert {"two_factor.enrolled", "login.code_refused", "login.succeeded"} <= set(actions())


def test_recovery_codes_work_once(app, client, two_factor_on, make_user):
    user = make_user(Role.CHAIR)
    _, codes = enrol(client, user)
    first = app.test_client()
    password_step(first, user)
    ok = post(first, "/login/code", {"code": codes[0].upper()})
    assert ok.status_code == 302 and "9 left" in text_of(first.get(ok.location))
    second = app.test_client()
    password_step(second, user)
    again = post(second, "/login/code", {"code": codes[0]})
    assert again.status_code == 200 and "not correct" in text_of(again)
    assert "two_factor.recovery_code_used" in actions()


def test_wrong_codes_are_throttled(app, client, two_factor_on, make_user):
    user = make_user(Role.ADMIN)
    totp, _ = enrol(client, user)
    guesser = app.test_client()
    password_step(guesser, user)
    for _ in range(5):
        post(guesser, "/login/code", {"code": "123456"})
    blocked = post(guesser, "/login/code", {"code": totp.at(time.time() + 30)})
    assert "too many attempts" in text_of(blocked)
    assert guesser.get("/home").status_code == 302


def test_the_code_page_needs_the_password_first(client):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.location == "/login"
    assert client.get("/two-factor/set-up").status_code == 302


def test_roles_not_required_sign_in_with_a_password_and_may_enrol_by_choice(app, client, two_factor_on, make_user):
    user = make_user(Role.VIEWER)
    login(client, user)
    assert "You sign in with your password only" in text_of(client.get("/account/sessions"))
    page = client.get("/two-factor/set-up")
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.get_data(as_text=True)).group(1)
    post(client, "/two-factor/set-up", {"code": pyotp.TOTP(secret.replace(" ", "")).now()}, token_from=None)
    assert "You sign in with a code" in text_of(client.get("/account/sessions"))
    assert password_step(app.test_client(), user).location == "/login/code"


def test_an_administrator_resets_a_second_factor_and_the_person_is_told(app, client, two_factor_on, make_user, admin):
    user = make_user(Role.COORDINATOR)
    enrol(client, user)
    admin_client = app.test_client()
    totp_admin, _ = enrol(admin_client, admin)
    response = post(
        admin_client, f"/admin/users/{user.id}/two-factor/reset", {}, token_from=f"/admin/users/{user.id}/edit"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert user.totp_secret is None
    assert client.get("/home").status_code == 302  # their sessions ended
    assert (
        "Your Trigger two-factor authentication has been reset"
        in db.session.scalars(select(OutboxMessage.subject)).all()
    )
    assert "user.two_factor_reset" in actions()
    assert password_step(app.test_client(), user).location == "/two-factor/set-up"


def test_the_organisation_chooses_the_roles(admin_client, org):
    page = admin_client.get("/admin/organisation")
    assert "Roles that must sign in with two-factor authentication" in text_of(page)
    post(
        admin_client,
        "/admin/organisation",
        {"name": org.name, "process_name": "asb-case-review", "two_factor_roles": ["administrator", "chair"]},
    )
    db.session.expire_all()
    assert db.session.get(Organisation, 1).two_factor_roles == "administrator,chair"


def test_the_demo_signs_in_with_the_printed_password_alone(app):
    from trigger.demo.county import load_demo

    accounts = load_demo("test")
    db.session.commit()
    assert db.session.get(Organisation, 1).two_factor_roles == ""
    admin = next(a for a in accounts if a.role is Role.ADMIN)
    response = post(app.test_client(), "/login", {"email": admin.email, "password": admin.password})
    assert response.status_code == 302 and response.location not in ("/login/code", "/two-factor/set-up")
