"""Invitations and password resets: emailed at once, single-use, time-limited, and every bad link answered."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_PASSWORD, build_app, login, post, text_of
from trigger.extensions import db
from trigger.models import (
    AuditEvent,
    LinkPurpose,
    OutboxMessage,
    OutboxStatus,
    Role,
    SignInLink,
    User,
    UserSession,
    utcnow,
)
from trigger.notifications.services import deliver_due

NEW_PASSWORD = "harbour violet kettle sun"


@pytest.fixture
def smtp_app(app, database_url, mail_server):
    configured = build_app(
        database_url,
        smtp_host="127.0.0.1",
        smtp_port=mail_server.port,
        smtp_starttls=False,
        mail_from="trigger@vale.example",
        public_url="https://trigger.vale.example",
    )
    with configured.app_context():
        yield configured
        db.session.remove()
        db.engine.dispose()


def actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def link_in(mail_server, index: int = -1) -> str:
    body = mail_server.received[index][1].get_body(("plain",)).get_content()
    found = re.search(r"https://trigger\.vale\.example(/\S+\?token=[\w-]+)", body)
    assert found, body
    return found.group(1)


def invite(smtp_app, admin, make_agency, email="lee.morgan@valehomes.example"):
    client = smtp_app.test_client()
    login(client, admin)
    agency = make_agency("Vale Homes")
    response = post(
        client,
        "/admin/users/new",
        {
            "name": "Lee Morgan",
            "email": email,
            "role": "agency-representative",
            "agency_id": str(agency.id),
            "active": "y",
        },
    )
    assert response.status_code == 302
    return client, db.session.scalar(select(User).where(User.email == email))


def test_an_invitation_is_emailed_at_once_and_sets_the_persons_own_password(smtp_app, mail_server, admin, make_agency):
    admin_client, person = invite(smtp_app, admin, make_agency)
    assert "an invitation to set a password has been emailed" in text_of(admin_client.get("/admin/users"))
    # Sent during the request, not left for the once-a-minute job; the outbox keeps the record, token removed.
    assert mail_server.subjects() == ["You have been invited to use Trigger"]
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status is OutboxStatus.SENT and "token=" not in message.body
    path = link_in(mail_server)
    token = path.split("token=")[1]
    stored = db.session.scalars(select(SignInLink)).one()
    assert stored.token_hash != token and token not in " ".join(
        e.summary for e in db.session.scalars(select(AuditEvent))
    )
    assert stored.expires_at - stored.created_at == timedelta(hours=72)

    visitor = smtp_app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and "Set your password" in text_of(page) and "Lee Morgan" in text_of(page)
    weak = post(visitor, path, {"new_password": "password1234", "confirm_password": "password1234"})
    assert weak.status_code == 400 and "too common" in text_of(weak)
    done = post(visitor, path, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302 and done.location == "/my-actions"  # signed in (no two-factor for this role)
    assert visitor.get("/my-actions").status_code == 200
    again = smtp_app.test_client().get(path)
    assert again.status_code == 410 and "This link has already been used" in text_of(again)
    fresh = smtp_app.test_client()
    assert post(fresh, "/login", {"email": person.email, "password": NEW_PASSWORD}).status_code == 302
    assert {"user.invited", "user.invitation_accepted", "sign_in_link.refused"} <= set(actions())


def test_expired_unknown_replaced_and_withdrawn_invitations_are_refused_with_a_clear_page(
    smtp_app, mail_server, admin, make_agency
):
    admin_client, person = invite(smtp_app, admin, make_agency)
    first = link_in(mail_server)
    before = person.password_hash
    visitor = smtp_app.test_client()

    unknown = visitor.get("/invitation?token=not-a-real-token")
    assert unknown.status_code == 404 and "This link is not valid" in text_of(unknown)
    assert visitor.get("/invitation").status_code == 404

    resent = post(admin_client, f"/admin/users/{person.id}/invitation", {}, token_from=f"/admin/users/{person.id}/edit")
    assert resent.status_code == 302 and len(mail_server.received) == 2
    replaced = visitor.get(first)
    assert replaced.status_code == 410 and "no longer valid" in text_of(replaced)
    # Posting a password to a dead link changes nothing.
    post(
        visitor,
        first,
        {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        token_from="/password/forgotten",
    )
    db.session.refresh(person)
    assert person.password_hash == before

    second = link_in(mail_server)
    link = db.session.scalars(select(SignInLink).where(SignInLink.revoked_at.is_(None))).one()
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = visitor.get(second)
    assert expired.status_code == 410 and "This link has expired" in text_of(expired)
    assert "Ask your Trigger administrator to send you a new invitation" in text_of(expired)

    post(admin_client, f"/admin/users/{person.id}/invitation", {}, token_from=f"/admin/users/{person.id}/edit")
    third = link_in(mail_server)
    withdrawn = post(
        admin_client, f"/admin/users/{person.id}/invitation/revoke", {}, token_from=f"/admin/users/{person.id}/edit"
    )
    assert withdrawn.status_code == 302
    assert visitor.get(third).status_code == 410
    assert {"user.invitation_resent", "user.invitation_revoked"} <= set(actions())
    assert actions().count("sign_in_link.refused") >= 4


def test_password_reset_answers_the_same_for_unknown_addresses_and_ends_other_sessions(
    smtp_app, mail_server, make_user
):
    person = make_user(Role.AGENCY_REP, email="sam@example.org")
    elsewhere = smtp_app.test_client()
    login(elsewhere, person)
    visitor = smtp_app.test_client()
    assert "Forgotten your password?" in text_of(visitor.get("/login"))

    unknown = post(visitor, "/password/forgotten", {"email": "nobody@example.org"})
    known = post(visitor, "/password/forgotten", {"email": "SAM@example.org"})
    assert unknown.status_code == known.status_code == 200
    assert text_of(unknown).replace("nobody@example.org", "X") == text_of(known).replace("SAM@example.org", "X")
    assert mail_server.subjects() == ["Reset your Trigger password"]  # only the real account, at once
    path = link_in(mail_server)
    link = db.session.scalars(select(SignInLink)).one()
    assert link.purpose is LinkPurpose.PASSWORD_RESET and link.expires_at - link.created_at == timedelta(hours=1)

    done = post(visitor, path, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302
    assert elsewhere.get("/my-actions").status_code == 302  # the other browser was signed out
    assert mail_server.subjects()[-1] == "Your Trigger password has been reset"
    assert smtp_app.test_client().get(path).status_code == 410  # single use
    assert post(smtp_app.test_client(), "/login", {"email": person.email, "password": TEST_PASSWORD}).status_code == 200
    assert "user.password_reset_by_link" in actions()


def test_an_expired_reset_link_changes_nothing(smtp_app, mail_server, make_user):
    person = make_user(Role.VIEWER, email="val@example.org")
    visitor = smtp_app.test_client()
    post(visitor, "/password/forgotten", {"email": person.email})
    path = link_in(mail_server)
    link = db.session.scalars(select(SignInLink)).one()
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    page = visitor.get(path)
    assert page.status_code == 410 and "Password reset links are valid for 1 hour" in text_of(page)


def test_reset_requests_are_throttled_without_saying_so(smtp_app, mail_server, make_user):
    person = make_user(Role.VIEWER, email="val@example.org")
    visitor = smtp_app.test_client()
    answers = {text_of(post(visitor, "/password/forgotten", {"email": person.email})) for _ in range(8)}
    assert len(answers) == 1
    assert len(mail_server.received) == 3  # at most three reset emails an hour
    assert "password_reset.throttled" in actions()


def test_when_the_relay_is_down_the_invitation_stays_in_the_outbox_and_is_retried(
    smtp_app, mail_server, admin, make_agency
):
    mail_server.data_reply = "451 Try again later"
    _, person = invite(smtp_app, admin, make_agency)
    db.session.expire_all()
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status is OutboxStatus.QUEUED and message.attempts == 1 and "token=" in message.body
    mail_server.data_reply = None
    report = deliver_due(now=utcnow() + timedelta(minutes=2))
    assert report.sent == 1 and mail_server.subjects() == ["You have been invited to use Trigger"]


def test_people_see_and_end_their_own_sessions(app, client, make_user):
    person = make_user(Role.VIEWER)
    other_person = make_user(Role.VIEWER)
    phone = app.test_client()
    login(
        phone,
        person,
    )
    login(client, person)
    login(app.test_client(), other_person)
    page = text_of(client.get("/account/sessions"))
    assert "This device" in page and page.count("Sign out") >= 2
    mine = db.session.scalars(
        select(UserSession).where(UserSession.user_id == person.id).order_by(UserSession.id)
    ).all()
    theirs = db.session.scalars(select(UserSession).where(UserSession.user_id == other_person.id)).one()
    refused = post(client, f"/account/sessions/{theirs.id}/end", {}, token_from="/account/sessions")
    assert refused.status_code == 404
    ended = post(client, f"/account/sessions/{mine[0].id}/end", {}, token_from="/account/sessions")
    assert ended.status_code == 302 and ended.location == "/account/sessions"
    assert phone.get("/home").status_code == 302  # the phone's session is over
    assert client.get("/home").status_code == 200
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "session.ended")) == 1
    )
