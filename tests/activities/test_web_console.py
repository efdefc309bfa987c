"""The console's API and pages in process (FastAPI's test client), on SQLite and PostgreSQL:
nothing without a login or a token, another county's input refused with 403, a sheet's every
problem named, the login's cookie and CSRF, and bad requests answered in bokmål, changing
nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from activities.records import RecordActivities
from config import load_settings
from models.payloads import RecordSeatsRequest
from models.records import AuditEntry
from service import accounts
from tests.activities.conftest import people, seat
from tests.activities.web_support import PASSWORD, console_client, token
from tests.activities.web_support import log_in as login

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HEADER = "medlemsnummer;rolle;person-id;navn;kjønn;e-post\n"
BAD_SHEET = (
    HEADER
    + "4601;representant;p-1;Kari;ukjent;kari@x.no\n"
    + "4601;leder;p-2;Ola;mann;ola@x.no\n"
    + "4602;representant;p-3;Per;mann;ikke-en-adresse\n"
)


@pytest.fixture
def console(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    accounts.add(engine, "vestland", "county", PASSWORD, county="46")
    accounts.add(engine, "revisor", "auditor", PASSWORD)
    with console_client(monkeypatch, database_url, KSGOV_WEB_UPLOAD_LIMIT="20000") as client:
        yield client


def audit_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(AuditEntry)).one())


def test_every_api_path_needs_a_login_or_a_token(console: TestClient) -> None:
    spec = console.get("/api/openapi.json").json()
    open_paths = {"/api/health"}
    assert console.get("/api/health").json() == {"ok": True}
    for path, methods in spec["paths"].items():
        if path in open_paths:
            continue
        url = re.sub(r"\{[^}]+\}", "46", path)
        for method in methods:
            answer = console.request(method.upper(), url)
            assert answer.status_code == 401, (method, path)
            assert answer.json()["detail"] == "Du er ikke logget inn: logg inn for å fortsette."


def test_a_county_token_previews_its_own_county_and_is_refused_another(
    console: TestClient, engine: Engine
) -> None:
    headers = token(engine, "vestland")
    assert console.get("/api/me", headers=headers).json() == {
        "role": "county", "county": "46", "person_id": None,
    }  # fmt: skip
    sheet = (EXAMPLES / "county-meeting-representatives.csv").read_bytes()
    own = console.post("/api/counties/46/inputs/representatives/preview", headers=headers,
                       files={"file": ("ark.csv", sheet)})  # fmt: skip
    assert own.status_code == 200, own.text
    assert own.json() == {"county": "46", "kind": "representatives", "inputs": 1}
    other = console.post("/api/counties/03/inputs/representatives/preview", headers=headers,
                         files={"file": ("ark.csv", sheet)})  # fmt: skip
    assert other.status_code == 403
    assert other.json()["detail"] == "Du har ikke tilgang til dette."
    bad = console.post("/api/counties/46/inputs/representatives/preview", headers=headers,
                       files={"file": ("ark.csv", BAD_SHEET.encode())})  # fmt: skip
    assert bad.status_code == 422
    problems = bad.json()["detail"]
    for row in (
        "rad 2 (medlem 4601), kolonne «kjønn»",
        "rad 3 (medlem 4601), kolonne «rolle»",
        "rad 4 (medlem 4602), kolonne «e-post»",
    ):
        assert row in problems
    assert console.get("/api/audit/seats?organ=hovedstyret", headers=headers).status_code == 403
    forged = {"Authorization": "Bearer ksgov_t-000000000000_forged"}
    assert console.get("/api/me", headers=forged).status_code == 401


def test_an_auditor_reads_the_audit_and_writes_nothing(console: TestClient, engine: Engine) -> None:
    headers = token(engine, "revisor")
    answer = console.get("/api/audit/seats?organ=hovedstyret&term=2028-2032", headers=headers)
    assert answer.status_code == 400  # asked, and answered: no such term in an empty store
    assert "no term 2028-2032" in answer.json()["reason"]
    sheet = (EXAMPLES / "county-meeting-representatives.csv").read_bytes()
    write = console.post("/api/counties/46/inputs/representatives/preview", headers=headers,
                         files={"file": ("ark.csv", sheet)})  # fmt: skip
    assert write.status_code == 403


@pytest.mark.parametrize(
    ("name", "content", "status", "words"),
    [
        ("ark.ods", b"x", 415, "Send et regneark"),
        ("ark.csv", b"x" * 20_001, 413, "større enn grensen"),
        # The reader names the file by its place on the server: the answer says "filen".
        ("ark.xlsx", b"not a workbook", 422, "filen: ikke en XLSX-fil"),
    ],
)
def test_a_file_the_console_does_not_take_is_a_4xx_in_bokmal(
    console: TestClient, engine: Engine, name: str, content: bytes, status: int, words: str
) -> None:
    before = audit_count(engine)
    headers = token(engine, "vestland")
    answer = console.post("/api/counties/46/inputs/representatives/preview", headers=headers,
                          files={"file": (name, content)})  # fmt: skip
    assert answer.status_code == status
    assert words in answer.json()["detail"]
    assert "uploads" not in answer.text
    assert audit_count(engine) == before + 1  # the token's issue only: nothing of the file


def test_the_login_sets_a_strict_httponly_cookie_and_every_form_needs_its_token(
    console: TestClient,
) -> None:
    assert console.get("/").headers["location"] == "/login"
    forged = console.post("/login", data={"username": "vestland", "password": PASSWORD,
                                          "csrf": "forged"})  # fmt: skip
    assert forged.status_code == 403
    assert "Skjemaet er utløpt" in forged.text
    hostile = login(console, '<script>alert("x")</script>', "feil passord her")
    assert hostile.status_code == 401  # type: ignore[attr-defined]
    assert "<script>" not in hostile.text  # type: ignore[attr-defined]
    assert "&lt;script&gt;" in hostile.text  # type: ignore[attr-defined]
    wrong = login(console, "vestland", "feil passord her")
    assert wrong.status_code == 401  # type: ignore[attr-defined]
    assert "Feil brukernavn eller passord" in wrong.text  # type: ignore[attr-defined]
    right = login(console, "vestland")
    assert right.status_code == 303  # type: ignore[attr-defined]
    cookie = right.headers["set-cookie"].lower()  # type: ignore[attr-defined]
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    overview = console.get("/")
    assert overview.status_code == 200
    assert '<html lang="nb">' in overview.text
    assert "fylkessekretær for fylke 46" in overview.text
    other = console.get("/fylker/03/innsending")
    assert other.status_code == 403
    assert "Du har ikke tilgang til dette." in other.text
    assert console.get("/revisjon/seter").status_code == 403
    assert console.post("/logout", data={"csrf": "forged"}).status_code == 403
    csrf = re.search(r'name="csrf" value="([^"]+)"', overview.text)
    assert csrf is not None
    assert console.post("/logout", data={"csrf": csrf.group(1)}).status_code == 303
    assert console.get("/").status_code == 303


def test_a_county_secretary_previews_a_sheet_and_sees_every_problem_by_row(
    console: TestClient,
) -> None:
    login(console, "vestland")
    page = console.get("/fylker/46/innsending").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    form = {"kind": "representatives", "year": "2027", "csrf": csrf.group(1)}
    bad = console.post("/fylker/46/innsending", data=form,
                       files={"file": ("ark.csv", BAD_SHEET.encode())})  # fmt: skip
    assert bad.status_code == 422
    assert "Filen har 3 feil, og ingenting er sendt" in bad.text
    good = console.post("/fylker/46/innsending", data=form,
                        files={"file": ("ark.csv", (EXAMPLES / "county-meeting-representatives.csv")
                                        .read_bytes())})  # fmt: skip
    assert good.status_code == 200
    assert "Filen holder 1 innsending(er)" in good.text
    assert "Send til fylkesmøtet" in good.text
    uploads = list((load_settings().data_dir / "uploads").iterdir())
    assert len(uploads) == 1  # kept between the preview and the confirmation only
    assert (
        console.post("/fylker/03/innsending/send", data={"csrf": form["csrf"]}).status_code == 403
    )
    sent = console.post("/fylker/46/innsending/send", data={"csrf": form["csrf"]})
    assert sent.status_code == 503  # Temporal does not answer here: said, and nothing kept
    assert "En tjeneste konsollet trenger svarer ikke nå." in sent.text
    assert list((load_settings().data_dir / "uploads").iterdir()) == []
    again = console.post("/fylker/46/innsending/send", data={"csrf": form["csrf"]})
    assert again.status_code == 409


def test_a_document_not_published_is_a_404_in_bokmal(console: TestClient) -> None:
    answer = console.get("/protokoller/meeting-hovedstyret-2028-2032-01")
    assert answer.status_code == 404
    assert "Dokumentet finnes ikke" in answer.text


def test_a_csv_cell_is_never_a_formula() -> None:
    from web.console import csv_cell as _cell

    assert [_cell(v) for v in ("=1+1", "+A1", "-2", "@x", "Kari", 3)] == [
        "'=1+1", "'+A1", "'-2", "'@x", "Kari", 3,
    ]  # fmt: skip


def test_an_auditor_sees_the_seats_with_their_evidence_and_exports_them(
    console: TestClient, engine: Engine
) -> None:
    records = RecordActivities(engine)
    records.record_people(people("p-1", "p-2"))
    records.record_seats(RecordSeatsRequest(
        idempotency_key="seats", seats=(seat("p-1", "leader"), seat("p-2")),
    ))  # fmt: skip
    api = console.get("/api/audit/seats?organ=county_board:46&term=2028-2032",
                      headers=token(engine, "revisor"))  # fmt: skip
    assert api.status_code == 200, api.text
    rows = api.json()["rows"]
    assert [(r["person_id"], r["role"]) for r in rows] == [("p-1", "leader"), ("p-2", "member")]
    assert all(r["source"] for r in rows)  # the evidence of each fact
    login(console, "revisor")
    page = console.get("/revisjon/seter?organ=county_board:46&term=2028-2032")
    assert page.status_code == 200
    assert '<th scope="col">person-id</th>' in page.text
    assert "<td>Navn p-1</td>" in page.text
    person = console.get("/revisjon/person?name=p-2")
    assert "<td>Navn p-2</td>" in person.text
    assert console.get("/revisjon/ukjent").status_code == 404
    assert console.get("/revisjon/person.csv").status_code == 400
    timeline = console.get("/api/audit/timeline?term=2028-2032")
    assert timeline.status_code == 200, timeline.text
    assert timeline.json()["rows"]
    exported = console.get("/revisjon/seter.csv?organ=county_board:46&term=2028-2032")
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    lines = exported.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("organ;term;person_id;name;role")
    assert len(lines) == 3


def test_the_term_and_county_pages_say_when_temporal_does_not_answer_and_who_may_see_them(
    console: TestClient,
) -> None:
    login(console, "vestland")
    assert console.get("/perioder/2027").status_code == 403  # the whole term: not a county's
    own = console.get("/fylker/46?year=2027")
    assert own.status_code == 503
    assert "En tjeneste konsollet trenger svarer ikke nå." in own.text
    assert console.get("/fylker/03?year=2027").status_code == 403
    assert console.get("/fylker/46").status_code == 200  # the form, nothing asked yet
    bad = console.get("/fylker/46?year=abc")
    assert bad.status_code == 422
    assert "Forespørselen er ikke gyldig" in bad.text
    api = console.get("/api/terms/abc/status", headers={"Authorization": "Bearer x"})
    assert api.status_code in (401, 422)


def test_the_secretariat_sees_a_dry_run_before_a_term_starts(
    console: TestClient, engine: Engine
) -> None:
    login(console, "vestland")
    assert console.get("/perioder/ny").status_code == 403
    accounts.add(engine, "sekretariat", "secretariat", PASSWORD)
    login(console, "sekretariat")
    page = console.get("/perioder/ny")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    too_soon = console.post("/perioder/ny/start", data={"csrf": csrf.group(1)})
    assert too_soon.status_code == 409  # no dry run seen: nothing started
    dry = console.post("/perioder/ny", data={"year": "2027", "csrf": csrf.group(1)})
    assert dry.status_code == 200
    assert "Prøvekjøring for valgåret 2027" in dry.text
    assert "372 varsler går ut" in dry.text
    assert "Ingenting er startet eller sendt ennå." in dry.text
    started = console.post("/perioder/ny/start", data={"csrf": csrf.group(1)})
    assert started.status_code == 503  # Temporal does not answer here
    assert console.post("/perioder/ny/start", data={"csrf": csrf.group(1)}).status_code == 409
