"""The console's login with OpenID Connect (ID-porten or Entra ID), on when KSGOV_OIDC_ISSUER
is set: the authorization code flow with PKCE (S256), a state and a nonce.

`GET /login/oidc` sends the browser to the provider with a new state, nonce and PKCE verifier,
kept in a cookie of their own (`ksgov_oidc`: signed with the console's key, HttpOnly, limited to
the callback's path, ten minutes). `GET /login/oidc/callback` checks the state, exchanges the code
(with the verifier and the client's secret), checks the ID token (its signature against the
provider's published keys, its issuer, audience, expiry and nonce) and logs in the account
linked to the token's `sub`, with the account's own role and county: nothing in the token
grants anything, and no account is ever made here.

Why a cookie of its own: the session cookie is SameSite=Strict, so the browser does not send it
with the provider's redirect back (a navigation from another site); the flow cookie is Lax. For
the same reason the callback answers with a page that moves on to the overview itself (a Refresh
header and a link), not with a redirect, which would still belong to that navigation and go
without the new session cookie. Every refusal is one line in bokmål, with the reason in the log
as a word, never a code or a token.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote_plus

import httpx
import structlog
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadData, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from client.errors import UserError
from config import OIDC_ISSUER, Settings
from service import accounts
from web.console import Console, Ctx

router = APIRouter()
log = structlog.get_logger(__name__)

CALLBACK = "/login/oidc/callback"
FLOW_COOKIE = "ksgov_oidc"
FLOW_SECONDS = 600
CACHE_SECONDS = 3600  # the discovery document and the provider's keys
TIMEOUT = httpx.Timeout(10.0)
LEEWAY = 60  # seconds of clock skew allowed on exp, iat and nbf
# Signatures with the provider's published public keys only: never `none`, never a shared secret.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
NOT_SET_UP = "Innlogging med OpenID Connect er ikke satt opp i dette konsollet."


class OidcFailed(Exception):  # noqa: N818 - a refusal the page turns into one line
    """A login that cannot go on: `reason` is a word for the log, `status` the page's."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


@dataclass(frozen=True)
class Provider:
    """What the provider's discovery document says, checked."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]
    secret_in_body: bool  # client_secret_post, when the provider takes no client_secret_basic

    @classmethod
    def of(cls, document: Any, issuer: str) -> Provider:
        if not isinstance(document, dict) or document.get("issuer") != issuer:
            raise OidcFailed("discovery_issuer_differs", 502)
        urls = [document.get(k) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")]
        authorize, token, keys = [u if isinstance(u, str) and OIDC_ISSUER.fullmatch(u) else ""
                                  for u in urls]  # fmt: skip
        if not (authorize and token and keys):
            raise OidcFailed("discovery_endpoints_invalid", 502)
        offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = tuple(a for a in ALGORITHMS if isinstance(offered, list) and a in offered)
        methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        if not algorithms or not isinstance(methods, list):
            raise OidcFailed("discovery_unsupported", 502)
        if "client_secret_basic" not in methods and "client_secret_post" not in methods:
            raise OidcFailed("discovery_unsupported", 502)
        secret_in_body = "client_secret_basic" not in methods
        return cls(issuer, authorize, token, keys, algorithms, secret_in_body)


@dataclass
class ProviderCache:
    """The discovery document and the keys, fetched at most once an hour (and the keys again
    when a token names a key the provider did not publish: it has rotated them)."""

    provider: Provider | None = None
    keys: KeySet | None = None
    until: float = 0.0

    def get(self, settings: Settings) -> Provider:
        if self.provider is None or time.monotonic() > self.until:
            base = settings.oidc_issuer.rstrip("/")
            document = _fetch("GET", f"{base}/.well-known/openid-configuration")
            self.provider, self.keys = Provider.of(document, settings.oidc_issuer), None
            self.until = time.monotonic() + CACHE_SECONDS
        return self.provider

    def key_set(self, provider: Provider, fresh: bool = False) -> KeySet:
        if self.keys is None or fresh:
            document = _fetch("GET", provider.jwks_uri)
            try:
                self.keys = KeySet.import_key_set(document)
            except (JoseError, ValueError, TypeError, KeyError):
                raise OidcFailed("jwks_invalid", 502) from None
        return self.keys


@dataclass(frozen=True)
class Flow:
    """One login under way: what the callback must find again."""

    state: str
    nonce: str
    verifier: str


def _fetch(method: str, url: str, **kwargs: Any) -> Any:
    """The provider's JSON answer; unreachable or failing: 502, refusing (4xx): 400."""
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as http:
            answer = http.request(method, url, **kwargs)
        if answer.status_code >= 500:
            raise OidcFailed("provider_failed", 502)
        if answer.status_code != 200:
            raise OidcFailed("provider_refused")
        return answer.json()
    except httpx.HTTPError:
        raise OidcFailed("provider_unreachable", 502) from None
    except ValueError:  # not JSON
        raise OidcFailed("provider_answer_invalid", 502) from None


def _cache(request: Request) -> ProviderCache:
    found = getattr(request.app.state, "oidc", None)
    if not isinstance(found, ProviderCache):
        found = request.app.state.oidc = ProviderCache()
    return found


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.web_key(), salt="ksgov-oidc-flow")


def _redirect_uri(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + CALLBACK


@router.get("/login/oidc", include_in_schema=False)
def start(request: Request, c: Ctx) -> Response:
    """To the provider's login, with a new state, nonce and PKCE challenge."""
    if not c.settings.oidc_enabled:
        return _refused(request, c, OidcFailed("not_set_up", 404))
    try:
        provider = _cache(request).get(c.settings)
    except OidcFailed as exc:
        return _refused(request, c, exc)
    flow = Flow(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48))
    url = add_params_to_uri(provider.authorization_endpoint, [
        ("response_type", "code"), ("client_id", c.settings.oidc_client_id),
        ("redirect_uri", _redirect_uri(c.settings)), ("scope", "openid"),
        ("state", flow.state), ("nonce", flow.nonce), ("ui_locales", "nb"),
        ("code_challenge", create_s256_code_challenge(flow.verifier)),
        ("code_challenge_method", "S256"),
    ])  # fmt: skip
    response = RedirectResponse(str(url), status_code=303)
    response.set_cookie(
        FLOW_COOKIE, _serializer(c.settings).dumps([flow.state, flow.nonce, flow.verifier]),
        max_age=FLOW_SECONDS, path=CALLBACK, httponly=True, samesite="lax",
        secure=c.settings.public_url.startswith("https://"),
    )  # fmt: skip
    return response


@router.get(CALLBACK, include_in_schema=False)
def callback(
    request: Request, c: Ctx, state: Annotated[str, Query(max_length=200)] = "",
    code: Annotated[str, Query(max_length=4000)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> Response:  # fmt: skip
    """Back from the provider: the code for a checked ID token, its `sub` for an account."""
    if not c.settings.oidc_enabled:
        return _refused(request, c, OidcFailed("not_set_up", 404))
    try:
        flow = _flow(request, c.settings)
        if error:
            raise OidcFailed("provider_error")
        if not hmac.compare_digest(flow.state.encode(), state.encode()):
            raise OidcFailed("state_differs")
        if not code:
            raise OidcFailed("no_code")
        subject = _subject(request, c.settings, flow, code)
        actor = accounts.login_oidc(c.writer, subject)
    except OidcFailed as exc:
        return _refused(request, c, exc)
    except UserError:
        return _refused(request, c, OidcFailed("no_account", 401))
    request.session.clear()
    request.session["account"] = actor.account_id
    request.session["csrf"] = secrets.token_urlsafe(24)  # a new session, a new token
    log.info("oidc_login", account=actor.account_id, role=actor.role)
    page = c.page(request, "login.html.j2", done=True)
    page.headers["Refresh"] = "0; url=/"
    page.delete_cookie(FLOW_COOKIE, path=CALLBACK)
    return page


def _flow(request: Request, settings: Settings) -> Flow:
    """The login under way in this browser: missing, forged or older than ten minutes: 400."""
    try:
        found = _serializer(settings).loads(
            request.cookies.get(FLOW_COOKIE, ""), max_age=FLOW_SECONDS
        )
    except BadData:
        raise OidcFailed("no_flow") from None
    if not (isinstance(found, list) and len(found) == 3 and all(isinstance(v, str) for v in found)):
        raise OidcFailed("no_flow")
    return Flow(*found)


def _subject(request: Request, settings: Settings, flow: Flow, code: str) -> str:
    """The `sub` of the ID token the code is exchanged for, once the token is checked."""
    cache = _cache(request)
    provider = cache.get(settings)
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": _redirect_uri(settings), "code_verifier": flow.verifier}  # fmt: skip
    auth: httpx.BasicAuth | None = None
    if provider.secret_in_body:
        form |= {"client_id": settings.oidc_client_id, "client_secret": _secret(settings)}
    else:  # RFC 6749 2.3.1: both form-encoded first
        auth = httpx.BasicAuth(quote_plus(settings.oidc_client_id), quote_plus(_secret(settings)))
    tokens = _fetch("POST", provider.token_endpoint, data=form, auth=auth)
    id_token = tokens.get("id_token") if isinstance(tokens, dict) else None
    if not isinstance(id_token, str) or len(id_token) > 20_000:
        raise OidcFailed("no_id_token")
    access_token = tokens.get("access_token")
    claims = _checked(cache, provider, settings, id_token, flow.nonce, access_token)
    return str(claims["sub"])


def _checked(
    cache: ProviderCache, provider: Provider, settings: Settings, id_token: str, nonce: str,
    access_token: object,
) -> CodeIDToken:  # fmt: skip
    """The ID token's claims, once its signature, issuer, audience, times and nonce are right."""
    registry = JWSRegistry(algorithms=list(provider.algorithms), strict_check_header=False)
    try:
        try:
            token = jwt.decode(id_token, cache.key_set(provider), registry=registry)
        except InvalidKeyIdError:  # a key the provider published since: fetch them again
            token = jwt.decode(id_token, cache.key_set(provider, fresh=True), registry=registry)
        options = {
            "iss": {"essential": True, "value": provider.issuer},
            "aud": {"essential": True, "value": settings.oidc_client_id},
            "sub": {"essential": True},
            "nonce": {"essential": True, "value": nonce},
        }
        params: dict[str, Any] = {"nonce": nonce, "client_id": settings.oidc_client_id}
        if isinstance(access_token, str):
            params["access_token"] = access_token  # checks at_hash when the token has one
        claims = CodeIDToken(token.claims, token.header, options, params)
        claims.validate(leeway=LEEWAY)
    except ExpiredTokenError:
        raise OidcFailed("id_token_expired") from None
    except ClaimError as exc:
        raise OidcFailed(f"id_token_claim_{exc.claim}") from None
    except (JoseError, ValueError, TypeError, KeyError):
        raise OidcFailed("id_token_invalid") from None
    return claims


def _secret(settings: Settings) -> str:
    try:
        return settings.oidc_secret()
    except ValueError:  # the secret file went away since the start: say so in the log
        raise OidcFailed("client_secret_unreadable", 502) from None


def button(settings: Settings) -> str:
    """The provider's name for the login page's button; empty when the login is not set up."""
    return settings.oidc_name if settings.oidc_enabled else ""


def _refused(request: Request, c: Console, exc: OidcFailed) -> Response:
    """The login page again, with one line saying why; the flow cookie spent."""
    from web.app import LOGIN_REFUSED  # web.app imports this module: the same line as there

    name = c.settings.oidc_name
    messages = {
        401: LOGIN_REFUSED,
        404: NOT_SET_UP,
        502: f"{name} svarer ikke som ventet nå. Prøv igjen om litt, eller logg inn med "
        "brukernavn og passord.",
    }
    message = messages.get(exc.status, f"Innloggingen med {name} ble ikke fullført. Prøv igjen.")
    log.warning("oidc_login_refused", reason=exc.reason, status=exc.status)
    page = c.page(request, "login.html.j2", exc.status, error=message, oidc_name=button(c.settings))
    page.delete_cookie(FLOW_COOKIE, path=CALLBACK)
    return page
