"""A seat runs until its successor organ is constituted, and `audit seats` answers for any date.

Hovedstyret of 2028-2032 serves until the Landsting of 13 February 2032 composes the next one;
a county board until the next county meeting elects the next (docs/domain.md, "Organs and who
elects whom"). The day before each handover the old organ answers, the day after the new one.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from activities.records import RecordActivities
from models.payloads import RecordSeatsRequest, SeatIn
from models.records import Seat
from service.audit import queries as audit_queries
from store.seats import SUCCEEDED
from tests.activities.conftest import people, seat

FIRST, SECOND = date(2028, 2, 13), date(2032, 2, 13)
OLD = {("old-lead", "2028-2032"), ("old-m", "2028-2032")}
BOARD_1, BOARD_2 = date(2027, 11, 20), date(2031, 11, 18)


def record(records: RecordActivities, key: str, *seats_: SeatIn) -> None:
    records.record_seats(RecordSeatsRequest(idempotency_key=key, seats=seats_))


def test_a_term_s_seats_end_the_day_its_successor_organ_is_constituted(
    records: RecordActivities, engine: Engine
) -> None:
    records.record_people(people("old-lead", "old-m", "new-lead", "new-m", "b1", "b2"))
    hs = {"organ": "hovedstyret"}
    record(records, "hs-1", seat("old-lead", "leader", term="2028-2032", from_date=FIRST, **hs),
           seat("old-m", term="2028-2032", from_date=FIRST, **hs))  # fmt: skip
    record(records, "cb-1", seat("b1", term="2028-2032", from_date=BOARD_1))
    record(records, "cb-2", seat("b2", term="2032-2036", from_date=BOARD_2))
    record(records, "hs-2", seat("new-lead", "leader", term="2032-2036", from_date=SECOND, **hs),
           seat("new-m", term="2032-2036", from_date=SECOND, **hs))  # fmt: skip
    with Session(engine) as session:
        ended = {s.person_id: (s.ended_on, s.end_reason) for s in session.exec(select(Seat))}
    assert ended["old-lead"] == ended["old-m"] == (SECOND, SUCCEEDED)
    assert ended["b1"] == (BOARD_2, SUCCEEDED)
    assert ended["new-lead"] == ended["b2"] == (None, None)

    def on(organ: str, day: date, term: str | None = None) -> set[tuple[str, str]]:
        answer = audit_queries.seats(engine, organ, term, day)
        return {(f.person_id, f.term) for f in answer.rows}

    assert on("hovedstyret", date(2032, 1, 15)) == OLD
    assert on("hovedstyret", date(2032, 2, 12)) == OLD
    assert on("hovedstyret", SECOND) == {("new-lead", "2032-2036"), ("new-m", "2032-2036")}
    assert on("hovedstyret", date(2028, 2, 12)) == set()
    assert on("hovedstyret", FIRST, "2027") == OLD
    assert on("county_board:46", date(2031, 11, 17)) == {("b1", "2028-2032")}
    assert on("county_board:46", date(2031, 12, 15)) == {("b2", "2032-2036")}
