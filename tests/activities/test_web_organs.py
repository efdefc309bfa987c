"""The organs', meetings' and a member's own pages and API in process, on SQLite and
PostgreSQL: seats on a day, a meeting in full, the month's calendar, and who may read what (a
county its own county's organs, a member their own meetings), with bad input refused in
bokmål and nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from temporalio.testing import ActivityEnvironment

from activities.meetings import MeetingActivities
from activities.notify import NotificationActivities
from activities.records import RecordActivities
from models.meeting_payloads import (
    AgendaItemIn,
    AttendanceRow,
    DecisionIn,
    RecordAttendanceRequest,
    RecordDecisionsRequest,
    RecordMeetingRequest,
    RecordMinutesRequest,
)
from models.payloads import (
    ElectionRecord,
    EndSeatRequest,
    NotifyRequest,
    Recipient,
    RecordElectionRequest,
    RecordEventRequest,
    RecordSeatsRequest,
)
from models.records import AuditEntry
from notices.mailer import SmtpConfig
from service import accounts
from tests.activities.conftest import people, seat
from tests.activities.web_support import PASSWORD, console_client, login, token
from tests.conftest import SmtpServer

BOARD = "county_board:46"
TERM = "2024-2028"
MARCH = f"meeting-{BOARD}-{TERM}-03"  # p-2 absent, p-5 called in; minutes approved
SEPTEMBER = f"meeting-{BOARD}-{TERM}-04"  # after p-2 left the board
NATIONAL = f"meeting-hovedstyret-{TERM}-05"
LEADER_ELECTION = "term-2023/county-46/board-leader/round-1"


@pytest.fixture
def console(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    accounts.add(engine, "vestland", "county", PASSWORD, county="46")
    accounts.add(engine, "revisor", "auditor", PASSWORD)
    accounts.add(engine, "vara", "member", PASSWORD, person="p-5")
    accounts.add(engine, "tidligere", "member", None, person="p-2")  # a token only
    with console_client(monkeypatch, database_url) as client:
        yield client


def audit_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(AuditEntry)).one())


def record_board(engine: Engine) -> None:
    """Vestland's board: p-1 leader (elected), p-2 member until 1 June 2026, then p-3; p-5
    first deputy; and p-4 in Hovedstyret."""
    records = RecordActivities(engine)
    records.record_people(people("p-1", "p-2", "p-3", "p-4", "p-5"))
    leader = ElectionRecord.model_validate({
        "election_id": LEADER_ELECTION, "term": TERM, "organ": BOARD, "post": "leader",
        "method": "majority", "inputs": {"candidates": ["p-1"], "votes": {"p-1": 20}},
        "outcome": {"elected": ["p-1"]}, "decided_at": datetime(2024, 1, 10, 12, tzinfo=UTC),
    })  # fmt: skip
    records.record_election(RecordElectionRequest(idempotency_key="leader", election=leader))
    begun: dict[str, Any] = {"term": TERM, "from_date": date(2023, 11, 15)}
    records.record_seats(RecordSeatsRequest(idempotency_key="seats/board", seats=(
        seat("p-1", "leader", election_id=LEADER_ELECTION, obtained_by="majority", **begun),
        seat("p-2", **begun), seat("p-5", "deputy", rank=1, **begun),
        seat("p-4", organ="hovedstyret", term=TERM, from_date=date(2024, 2, 14)),
    )))  # fmt: skip
    records.end_seat(EndSeatRequest(
        idempotency_key="end/p-2", organ=BOARD, term=TERM, person_id="p-2", role="member",
        ended_on=date(2026, 6, 1), reason="flyttet fra fylket",
    ))  # fmt: skip
    records.record_seats(RecordSeatsRequest(idempotency_key="seats/p-3", seats=(
        seat("p-3", term=TERM, from_date=date(2026, 6, 1), obtained_by="supplementary"),
    )))  # fmt: skip


def record_meetings(engine: Engine) -> None:
    """Three meetings: the board's in March 2026 (held, minutes approved and published) and
    September 2026 (planned), Hovedstyret's in March 2026."""
    acts = MeetingActivities(engine)
    for key, organ, starts in (
        (MARCH, BOARD, datetime(2026, 3, 12, 9, tzinfo=UTC)),
        (SEPTEMBER, BOARD, datetime(2026, 9, 10, 8, tzinfo=UTC)),
        (NATIONAL, "hovedstyret", datetime(2026, 3, 31, 22, 30, tzinfo=UTC)),  # 1 April in Oslo
    ):
        acts.record_meeting(RecordMeetingRequest(
            idempotency_key=f"{key}/meeting/1", meeting_id=key, organ=organ, term=TERM,
            starts_at=starts, status="held" if key == MARCH else "planned",
            agenda=(AgendaItemIn(number=1, title="Budsjett 2027"),
                    AgendaItemIn(number=2, title="Høring om kommunereformen")),
        ))  # fmt: skip
    RecordActivities(engine).record_event(RecordEventRequest(
        idempotency_key=f"{MARCH}/deputy/p-5", action="deputy_called_in", subject=MARCH,
        content={"member": "p-2", "deputy": "p-5"},
    ))  # fmt: skip
    acts.record_attendance(RecordAttendanceRequest(
        idempotency_key=f"{MARCH}/attendance", meeting_id=MARCH, members=2, voting_present=2,
        quorum=True, rows=(AttendanceRow(person_id="p-1", present=True),
                           AttendanceRow(person_id="p-2", present=False),
                           AttendanceRow(person_id="p-5", present=True, as_deputy_for="p-2")),
    ))  # fmt: skip
    acts.record_decisions(RecordDecisionsRequest(
        idempotency_key=f"{MARCH}/decisions", meeting_id=MARCH,
        decisions=(DecisionIn(item_number=1, text="Budsjettet er vedtatt.", votes={"for": 2}),),
    ))  # fmt: skip
    approved = datetime(2026, 4, 20, 10, tzinfo=UTC)
    acts.record_minutes(RecordMinutesRequest(
        idempotency_key=f"{MARCH}/minutes", meeting_id=MARCH, text="Protokoll.",
        approved_at=approved, published_at=approved,
    ))  # fmt: skip


def send_reminder(engine: Engine, smtp: SmtpServer) -> None:
    """A reminder of the March meeting to p-5, over a real SMTP server."""
    notifier = NotificationActivities(engine, SmtpConfig(host="127.0.0.1", port=smtp.port))
    request = NotifyRequest(
        purpose="reminder", subject_key=f"{MARCH}/reminder/2026-03-12/7d",
        recipients=(Recipient(recipient_id="p-5", email="p5@example.org", name="Navn p-5"),),
        context={"organ_title": "Fylkesstyret i KS Vestland",
                 "starts_at": "2026-03-12T10:00:00+01:00", "place": "Bergen"},
    )  # fmt: skip
    assert ActivityEnvironment().run(notifier.notify, request).sent == 1
    assert len(smtp.received) == 1


@pytest.fixture
def recorded(console: TestClient, engine: Engine, smtp: SmtpServer) -> TestClient:
    record_board(engine)
    record_meetings(engine)
    send_reminder(engine, smtp)
    return console


def names(seats: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(s["person_id"], s["role"]) for s in seats]


def test_the_seats_on_a_day_before_and_after_a_seat_ends_show_different_holders(
    recorded: TestClient, engine: Engine
) -> None:
    headers = token(engine, "vestland")
    before = recorded.get(f"/api/organs/{BOARD}/seats?date=2026-05-31", headers=headers)
    assert before.status_code == 200, before.text
    assert names(before.json()["seats"]) == [("p-1", "leader"), ("p-2", "member"),
                                             ("p-5", "deputy")]  # fmt: skip
    after = recorded.get(f"/api/organs/{BOARD}/seats?date=2026-06-01", headers=headers)
    assert names(after.json()["seats"]) == [("p-1", "leader"), ("p-3", "member"),
                                            ("p-5", "deputy")]  # fmt: skip
    leader = after.json()["seats"][0]
    assert leader["protocol"] == f"/valg/{LEADER_ELECTION}"
    assert recorded.get(leader["protocol"]).status_code == 200  # the protocol is published
    assert after.json()["title"] == "Fylkesstyret i KS Vestland"
    listed = recorded.get("/api/organs", headers=headers).json()["organs"]
    assert [(o["organ"], o["terms"]) for o in listed] == [(BOARD, [TERM])]  # not Hovedstyret
    login(recorded, "vestland")
    page = recorded.get(f"/organer/{BOARD}?dato=2026-05-31")
    assert page.status_code == 200
    assert "<td>Navn p-2</td>" in page.text
    assert "<td>Navn p-3</td>" not in page.text
    assert '<th scope="col">Valgprotokoll</th>' in page.text
    assert f'href="/valg/{LEADER_ELECTION}"' in page.text
    assert "Navn p-3" in recorded.get(f"/organer/{BOARD}?dato=2026-06-01").text
    early = recorded.get(f"/organer/{BOARD}?dato=2023-11-20")  # before the bylaws shipped
    assert early.status_code == 200
    assert "<h1>Fylkesstyret i KS Vestland</h1>" in early.text


def test_a_meeting_shows_its_agenda_an_absence_with_its_deputy_attendance_and_minutes(
    recorded: TestClient, engine: Engine
) -> None:
    answer = recorded.get(f"/api/meetings/{MARCH}", headers=token(engine, "revisor"))
    assert answer.status_code == 200, answer.text
    meeting = answer.json()
    assert meeting["starts_at"] == "2026-03-12T10:00:00+01:00"  # Oslo time
    assert [a["title"] for a in meeting["agenda"]] == ["Budsjett 2027", "Høring om kommunereformen"]
    assert meeting["agenda"][0]["decision"] == "Budsjettet er vedtatt."
    assert meeting["absences"] == [{"member": "Navn p-2", "deputy_called": "Navn p-5"}]
    assert meeting["present"] == [{"name": "Navn p-1", "deputy_for": ""},
                                  {"name": "Navn p-5", "deputy_for": "Navn p-2"}]  # fmt: skip
    assert meeting["minutes"]["approved_at"] == "2026-04-20T12:00:00+02:00"
    assert meeting["minutes"]["url"] == f"/protokoller/{MARCH}"
    assert [(n["purpose"], n["messages"], n["sent"]) for n in meeting["notices"]] == [
        ("reminder", 1, 1)
    ]
    login(recorded, "revisor")
    page = recorded.get(f"/moter/{MARCH}")
    assert page.status_code == 200
    assert page.text.count("<h1>") == 1
    for shown in ("12.03.2026 kl. 10.00", "<td>Høring om kommunereformen</td>",
                  "<td>Navn p-2</td><td>Navn p-5</td>", "Protokollen ble godkjent 20.04.2026",
                  f'href="/protokoller/{MARCH}"', "<td>påminnelse</td>"):  # fmt: skip
        assert shown in page.text, shown
    assert recorded.get(f"/protokoller/{MARCH}").status_code == 200
    unapproved = recorded.get(f"/moter/{SEPTEMBER}").text
    assert "Protokollen er ikke skrevet ennå." in unapproved
    assert "Ingen forfall er meldt." in unapproved


def test_the_month_filter_lists_the_meetings_of_that_month_in_oslo_time(
    recorded: TestClient, engine: Engine
) -> None:
    headers = token(engine, "revisor")

    def listed(query: str) -> list[str]:
        answer = recorded.get(f"/api/meetings?{query}", headers=headers)
        assert answer.status_code == 200, answer.text
        return [m["meeting_id"] for m in answer.json()["meetings"]]

    assert listed("month=2026-03") == [MARCH]  # Hovedstyret's is 1 April in Oslo, not March
    assert listed("month=2026-04") == [NATIONAL]
    assert listed("month=2026-09") == [SEPTEMBER]
    assert listed(f"month=2026-03&organ={BOARD}") == [MARCH]
    assert listed("month=2026-04&organ=county_board:46") == []
    assert listed("month=2026-02") == []
    login(recorded, "revisor")
    page = recorded.get("/moter?maned=2026-09")
    assert page.status_code == 200
    assert "Møter i september 2026" in page.text
    assert "<td>planlagt</td>" in page.text
    assert f'href="/moter/{SEPTEMBER}"' in page.text
    assert MARCH not in page.text
    assert 'href="/moter?maned=2026-10"' in page.text


def test_a_county_user_is_refused_another_countys_board_and_a_national_organ(
    recorded: TestClient, engine: Engine
) -> None:
    headers = token(engine, "vestland")
    refused = (
        "/api/organs/county_board:03/seats", "/api/organs/hovedstyret/seats",
        f"/api/meetings/{NATIONAL}", "/api/meetings?organ=hovedstyret",
        "/api/meetings/meeting-county_board:03-2024-2028-01", "/api/me/meetings",
    )  # fmt: skip
    for path in refused:
        answer = recorded.get(path, headers=headers)
        assert answer.status_code == 403, path
        assert answer.json()["detail"] == "Du har ikke tilgang til dette."
    own = recorded.get("/api/meetings?month=2026-04", headers=headers).json()["meetings"]
    assert own == []  # Hovedstyret's April meeting is not listed for a county
    assert recorded.get(f"/api/meetings/{MARCH}", headers=headers).status_code == 200
    login(recorded, "vestland")
    refused = recorded.get("/organer/hovedstyret")
    assert refused.status_code == 403
    assert "Du har ikke tilgang til dette." in refused.text
    assert "Navn p-4" not in refused.text


def test_a_member_sees_their_own_meetings_and_notices_and_no_other_organs(
    recorded: TestClient, engine: Engine
) -> None:
    headers = token(engine, "vara")
    mine = recorded.get("/api/me/meetings", headers=headers)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert (body["person_id"], body["name"]) == ("p-5", "Navn p-5")
    assert [(s["organ"], s["role"]) for s in body["seats"]] == [(BOARD, "deputy")]
    assert [m["meeting_id"] for m in body["meetings"]] == [SEPTEMBER, MARCH]
    assert body["meetings"][1]["minutes"] == f"/protokoller/{MARCH}"
    [notice] = body["notices"]
    assert (notice["purpose"], notice["status"]) == ("reminder", "sent")
    assert notice["sent_at"] is not None
    assert recorded.get(f"/api/meetings/{MARCH}", headers=headers).status_code == 200
    assert recorded.get(f"/api/meetings/{NATIONAL}", headers=headers).status_code == 403
    assert recorded.get("/api/meetings?organ=hovedstyret", headers=headers).status_code == 403
    assert recorded.get("/api/organs", headers=headers).status_code == 403
    april = recorded.get("/api/meetings?month=2026-04", headers=headers).json()["meetings"]
    assert april == []
    former = token(engine, "tidligere")  # p-2 left the board on 1 June 2026
    assert recorded.get(f"/api/meetings/{MARCH}", headers=former).status_code == 200
    assert recorded.get(f"/api/meetings/{SEPTEMBER}", headers=former).status_code == 403
    assert recorded.get("/api/me/meetings", headers=former).json()["seats"] == []
    login(recorded, "vara")
    page = recorded.get("/mine")
    assert page.status_code == 200
    shown_all = (
        "<h1>Mine møter og dokumenter</h1>", "<td>varamedlem (1)</td>", "<td>påminnelse</td>",
        "<td>levert</td>", f'href="/protokoller/{MARCH}"',
    )  # fmt: skip
    for shown in shown_all:
        assert shown in page.text, shown
    assert 'href="/mine"' in recorded.get("/").text
    assert recorded.get(f"/moter/{NATIONAL}").status_code == 403


BAD_REQUESTS = (
    (f"/api/organs/{BOARD}/seats?date=2026-13-01", "Datoen må skrives ÅÅÅÅ-MM-DD"),
    (f"/api/organs/{BOARD}/seats?date=31.05.2026", "Datoen må skrives ÅÅÅÅ-MM-DD"),
    (f"/api/organs/{BOARD}/seats?date=1899-01-01", "Datoen må skrives ÅÅÅÅ-MM-DD"),
    ("/api/meetings?month=2026-3", "Måneden må skrives ÅÅÅÅ-MM"),
    ("/api/meetings?month=2026-13", "Måneden må skrives ÅÅÅÅ-MM"),
    ("/api/meetings?organ=DROP%20TABLE", "Organet er ikke gyldig"),
    (f"/api/organs/{'x' * 300}/seats", "Organet er ikke gyldig"),
    (f"/api/meetings/meeting-{'x' * 300}-2024-2028-01", "Møte-id-en er ikke gyldig"),
    ("/api/meetings/not-a-meeting", "Møte-id-en er ikke gyldig"),
    (f"/api/meetings?month={'9' * 500}", "Forespørselen er ikke gyldig"),
)


def test_bad_dates_months_and_ids_are_refused_in_bokmal_changing_nothing(
    recorded: TestClient, engine: Engine
) -> None:
    headers = token(engine, "revisor")
    before = audit_count(engine)
    for path, words in BAD_REQUESTS:
        answer = recorded.get(path, headers=headers)
        assert answer.status_code == 422, (path, answer.text)
        assert words in answer.json()["detail"], path
    assert audit_count(engine) == before


def test_what_is_not_recorded_is_a_404_in_bokmal(recorded: TestClient, engine: Engine) -> None:
    headers = token(engine, "revisor")
    for path in ("/api/organs/landsstyret/seats", f"/api/meetings/meeting-{BOARD}-{TERM}-09"):
        answer = recorded.get(path, headers=headers)
        assert answer.status_code == 404, path
        assert answer.json()["detail"] == "Det finnes ikke i registeret."
    login(recorded, "revisor")
    page = recorded.get("/organer/county_board:46?dato=2026-02-30")
    assert page.status_code == 422
    assert "Datoen må skrives" in page.text
    assert recorded.get("/organer").status_code == 200
