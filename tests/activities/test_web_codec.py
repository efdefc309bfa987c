"""The codec endpoint for Temporal's web UI: a sealed payload opened for an auditor, refused to a
county user and to no one logged in, bad bodies refused in bokmål, and CORS for the UI's origin
on the codec path only."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from google.protobuf import json_format
from sqlalchemy.engine import Engine
from temporalio.api.common.v1 import Payload, Payloads

from sealing import Keyring, SealingCodec
from service import accounts
from tests.activities.web_support import PASSWORD, console_client

UI = "http://localhost:8233"
RING = Keyring.generate()


@pytest.fixture
def console(
    sqlite_url: str, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    accounts.add(sqlite_engine, "vestland", "county", PASSWORD, county="46")
    accounts.add(sqlite_engine, "revisor", "auditor", PASSWORD)
    origins = f"{UI}, http://127.0.0.1:8233"
    with console_client(monkeypatch, sqlite_url, KSGOV_PAYLOAD_KEYS=RING.value(),
                        KSGOV_WEB_CODEC_ORIGINS=origins) as client:  # fmt: skip
        yield client


def bearer(engine: Engine, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.make_token(engine, user)}"}


def sealed_body(*clear: Payload, ring: Keyring = RING) -> str:
    sealed = asyncio.run(SealingCodec(ring).encode(list(clear)))
    return json_format.MessageToJson(Payloads(payloads=sealed))


CLEAR = Payload(metadata={"encoding": b"json/plain"}, data=b'{"name": "Kari Nordmann"}')


def test_an_auditor_reads_a_sealed_payload_in_clear(
    console: TestClient, sqlite_engine: Engine
) -> None:
    body = sealed_body(CLEAR)
    assert b"Kari" not in body.encode()
    answer = console.post(
        "/api/codec/decode", content=body, headers=bearer(sqlite_engine, "revisor")
    )
    assert answer.status_code == 200, answer.text
    opened = json_format.Parse(answer.text, Payloads())
    assert list(opened.payloads) == [CLEAR]


def test_a_county_user_and_no_one_cannot_open_payloads(
    console: TestClient, sqlite_engine: Engine
) -> None:
    body = sealed_body(CLEAR)
    assert console.post("/api/codec/decode", content=body).status_code == 401
    refused = console.post(
        "/api/codec/decode", content=body, headers=bearer(sqlite_engine, "vestland")
    )
    assert refused.status_code == 403
    assert "Kari" not in refused.text


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        ("not json", {}, 400),
        (json.dumps({"payloads": [{"data": 5}]}), {}, 400),
        (json.dumps({"payloads": [], "extra": 1}), {}, 400),
        (sealed_body(CLEAR), {"X-Namespace": "another"}, 400),
        (sealed_body(CLEAR, ring=Keyring.generate()), {}, 400),
        ("x" * 4_000_001, {}, 413),
    ],
    ids=["not-json", "bad-data", "unknown-field", "namespace", "unknown-key", "too-large"],
)
def test_bad_bodies_are_refused_in_bokmal(
    console: TestClient, sqlite_engine: Engine, body: str, headers: dict[str, str], status: int
) -> None:
    answer = console.post(
        "/api/codec/decode", content=body, headers={**bearer(sqlite_engine, "revisor"), **headers}
    )
    assert answer.status_code == status
    assert answer.json()["detail"].split()[0] in {"Forespørselen", "Ukjent", "Det"}


def test_the_ui_origin_may_call_the_codec_and_nothing_else(console: TestClient) -> None:
    preflight = {"Origin": UI, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type,x-namespace"}  # fmt: skip
    allowed = console.options("/api/codec/decode", headers=preflight)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == UI
    assert allowed.headers["access-control-allow-credentials"] == "true"
    other = console.options(
        "/api/codec/decode", headers={**preflight, "Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers
    elsewhere = console.get("/api/health", headers={"Origin": UI})
    assert "access-control-allow-origin" not in elsewhere.headers
