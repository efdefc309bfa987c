"""Read activities on SQLite and PostgreSQL: a term's delegates page by page, an organ's seats."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from activities.records import RecordActivities
from models.payloads import (
    DelegatesRequest,
    EndSeatRequest,
    OrganSeatsRequest,
    RecordSeatsRequest,
    SeatIn,
)
from store.reads import delegate_county, read_delegates, read_organ_seats
from tests.activities.conftest import people, seat


def delegate(pid: str, county: str, role: str = "member", rank: int | None = None) -> SeatIn:
    return seat(pid, role, organ="landsting", group=f"county-{county}/A", rank=rank)


def test_delegate_county_is_the_head_of_the_seat_group() -> None:
    assert delegate_county("county-03/A") == "03"
    assert delegate_county("county-03-2/joint") == "03-2"
    assert delegate_county("county_board:03/A") == ""
    assert delegate_county("") == ""


def test_read_delegates_pages_through_the_chosen_counties_without_deputies_or_ended_seats(
    records: RecordActivities, engine: Engine
) -> None:
    ids = ("d-1", "d-2", "d-3", "d-4", "d-5", "x-1", "dep-1")
    records.record_people(people(*ids))
    seats = [
        delegate("d-1", "03"),
        delegate("d-2", "03"),
        delegate("d-3", "11"),
        delegate("d-4", "11"),
        delegate("d-5", "11"),
        delegate("x-1", "15"),  # a county not asked for (its meeting had not finished)
        delegate("dep-1", "03", "deputy", 1),
        seat("d-1", organ="county_board:03", group="county_board:03/A"),
    ]
    records.record_seats(RecordSeatsRequest(idempotency_key="s", seats=tuple(seats)))
    records.end_seat(
        EndSeatRequest(
            idempotency_key="gone", organ="landsting", term="2028-2032", person_id="d-4",
            role="member", ended_on=date(2027, 12, 1), reason="moved away",
        )
    )  # fmt: skip
    request = DelegatesRequest(term="2028-2032", counties=("03", "11"), limit=2)
    pages = []
    while True:
        page = read_delegates(engine, request)
        pages.append([p.person_id for p in page.people])
        if not page.next_after:
            break
        request = request.model_copy(update={"after": page.next_after})
    assert [pid for page in pages for pid in page] == ["d-1", "d-2", "d-3", "d-5"]
    assert all(len(page) <= 2 for page in pages)
    first = read_delegates(engine, DelegatesRequest(term="2028-2032", counties=("03",)))
    assert first.people[0].email == "d-1@example.org"
    assert first.next_after == ""
    other_term = DelegatesRequest(term="2031-2035", counties=("03", "11"))
    assert read_delegates(engine, other_term).people == ()


def test_read_organ_seats_gives_the_seats_that_have_not_ended(
    records: RecordActivities, engine: Engine
) -> None:
    records.record_people(people("p-1", "p-2", "p-3"))
    records.record_seats(
        RecordSeatsRequest(
            idempotency_key="board",
            seats=(seat("p-1"), seat("p-2"), seat("p-3", "deputy", rank=1, group="A")),
        )
    )
    records.end_seat(
        EndSeatRequest(
            idempotency_key="gone", organ="county_board:46", term="2028-2032", person_id="p-2",
            role="member", ended_on=date(2028, 1, 1), reason="resigned",
        )
    )  # fmt: skip
    found = read_organ_seats(engine, OrganSeatsRequest(term="2028-2032", organ="county_board:46"))
    assert [(s.person_id, s.role, s.rank) for s in found.seats] == [
        ("p-1", "member", None),
        ("p-3", "deputy", 1),
    ]
    assert found.seats[0] == seat("p-1")
    none = read_organ_seats(engine, OrganSeatsRequest(term="2028-2032", organ="hovedstyret"))
    assert none.seats == ()
