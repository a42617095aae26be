"""A small OpenID Connect provider for tests, served on a loopback port in the test process.

It generates its own RSA signing key, publishes a discovery document and JWKS, approves every authorisation
request at once (redirecting back with a code), and at the token endpoint checks the client secret and the
PKCE verifier before returning a signed ID token. `tamper` makes it misbehave, one way at a time, so tests can
check that each bad ID token is refused.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from base64 import urlsafe_b64encode
from hashlib import sha256

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class Provider:
    def __init__(self, client_id: str = "trigger-client", client_secret: str = "s3cret") -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.email, self.email_verified = "pat@valepolice.example", True
        self.tamper: str | None = None  # "audience", "issuer", "nonce", "signature", "expired"
        self.codes: dict[str, dict] = {}
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "Provider":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)

    def _json(self, data, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")

    def app(self, environ, start_response):
        request = Request(environ)
        path = request.path
        if path == "/.well-known/openid-configuration":
            response = self._json(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": self.issuer + "/authorize",
                    "token_endpoint": self.issuer + "/token",
                    "jwks_uri": self.issuer + "/jwks",
                    "response_types_supported": ["code"],
                    "code_challenge_methods_supported": ["S256"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                }
            )
        elif path == "/jwks":
            response = self._json(KeySet([self.key]).as_dict(private=False))
        elif path == "/authorize":
            args = request.args
            assert args["response_type"] == "code" and args["client_id"] == self.client_id
            assert args["code_challenge_method"] == "S256" and args["scope"].startswith("openid")
            code = f"code-{len(self.codes)}"
            self.codes[code] = dict(args)
            location = args["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": args["state"]})
            response = Response("", status=302, headers={"Location": location})
        elif path == "/token" and request.method == "POST":
            response = self._token(request.form)
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def _token(self, form) -> Response:
        grant = self.codes.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("client_secret") != self.client_secret
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            return self._json({"error": "invalid_grant"}, 400)
        challenge = urlsafe_b64encode(sha256(form.get("code_verifier", "").encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["code_challenge"]:
            return self._json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": "user-123",
            "nonce": grant["nonce"],
            "iat": now,
            "exp": now + 300,
            "email": self.email,
            "email_verified": self.email_verified,
        }
        if self.tamper == "audience":
            claims["aud"] = "someone-else"
        elif self.tamper == "issuer":
            claims["iss"] = "https://evil.example"
        elif self.tamper == "nonce":
            claims["nonce"] = "replayed"
        elif self.tamper == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 600
        key = self.other_key if self.tamper == "signature" else self.key
        token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key)
        return self._json({"access_token": "at", "token_type": "Bearer", "id_token": token})
