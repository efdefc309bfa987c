"""Minutes and election protocols as documents, on SQLite and PostgreSQL: what the record store
holds, in bokmål, as HTML and PDF; and the publishing server, which gives out published minutes
and protocols only, where the minutes notice links."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from activities.meetings import MeetingActivities
from activities.records import RecordActivities
from client.errors import UserError
from models import ids
from models.meeting_payloads import (
    AgendaItemIn,
    AttendanceRow,
    DecisionIn,
    RecordAttendanceRequest,
    RecordDecisionsRequest,
    RecordMeetingRequest,
    RecordMinutesRequest,
)
from models.payloads import ElectionRecord, RecordElectionRequest
from models.records import Person
from service import documents, governance
from tests.conftest import free_port

MID = "meeting-county_board:46-2028-2032-03"
STARTS = datetime(2028, 6, 1, 8, tzinfo=UTC)
NOW = datetime(2028, 7, 1, 12, tzinfo=UTC)
PEOPLE = {"p-1": "Kari Nordmann", "p-2": "Ola Nordmann", "p-3": "Anne Berg", "p-4": "Per Olsen"}


def add_people(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        for pid, name in PEOPLE.items():
            session.add(Person(person_id=pid, name=name, gender="female", email=f"{pid}@x.no"))


def held_meeting(engine: Engine, published: bool) -> None:
    acts = MeetingActivities(engine)
    acts.record_meeting(RecordMeetingRequest(
        idempotency_key=f"{MID}/meeting", meeting_id=MID, organ="county_board:46",
        term="2028-2032", starts_at=STARTS, status="held",
        agenda=(AgendaItemIn(number=1, title="Budsjett 2029"),
                AgendaItemIn(number=2, title="Regional strategikonferanse")),
    ))  # fmt: skip
    acts.record_attendance(RecordAttendanceRequest(
        idempotency_key=f"{MID}/attendance", meeting_id=MID, members=3, voting_present=2,
        quorum=True, rows=(AttendanceRow(person_id="p-1", present=True),
                           AttendanceRow(person_id="p-2", present=False),
                           AttendanceRow(person_id="p-3", present=True, as_deputy_for="p-2")),
    ))  # fmt: skip
    acts.record_decisions(RecordDecisionsRequest(
        idempotency_key=f"{MID}/decisions", meeting_id=MID,
        decisions=(DecisionIn(item_number=1, text="Budsjettet vedtas <som foreslått>",
                              votes={"for": 2, "against": 1, "blank": 0}),),
    ))  # fmt: skip
    acts.record_minutes(RecordMinutesRequest(
        idempotency_key=f"{MID}/minutes", meeting_id=MID,
        text="Møtet ble ledet av leder.\n\nMøtet ble hevet kl. 11.",
    ))  # fmt: skip
    if published:
        acts.record_minutes(RecordMinutesRequest(
            idempotency_key=f"{MID}/minutes/published", meeting_id=MID,
            approved_at=NOW, published_at=NOW,
        ))  # fmt: skip


def election(
    engine: Engine, method: str, inputs: dict[str, Any], outcome: dict[str, Any], name: str = ""
) -> str:
    key = f"term-2027/county-46/{name or method}/round-1"
    RecordActivities(engine).record_election(RecordElectionRequest(
        idempotency_key=key, election=ElectionRecord(
            election_id=key, term="2028-2032", organ="county_board:46", post="leader",
            method=method, inputs=inputs, outcome=outcome, decided_at=STARTS),  # type: ignore[arg-type]
    ))  # fmt: skip
    return key


def test_the_minutes_say_who_attended_what_was_decided_and_whether_approved(
    engine: Engine,
) -> None:
    add_people(engine)
    held_meeting(engine, published=False)
    draft = documents.minutes_document(engine, MID, NOW)
    assert not draft.public
    html = draft.html
    assert '<html lang="nb">' in html
    assert "<h1>Protokoll fra møte i Fylkesstyret i KS Vestland</h1>" in html
    assert "Utkast: protokollen er ikke godkjent." in html
    assert "<li>Anne Berg (vara for Ola Nordmann)</li>" in html
    assert "<h2>Forfall</h2>\n<ul>\n<li>Ola Nordmann</li>" in html
    assert "Budsjettet vedtas &lt;som foreslått&gt;" in html  # escaped, never markup
    assert '<tr><th scope="row">Mot</th><td class="tall">1</td></tr>' in html
    assert "Sak 2: Regional strategikonferanse</h3>\n<p>Ingen vedtak er ført.</p>" in html
    assert "<p>Møtet ble hevet kl. 11.</p>" in html
    held_meeting(engine, published=True)
    final = documents.minutes_document(engine, MID, NOW)
    assert final.public
    assert "Godkjent 01.07.2028 kl. 14.00, publisert 01.07.2028 kl. 14.00." in final.html
    assert final.content("pdf").startswith(b"%PDF-")


def test_a_protocol_names_the_votes_the_elected_and_the_deputies(engine: Engine) -> None:
    add_people(engine)
    majority = election(engine, "majority", {"candidates": ["p-1", "p-2"],
                                             "votes": {"p-1": 17, "p-2": 13}},
                        {"elected": ["p-1"], "deputies": []})  # fmt: skip
    html = documents.protocol_document(engine, majority, NOW).html
    assert "Valg av leder i Fylkesstyret i KS Vestland for perioden 2028–2032" in html
    assert "Valgform: flertallsvalg" in html
    assert '<tr><th scope="row">Kari Nordmann</th><td class="tall">17</td></tr>' in html
    assert "<ol>\n<li>Kari Nordmann</li>\n</ol>" in html
    inputs = {"lists": {"A": ["p-1", "p-3"], "B": ["p-2"]}, "votes": {"A": 18, "B": 11}}
    outcome = {"elected": ["p-1", "p-2"], "deputies": ["p-3"], "drawn_by_lot": ["p-2"]}
    lists = election(engine, "proportional", inputs, outcome)
    html = documents.protocol_document(engine, lists, NOW).html
    assert "<td>Kari Nordmann, Anne Berg</td>" in html
    assert "Vara, i rekkefølge:" in html
    assert "Avgjort ved loddtrekning: Ola Nordmann." in html
    agreed = election(engine, "agreed", {"list": ["p-1", "p-4"], "votes_against": 2},
                      {"rejected": True})  # fmt: skip
    html = documents.protocol_document(engine, agreed, NOW).html
    assert "Felles innstilling (avtalevalg): Kari Nordmann, Per Olsen." in html
    assert "ikke vedtatt" in html
    tie = election(engine, "majority", {"candidates": ["p-1", "p-2"], "votes": {}},
                   {"lot_needed": ["p-1", "p-2"]}, "tie")  # fmt: skip
    assert "Stemmelikhet mellom Kari Nordmann og Ola Nordmann" in (
        documents.protocol_document(engine, tie, NOW).html
    )


@pytest.mark.parametrize(
    ("call", "key", "words"),
    [
        (documents.minutes_document, "meeting-nobody-2028-2032-01", "no meeting"),
        (documents.minutes_document, "../etc/passwd", "is not a meeting id"),
        (documents.protocol_document, "term-2027/x/leader/round-1", "no election"),
        (documents.protocol_document, "a b", "is not an election id"),
    ],
)
def test_an_unknown_or_malformed_key_is_one_line(
    engine: Engine, call: Any, key: str, words: str
) -> None:
    with pytest.raises(UserError, match=words):
        call(engine, key, NOW)


@pytest.fixture
def published(sqlite_engine: Engine) -> Iterator[str]:
    """The publishing server on a record store with published minutes and one protocol."""
    add_people(sqlite_engine)
    held_meeting(sqlite_engine, published=True)
    election(sqlite_engine, "majority", {"candidates": ["p-1"], "votes": {"p-1": 3}},
             {"elected": ["p-1"]})  # fmt: skip
    server = documents.publishing_server(sqlite_engine, "127.0.0.1", free_port())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers["Content-Type"], refused.read()


def test_the_server_publishes_where_the_minutes_notice_links(published: str) -> None:
    status, kind, body = get(ids.minutes_url(published, MID))
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert "Protokoll fra møte i Fylkesstyret i KS Vestland" in body.decode()
    status, kind, body = get(ids.minutes_url(published, MID) + ".pdf")
    assert (status, kind) == (200, "application/pdf")
    assert body.startswith(b"%PDF-")
    status, _, body = get(f"{published}/valg/term-2027/county-46/majority/round-1")
    assert status == 200
    assert "Valgprotokoll" in body.decode()


@pytest.mark.parametrize(
    "path",
    ["/", "/protokoller/meeting-nobody-2028-2032-01", "/protokoller/..%2F..%2Fetc%2Fpasswd",
     "/valg/term-2027/x/leader/round-1", "/audit", "/protokoller/" + "a" * 5000],
)  # fmt: skip
def test_anything_else_is_a_404_in_bokmal(published: str, path: str) -> None:
    status, kind, body = get(published + path)
    assert (status, kind) == (404, "text/html; charset=utf-8")
    assert "Fant ikke dokumentet" in body.decode()


def test_unpublished_minutes_are_not_served(sqlite_engine: Engine) -> None:
    add_people(sqlite_engine)
    held_meeting(sqlite_engine, published=False)
    assert documents.published(sqlite_engine, f"/protokoller/{MID}") is None


def test_an_organ_before_the_first_bylaws_is_titled_by_the_first() -> None:
    # The shipped bylaws begin in 2024; a protocol of an election decided in 2023 needs its
    # organ's title too (without one, /valg/... cannot be published).
    first = min(b.effective_from for b in governance.all_bylaws())
    before = first.replace(year=first.year - 1)
    assert documents.organ_title("hovedstyret", before) == documents.organ_title(
        "hovedstyret", first
    )
    assert documents.organ_title("county_board:46", before) == "Fylkesstyret i KS Vestland"
