"""Single sign-on against a real OpenID Connect provider running in the test process (tests/oidc_provider.py):
code flow with PKCE, state and nonce; every bad ID token refused with a clear page, nothing changed, audited."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD, post, text_of
from tests.oidc_provider import Provider
from trigger.extensions import db
from trigger.models import AuditEvent, Role
from trigger.secrets_at_rest import reveal, seal


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def provider():
    running = Provider().start()
    yield running
    running.stop()


@pytest.fixture
def police(make_agency, provider):
    agency = make_agency("Vale Police")
    agency.sso_issuer, agency.sso_client_id, agency.sso_client_secret = (
        provider.issuer,
        "trigger-client",
        seal("s3cret"),
    )
    agency.sso_email_domains, agency.sso_provider_name = "valepolice.example", "Vale Police account"
    db.session.commit()
    return agency


def sign_in_via_provider(client, agency, **tamper):
    start = post(client, f"/login/sso/{agency.id}", {}, token_from="/login")
    assert start.status_code == 302
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(start.location)
    except urllib.error.HTTPError as answer:  # the provider's 302 back to Trigger
        callback = answer.headers["Location"]
    parts = urllib.parse.urlsplit(callback)  # PUBLIC_URL + /login/sso/callback?code=...&state=...
    return client.get(f"{parts.path}?{parts.query}")


def refusals() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "sso.refused")))


def test_the_sign_in_page_offers_the_provider_and_a_verified_email_signs_the_person_in(client, police, make_user):
    person = make_user(Role.AGENCY_REP, agency=police, email="pat@valepolice.example", name="Pat Constable")
    assert "Sign in with Vale Police account" in text_of(client.get("/login"))
    response = sign_in_via_provider(client, police)
    assert response.status_code == 302 and response.location == "/my-actions"
    assert "Pat Constable" in text_of(client.get("/my-actions"))
    assert "sso.succeeded" in set(db.session.scalars(select(AuditEvent.action)))
    assert person.active


@pytest.mark.parametrize("tamper", ["audience", "issuer", "nonce", "signature", "expired"])
def test_a_bad_id_token_is_refused(client, police, provider, make_user, tamper):
    make_user(Role.AGENCY_REP, agency=police, email="pat@valepolice.example")
    provider.tamper = tamper
    response = sign_in_via_provider(client, police)
    assert response.status_code == 400
    assert "could not be trusted" in text_of(response)
    assert client.get("/my-actions").status_code == 302  # not signed in
    assert any("ID token failed" in summary for summary in refusals())


def test_an_email_that_matches_no_active_person_or_is_unverified_or_foreign_is_refused(
    client, police, provider, make_user
):
    response = sign_in_via_provider(client, police)
    assert response.status_code == 400 and "no active Trigger account" in text_of(response)
    make_user(Role.AGENCY_REP, agency=police, email="pat@valepolice.example", active=False)
    assert "no active Trigger account" in text_of(sign_in_via_provider(client, police))
    provider.email_verified = False
    assert "did not confirm your email" in text_of(sign_in_via_provider(client, police))
    provider.email_verified, provider.email = True, "pat@elsewhere.example"
    assert "cannot sign in through" in text_of(sign_in_via_provider(client, police))
    assert len(refusals()) == 4


def test_a_forged_or_replayed_callback_is_refused(client, police, make_user):
    make_user(Role.AGENCY_REP, agency=police, email="pat@valepolice.example")
    cold = client.get("/login/sso/callback?code=code-0&state=guess")
    assert cold.status_code == 400 and "took too long" in text_of(cold)
    post(client, f"/login/sso/{police.id}", {}, token_from="/login")
    wrong_state = client.get("/login/sso/callback?code=code-0&state=guess")
    assert wrong_state.status_code == 400 and "could not be completed" in text_of(wrong_state)
    assert client.get("/my-actions").status_code == 302


def test_local_passwords_can_be_switched_off_per_agency(client, police, make_user):
    person = make_user(Role.AGENCY_REP, agency=police, email="pat@valepolice.example")
    police.local_passwords = False
    db.session.commit()
    refused = post(client, "/login", {"email": person.email, "password": TEST_PASSWORD})
    assert refused.status_code == 200 and "sign in with the button below" in text_of(refused)
    assert sign_in_via_provider(client, police).status_code == 302


def test_an_administrator_sets_up_single_sign_on_for_an_agency(admin_client, make_agency):
    agency = make_agency("Vale Homes")
    form = {
        "name": "Vale Homes",
        "agency_type": "police",
        "active": "y",
        "local_passwords": "y",
        "sso_provider_name": "Vale Homes Google",
        "sso_issuer": "https://accounts.google.com",
        "sso_client_id": "abc",
        "sso_client_secret": "xyz",
        "sso_email_domains": "@ValeHomes.example",
    }
    assert post(admin_client, f"/admin/agencies/{agency.id}/edit", form).status_code == 302
    db.session.expire_all()
    assert agency.sso_email_domains == "valehomes.example"
    assert agency.sso_client_secret != "xyz" and reveal(agency.sso_client_secret) == "xyz"  # sealed at rest
    page = admin_client.get(f"/admin/agencies/{agency.id}/edit").get_data(as_text=True)
    assert "xyz" not in page  # the secret is never shown again
    bad = post(admin_client, f"/admin/agencies/{agency.id}/edit", {**form, "sso_issuer": "http://plain.example"})
    assert bad.status_code == 400 and "must start with https://" in text_of(bad)


def test_no_password_reset_for_people_whose_agency_signs_in_only_through_its_provider(client, police, make_user):
    from trigger.models import OutboxMessage

    person = make_user(Role.AGENCY_REP, agency=police, email="pat@valepolice.example")
    police.local_passwords = False
    db.session.commit()
    answer = post(client, "/password/forgotten", {"email": person.email})
    assert answer.status_code == 200 and "Check your email" in text_of(answer)  # the usual answer
    assert db.session.scalars(select(OutboxMessage)).all() == []
