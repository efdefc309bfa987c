"""Who a request comes from: a session cookie from the login form, or an API token.

The session (Starlette's, signed with the console's key: HttpOnly, SameSite=Strict, Secure when
the public address is https) holds only the account's id and a CSRF token; the account is read
again on every request, so a disabled account or a changed role takes effect at once. Every
form carries the session's CSRF token and every POST is refused without it.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from client.errors import UserError
from models.records import Account
from service import accounts
from service.accounts import Actor

NOT_LOGGED_IN = "Du er ikke logget inn: logg inn for å fortsette."
BAD_CSRF = "Skjemaet er utløpt eller ikke sendt fra konsollet: last siden på nytt og prøv igjen."


class LoginRequired(Exception):  # noqa: N818 - a redirect, not an error the user made
    """A page asked for without a session: the answer is the login page."""


@dataclass(frozen=True)
class Who:
    """The actor of a request and the user name the pages show."""

    actor: Actor
    username: str


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, sent: str) -> None:
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(expected, sent):
        raise HTTPException(status_code=403, detail=BAD_CSRF)


def from_session(request: Request, engine: Engine) -> Who | None:
    account_id = request.session.get("account")
    if not isinstance(account_id, str):
        return None
    with Session(engine) as session:
        account = session.get(Account, account_id)
        if account is None or account.disabled:
            request.session.clear()
            return None
        actor = Actor(account.account_id, account.role, account.county, account.person_id)
        return Who(actor, account.username)


def from_token(request: Request, engine: Engine) -> Who | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        actor = accounts.token_actor(engine, token.strip())
    except UserError:
        raise HTTPException(status_code=401, detail="Nøkkelen (token) er ikke gyldig.") from None
    return Who(actor, actor.account_id)
