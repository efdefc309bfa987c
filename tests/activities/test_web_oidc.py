"""The console's login with OpenID Connect, against a real provider on a free port
(tests/oidc_provider.py) and the record store on SQLite and PostgreSQL: a linked account logs in
through the whole flow as its own role; an unlinked or disabled one is refused as a wrong
password is, and nothing is made; a tampered state, a refused login, an unknown code, a wrong
nonce, an expired token, a token for another client or signed by another key are each refused
in one line; an unreachable provider is a 502; the button shows only when the login is set up;
and the client's secret is in no answer and no log line.

FastAPI's test client cannot reach a real port, so each test drives the provider's step with
httpx itself and hands the callback's address back to the test client, as a browser would."""

from __future__ import annotations

import base64
import logging
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from structlog.testing import capture_logs
from typer.testing import CliRunner

from cli.main import build_app
from client.errors import UserError
from config import SettingsError, load_settings
from models.records import Account, AuditEntry
from service import accounts
from tests.conftest import free_port
from tests.oidc_provider import OidcProvider, running_provider
from web.app import LOGIN_REFUSED, create_app

PASSWORD = "riktig hest batteri stift"
CLIENT_ID = "ksgov-konsoll"
SECRET = f"klienthemmelighet-{secrets.token_hex(16)}"
PUBLIC_URL = "http://127.0.0.1:8000"
REDIRECT = f"{PUBLIC_URL}/login/oidc/callback"
NOT_COMPLETED = "Innloggingen med ID-porten ble ikke fullført. Prøv igjen."
Console = Callable[..., TestClient]


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    with running_provider(CLIENT_ID, SECRET, REDIRECT) as running:
        yield running


@pytest.fixture
def make_console(
    database_url: str, engine: Engine, provider: OidcProvider, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Console]:  # fmt: skip
    """A console factory: OpenID Connect on the test provider unless told otherwise."""
    secret_file = tmp_path / "oidc-secret"
    secret_file.write_text(SECRET + "\n")
    secret_file.chmod(0o600)
    for name, value in {
        "DATABASE_URL": database_url, "DATA_DIR": str(tmp_path), "PUBLIC_URL": PUBLIC_URL,
        "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",  # nobody listens
        "OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET_FILE": str(secret_file),
    }.items():  # fmt: skip
        monkeypatch.setenv(f"KSGOV_{name}", value)
    accounts.add(engine, "vestland", "county", PASSWORD, county="46")
    accounts.link_oidc(engine, "vestland", provider.subject)
    clients: list[TestClient] = []

    def make(**env: str) -> TestClient:
        for name, value in env.items():
            monkeypatch.setenv(f"KSGOV_{name}", value)
        client = TestClient(create_app(load_settings()), follow_redirects=False)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def console(make_console: Console) -> TestClient:
    return make_console()


def to_provider(console: TestClient, provider: OidcProvider) -> httpx.URL:
    """Start the login and let the provider answer: where it sends the browser back."""
    start = console.get("/login/oidc")
    assert start.status_code == 303
    assert start.headers["location"].startswith(f"{provider.issuer}/authorize?")
    back = httpx.get(start.headers["location"], follow_redirects=False)
    assert back.status_code == 302, back.text
    url = httpx.URL(back.headers["location"])
    assert str(url.copy_with(query=None)) == REDIRECT
    return url


def callback(console: TestClient, url: httpx.URL) -> httpx.Response:
    answer: httpx.Response = console.get(url.raw_path.decode())
    return answer


def logged_in(console: TestClient) -> bool:
    answer: httpx.Response = console.get("/")
    assert answer.status_code in (200, 303)
    return answer.status_code == 200


def counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        made = session.exec(select(func.count()).select_from(Account)).one()
        entries = session.exec(select(func.count()).select_from(AuditEntry)).one()
        return int(made), int(entries)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_a_linked_account_logs_in_at_the_provider_and_reaches_the_overview_as_its_role(
    console: TestClient, provider: OidcProvider
) -> None:
    before = csrf_of(console.get("/login").text)
    start = console.get("/login/oidc")
    query = httpx.URL(start.headers["location"]).params
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32
    assert len(query["nonce"]) >= 32
    [flow_cookie] = [c for c in start.headers.get_list("set-cookie") if "ksgov_oidc=" in c]
    assert "Path=/login/oidc/callback" in flow_cookie
    assert "HttpOnly" in flow_cookie
    assert "SameSite=lax" in flow_cookie
    back = httpx.get(start.headers["location"], follow_redirects=False)
    landed = callback(console, httpx.URL(back.headers["location"]))
    assert landed.status_code == 200, landed.text
    assert landed.headers["refresh"] == "0; url=/"
    assert "Du er logget inn" in landed.text
    overview = console.get("/")
    assert overview.status_code == 200
    assert "vestland (fylkessekretær)" in overview.text
    assert csrf_of(overview.text) != before  # a new session, a new CSRF token
    assert console.get("/api/me").json() == {"role": "county", "county": "46", "person_id": None}
    assert provider.token_requests == 1
    assert provider.refused == []
    again = callback(console, httpx.URL(back.headers["location"]))  # the flow is spent
    assert again.status_code == 400


def test_the_provider_refuses_a_code_without_its_pkce_verifier(
    console: TestClient, provider: OidcProvider
) -> None:
    url = to_provider(console, provider)
    stolen = httpx.post(f"{provider.issuer}/token", auth=(CLIENT_ID, SECRET), data={
        "grant_type": "authorization_code", "code": url.params["code"],
        "redirect_uri": REDIRECT, "code_verifier": secrets.token_urlsafe(48),
    })  # fmt: skip
    assert stolen.status_code == 400
    assert provider.refused == ["invalid_grant"]


def test_a_password_lock_out_ends_with_a_login_at_the_provider(
    console: TestClient, provider: OidcProvider, engine: Engine
) -> None:
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(UserError):
            accounts.login(engine, "vestland", "not the password at all")
    with Session(engine) as session:
        assert session.exec(select(Account.locked_until)).one() is not None
    assert callback(console, to_provider(console, provider)).status_code == 200
    assert logged_in(console)
    accounts.login(engine, "vestland", PASSWORD)  # the lock is lifted


@pytest.mark.parametrize("disabled", [False, True])
def test_an_unlinked_or_disabled_account_is_refused_like_a_wrong_password_and_nothing_is_made(
    console: TestClient, provider: OidcProvider, engine: Engine, disabled: bool
) -> None:
    if disabled:
        accounts.disable(engine, "vestland")
    else:
        provider.subject = "sub-nobody-linked"
    before = counts(engine)
    refused = callback(console, to_provider(console, provider))
    assert refused.status_code == 401
    assert LOGIN_REFUSED in refused.text
    wrong = console.post("/login", data={"username": "vestland", "password": "feil passord her",
                                         "csrf": csrf_of(console.get("/login").text)})  # fmt: skip
    assert wrong.status_code == 401
    assert LOGIN_REFUSED in wrong.text
    assert counts(engine) == before
    assert not logged_in(console)


def test_a_tampered_state_is_refused_before_the_code_is_exchanged(
    console: TestClient, provider: OidcProvider
) -> None:
    url = to_provider(console, provider)
    tampered = url.copy_merge_params({"state": secrets.token_urlsafe(24)})
    answer = callback(console, tampered)
    assert answer.status_code == 400
    assert NOT_COMPLETED in answer.text
    assert provider.token_requests == 0
    assert not logged_in(console)


def test_a_callback_without_a_login_under_way_or_with_a_code_the_provider_never_gave_is_refused(
    console: TestClient, provider: OidcProvider
) -> None:
    url = to_provider(console, provider)
    elsewhere = TestClient(console.app, follow_redirects=False)  # another browser: no flow
    assert callback(elsewhere, url).status_code == 400
    assert provider.token_requests == 0
    forged = url.copy_merge_params({"code": secrets.token_urlsafe(24)})
    answer = callback(console, forged)
    assert answer.status_code == 400
    assert NOT_COMPLETED in answer.text
    assert provider.refused == ["invalid_grant"]
    assert not logged_in(console)
    assert not logged_in(elsewhere)


@pytest.mark.parametrize(
    ("misbehaviour", "reason"),
    [
        ("deny", "provider_error"),
        ("wrong_nonce", "id_token_claim_nonce"),
        ("expired", "id_token_expired"),
        ("other_key", "id_token_invalid"),  # the signature does not hold
        ("other_audience", "id_token_claim_aud"),
    ],
)
def test_a_refusal_or_a_bad_id_token_from_the_provider_is_refused_in_one_line(
    console: TestClient, provider: OidcProvider, misbehaviour: str, reason: str
) -> None:
    provider.misbehave = misbehaviour
    url = to_provider(console, provider)
    with capture_logs() as logged:
        answer = callback(console, url)
    assert [e["reason"] for e in logged if e["event"] == "oidc_login_refused"] == [reason]
    assert answer.status_code == 400
    assert NOT_COMPLETED in answer.text
    assert provider.token_requests == (0 if misbehaviour == "deny" else 1)
    assert not logged_in(console)
    provider.misbehave = ""  # the same console logs in once the provider behaves
    assert callback(console, to_provider(console, provider)).status_code == 200
    assert logged_in(console)


def test_an_unreachable_provider_is_a_502_in_one_line(make_console: Console) -> None:
    console = make_console(OIDC_ISSUER=f"http://127.0.0.1:{free_port()}")  # nobody listens
    answer = console.get("/login/oidc")
    assert answer.status_code == 502
    assert "ID-porten svarer ikke som ventet nå." in answer.text
    assert not logged_in(console)


def test_the_button_shows_only_when_the_login_is_set_up(
    make_console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    named = make_console(OIDC_NAME="Entra ID")
    assert "Logg inn med Entra ID" in named.get("/login").text
    monkeypatch.delenv("KSGOV_OIDC_ISSUER")
    plain = make_console()
    page = plain.get("/login").text
    assert "/login/oidc" not in page
    assert "Logg inn med" not in page
    off = plain.get("/login/oidc")
    assert off.status_code == 404
    assert "Innlogging med OpenID Connect er ikke satt opp" in off.text
    assert plain.get("/login/oidc/callback?code=x&state=y").status_code == 404


def test_the_client_secret_is_in_no_answer_and_no_log_line(
    make_console: Console, provider: OidcProvider, caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    answers: list[httpx.Response] = []
    for env in ({}, {"OIDC_CLIENT_SECRET": SECRET}):  # from the file, then the variable
        console = make_console(**env)
        answers.append(console.get("/login"))
        url = to_provider(console, provider)
        answers += [callback(console, url), console.get("/")]
        provider.misbehave = "wrong_nonce"
        url = to_provider(console, provider)
        answers += [callback(console, url), callback(console, url)]
        provider.misbehave = ""
    assert [a.status_code for a in answers].count(200) == 6
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    seen = [a.text + str(a.headers) for a in answers]
    seen += [caplog.text, *(r.getMessage() for r in caplog.records), *capsys.readouterr()]
    for text in seen:
        assert SECRET not in text
        assert basic not in text


def test_a_subject_links_one_account_and_the_log_names_the_field_not_the_subject(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    accounts.add(engine, "kari", "auditor", None)
    accounts.add(engine, "ola", "auditor", None)
    assert accounts.link_oidc(engine, "kari", "sub-delt").oidc
    with pytest.raises(UserError, match="linked to another account"):
        accounts.link_oidc(engine, "ola", "sub-delt")
    with pytest.raises(UserError, match="1 to 255 visible ASCII"):
        accounts.link_oidc(engine, "ola", "mellom rom")
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry.content)).all()
    assert any('"oidc_subject"' in e for e in entries)
    assert not any("sub-delt" in e for e in entries)
    monkeypatch.setenv("KSGOV_DATABASE_URL", database_url)
    runner = CliRunner()
    removed = runner.invoke(build_app(), ["user", "link", "kari", "--remove"])
    assert removed.exit_code == 0, removed.output
    assert "not linked any more" in removed.output
    linked = runner.invoke(build_app(), ["user", "link", "ola", "sub-delt"])
    assert linked.exit_code == 0, linked.output
    assert [a.oidc for a in accounts.accounts(engine)] == [False, True]


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"OIDC_ISSUER": "http://idp.example.org"}, "KSGOV_OIDC_ISSUER: must be an https URL"),
        ({"OIDC_ISSUER": "https://idp.example.org/?x=1"}, "KSGOV_OIDC_ISSUER"),
        ({"OIDC_CLIENT_ID": ""}, "KSGOV_OIDC_CLIENT_ID: the OpenID Connect login needs it"),
        ({"OIDC_CLIENT_SECRET_FILE": "/nonexistent/secret"}, "cannot be read"),
        ({"OIDC_CLIENT_SECRET_FILE": "loose"}, "can be read by other users"),
    ],
)
def test_a_bad_oidc_setting_is_refused_in_one_line_that_shows_no_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], words: str
) -> None:
    loose = tmp_path / "loose"
    loose.write_text(SECRET)
    loose.chmod(0o644)
    values = {"OIDC_ISSUER": "https://idporten.no/", "OIDC_CLIENT_ID": CLIENT_ID,
              "OIDC_CLIENT_SECRET_FILE": str(tmp_path / "none"), **env}  # fmt: skip
    if values["OIDC_CLIENT_SECRET_FILE"] == "loose":
        values["OIDC_CLIENT_SECRET_FILE"] = str(loose)
    for name, value in values.items():
        monkeypatch.setenv(f"KSGOV_{name}", value)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert words in str(refused.value)
    assert "\n" not in str(refused.value)
    assert SECRET not in str(refused.value)
