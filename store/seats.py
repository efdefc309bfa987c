"""Writes for seats, run inside a record activity's transaction.

A seat is one per (organ, term, person, role). Recording it again updates what changed (a deputy's
rank moves up); ending it keeps the row with the date and reason, so the history stays readable.
A seat runs until its successor organ is constituted (docs/domain.md, "Organs and who elects
whom"): the first seat a later term records in an organ ends every seat of the earlier terms
still open in that organ, on the day the new seat starts.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.payloads import EndSeatRequest, RecordSeatsRequest, SeatIn
from models.records import Person, Seat
from store.changes import Change, ensure_organ_and_term, refuse, upsert


def write_seats(session: Session, request: RecordSeatsRequest) -> Change:
    """Insert or update each seat; a seat for a person not yet recorded is refused."""
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    succeeded = 0
    for seat in request.seats:
        _check_seat(session, seat)
        ensure_organ_and_term(session, seat.organ, seat.term)
        counts[_upsert_seat(session, seat)] += 1
        succeeded += _end_predecessors(session, seat)
    seats = sorted({(s.organ, s.term, s.person_id, s.role) for s in request.seats})
    subjects = sorted({f"{organ}/{term}" for organ, term, _, _ in seats})
    return Change(
        changed=counts["inserted"] + counts["updated"] + succeeded,
        action="seats_recorded",
        subject=subjects[0] if len(subjects) == 1 else f"seats:{len(seats)}",
        content={**counts, "succeeded": succeeded, "seats": [list(key) for key in seats]},
    )


SUCCEEDED = "successor organ constituted"


def _end_predecessors(session: Session, seat: SeatIn) -> int:
    """End the seats of earlier terms still open in the seat's organ, the day it starts."""
    query = select(Seat).where(
        Seat.organ == seat.organ,
        col(Seat.term) < seat.term,
        col(Seat.ended_on).is_(None),
        col(Seat.from_date) <= seat.from_date,
    )
    ended = 0
    for row in session.exec(query):
        row.ended_on = seat.from_date
        if row.to_date is not None and row.to_date < seat.from_date:
            row.ended_on = row.to_date
        row.end_reason = SUCCEEDED
        session.add(row)
        ended += 1
    if ended:
        session.flush()
    return ended


def _check_seat(session: Session, seat: SeatIn) -> None:
    if session.get(Person, seat.person_id) is None:
        raise refuse(
            f"{seat.person_id} is not recorded as a person: record the person before giving "
            f"them a seat in {seat.organ}"
        )
    if seat.to_date is not None and seat.to_date < seat.from_date:
        raise refuse(
            f"the seat of {seat.person_id} in {seat.organ} ends ({seat.to_date}) before it "
            f"starts ({seat.from_date})"
        )


def _find(session: Session, organ: str, term: str, person_id: str, role: str) -> Seat | None:
    query = select(Seat).where(
        Seat.organ == organ, Seat.term == term, Seat.person_id == person_id, Seat.role == role
    )
    return session.exec(query).first()


def _upsert_seat(session: Session, seat: SeatIn) -> str:
    row = _find(session, seat.organ, seat.term, seat.person_id, seat.role)
    return upsert(session, Seat, row, seat.model_dump())


def write_end_seat(session: Session, request: EndSeatRequest) -> Change:
    """Mark a seat as ended on a date with a reason; a seat that does not exist is refused."""
    r = request
    row = _find(session, r.organ, r.term, r.person_id, r.role)
    who = f"{r.person_id} as {r.role} in {r.organ} for {r.term}"
    if row is None:
        raise refuse(f"there is no seat for {who}: nothing to end")
    if row.ended_on is not None:
        raise refuse(f"the seat for {who} already ended on {row.ended_on.isoformat()}")
    if r.ended_on < row.from_date or (row.to_date is not None and r.ended_on > row.to_date):
        until = row.to_date or "its successor organ is constituted"
        raise refuse(
            f"the seat for {who} runs from {row.from_date} until {until}: "
            f"it cannot end on {r.ended_on}"
        )
    row.ended_on, row.end_reason = r.ended_on, r.reason
    session.add(row)
    session.flush()
    # The reason is free text about a person: it stays in the seat row, out of the audit log.
    content = {"organ": r.organ, "term": r.term, "person_id": r.person_id, "role": r.role}
    ended = {**content, "ended_on": r.ended_on.isoformat()}
    return Change(1, "seat_ended", f"{r.organ}/{r.term}", ended)
