"""Read-only record-store activities: what a workflow needs but should not carry in its payloads.

At ten or a hundred times the federation, the county meetings' delegates and county seats are
too many for one Temporal payload (2 MB on a real server, 4 MB per gRPC message). A term started
with `county_ids` therefore keeps only each county's leader, and the Landsting reads the
delegates here, a page at a time; a vacancy in a county organ reads that organ's seats. The
answers are recorded in the workflow's history like any activity result, so replay is exact.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio import activity

from models.payloads import (
    DelegatesRequest,
    OrganSeatsRequest,
    PeoplePage,
    PersonIn,
    SeatIn,
    SeatsResult,
)
from models.records import Person, Seat

DELEGATE_ORGAN = "landsting"


def delegate_county(group: str) -> str:
    """The county of a delegate seat's group (`county-03/A` is county 03)."""
    head = group.split("/", 1)[0]
    return head.removeprefix("county-") if head.startswith("county-") else ""


def read_delegates(engine: Engine, request: DelegatesRequest) -> PeoplePage:
    """The delegates (not their deputies) of the given counties, in person-id order."""
    wanted = set(request.counties)
    query = (
        select(Seat.person_id, Seat.group, Person)
        .join(Person, col(Person.person_id) == col(Seat.person_id))
        .where(
            Seat.organ == DELEGATE_ORGAN,
            Seat.term == request.term,
            Seat.role != "deputy",
            col(Seat.ended_on).is_(None),
            col(Seat.person_id) > request.after,
        )
        .order_by(col(Seat.person_id))
        .limit(request.limit)
    )
    with Session(engine) as session:
        rows = session.exec(query).all()
    people = tuple(
        PersonIn.model_validate(person.model_dump())
        for _, group, person in rows
        if delegate_county(group) in wanted
    )
    last = rows[-1][0] if len(rows) == request.limit else ""
    return PeoplePage(people=people, next_after=last)


def read_organ_seats(engine: Engine, request: OrganSeatsRequest) -> SeatsResult:
    """The seats of `organ` in `term` that have not ended, in the order they were recorded."""
    query = (
        select(Seat)
        .where(
            Seat.organ == request.organ,
            Seat.term == request.term,
            col(Seat.ended_on).is_(None),
        )
        .order_by(col(Seat.id))
    )
    with Session(engine) as session:
        rows = session.exec(query).all()
    fields = set(SeatIn.model_fields)
    return SeatsResult(
        seats=tuple(SeatIn.model_validate(row.model_dump(include=fields)) for row in rows)
    )


class ReadActivities:
    """The read activities, bound to the worker's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="read_delegates")
    def read_delegates(self, request: DelegatesRequest) -> PeoplePage:
        return read_delegates(self.engine, request)

    @activity.defn(name="read_organ_seats")
    def read_organ_seats(self, request: OrganSeatsRequest) -> SeatsResult:
        return read_organ_seats(self.engine, request)
