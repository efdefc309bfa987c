"""`ksgov audit person`: one person's record — nominations, elections, seats, notices, absences.

Four set-based queries over the people matched by name or id, each on an indexed column (the
elections through `election_person`, the index of whom each election names).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.records import Attendance, Election, ElectionPerson, Meeting, Notification, Seat
from service.audit import sources as src
from service.audit.queries import elections_with_audit, find_people, notice_facts, votes_summary
from service.audit.sources import Answer
from store.people import QUOTED

BATCH = 500  # ids per IN list, well under SQLite's 32,766 variables


@dataclass(frozen=True)
class PersonFact:
    """One thing the record store says about a person, dated, with its evidence."""

    person_id: str
    name: str
    at: str
    kind: str
    what: str
    detail: str
    source: str


def person_record(engine: Engine, who: str, most: int | None = None) -> Answer:
    """Everything about the people matching `who` (a name fragment or a person id), by date;
    with `most`, about the first `most` of them by id only, and a note saying how many more
    matched (a console page asks for a few people, not for every "Kari" of the federation)."""
    notes: tuple[str, ...] = ()
    with Session(engine) as session:
        matched = find_people(session, who)
        total = len(matched)
        if most is not None and len(matched) > most:
            notes = (
                f"{len(matched)} people match; the first {most} by person id are shown: give "
                "more of the name, or a person id",
            )
            matched = matched[:most]
        people = dict(matched)
        ids = list(people)
        facts = [
            *_elections(session, ids, people),
            *_seats(session, ids, people),
            *_notices(session, ids, people),
            *_attendance(session, ids, people),
        ]
    facts.sort(key=lambda f: (f.at, f.person_id, f.kind))
    return Answer(tuple(facts), notes, header={"people": ids, "matched": total})


def _elections(session: Session, ids: list[str], people: dict[str, str]) -> list[PersonFact]:
    """The elections that name one of `ids` (as a candidate, one voted for, or elected), read
    through the index of who each election names (`election_person`), in batches of ids."""
    facts = []
    for first in range(0, len(ids), BATCH):
        batch = ids[first : first + BATCH]
        named = (
            select(ElectionPerson.election_id)
            .where(col(ElectionPerson.person_id).in_(batch))
            .distinct()
        )
        found = session.exec(elections_with_audit(col(Election.election_id).in_(named)))
        wanted = set(batch)
        for election, seq, hash_ in found:
            elected = set(json.loads(election.outcome).get("elected", []))
            quoted = set(QUOTED.findall(election.inputs)) | set(QUOTED.findall(election.outcome))
            for pid in sorted(quoted & wanted):
                facts.append(
                    PersonFact(
                        person_id=pid, name=people[pid], at=src.iso(election.decided_at),
                        kind="elected" if pid in elected else "candidate",
                        what=f"{election.post} of {election.organ} ({election.term})",
                        detail=f"{election.method} round {election.round}: "
                        f"{votes_summary(election.inputs)}",
                        source=src.sources(
                            src.record("election", election.election_id), src.audit(seq, hash_)
                        ),
                    )
                )  # fmt: skip
    return facts


def _seats(session: Session, ids: list[str], people: dict[str, str]) -> list[PersonFact]:
    query = select(Seat).where(col(Seat.person_id).in_(ids))
    facts = []
    for seat in session.exec(query):
        ended = f"; ended {src.iso(seat.ended_on)} ({seat.end_reason})" if seat.ended_on else ""
        facts.append(
            PersonFact(
                person_id=seat.person_id, name=people[seat.person_id],
                at=src.iso(seat.from_date), kind="seat",
                what=f"{seat.role} of {seat.organ} ({seat.term})",
                detail=f"{seat.obtained_by}, until {_until(seat)}{ended}",
                source=src.sources(
                    src.record("seat", seat.id),
                    src.record("election", seat.election_id) if seat.election_id else "",
                ),
            )
        )  # fmt: skip
    return facts


def _notices(session: Session, ids: list[str], people: dict[str, str]) -> list[PersonFact]:
    return [
        PersonFact(
            person_id=n.recipient_id,
            name=people[n.recipient_id],
            at=n.at,
            kind="notice",
            what=f"{n.purpose} about {n.subject_key}",
            detail=f"{n.status}{' LATE' if n.late else ''}"
            f"{f', deadline {n.deadline}' if n.deadline else ''}",
            source=n.source,
        )
        for n in notice_facts(session, col(Notification.recipient_id).in_(ids))
    ]


def _attendance(session: Session, ids: list[str], people: dict[str, str]) -> list[PersonFact]:
    query = (
        select(Attendance, Meeting)
        .join(Meeting, col(Meeting.meeting_id) == col(Attendance.meeting_id))
        .where(col(Attendance.person_id).in_(ids))
    )
    facts = []
    for row, meeting in session.exec(query):
        deputy = f" as deputy for {row.as_deputy_for}" if row.as_deputy_for else ""
        facts.append(
            PersonFact(
                person_id=row.person_id, name=people[row.person_id],
                at=src.iso(meeting.starts_at), kind="present" if row.present else "absent",
                what=f"meeting {meeting.meeting_id} of {meeting.organ}",
                detail=f"{meeting.status}{deputy}",
                source=src.record("attendance", f"{row.meeting_id}/{row.person_id}"),
            )
        )  # fmt: skip
    return facts


def _until(seat: Seat) -> str:
    """When the seat runs out: its fixed end, or when its successor organ is constituted."""
    return src.iso(seat.to_date) if seat.to_date else "the successor organ is constituted"
