"""What the console's in-process tests share: the console on a record store with Temporal not
answering, a login through the form, and a token's header."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from config import load_settings
from service import accounts
from tests.conftest import free_port
from web.app import create_app

PASSWORD = "riktig hest batteri stift"


@contextmanager
def console_client(
    monkeypatch: pytest.MonkeyPatch, database_url: str, **env: str
) -> Iterator[TestClient]:
    """`ksgov web`'s application on `database_url`, with no Temporal server at its address
    (nobody listens there) and the further settings `env` (KSGOV_... names)."""
    monkeypatch.setenv("KSGOV_DATABASE_URL", database_url)
    monkeypatch.setenv("KSGOV_TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with TestClient(create_app(load_settings()), follow_redirects=False) as client:
        yield client


def log_in(console: TestClient, user: str, password: str = PASSWORD) -> object:
    """The login form sent with its CSRF token; the answer (303 when it succeeds)."""
    csrf = re.search(r'name="csrf" value="([^"]+)"', console.get("/login").text)
    assert csrf is not None
    return console.post("/login", data={"username": user, "password": password,
                                        "csrf": csrf.group(1)})  # fmt: skip


def login(console: TestClient, user: str) -> None:
    """Logged in as `user`, or the test fails."""
    answer = log_in(console, user)
    assert getattr(answer, "status_code", None) == 303


def token(engine: Engine, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.make_token(engine, user)}"}


def assert_forbidden(
    console: TestClient, engine: Engine, user: str, apis: tuple[str, ...], pages: tuple[str, ...]
) -> None:
    """`user` gets 403 in bokmål on every API path (with a token) and every page (logged in)."""
    headers = token(engine, user)
    for path in apis:
        answer = console.get(path, headers=headers)
        assert answer.status_code == 403, path
        assert answer.json()["detail"] == "Du har ikke tilgang til dette."
    login(console, user)
    for path in pages:
        page = console.get(path)
        assert page.status_code == 403, path
        assert "Du har ikke tilgang til dette." in page.text
