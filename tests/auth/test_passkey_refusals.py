"""Passkey answers that must be refused, with nothing changed and the refusal audited. (The working ceremonies
run in a real browser with a virtual authenticator: tests/browser/test_passkey_journey.py.)"""

from __future__ import annotations

import json

from sqlalchemy import select

from tests.conftest import TEST_PASSWORD, csrf_from, login, post, text_of
from trigger.extensions import db
from trigger.models import AuditEvent, Passkey, Role


def passkey_for(user, credential_id: str) -> Passkey:
    passkey = Passkey(user_id=user.id, credential_id=credential_id, public_key=b"\x00" * 77, sign_count=0, name="Key")
    db.session.add(passkey)
    db.session.commit()
    return passkey


def send(client, url: str, body, token: str):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers={"X-CSRFToken": token})


def refusals() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "passkey.refused")))


def test_another_persons_passkey_unknown_and_forged_answers_are_refused(app, client, make_user):
    mine, theirs = make_user(Role.VIEWER), make_user(Role.VIEWER)
    passkey_for(mine, "bWluZQ")
    passkey_for(theirs, "dGhlaXJz")
    assert post(client, "/login", {"email": mine.email, "password": TEST_PASSWORD}).location == "/login/code"
    token = csrf_from(client, "/login/code")
    page = text_of(client.get("/login/code"))
    assert "Use a passkey" in page
    # No ceremony started: nothing to answer.
    assert send(client, "/login/passkey", {"id": "bWluZQ"}, token).status_code == 400

    options = json.loads(send(client, "/login/passkey/options", {}, token).get_data())
    assert [c["id"] for c in options["allowCredentials"]] == ["bWluZQ"]  # only their own
    other = send(client, "/login/passkey", {"id": "dGhlaXJz", "type": "public-key"}, token)
    assert other.status_code == 400 and "another account" in other.get_json()["error"]

    send(client, "/login/passkey/options", {}, token)
    unknown = send(client, "/login/passkey", {"id": "bm9ib2R5"}, token)
    assert unknown.status_code == 400 and "not registered" in unknown.get_json()["error"]

    send(client, "/login/passkey/options", {}, token)
    forged = send(
        client,
        "/login/passkey",
        {
            "id": "bWluZQ",
            "rawId": "bWluZQ",
            "type": "public-key",
            "response": {"clientDataJSON": "e30", "authenticatorData": "AA", "signature": "AA"},
        },
        token,
    )
    assert forged.status_code == 400 and "could not be checked" in forged.get_json()["error"]
    assert send(client, "/login/passkey", "not json", token).status_code == 400
    assert client.get("/home").status_code == 302  # still not signed in
    assert len(refusals()) >= 3


def test_a_passkey_page_and_removal_are_ones_own(app, client, make_user):
    me, other = make_user(Role.VIEWER), make_user(Role.VIEWER)
    theirs = passkey_for(other, "dGhlaXJz")
    login(client, me)
    assert "You have not added a passkey" in text_of(client.get("/account/passkeys"))
    refused = post(client, f"/account/passkeys/{theirs.id}/delete", {}, token_from="/account/passkeys")
    assert refused.status_code == 404
    assert db.session.get(Passkey, theirs.id) is not None


def test_an_administrators_two_factor_reset_removes_passkeys(admin_client, make_user):
    person = make_user(Role.CHAIR)
    passkey_for(person, "a2V5")
    post(admin_client, f"/admin/users/{person.id}/two-factor/reset", {}, token_from=f"/admin/users/{person.id}/edit")
    db.session.expire_all()
    assert db.session.scalars(select(Passkey)).all() == []
