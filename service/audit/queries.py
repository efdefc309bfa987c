"""Audit queries over the record store: who held which seat, a person's record, notices sent.

Pure functions over a SQLAlchemy engine: a few set-based queries each (no query per row), on
indexed columns, returning frozen facts with their evidence (see service.audit.sources). The
answers need no Temporal server: the record store is the legal record.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from client.errors import UserError
from domain.terms import election_year
from models.records import AuditEntry, Election, Member, Notification, Person, Seat
from service.audit import sources as src
from service.audit.sources import Answer


@dataclass(frozen=True)
class SeatFact:
    """A seat held in an organ, and the election (method, round, votes) that gave it."""

    organ: str
    term: str
    person_id: str
    name: str
    role: str
    rank: int | None
    group: str
    from_date: str
    to_date: str
    ended_on: str
    obtained_by: str
    election_id: str
    method: str
    round: int | None
    votes: str
    source: str


def seats(engine: Engine, organ: str, term: str | None, at: date | None = None) -> Answer:
    """Who held which seat of `organ` in `term` (on `at`, if given) and how they got it; with
    no term, on `at` whichever term the seat belongs to (a seat runs until its successor organ
    is constituted, so a date near a Landsting can fall in either term)."""
    if term is None and at is None:
        raise UserError("name a term (--term) or a date (--at), or both")
    with Session(engine) as session:
        found = src.resolve_term(session, term) if term is not None else None
        query = (
            sa_select(Seat, col(Person.name), Election, col(AuditEntry.seq), col(AuditEntry.hash))
            .join(Person, col(Person.person_id) == col(Seat.person_id))
            .outerjoin(Election, col(Election.election_id) == col(Seat.election_id))
            .outerjoin(
                AuditEntry,
                and_(
                    col(AuditEntry.subject) == col(Seat.election_id),
                    col(AuditEntry.action) == "election_recorded",
                ),
            )
            .where(col(Seat.organ) == organ)
            .order_by(col(Seat.role), col(Seat.rank), col(Seat.person_id))
        )
        if found is not None:
            query = query.where(col(Seat.term) == found.term)
        if at is not None:
            query = query.where(*held_on(at))
        rows = session.execute(query).all()
        logged = seat_entries(session, [row[0] for row in rows])
    facts = tuple(_seat_fact(s, n, e, q, h, logged) for s, n, e, q, h in rows)
    header = {"organ": organ, "term": found.term if found else "", "at": src.iso(at)}
    return Answer(facts, header=header)


def held_on(at: date) -> tuple[Any, ...]:
    """A seat is held from its first day until the day it ended (exclusive) or its last day."""
    ended = or_(col(Seat.ended_on).is_(None), col(Seat.ended_on) > at)
    until = or_(col(Seat.to_date).is_(None), col(Seat.to_date) >= at)
    return col(Seat.from_date) <= at, until, ended


SeatKey = tuple[str, str, str, str]


def seat_entries(session: Session, rows: Sequence[Seat]) -> dict[SeatKey, tuple[int, str]]:
    """The latest `seats_recorded` audit entry naming each seat: one query per organ/term."""
    subjects = {f"{s.organ}/{s.term}" for s in rows}
    if not subjects:
        return {}
    terms = sorted({s.term for s in rows})
    dialect = session.get_bind().dialect.name
    query = select(AuditEntry.seq, AuditEntry.hash, AuditEntry.content).where(
        col(AuditEntry.action) == "seats_recorded",
        or_(
            col(AuditEntry.subject).in_(subjects),
            src.starts_with(AuditEntry.subject, "seats:", dialect),  # several organs at once
        ),
    )
    found: dict[SeatKey, tuple[int, str]] = {}
    for seq, hash_, content in session.exec(query.order_by(col(AuditEntry.seq))):
        for key in json.loads(content).get("seats", []):
            if len(key) == 4 and key[1] in terms:
                found[(key[0], key[1], key[2], key[3])] = (seq, hash_)
    return found


def _seat_fact(
    seat: Seat,
    name: str,
    election: Election | None,
    seq: int | None,
    hash_: str | None,
    logged: dict[SeatKey, tuple[int, str]],
) -> SeatFact:
    seat_seq, seat_hash = logged.get((seat.organ, seat.term, seat.person_id, seat.role), (0, ""))
    evidence = src.sources(
        src.record("seat", seat.id),
        src.audit(seat_seq or None, seat_hash or None),
        src.record("election", election.election_id) if election else "",
        src.audit(seq, hash_),
    )
    return SeatFact(
        organ=seat.organ, term=seat.term, person_id=seat.person_id, name=name, role=seat.role,
        rank=seat.rank, group=seat.group, from_date=src.iso(seat.from_date),
        to_date=src.iso(seat.to_date), ended_on=src.iso(seat.ended_on),
        obtained_by=seat.obtained_by, election_id=seat.election_id or "",
        method=election.method if election else "", round=election.round if election else None,
        votes=votes_summary(election.inputs) if election else "", source=evidence,
    )  # fmt: skip


def elections_with_audit(where: Any) -> Any:
    """Elections matching `where`, each with the seq and hash of its audit entry (None if none)."""
    return (
        select(Election, AuditEntry.seq, AuditEntry.hash)
        .outerjoin(
            AuditEntry,
            (col(AuditEntry.subject) == col(Election.election_id))
            & (col(AuditEntry.action) == "election_recorded"),
        )
        .where(where)
    )


def votes_summary(inputs_json: str) -> str:
    """The votes of an election's inputs in one line: `A=8 B=5`, `against=0` or the lists."""
    inputs = json.loads(inputs_json)
    votes = inputs.get("votes") or {}
    parts = [f"{k}={v}" for k, v in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))]
    if inputs.get("votes_against") is not None:
        parts.append(f"against={inputs['votes_against']}")
    return " ".join(parts) or src.sources(*(f"{k}={v}" for k, v in sorted(inputs.items())))


# ----------------------------------------------------------------------------- people


def find_people(session: Session, who: str) -> list[tuple[str, str]]:
    """The ids and names of the people whose name contains `who` (any case), or whose id is
    `who`, by id."""
    query = select(Person.person_id, Person.name).where(
        or_(col(Person.person_id) == who, src.name_matches(Person.name, who))
    )
    people = [(pid, name) for pid, name in session.exec(query.order_by(col(Person.person_id)))]
    if not people:
        raise UserError(f"no person in the record store matches {who!r} (by name or id)")
    return people


@dataclass(frozen=True)
class NoticeFact:
    """One message of the outbox: what, to whom, when, and whether it was delivered in time."""

    at: str
    purpose: str
    subject_key: str
    recipient_id: str
    recipient_name: str
    status: str
    sent_at: str
    deadline: str
    late: bool
    source: str


def notifications(
    engine: Engine, *, meeting: str | None = None, person: str | None = None,
    term: str | None = None, window: tuple[int, int] | None = None,
) -> Answer:  # fmt: skip
    """What was sent about a meeting, to a person, or in a term: when, to whom, delivered or not;
    with `window` (offset, limit), those rows only and how many there are in all (a term's
    notices are 28,000 rows at scale 10: a page reads its 200)."""
    if sum(x is not None for x in (meeting, person, term)) != 1:
        raise UserError("give exactly one of --meeting, --person or --term")
    with Session(engine) as session:
        dialect = session.get_bind().dialect.name
        if meeting is not None:
            where = or_(
                col(Notification.subject_key) == meeting,
                src.starts_with(Notification.subject_key, f"{meeting}/", dialect),
            )
            header = {"meeting": meeting}
        elif person is not None:
            ids = [pid for pid, _ in find_people(session, person)]
            where = col(Notification.recipient_id).in_(ids)
            header = {"person": ", ".join(ids)}
        else:
            found = src.resolve_term(session, str(term))
            where = or_(*term_notice_filters(election_year(found.term), dialect))
            header = {"term": found.term}
        if window is None:
            return Answer(tuple(notice_facts(session, where)), header=header)
        total = session.execute(
            sa_select(func.count()).select_from(Notification).where(where)
        ).scalar_one()
        rows = notice_facts(session, where, window)
        return Answer(tuple(rows), header=header, total=int(total))


def term_notice_filters(year: int, dialect: str) -> list[Any]:
    """Outbox rows of a term: its keys, and the alerts about them (`<purpose>/term-...`)."""
    prefix = f"term-{year}/"
    filters = [src.starts_with(Notification.subject_key, prefix, dialect)]
    alerts = ("late/", "meeting_notice/", "representatives_requested/", "deadline_passed/")
    return filters + [
        src.starts_with(Notification.subject_key, f"{a}{prefix}", dialect) for a in alerts
    ]


def notice_facts(
    session: Session, where: Any, window: tuple[int, int] | None = None
) -> list[NoticeFact]:
    """The outbox rows matching `where`, with the recipient's name (a person or a member);
    with `window` (offset, limit), only those of the order."""
    delivered = col(AuditEntry.idempotency_key).in_(
        [
            "notification_sent/" + col(Notification.idempotency_key),
            "notification_failed/" + col(Notification.idempotency_key),
        ]
    )
    order = (func.coalesce(col(Notification.sent_at), col(Notification.queued_at)),
             col(Notification.id))  # fmt: skip
    query = (
        sa_select(
            Notification,
            col(Person.name),
            col(Member.name),
            col(AuditEntry.seq),
            col(AuditEntry.hash),
        )
        .outerjoin(Person, col(Person.person_id) == col(Notification.recipient_id))
        .outerjoin(Member, col(Member.number) == col(Notification.recipient_id))
        .outerjoin(AuditEntry, delivered)
        .where(where)
        .order_by(*order)
    )
    if window is not None:  # the window's rows first, from the outbox alone; then their joins
        page = sa_select(col(Notification.id)).where(where).order_by(*order)
        page = page.offset(window[0]).limit(window[1])
        query = query.where(col(Notification.id).in_(page.scalar_subquery()))
    rows = session.execute(query)
    return [_notice(n, p or m or "", seq, h) for n, p, m, seq, h in rows]


def _notice(row: Notification, name: str, seq: int | None, hash_: str | None) -> NoticeFact:
    evidence = src.sources(src.record("notification", row.id), src.audit(seq, hash_))
    return NoticeFact(
        at=src.iso(row.sent_at or row.queued_at), purpose=row.purpose,
        subject_key=row.subject_key, recipient_id=row.recipient_id, recipient_name=name,
        status=row.status, sent_at=src.iso(row.sent_at), deadline=src.iso(row.deadline),
        late=row.late, source=evidence,
    )  # fmt: skip
