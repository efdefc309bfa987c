"""The term's dashboard with its alerts, and the Landsting's page, in process on SQLite and
PostgreSQL with Temporal unreachable: the alerts and the Landsting's record come from the
record store, the pages say that the stages cannot be read, a county user is refused, and a
year without a term is a 4xx in bokmål."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from activities.records import RecordActivities
from domain.bylaws import ElectionMethod
from models.election_payloads import ProcessStatus
from models.payloads import (
    ElectionRecord,
    RecordElectionRequest,
    RecordEventRequest,
    RecordSeatsRequest,
)
from service import accounts
from service import alerts as alert_service
from store import outbox
from store.outbox import Slot
from tests.activities.conftest import people, seat
from tests.activities.web_support import (
    PASSWORD,
    assert_forbidden,
    console_client,
    login,
    token,
)

DEADLINE = datetime(2027, 11, 1, 12, 0, tzinfo=UTC)
PAGES = ("/perioder/2027", "/perioder/2027/landsting")
APIS = ("/api/terms/2027/alerts", "/api/terms/2027/landsting")


@pytest.fixture
def console(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    accounts.add(engine, "vestland", "county", PASSWORD, county="46")
    accounts.add(engine, "revisor", "auditor", PASSWORD)
    with console_client(monkeypatch, database_url) as client:
        yield client


def notice(recipient: str, subject: str) -> Slot:
    key = outbox.outbox_key("county_meeting_notice", recipient, subject)
    return Slot(key, "county_meeting_notice", recipient, subject, DEADLINE)


def write_notices(engine: Engine) -> None:
    """A failed notice (p-1), one sent a day late (p-2), one sent in time (p-3), and a failed
    one of another term (p-3): only the first two are the term's alerts."""
    RecordActivities(engine).record_people(people("p-1", "p-2", "p-3"))
    failed = notice("p-1", "term-2027/county-46/notice")
    late = notice("p-2", "term-2027/county-46/notice")
    in_time = notice("p-3", "term-2027/county-46/notice")
    other_term = notice("p-3", "term-2031/county-46/notice")
    outbox.ensure_queued(engine, [failed, late, in_time, other_term], "test")
    outbox.mark_failed(engine, failed, "test", 550, "mailbox unavailable")
    outbox.mark_failed(engine, other_term, "test", 550, "mailbox unavailable")
    outbox.mark_sent(engine, late, "test", clock=lambda: DEADLINE + timedelta(days=1))
    outbox.mark_sent(engine, in_time, "test", clock=lambda: DEADLINE - timedelta(days=1))


def test_the_dashboard_lists_a_failed_and_a_late_notice_while_temporal_does_not_answer(
    console: TestClient, engine: Engine
) -> None:
    write_notices(engine)
    login(console, "revisor")
    page = console.get("/perioder/2027")
    assert page.status_code == 200, page.text
    assert "<h1>Perioden 2028-2032</h1>" in page.text
    assert "Arbeidsflytenes stadier kan ikke leses nå" in page.text
    rows = sorted(re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>", page.text), key=lambda r: r[1])
    assert rows == [
        ("Innkallingen til fylkesmøtet kunne ikke leveres (1 forsøk).", "Navn p-1"),
        ("Innkallingen til fylkesmøtet ble sendt for sent, fristen var 2027-11-01 12:00 UTC.",
         "Navn p-2"),
    ]  # fmt: skip
    assert "Navn p-3" not in page.text
    assert "@example.org" not in page.text  # a name, never an address
    assert '<a href="/revisjon/person?name=p-1">' in page.text
    evidence = console.get("/revisjon/person?name=p-1")  # the link leads to the evidence
    assert evidence.status_code == 200
    assert "county_meeting_notice about term-2027/county-46/notice" in evidence.text


def test_the_api_lists_the_same_alerts_as_json(console: TestClient, engine: Engine) -> None:
    write_notices(engine)
    answer = console.get("/api/terms/2027/alerts", headers=token(engine, "revisor"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["term"] == "2028-2032"
    assert body["stages_read"] is False
    found = sorted(body["alerts"], key=lambda a: a["kind"])
    assert [(a["kind"], a["whom"], a["evidence"]) for a in found] == [
        ("failed", "Navn p-1", "/revisjon/person?name=p-1"),
        ("late", "Navn p-2", "/revisjon/person?name=p-2"),
    ]
    assert found[1]["when"] == "2027-11-02T12:00Z"  # when it was sent, a day late
    assert found[0]["what"] == "Innkallingen til fylkesmøtet kunne ikke leveres (1 forsøk)."


def test_a_county_meeting_past_its_deadline_is_an_alert_naming_what_it_still_owes(
    engine: Engine,
) -> None:
    status = ProcessStatus(
        workflow_id="county-meeting-2027-46", stage="awaiting_representatives",
        awaiting=("representatives of Bergen", "representatives of Voss", "the meeting date",
                  "votes for leader (round 2)"),
        deadline=DEADLINE,
    )  # fmt: skip
    done = status.model_copy(update={"workflow_id": "county-meeting-2027-03", "stage": "done"})
    found = alert_service.alerts(engine, 2027, counties={"46": status, "03": done},
                                 now=DEADLINE + timedelta(hours=1))  # fmt: skip
    assert [(a.kind, a.whom, a.what) for a in found] == [
        ("deadline", "KS Vestland",
         "Fylkesmøtet i Vestland har passert fristen og venter fortsatt på representanter fra "
         "Bergen og Voss, møtedatoen, stemmer i valget av leder, 2. runde."),
    ]  # fmt: skip
    assert alert_service.alerts(engine, 2027, counties={"46": status},
                                now=DEADLINE - timedelta(hours=1)) == []  # fmt: skip


def test_the_landsting_page_lists_the_credentials_and_an_election_as_counted(
    console: TestClient, engine: Engine
) -> None:
    records = RecordActivities(engine)
    records.record_people(people("p-1", "p-2", "p-3"))
    delegates = tuple(
        seat(p, organ="landsting", group=f"county-{c}/A", from_date=date(2027, 11, 20))
        for p, c in (("p-1", "46"), ("p-2", "46"), ("p-3", "03"))
    )
    records.record_seats(RecordSeatsRequest(idempotency_key="delegates", seats=delegates))
    records.record_event(RecordEventRequest(
        idempotency_key="term-2027/landsting/credentials", action="credentials_approved",
        subject="term-2027/landsting", content={"approved": ["p-1", "p-3"]},
    ))  # fmt: skip
    election_id = "term-2027/landsting/leader/round-1"
    records.record_election(RecordElectionRequest(idempotency_key=election_id, election=(
        ElectionRecord(
            election_id=election_id, term="2028-2032", organ="hovedstyret", post="leader",
            method=ElectionMethod.MAJORITY, round=1, inputs={"candidates": ["p-1", "p-2"],
                                                "votes": {"p-1": 130, "p-2": 89}},
            outcome={"elected": ["p-1"]}, decided_at=datetime(2028, 2, 14, 11, tzinfo=UTC),
        )
    )))  # fmt: skip
    login(console, "revisor")
    page = console.get("/perioder/2027/landsting")
    assert page.status_code == 200, page.text
    assert "Landstingets stadium kan ikke leses nå" in page.text
    assert '<tr><th scope="row">03 Oslo</th><td>1</td><td>1</td></tr>' in page.text
    assert '<tr><th scope="row">46 Vestland</th><td>2</td><td>1</td></tr>' in page.text
    assert "<td>Hovedstyret</td><td>leder</td><td>flertallsvalg</td><td>1</td>" in page.text
    assert "<td>Navn p-1</td>" in page.text
    assert "<li>Navn p-1: 130</li><li>Navn p-2: 89</li>" in page.text
    assert f'<a href="/valg/{election_id}">' in page.text
    assert console.get(f"/valg/{election_id}").status_code == 200  # the protocol is published
    api = console.get("/api/terms/2027/landsting", headers=token(engine, "revisor")).json()
    assert api["stage"] is None  # Temporal does not answer here
    assert api["stages_read"] is False
    assert [(c["county"], c["delegates"], c["accredited"]) for c in api["credentials"]] == [
        ("03", 1, 1), ("46", 2, 1),
    ]  # fmt: skip
    [counted] = api["elections"]
    assert counted["elected"] == ["Navn p-1"]
    assert counted["votes"] == [["Navn p-1", 130], ["Navn p-2", 89]]


def test_a_county_user_is_refused_both_pages_and_both_api_paths(
    console: TestClient, engine: Engine
) -> None:
    assert_forbidden(console, engine, "vestland", APIS, PAGES)


@pytest.mark.parametrize(
    ("year", "status", "words"),
    [
        ("1800", 422, "Forespørselen er ikke gyldig"),
        ("abc", 422, "Forespørselen er ikke gyldig"),
        ("2026", 404, "Det finnes ingen periode for 2026"),
    ],
)
def test_a_year_without_a_term_is_refused_in_bokmal(
    console: TestClient, engine: Engine, year: str, status: int, words: str
) -> None:
    headers = token(engine, "revisor")
    for path in (f"/api/terms/{year}/alerts", f"/api/terms/{year}/landsting"):
        answer = console.get(path, headers=headers)
        assert answer.status_code == status, path
        assert words in answer.json()["detail"]
    login(console, "revisor")
    for path in (f"/perioder/{year}", f"/perioder/{year}/landsting"):
        page = console.get(path)
        assert page.status_code == status, path
        assert words in page.text
