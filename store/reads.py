"""Reads a workflow needs but should not carry in its payloads: delegates and an organ's seats.

At ten or a hundred times the federation, the county meetings' delegates and county seats are
too many for one Temporal payload (2 MB on a real server, 4 MB per gRPC message): the term keeps
only each county's leader, the Landsting reads the delegates a page at a time, and a vacancy in
a county organ reads that organ's seats.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.registry import County, Municipality
from models.payloads import (
    CouncilsRequest,
    CouncilsResult,
    DelegatesRequest,
    OrganSeatsRequest,
    PeoplePage,
    PersonIn,
    Recipient,
    SeatIn,
    SeatsResult,
)
from models.records import Person, RegistryEntry, Seat
from store.registry import in_force

DELEGATE_ORGAN = "landsting"


def delegate_county(group: str) -> str:
    """The county of a delegate seat's group (`county-03/A` is county 03)."""
    head = group.split("/", 1)[0]
    return head.removeprefix("county-") if head.startswith("county-") else ""


def read_delegates(engine: Engine, request: DelegatesRequest) -> PeoplePage:
    """The delegates of the given counties (or, asked for, their deputies), in person-id
    order."""
    wanted = set(request.counties)
    query = (
        select(Seat.person_id, Seat.group, Person)
        .join(Person, col(Person.person_id) == col(Seat.person_id))
        .where(
            Seat.organ == DELEGATE_ORGAN,
            Seat.term == request.term,
            (Seat.role == "deputy") if request.deputies else (Seat.role != "deputy"),
            col(Seat.ended_on).is_(None),
            col(Seat.person_id) > request.after,
        )
        .order_by(col(Seat.person_id))
        .limit(request.limit)
    )
    with Session(engine) as session:
        rows = session.exec(query).all()
    people = tuple(
        PersonIn.model_validate(person.model_dump(exclude={"scope"}))
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
        ids = {row.person_id for row in rows}
        people = session.exec(select(Person).where(col(Person.person_id).in_(ids))).all()
    fields = set(SeatIn.model_fields)
    return SeatsResult(
        seats=tuple(SeatIn.model_validate(row.model_dump(include=fields)) for row in rows),
        people=tuple(PersonIn.model_validate(p.model_dump(exclude={"scope"})) for p in people),
    )


def read_councils(engine: Engine, request: CouncilsRequest) -> CouncilsResult:
    """The councils whose representatives these people are, each once, in number order, with
    the address the registry version in force on `request.on` gives; a council without one (or
    no version at all: the shipped registry has no addresses) gets no letter."""
    with Session(engine) as session:
        numbers = sorted(
            {
                n
                for n in session.exec(
                    select(Person.member_number).where(
                        col(Person.person_id).in_(request.person_ids)
                    )
                )
                if n
            }
        )
        version = in_force(session, request.on)
        if version is None or not numbers:
            return CouncilsResult(councils=())
        entries = session.exec(
            select(RegistryEntry).where(
                RegistryEntry.version == version.id, col(RegistryEntry.number).in_(numbers)
            )
        ).all()
    return CouncilsResult(
        councils=tuple(
            Recipient(recipient_id=e.number, email=e.email, name=_authority(e))
            for e in sorted(entries, key=lambda e: e.number)
            if e.email
        )
    )


def _authority(entry: RegistryEntry) -> str:
    """The member as a letter names it: "Bergen kommune", "Vestland fylkeskommune"."""
    if entry.kind == "county":
        return County(entry.number, entry.name).authority_name
    return Municipality(entry.number, entry.name, entry.population).authority_name
