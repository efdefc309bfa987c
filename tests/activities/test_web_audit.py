"""The console's audit pages beyond the queries, in process on SQLite and PostgreSQL: a
workflow's history from the record store when Temporal does not answer, the check of the chain
(holding, then naming the row tampered with), every answer as a PDF, 200 rows a page, and none
of it for a county user."""

from __future__ import annotations

import dataclasses
import re
import zlib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from temporalio.testing import ActivityEnvironment

from activities.records import RecordActivities
from config import load_settings
from models.payloads import RecordPeopleRequest, RecordSeatsRequest
from service import accounts
from service import audit as audit_service
from service.accounts import ForbiddenError
from tests.activities.conftest import people, person, seat
from tests.activities.test_audit_tamper import drop_triggers, sql
from tests.activities.test_web_console import audit_count
from tests.activities.web_support import (
    PASSWORD,
    assert_forbidden,
    console_client,
    login,
    token,
)
from web import audit as web_audit

SEATS = "organ=county_board:46&term=2028-2032"


@pytest.fixture
def console(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    accounts.add(engine, "vestland", "county", PASSWORD, county="46")
    accounts.add(engine, "revisor", "auditor", PASSWORD)
    accounts.add(engine, "sekretariat", "secretariat", PASSWORD)
    with console_client(monkeypatch, database_url) as client:
        yield client


def seated(engine: Engine, count: int, first: int = 0) -> None:
    """`count` people after the first `first`, each with a seat on Vestland's county board in
    2028-2032."""
    ids = [f"p-{n}" for n in range(first + 1, first + count + 1)]
    records = RecordActivities(engine)
    everyone = tuple(person(p) for p in ids)
    records.record_people(RecordPeopleRequest(idempotency_key=f"people-{first}", people=everyone))
    seats = tuple(seat(p, "leader" if p == "p-1" else "member") for p in ids)
    records.record_seats(RecordSeatsRequest(idempotency_key=f"seats-{first}", seats=seats))


def pdf_text(document: bytes) -> str:
    """The text a PDF shows, for WeasyPrint's output: every content stream's glyphs mapped
    back to characters through the fonts' ToUnicode maps (no PDF library is installed)."""
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", document, re.S):
        try:
            streams.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            continue
    glyphs: dict[str, str] = {}
    for cmap in (s for s in streams if "begincmap" in s):
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            for code, char in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                glyphs.setdefault(code.lower(), bytes.fromhex(char).decode("utf-16-be"))
    shown = []
    for content in (s for s in streams if " Tf" in s):
        for text in re.findall(r"\[(.*?)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj", content, re.S):
            hexes = re.findall(r"<([0-9a-fA-F]*)>", text[0]) if text[0] else [text[1]]
            word = "".join("".join(glyphs.get(h[i : i + 4].lower(), "?")
                                   for i in range(0, len(h), 4)) for h in hexes)  # fmt: skip
            shown.append(word)
    return " ".join(" ".join(shown).split())  # lines joined: a cell may wrap


# ----------------------------------------------------------------------------- history


def test_a_history_comes_from_the_record_store_when_temporal_does_not_answer(
    console: TestClient, engine: Engine
) -> None:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_id="term-2027", workflow_run_id="run-1")
    env.run(RecordActivities(engine).record_people, people("p-1", "p-2"))
    headers = token(engine, "revisor")
    api = console.get("/api/audit/history?workflow=term-2027", headers=headers)
    assert api.status_code == 200, api.text
    found = api.json()
    assert found["notes"] == ["Temporal svarer ikke nå: svaret er hentet fra registeret og "
                              "revisjonsloggen alene."]  # fmt: skip
    assert [(r["kind"], r["run_id"]) for r in found["rows"]] == [("people_recorded", "run-1")]
    assert found["rows"][0]["source"].startswith("audit:seq ")
    assert (found["total"], found["offset"], found["limit"]) == (1, 0, 1000)
    login(console, "revisor")
    page = console.get("/revisjon/historikk?workflow=term-2027")
    assert page.status_code == 200, page.text
    assert "Temporal svarer ikke nå" in page.text
    assert "<td>people_recorded</td>" in page.text
    assert '<th scope="col">kjøring</th>' in page.text
    assert console.get("/revisjon/historikk").status_code == 200  # the form, nothing asked
    document = console.get("/revisjon/historikk.pdf?workflow=term-2027")
    assert document.headers["content-type"] == "application/pdf"
    assert "Temporal svarer ikke nå" in pdf_text(document.content)
    bad = console.get("/api/audit/history?workflow=term 2027;drop", headers=headers)
    assert bad.status_code == 400
    assert bad.json()["detail"] == "Det du sendte ble ikke tatt imot."


# ----------------------------------------------------------------------------- verify


def test_the_check_says_the_chain_holds_and_then_names_the_row_tampered_with(
    console: TestClient, engine: Engine
) -> None:
    seated(engine, 2)
    entries = audit_count(engine) + 1  # the token's own entry
    headers = token(engine, "revisor")
    holds = console.get("/api/audit/verify", headers=headers)
    assert holds.status_code == 200, holds.text
    assert holds.json()["ok"] is True
    assert holds.json()["chain"]["entries"] == entries
    assert holds.json()["records"]["ok"] is True
    login(console, "revisor")
    form = console.get("/revisjon/kontroll")
    assert form.status_code == 200
    assert "Kontroller nå" in form.text
    assert "Kjeden holder" not in form.text  # the check runs only when asked
    page = console.get("/revisjon/kontroll?kjor=1")
    assert f"Kjeden holder: {entries} oppføringer." in page.text
    assert "Registerradene stemmer" in page.text
    assert console.get("/revisjon/kontroll?kjor=2").status_code == 422
    drop_triggers(engine)
    sql(engine, "UPDATE audit_log SET content = :value WHERE seq = 2", value='{"x":1}')
    broken = console.get("/api/audit/verify", headers=headers).json()
    assert (broken["ok"], broken["chain"]["ok"], broken["chain"]["first_broken_seq"]) == (
        False, False, 2,
    )  # fmt: skip
    told = "Oppføring 2 er endret etter at den ble skrevet (hashen stemmer ikke)."
    assert broken["chain"]["problem"] == told
    page = console.get("/revisjon/kontroll?kjor=1")
    assert "Loggen holder ikke." in page.text
    assert told in page.text


def test_the_check_is_refused_in_the_service_to_whoever_may_not_read_the_audit(
    console: TestClient,
) -> None:
    county = accounts.Actor("u-x", "county", "46")
    with pytest.raises(ForbiddenError):
        audit_service.check(load_settings(), county)
    assert audit_service.check(load_settings(), accounts.Actor("u-y", "auditor")).ok


# ----------------------------------------------------------------------------- PDF


def test_an_answer_is_a_pdf_with_its_rows(console: TestClient, engine: Engine) -> None:
    seated(engine, 3)
    login(console, "revisor")
    page = console.get(f"/revisjon/seter?{SEATS}")
    link = SEATS.replace(":", "%3A").replace("&", "&amp;")
    assert f'<a href="/revisjon/seter.pdf?{link}">Last ned som PDF</a>' in page.text
    document = console.get(f"/revisjon/seter.pdf?{SEATS}")
    assert document.status_code == 200, document.text
    assert document.headers["content-type"] == "application/pdf"
    assert document.content.startswith(b"%PDF")
    text = pdf_text(document.content)
    assert "Navn p-3" in text
    assert "Revisjon: seter" in text
    assert "valgt ved" in text  # the columns in bokmål
    assert console.get("/revisjon/seter.pdf").status_code == 400  # nothing asked
    assert console.get("/revisjon/kontroll.pdf").status_code == 404


# ----------------------------------------------------------------------------- paging


def rows_on(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>")


def link(side: int) -> str:
    return f'href="/revisjon/seter?organ=county_board%3A46&amp;term=2028-2032&amp;side={side}"'


def test_450_seats_are_three_pages_and_the_exports_stay_whole(
    console: TestClient, engine: Engine
) -> None:
    seated(engine, 450)
    login(console, "revisor")
    first = console.get(f"/revisjon/seter?{SEATS}")
    assert first.status_code == 200
    assert "Rad 1–200 av 450" in first.text
    assert rows_on(first.text) == 200
    assert "Forrige side" not in first.text
    assert f'{link(2)} rel="next">Neste side' in first.text
    second = console.get(f"/revisjon/seter?{SEATS}&side=2")
    assert "Rad 201–400 av 450" in second.text
    assert f'{link(1)} rel="prev">Forrige side' in second.text
    assert f'{link(3)} rel="next">Neste side' in second.text
    third = console.get(f"/revisjon/seter?{SEATS}&side=3")
    assert "Rad 401–450 av 450" in third.text
    assert rows_on(third.text) == 50
    assert "Neste side" not in third.text
    assert f'{link(2)} rel="prev">Forrige side' in third.text
    beyond = console.get(f"/revisjon/seter?{SEATS}&side=4")
    assert beyond.status_code == 400
    assert "Side 4 finnes ikke: svaret har 3 sider." in beyond.text
    for bad in ("0", "-1", "abc", "1.5", "9" * 30):
        refused = console.get(f"/revisjon/seter?{SEATS}&side={bad}")
        assert refused.status_code == 422, bad
        assert "Forespørselen er ikke gyldig" in refused.text
    exported = console.get(f"/revisjon/seter.csv?{SEATS}&side=2")
    assert len(exported.text.lstrip("\ufeff").splitlines()) == 451
    headers = token(engine, "revisor")
    api = console.get(f"/api/audit/seats?{SEATS}&limit=100&offset=400", headers=headers).json()
    assert (api["total"], api["offset"], api["limit"], len(api["rows"])) == (450, 400, 100, 50)
    whole = console.get(f"/api/audit/seats?{SEATS}", headers=headers).json()
    assert (whole["total"], whole["limit"], len(whole["rows"])) == (450, 1000, 450)
    for bad in ("limit=0", "limit=5001", "offset=-1", "limit=x"):
        assert console.get(f"/api/audit/seats?{SEATS}&{bad}", headers=headers).status_code == 422
    # A PDF holds at most 500 rows (WeasyPrint takes seconds per few hundred): past it, the CSV.
    seated(engine, 60, first=450)
    too_long = console.get(f"/revisjon/seter.pdf?{SEATS}")
    assert too_long.status_code == 400
    assert "Svaret har 510 rader; en PDF tar høyst 500." in too_long.text


# ----------------------------------------------------------------------------- who


NEW_PAGES = (
    "/revisjon/historikk?workflow=term-2027", "/revisjon/kontroll", "/revisjon/kontroll?kjor=1",
    f"/revisjon/seter.pdf?{SEATS}", "/revisjon/historikk.pdf?workflow=term-2027",
    f"/revisjon/seter?{SEATS}&side=1",
)  # fmt: skip
NEW_API = ("/api/audit/history?workflow=term-2027", "/api/audit/verify",
           f"/api/audit/seats?{SEATS}&limit=10&offset=0")  # fmt: skip


def test_a_county_user_gets_403_on_every_new_page_and_api_path(
    console: TestClient, engine: Engine
) -> None:
    assert_forbidden(console, engine, "vestland", NEW_API, NEW_PAGES)
    secretariat = token(engine, "sekretariat")
    assert console.get("/api/audit/verify", headers=secretariat).status_code == 200


def test_a_timeline_page_is_at_most_a_minute_old_and_says_when_it_was_made(
    console: TestClient, engine: Engine
) -> None:
    seated(engine, 3)
    login(console, "revisor")
    first = console.get("/revisjon/tidslinje?term=2028-2032")
    assert first.status_code == 200
    made = re.search(r"laget \(UTC; [^)]*\): ([0-9: -]+)<", first.text)
    assert made is not None, first.text[:3000]
    assert "3 seat(s) given" in first.text
    seated(engine, 2, first=3)  # two seats more, of the same organ and day
    again = console.get("/revisjon/tidslinje?term=2028-2032")
    assert made.group(1) in again.text
    assert "3 seat(s) given" in again.text  # the page's answer is the one made a minute ago
    export = console.get("/revisjon/tidslinje.csv?term=2028-2032")
    assert "5 seat(s) given" in export.text  # an export is made anew
    web_audit.TIMELINES.kept.clear()  # a minute later
    assert "5 seat(s) given" in console.get("/revisjon/tidslinje?term=2028-2032").text
