"""Audit queries over a record store written by the real record and notify activities.

Each query runs on SQLite and PostgreSQL (`engine`); the CLI's JSON and CSV run on SQLite.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio.testing import ActivityEnvironment
from typer.testing import CliRunner

from activities.notify import NotificationActivities
from activities.records import RecordActivities
from cli.main import app
from client.errors import NotReachableError, UserError
from models.payloads import (
    ElectionRecord,
    EndSeatRequest,
    NotifyRequest,
    Recipient,
    RecordElectionRequest,
    RecordEventRequest,
    RecordSeatsRequest,
)
from models.records import Attendance, Meeting
from notices.mailer import SmtpConfig
from service import audit
from service.audit import events as audit_timeline
from service.audit import people as audit_person
from service.audit import queries as audit_queries
from service.audit.histories import from_record_store
from store import db
from tests.activities.conftest import people, seat
from tests.conftest import free_port

runner = CliRunner()
KEY = "term-2027/county-46"
WORKFLOW = "county-meeting-2027-46"


def in_workflow() -> ActivityEnvironment:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_id=WORKFLOW, workflow_run_id="run-1")
    return env


def election(
    post: str, method: str, inputs: dict[str, object], elected: list[str]
) -> RecordElectionRequest:
    record = ElectionRecord.model_validate(
        {
            "election_id": f"{KEY}/{post}/round-1", "term": "2028-2032",
            "organ": "county_board:46", "post": post, "method": method, "inputs": inputs,
            "outcome": {"elected": elected}, "decided_at": datetime(2027, 10, 20, 12, tzinfo=UTC),
        }
    )  # fmt: skip
    return RecordElectionRequest(idempotency_key=record.election_id, election=record)


def fill(engine: Engine, smtp_config: SmtpConfig) -> None:
    """A county meeting's results, a vacancy, an undelivered notice and two sent notices."""
    records, env = RecordActivities(engine), in_workflow()
    env.run(records.record_people, people("p-1", "p-2", "p-3", "p-4"))
    leader = election("leader", "majority", {"votes": {"p-1": 30, "p-2": 12}}, ["p-1"])
    members = election("members", "proportional", {"votes": {"A": 8, "B": 5}}, ["p-3", "p-4"])
    for request in (leader, members):
        env.run(records.record_election, request)
        eid = request.election.election_id
        chosen = request.election.outcome["elected"]
        role = "leader" if request.election.post == "leader" else "member"
        seats = tuple(
            seat(p, role, election_id=eid, obtained_by=request.election.method) for p in chosen
        )
        env.run(
            records.record_seats, RecordSeatsRequest(idempotency_key=f"{eid}/seats", seats=seats)
        )
    env.run(records.end_seat, EndSeatRequest(
        idempotency_key=f"{KEY}/p-3/vacated", organ="county_board:46", term="2028-2032",
        person_id="p-3", role="member", ended_on=date(2029, 3, 1), reason="flyttet",
    ))  # fmt: skip
    env.run(records.record_event, RecordEventRequest(
        idempotency_key=f"undelivered/{KEY}", action="notice_undelivered", subject=KEY,
        content={"purpose": "representatives_requested", "recipients": 1},
    ))  # fmt: skip
    notify = NotificationActivities(engine, smtp_config)
    env.run(notify.notify, NotifyRequest(
        purpose="representatives_requested", subject_key=f"{KEY}/member-4601",
        recipients=(Recipient(recipient_id="p-1", email="p-1@example.org", name="Navn p-1"),),
        context={"county": "Vestland", "term": "2028-2032", "representatives": 2, "member": "X"},
        deadline=datetime(2020, 1, 1, tzinfo=UTC),  # long past: delivered late
    ))  # fmt: skip


@pytest.fixture
def filled(engine: Engine, smtp_config: SmtpConfig) -> Engine:
    fill(engine, smtp_config)
    return engine


def test_seats_say_who_holds_each_seat_by_which_election_and_votes(filled: Engine) -> None:
    answer = audit_queries.seats(filled, "county_board:46", "2027")
    by_person = {f.person_id: f for f in answer.rows}
    assert set(by_person) == {"p-1", "p-3", "p-4"}
    leader = by_person["p-1"]
    assert (leader.role, leader.method, leader.round, leader.votes) == (
        "leader",
        "majority",
        1,
        "p-1=30 p-2=12",
    )
    assert leader.name == "Navn p-1"
    assert leader.source.startswith("record:seat#")
    assert f"record:election#{KEY}/leader/round-1" in leader.source
    assert leader.source.count("audit:seq ") == 2  # the seats entry and the election entry
    assert by_person["p-3"].ended_on == "2029-03-01"
    assert answer.header["term"] == "2028-2032"


def test_seats_on_a_date_leave_out_seats_that_had_ended(filled: Engine) -> None:
    before = audit_queries.seats(filled, "county_board:46", "2028-2032", date(2028, 6, 1))
    after = audit_queries.seats(filled, "county_board:46", "2028-2032", date(2029, 3, 1))
    assert {f.person_id for f in before.rows} == {"p-1", "p-3", "p-4"}
    assert {f.person_id for f in after.rows} == {"p-1", "p-4"}


def test_an_unknown_term_is_refused_with_a_hint(filled: Engine) -> None:
    with pytest.raises(UserError, match=r"the terms recorded: 2028-2032"):
        audit_queries.seats(filled, "county_board:46", "2031")


def test_a_person_is_found_by_part_of_the_name_in_any_case_with_every_fact(filled: Engine) -> None:
    answer = audit_person.person_record(filled, "NAVN P-1")
    kinds = {f.kind for f in answer.rows}
    assert kinds == {"elected", "seat", "notice"}
    notice = next(f for f in answer.rows if f.kind == "notice")
    assert "LATE" in notice.detail
    assert notice.source.startswith("record:notification#")
    assert "audit:seq" in notice.source
    loser = audit_person.person_record(filled, "p-2")
    assert [f.kind for f in loser.rows] == ["candidate"]


def test_a_person_absent_from_a_meeting_is_told(filled: Engine) -> None:
    with Session(filled) as session:
        starts = datetime(2028, 2, 1, 9, tzinfo=UTC)
        session.add(
            Meeting(meeting_id="m-1", organ="county_board:46", term="2028-2032", starts_at=starts)
        )
        session.flush()
        session.add(Attendance(meeting_id="m-1", person_id="p-4", present=False))
        session.commit()
    [absent] = [f for f in audit_person.person_record(filled, "p-4").rows if f.kind == "absent"]
    assert absent.source == "record:attendance#m-1/p-4"
    assert absent.at == "2028-02-01T09:00:00Z"


def test_notifications_of_a_term_name_the_recipient_and_the_delivery(filled: Engine) -> None:
    answer = audit_queries.notifications(filled, term="2027")
    mine = [n for n in answer.rows if n.recipient_id == "p-1"]
    assert len(mine) == 1
    assert (mine[0].recipient_name, mine[0].status, mine[0].late) == ("Navn p-1", "sent", True)
    assert mine[0].deadline == "2020-01-01T00:00:00Z"
    by_person = audit_queries.notifications(filled, person="p-1")
    assert [n.subject_key for n in by_person.rows] == [f"{KEY}/member-4601"]
    with pytest.raises(UserError, match="exactly one"):
        audit_queries.notifications(filled, term="2027", person="p-1")
    # A page reads its window of the same order, and is told how many there are in all.
    first = audit_queries.notifications(filled, term="2027", window=(0, 1))
    beyond = audit_queries.notifications(filled, term="2027", window=(1, 1))
    assert (first.rows, first.total) == (answer.rows, 1)
    assert (beyond.rows, beyond.total, answer.total) == ((), 1, None)


def test_the_timeline_dates_elections_seats_vacancies_and_missed_deadlines(filled: Engine) -> None:
    events = audit_timeline.timeline(filled, "2027").rows
    kinds = [e.kind for e in events]
    assert kinds.count("election") == 2
    assert "seats" in kinds
    assert "vacancy" in kinds
    missed = [e for e in events if e.kind == "deadline_missed"]
    assert {e.subject for e in missed} >= {KEY, f"{KEY}/member-4601"}  # undelivered, late
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert all(e.source for e in events)


def test_seats_ended_together_are_one_line_of_the_timeline(filled: Engine) -> None:
    # p-4 leaves the board on the day p-1 does and for the same reason (p-3 left alone before).
    records, env = RecordActivities(filled), in_workflow()
    for pid in ("p-1", "p-4"):
        env.run(records.end_seat, EndSeatRequest(
            idempotency_key=f"{KEY}/{pid}/over", organ="county_board:46", term="2028-2032",
            person_id=pid, role="leader" if pid == "p-1" else "member",
            ended_on=date(2031, 12, 1), reason="successor",
        ))  # fmt: skip
    events = audit_timeline.timeline(filled, "2027").rows
    [together] = [e for e in events if e.kind == "seats_ended"]
    assert (together.subject, together.detail) == ("county_board:46/2028-2032",
                                                   "2 seats ended: successor")  # fmt: skip
    assert together.source == "record:seat#organ=county_board:46,term=2028-2032,ended_on=2031-12-01"
    [alone] = [e for e in events if e.kind == "vacancy"]
    assert (alone.subject, alone.detail) == ("county_board:46/p-3", "member seat ended: flyttet")


def test_a_workflows_account_comes_from_the_audit_log_when_its_history_is_gone(
    filled: Engine,
) -> None:
    answer = from_record_store(filled, WORKFLOW)
    assert "retention" in answer.notes[0]
    assert {s.kind for s in answer.rows} >= {"election_recorded", "seats_recorded", "seat_ended"}
    assert all(s.source.startswith("audit:seq ") and s.run_id == "run-1" for s in answer.rows)


# ----------------------------------------------------------------------------- CLI


@pytest.fixture
def cli_store(sqlite_url: str, sqlite_engine: Engine, smtp_config: SmtpConfig,
              monkeypatch: pytest.MonkeyPatch) -> Engine:  # fmt: skip
    monkeypatch.setenv("KSGOV_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("KSGOV_TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")  # nobody answers
    fill(sqlite_engine, smtp_config)
    return sqlite_engine


def test_cli_seats_as_json_carry_their_sources(cli_store: Engine) -> None:
    result = runner.invoke(
        app, ["audit", "seats", "--organ", "county_board:46", "--term", "2027", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["term"] == "2028-2032"
    assert {r["person_id"] for r in data["rows"]} == {"p-1", "p-3", "p-4"}
    assert all(r["source"].startswith("record:seat#") for r in data["rows"])


def test_cli_timeline_as_csv_has_a_header_and_a_row_per_event(cli_store: Engine) -> None:
    result = runner.invoke(app, ["audit", "timeline", "--term", "2027", "--csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {"at", "kind", "subject", "detail", "source"} == set(rows[0])
    assert any(r["kind"] == "vacancy" for r in rows)


def test_cli_person_and_notifications_print_tables(cli_store: Engine) -> None:
    person = runner.invoke(app, ["audit", "person", "navn p-1"])
    assert person.exit_code == 0, person.output
    assert "elected" in person.output
    assert "record:seat#" in person.output
    notices = runner.invoke(app, ["audit", "notifications", "--person", "p-1", "--csv"])
    [row] = list(csv.DictReader(io.StringIO(notices.output)))
    assert (row["recipient_name"], row["late"]) == ("Navn p-1", "True")


def test_cli_history_without_temporal_answers_from_the_record_store(cli_store: Engine) -> None:
    result = runner.invoke(app, ["audit", "history", WORKFLOW, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert any("Temporal not reachable" in n for n in data["notes"])
    assert any(r["kind"] == "election_recorded" for r in data["rows"])


def test_cli_verify_cross_check_without_temporal_says_so_and_passes(cli_store: Engine) -> None:
    result = runner.invoke(app, ["audit", "verify", "--cross-check"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("verified, ")
    assert lines[1].startswith("records: ")
    assert lines[1].endswith(
        "rows of people, seats, elections, notices and registry versions as the log recorded them"
    )
    assert "cross-check OK: 0 of 0" in lines[2]
    assert any("retention" in line for line in lines)


def test_a_name_matching_hundreds_of_people_still_finds_each_ones_elections(
    engine: Engine,
) -> None:
    # At scale 10 "Kari" matches over 500 people: one LIKE term each would go past SQLite's
    # expression depth of 1,000 ("Expression tree is too large").
    records, env = RecordActivities(engine), in_workflow()
    ids = [f"p-{n}" for n in range(1, 601)]
    for first in range(0, 600, 20):
        env.run(records.record_people, people(*ids[first : first + 20]))
    votes = {"p-1": 30, "p-450": 12, "p-600": 40}
    env.run(records.record_election, election("leader", "majority", {"votes": votes}, ["p-600"]))
    # Every election is read once for 600 people: only ids quoted whole count, not ids that
    # contain theirs.
    others = {"p-6000": 3, "xp-450": 2}
    env.run(records.record_election, election("deputy", "majority", {"votes": others}, ["xp-450"]))
    answer = audit_person.person_record(engine, "navn")
    assert len(answer.header["people"]) == 600
    found = {(f.person_id, f.kind) for f in answer.rows}
    assert found == {("p-1", "candidate"), ("p-450", "candidate"), ("p-600", "elected")}
    # The console asks for the first few people only, and is told how many more matched.
    few = audit_person.person_record(engine, "navn", most=25)
    assert few.header == {"people": sorted(ids)[:25], "matched": 600}
    assert {(f.person_id, f.kind) for f in few.rows} == {("p-1", "candidate")}
    assert few.notes == (
        "600 people match; the first 25 by person id are shown: give more of the name, or a "
        "person id",
    )


def test_a_query_that_fails_on_an_open_record_store_is_not_reported_as_unreadable(
    sqlite_url: str,
) -> None:
    with (
        pytest.raises(NotReachableError, match="answered, but the query failed: no such table"),
        audit.record_store(sqlite_url) as opened,
        opened.connect() as connection,
    ):
        connection.execute(text("select * from no_such_table"))
    missing = sqlite_url.replace("records.db", "elsewhere.db")
    with pytest.raises(UserError, match="no database file"), audit.record_store(missing):
        pass  # pragma: no cover - never entered


def test_an_election_finds_its_audit_entry_by_subject_and_action_in_one_lookup(
    sqlite_engine: Engine,
) -> None:
    # Found by action alone, every `election_recorded` entry would be read for each election,
    # and the person and timeline queries would take minutes at scale 100: the lookup uses the
    # (subject, action) index of migration 0004.
    query = audit_queries.elections_with_audit(text("1 = 1"))
    compiled = query.compile(sqlite_engine, compile_kwargs={"literal_binds": True})
    with sqlite_engine.connect() as conn:
        plan = [row[-1] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
    [lookup] = [step for step in plan if "audit_log" in step]
    assert "ix_audit_log_subject_action (subject=? AND action=?)" in lookup, plan


def test_an_election_is_indexed_by_the_people_it_names_and_migration_0011_indexes_old_ones(
    database_url: str, engine: Engine
) -> None:
    records, env = RecordActivities(engine), in_workflow()
    env.run(records.record_people, people("p-1", "p-2", "p-3"))
    votes = {"p-1": 30, "p-2": 12, "p-9": 1}  # p-9 is no recorded person
    env.run(records.record_election, election("leader", "majority", {"votes": votes}, ["p-1"]))
    named = "SELECT person_id FROM election_person ORDER BY person_id"
    with engine.connect() as connection:
        assert [r[0] for r in connection.execute(text(named))] == ["p-1", "p-2"]
    # A store from before 0011: its elections are indexed from their JSON by the migration.
    command.downgrade(db.alembic_config(database_url), "0010")
    engine.dispose()
    db.upgrade(database_url)
    with engine.connect() as connection:
        assert [r[0] for r in connection.execute(text(named))] == ["p-1", "p-2"]
    assert {(f.person_id, f.kind) for f in audit_person.person_record(engine, "p-2").rows} == {
        ("p-2", "candidate")
    }
