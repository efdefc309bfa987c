"""Record activities on SQLite and PostgreSQL: rows, one audit entry each, replays, refusals."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.records import RecordActivities
from models.payloads import (
    ElectionRecord,
    EndSeatRequest,
    RecordElectionRequest,
    RecordEventRequest,
    RecordSeatsRequest,
)
from models.records import AuditEntry, Election, Organ, Person, Seat, Term
from store.audit import verify_chain
from tests.activities.conftest import people, person, seat


def audit_entries(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all())  # type: ignore[arg-type]


def election(**changes: object) -> RecordElectionRequest:
    values: dict[str, object] = {
        "election_id": "term-2027/county-46/board-leader/round-1",
        "term": "2028-2032",
        "organ": "county_board:46",
        "post": "leader",
        "method": "majority",
        "inputs": {"votes": {"p-1": 30, "p-2": 12}},
        "outcome": {"elected": ["p-1"]},
        "decided_at": datetime(2027, 10, 20, 12, 30, tzinfo=UTC),
        **changes,
    }
    return RecordElectionRequest(
        idempotency_key="term-2027/county-46/leader", election=ElectionRecord.model_validate(values)
    )


def end(**changes: object) -> EndSeatRequest:
    values: dict[str, object] = {
        "idempotency_key": f"vacancy/{changes.get('person_id', 'p-1')}",
        "organ": "county_board:46",
        "term": "2028-2032",
        "person_id": "p-1",
        "role": "member",
        "ended_on": date(2029, 3, 1),
        "reason": "flyttet fra fylket",
        **changes,
    }
    return EndSeatRequest.model_validate(values)


def test_record_people_inserts_each_person_and_logs_ids_only(
    records: RecordActivities, engine: Engine
) -> None:
    result = ActivityEnvironment().run(records.record_people, people("p-1", "p-2"))
    assert result.changed == 2
    with Session(engine) as session:
        expected = Person.model_validate({**person("p-2").model_dump(), "scope": "national"})
        assert session.get(Person, "p-2") == expected
    [entry] = audit_entries(engine)
    assert (entry.seq, entry.action) == (result.audit_seq, "people_recorded")
    assert json.loads(entry.content)["people"] == ["p-1", "p-2"]
    assert "Navn" not in entry.content
    assert "@" not in entry.content


def test_record_people_twice_with_the_same_key_writes_once_and_returns_the_first_result(
    records: RecordActivities, engine: Engine
) -> None:
    first = records.record_people(people("p-1"))
    again = records.record_people(people("p-1"))
    assert again == first
    assert len(audit_entries(engine)) == 1


def test_record_people_with_a_new_key_updates_a_changed_person(
    records: RecordActivities, engine: Engine
) -> None:
    records.record_people(people("p-1"))
    moved = person("p-1").model_copy(update={"party": "H"})
    result = records.record_people(
        people("p-1").model_copy(update={"idempotency_key": "k2", "people": (moved,)})
    )
    assert result.changed == 1
    with Session(engine) as session:
        assert session.get(Person, "p-1").party == "H"  # type: ignore[union-attr]


def test_record_election_stores_inputs_and_outcome_and_creates_organ_and_term(
    records: RecordActivities, engine: Engine
) -> None:
    result = records.record_election(election())
    assert result.changed == 1
    assert records.record_election(election()) == result
    with Session(engine) as session:
        row = session.get(Election, "term-2027/county-46/board-leader/round-1")
        assert row is not None
        assert json.loads(row.outcome) == {"elected": ["p-1"]}
        assert session.get(Organ, "county_board:46") is not None
        assert session.get(Term, "2028-2032") == Term(
            term="2028-2032", first_year=2028, last_year=2032
        )
    [entry] = audit_entries(engine)
    assert json.loads(entry.content)["outcome"] == {"elected": ["p-1"]}


def test_an_election_recorded_again_with_another_outcome_is_refused(
    records: RecordActivities, engine: Engine
) -> None:
    records.record_election(election())
    changed = election(outcome={"elected": ["p-2"]}).model_copy(update={"idempotency_key": "again"})
    with pytest.raises(ApplicationError, match="already recorded with another result") as info:
        records.record_election(changed)
    assert (info.value.type, info.value.non_retryable) == ("BadInput", True)
    assert len(audit_entries(engine)) == 1


def test_record_seats_gives_seats_and_updates_a_deputys_rank(
    records: RecordActivities, engine: Engine
) -> None:
    records.record_people(people("p-1", "p-2"))
    request = RecordSeatsRequest(
        idempotency_key="seats-1", seats=(seat("p-1"), seat("p-2", "deputy", rank=2, group="Sp"))
    )
    assert records.record_seats(request).changed == 2
    assert records.record_seats(request).changed == 2  # a replay: the first answer
    moved_up = RecordSeatsRequest(
        idempotency_key="seats-2", seats=(seat("p-2", "deputy", rank=1, group="Sp"),)
    )
    assert records.record_seats(moved_up).changed == 1
    with Session(engine) as session:
        rows = session.exec(select(Seat).order_by(Seat.person_id)).all()
    assert [(s.person_id, s.role, s.rank) for s in rows] == [
        ("p-1", "member", None),
        ("p-2", "deputy", 1),
    ]
    assert [e.action for e in audit_entries(engine)] == [
        "people_recorded",
        "seats_recorded",
        "seats_recorded",
    ]


def test_a_seat_for_an_unknown_person_is_refused_and_nothing_is_written(
    records: RecordActivities, engine: Engine
) -> None:
    records.record_people(people("p-1"))
    request = RecordSeatsRequest(idempotency_key="seats", seats=(seat("p-1"), seat("p-9")))
    with pytest.raises(ApplicationError, match="p-9 is not recorded as a person") as info:
        records.record_seats(request)
    assert info.value.type == "BadInput"
    assert info.value.non_retryable
    with Session(engine) as session:
        assert session.exec(select(Seat)).all() == []
    assert len(audit_entries(engine)) == 1


def test_a_seat_that_ends_before_it_starts_is_refused(records: RecordActivities) -> None:
    records.record_people(people("p-1"))
    bad = seat("p-1", to_date=date(2026, 1, 1))
    with pytest.raises(ApplicationError, match=r"ends .* before it starts"):
        records.record_seats(RecordSeatsRequest(idempotency_key="s", seats=(bad,)))


def test_end_seat_records_the_date_and_reason_once(
    records: RecordActivities, engine: Engine
) -> None:
    records.record_people(people("p-1"))
    records.record_seats(RecordSeatsRequest(idempotency_key="s", seats=(seat("p-1"),)))
    result = records.end_seat(end())
    assert result.changed == 1
    assert records.end_seat(end()) == result
    with Session(engine) as session:
        row = session.exec(select(Seat)).one()
    assert (row.ended_on, row.end_reason) == (date(2029, 3, 1), "flyttet fra fylket")
    entries = audit_entries(engine)
    assert [e.action for e in entries] == ["people_recorded", "seats_recorded", "seat_ended"]
    assert "flyttet" not in entries[-1].content


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"person_id": "p-9"}, "there is no seat for p-9 as member"),
        ({"role": "leader"}, "there is no seat for p-1 as leader"),
        ({"ended_on": date(2027, 1, 1)}, "cannot end on 2027-01-01"),
    ],
)
def test_end_seat_for_a_seat_that_does_not_exist_is_refused(
    records: RecordActivities, changes: dict[str, object], message: str
) -> None:
    records.record_people(people("p-1"))
    records.record_seats(RecordSeatsRequest(idempotency_key="s", seats=(seat("p-1"),)))
    with pytest.raises(ApplicationError, match=message) as info:
        records.end_seat(end(**changes))
    assert info.value.type == "BadInput"
    assert info.value.non_retryable


def test_a_seat_cannot_end_twice(records: RecordActivities) -> None:
    records.record_people(people("p-1"))
    records.record_seats(RecordSeatsRequest(idempotency_key="s", seats=(seat("p-1"),)))
    records.end_seat(end())
    with pytest.raises(ApplicationError, match="already ended on 2029-03-01"):
        records.end_seat(end(idempotency_key="vacancy/p-1/again"))


def test_record_event_writes_one_audit_entry_and_a_replay_returns_it(
    records: RecordActivities, engine: Engine
) -> None:
    request = RecordEventRequest(
        idempotency_key="term-2027/stage/nominations-closed",
        action="stage_reached",
        subject="term-2027",
        content={"stage": "nominations_closed"},
    )
    first = ActivityEnvironment().run(records.record_event, request)
    assert ActivityEnvironment().run(records.record_event, request) == first
    [entry] = audit_entries(engine)
    assert (first.changed, entry.action, entry.subject) == (1, "stage_reached", "term-2027")
    assert json.loads(entry.content) == {"stage": "nominations_closed"}
    assert entry.actor.startswith("workflow:")
    assert verify_chain(engine).ok


def test_a_term_started_is_recorded_once_so_the_audit_knows_it_from_its_start(
    records: RecordActivities, engine: Engine
) -> None:
    started = RecordEventRequest(
        idempotency_key="term-2027/started", action="term_started", subject="term-2027",
        content={"counties": 15}, term="2028-2032",
    )  # fmt: skip
    first = records.record_event(started)
    again = records.record_event(started)
    assert again.audit_seq == first.audit_seq
    with Session(engine) as session:
        assert [t.term for t in session.exec(select(Term))] == ["2028-2032"]
