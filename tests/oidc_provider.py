"""A small but real OpenID Connect provider for the console's tests, on a free port in a thread.

It publishes a discovery document and its keys (an RSA key made at start), answers the
authorization endpoint by redirecting back with a code for the subject it is told to log in
(the person "authenticates" by being `subject`), and its token endpoint checks the code (once),
the redirect URI, the PKCE verifier against the challenge and the client's secret before it
issues an RS256-signed ID token (joserfc, the JOSE library of authlib). `misbehave` makes it
issue a bad token on demand: a wrong nonce, an expired token, one signed by a key it never
published, one for another audience.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.conftest import free_port

KID = "test-key-1"


@dataclass
class Grant:
    """A code the authorization endpoint gave out, and what the token endpoint must find."""

    subject: str
    nonce: str
    challenge: str
    redirect_uri: str


@dataclass
class OidcProvider:
    """The provider's state: its client, the subject who logs in next, its misbehaviour."""

    port: int
    client_id: str
    client_secret: str
    redirect_uri: str
    subject: str = "sub-kari-0001"
    misbehave: str = ""  # "", wrong_nonce, expired, other_key, other_audience, deny
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": KID}))
    grants: dict[str, Grant] = field(default_factory=dict)
    token_requests: int = 0
    refused: list[str] = field(default_factory=list)  # why the token endpoint said no

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """The redirect back to the client: with a code, or an error; 400 for a bad request."""
        wanted = {"response_type": "code", "client_id": self.client_id,
                  "redirect_uri": self.redirect_uri, "code_challenge_method": "S256"}  # fmt: skip
        if (
            any(query.get(k) != v for k, v in wanted.items())
            or "openid" not in query.get("scope", "").split()
        ):
            return 400, ""
        if not query.get("nonce") or not query.get("code_challenge"):
            return 400, ""
        back = {"state": query.get("state", "")}
        if self.misbehave == "deny":
            back["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(24)
            self.grants[code] = Grant(self.subject, query["nonce"], query["code_challenge"],
                                      query["redirect_uri"])  # fmt: skip
            back["code"] = code
        return 302, f"{self.redirect_uri}?{urlencode(back)}"

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        """The tokens for a good code, or the OAuth error the client gets."""
        self.token_requests += 1
        if not self._client_ok(form, authorization):
            return self._refuse(401, "invalid_client")
        grant = self.grants.pop(form.get("code", ""), None)  # a code is good once
        if grant is None or form.get("grant_type") != "authorization_code":
            return self._refuse(400, "invalid_grant")
        if form.get("redirect_uri") != grant.redirect_uri:
            return self._refuse(400, "invalid_grant")
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.challenge:
            return self._refuse(400, "invalid_grant")
        access = secrets.token_urlsafe(24)
        return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 300,
                     "id_token": self.id_token(grant)}  # fmt: skip

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": grant.subject, "aud": self.client_id,
                  "iat": now, "exp": now + 300, "auth_time": now, "nonce": grant.nonce,
                  "acr": "idporten-loa-high"}  # fmt: skip
        key = self.key
        if self.misbehave == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(24)
        elif self.misbehave == "expired":
            claims["iat"], claims["exp"] = now - 900, now - 600
        elif self.misbehave == "other_audience":
            claims["aud"] = "another-client"
        elif self.misbehave == "other_key":  # the same key id, a key nobody published
            key = RSAKey.generate_key(2048, parameters={"kid": KID})
        return jwt.encode({"alg": "RS256", "kid": KID, "typ": "JWT"}, claims, key)

    def _client_ok(self, form: dict[str, str], authorization: str) -> bool:
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() == "basic":
            user, _, password = base64.b64decode(encoded).decode().partition(":")
            sent = (unquote_plus(user), unquote_plus(password))
        else:
            sent = (form.get("client_id", ""), form.get("client_secret", ""))
        return sent[0] == self.client_id and hmac.compare_digest(sent[1], self.client_secret)

    def _refuse(self, status: int, error: str) -> tuple[int, dict[str, Any]]:
        self.refused.append(error)
        return status, {"error": error}


def _handler(provider: OidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                status, location = provider.authorize(query)
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
            if urlsplit(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            self._json(*provider.token(form, self.headers.get("Authorization", "")))

        def _json(self, status: int, value: dict[str, Any]) -> None:
            data = json.dumps(value).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the tests read what they need from the provider's state

    return Handler


@contextmanager
def running_provider(
    client_id: str, client_secret: str, redirect_uri: str
) -> Iterator[OidcProvider]:
    """The provider, serving on 127.0.0.1 until the block ends."""
    provider = OidcProvider(free_port(), client_id, client_secret, redirect_uri)
    server = ThreadingHTTPServer(("127.0.0.1", provider.port), _handler(provider))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
