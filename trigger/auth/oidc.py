"""Single sign-on with an agency's OpenID Connect provider (Microsoft Entra ID, Google Workspace, any OIDC).

Authorisation code flow with PKCE (Authlib's S256 challenge), state and nonce, a confidential client. The ID
token is checked with joserfc (Authlib's JOSE library): signature against the provider's published keys (RS256
or ES256 only, never "none" or a shared secret), issuer, audience, nonce and expiry. The person is the active
account whose email the provider says it has verified, within the agency's email domains. Nobody is created
here: people are still invited by an administrator.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from flask import session, url_for
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import func, select

from trigger import audit
from trigger.extensions import db
from trigger.models import Agency, User
from trigger.notifications.services import absolute_url
from trigger.secrets_at_rest import UnreadableSecret, reveal

log = logging.getLogger(__name__)

ALGORITHMS = ["RS256", "ES256"]
HTTP_TIMEOUT_SECONDS = 10
FLOW_SECONDS = 600
CLOCK_LEEWAY_SECONDS = 60


class SignOnRefused(Exception):
    """An answer from the provider that cannot be accepted; the message is safe to show."""


def providers() -> list[Agency]:
    return list(
        db.session.scalars(
            select(Agency)
            .where(Agency.active.is_(True), Agency.sso_issuer != "", Agency.sso_client_id != "")
            .order_by(Agency.name)
        )
    )


def provider_name(agency: Agency) -> str:
    return agency.sso_provider_name or agency.name


def domains(agency: Agency) -> set[str]:
    return {d.strip().lower().lstrip("@") for d in agency.sso_email_domains.split(",") if d.strip()}


def _get_json(url: str, data: dict | None = None) -> dict:
    if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
        raise SignOnRefused("The sign-in provider is not set up correctly.")
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310 (checked)
            return json.loads(response.read(1_000_000))
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise SignOnRefused("The sign-in provider did not answer. Try again, or sign in another way.") from error


def _discovery(agency: Agency) -> dict:
    issuer = agency.sso_issuer.rstrip("/")
    document = _get_json(issuer + "/.well-known/openid-configuration")
    if document.get("issuer", "").rstrip("/") != issuer:
        raise SignOnRefused("The sign-in provider is not set up correctly.")
    return document


def _redirect_uri() -> str:
    return absolute_url(url_for("auth.sso_callback"))


def start(agency: Agency) -> str:
    """The provider's authorisation address; what the answer must match is kept in the signed session."""
    document = _discovery(agency)
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    session["sso"] = {
        "agency_id": agency.id,
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "at": int(time.time()),
    }
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": agency.sso_client_id,
            "redirect_uri": _redirect_uri(),
            "scope": "openid email profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    return f"{document['authorization_endpoint']}?{query}"


def _refuse(agency_id: int | None, reason: str, shown: str):
    audit.record("sso.refused", "agency", agency_id, f"Single sign-on refused: {reason}")
    raise SignOnRefused(shown)


def finish(args) -> User:
    """Check the provider's answer and return the person it signs in, or SignOnRefused (audited)."""
    flow = session.pop("sso", None)
    if not isinstance(flow, dict) or time.time() - flow.get("at", 0) > FLOW_SECONDS:
        _refuse(None, "no sign-in was started here, or it took too long", "That took too long. Start again.")
    agency = db.session.get(Agency, flow["agency_id"])
    if agency is None or not agency.active or not agency.sso_issuer:
        _refuse(flow["agency_id"], "the agency no longer uses single sign-on", "Single sign-on is not available.")
    if not secrets.compare_digest(str(args.get("state", "")), flow["state"]):
        _refuse(agency.id, "state did not match", "The sign-in could not be completed. Start again.")
    if args.get("error") or not args.get("code"):
        _refuse(
            agency.id,
            f"the provider answered {str(args.get('error', 'without a code'))[:60]}",
            "The sign-in provider did not sign you in.",
        )
    try:
        client_secret = reveal(agency.sso_client_secret)
    except UnreadableSecret as error:
        log.error("single sign-on for agency %s: %s", agency.id, error)
        _refuse(
            agency.id,
            "its client secret cannot be read with this server's keys",
            "Single sign-on is not working at the moment. Sign in with your password, or ask your administrator.",
        )
    document = _discovery(agency)
    tokens = _get_json(
        document["token_endpoint"],
        {
            "grant_type": "authorization_code",
            "code": args["code"],
            "redirect_uri": _redirect_uri(),
            "client_id": agency.sso_client_id,
            "client_secret": client_secret,
            "code_verifier": flow["verifier"],
        },
    )
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        _refuse(agency.id, "no ID token", "The sign-in provider did not sign you in.")
    try:
        keys = KeySet.import_key_set(_get_json(document["jwks_uri"]))
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY_SECONDS,
            iss={"essential": True, "value": agency.sso_issuer.rstrip("/")},
            aud={"essential": True, "value": agency.sso_client_id},
            nonce={"essential": True, "value": flow["nonce"]},
            exp={"essential": True},
            sub={"essential": True},
        ).validate(token.claims)
    except (JoseError, ValueError, KeyError, TypeError) as error:
        _refuse(
            agency.id,
            f"the ID token failed its checks ({type(error).__name__})",
            "The sign-in provider's answer could not be trusted.",
        )
    claims = token.claims
    email = str(claims.get("email") or "").strip().lower()
    if claims.get("email_verified") is not True or "@" not in email:
        _refuse(
            agency.id,
            "the provider did not vouch for an email address",
            "Your sign-in provider did not confirm your email address.",
        )
    if email.rsplit("@", 1)[1] not in domains(agency):
        _refuse(
            agency.id,
            "email domain not allowed for this agency",
            f"{email} cannot sign in through {provider_name(agency)}.",
        )
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None or not user.active:
        _refuse(
            agency.id,
            "no active account for the verified email",
            f"There is no active Trigger account for {email}. Ask your Trigger administrator.",
        )
    audit.record("sso.succeeded", "user", user.id, f"Signed in through {provider_name(agency)}", actor=user)
    return user


def local_passwords_allowed(user: User) -> bool:
    return user.agency is None or user.agency.local_passwords
