"""`ksgov audit timeline`: a term as a dated list of events, from the record store and audit log.

Elections, seats given (one line per organ, date and way), vacancies (seats ended), meetings,
notices (one line per purpose and subject, with how many were sent, failed or late) and the
workflow milestones of the audit log (deadlines missed, notices undelivered, lots drawn, ...).
Six set-based queries on indexed columns, whatever the size of the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, cast, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.terms import election_year
from models import ids
from models.records import AuditEntry, Election, Meeting, Notification, Seat, Term
from service.audit import sources as src
from service.audit.queries import elections_with_audit, term_notice_filters, votes_summary
from service.audit.sources import Answer

# Actions that the rows of the record store already tell (an election, a seat, a notice).
TOLD_BY_ROWS = ("election_recorded", "seats_recorded", "people_recorded", "seat_ended")
MISSED = {"deadline_passed", "notice_undelivered", "notification_failed", "vacancy_opened"}


@dataclass(frozen=True)
class TimelineEvent:
    """One dated event of a term."""

    at: str
    kind: str
    subject: str
    detail: str
    source: str


def timeline(engine: Engine, term: str) -> Answer:
    """The events of `term` (2027 or 2027-2031) in date order."""
    with Session(engine) as session:
        found = src.resolve_term(session, term)
        dialect = session.get_bind().dialect.name
        events = [
            *_elections(session, found),
            *_seats(session, found),
            *_meetings(session, found),
            *_notices(session, found, dialect),
            *_milestones(session, found, dialect),
        ]
    events.sort(key=lambda e: (e.at, e.kind, e.subject))
    return Answer(tuple(events), header={"term": found.term})


def _elections(session: Session, term: Term) -> list[TimelineEvent]:
    query = elections_with_audit(col(Election.term) == term.term)
    return [
        TimelineEvent(
            at=src.iso(e.decided_at),
            kind="election",
            subject=e.election_id,
            detail=f"{e.method} round {e.round}: {votes_summary(e.inputs)}; elected "
            f"{' '.join(json.loads(e.outcome).get('elected', [])) or '-'}",
            source=src.sources(src.record("election", e.election_id), src.audit(seq, hash_)),
        )
        for e, seq, hash_ in session.exec(query)
    ]


def _seats(session: Session, term: Term) -> list[TimelineEvent]:
    given = (
        sa_select(col(Seat.organ), col(Seat.from_date), col(Seat.obtained_by), func.count())
        .where(col(Seat.term) == term.term)
        .group_by(col(Seat.organ), col(Seat.from_date), col(Seat.obtained_by))
    )
    events = [
        TimelineEvent(
            at=src.iso(day),
            kind="seats",
            subject=f"{organ}/{term.term}",
            detail=f"{n} seat(s) given by {how}",
            source=src.record("seat", f"organ={organ},term={term.term},from={src.iso(day)}"),
        )
        for organ, day, how, n in session.execute(given)
    ]
    # Seats ended on one day for one reason in one organ are one line (a hand-over ends every
    # seat of an organ at once); a seat ended alone, a vacancy, is its own line.
    ended = (
        sa_select(
            col(Seat.organ), col(Seat.ended_on), col(Seat.end_reason), func.count(),
            func.min(col(Seat.person_id)), func.min(col(Seat.role)), func.min(col(Seat.id)),
        )
        .where(col(Seat.term) == term.term, col(Seat.ended_on).is_not(None))
        .group_by(col(Seat.organ), col(Seat.ended_on), col(Seat.end_reason))
    )  # fmt: skip
    for organ, day, reason, n, person_id, role, seat_id in session.execute(ended):
        alone = n == 1
        events.append(
            TimelineEvent(
                at=src.iso(day), kind="vacancy" if alone else "seats_ended",
                subject=f"{organ}/{person_id}" if alone else f"{organ}/{term.term}",
                detail=f"{role} seat ended: {reason}" if alone else f"{n} seats ended: {reason}",
                source=src.record("seat", seat_id) if alone else src.record(
                    "seat", f"organ={organ},term={term.term},ended_on={src.iso(day)}"
                ),
            )
        )  # fmt: skip
    return events


def _meetings(session: Session, term: Term) -> list[TimelineEvent]:
    query = select(Meeting).where(col(Meeting.term) == term.term)
    return [
        TimelineEvent(
            at=src.iso(m.starts_at),
            kind="meeting",
            subject=m.meeting_id,
            detail=f"{m.organ}: {m.status}{' (urgent)' if m.urgent else ''}",
            source=src.record("meeting", m.meeting_id),
        )
        for m in session.exec(query)
    ]


def _notices(session: Session, term: Term, dialect: str) -> list[TimelineEvent]:
    sent = cast(col(Notification.status) == "sent", Integer)
    failed = cast(col(Notification.status) == "failed", Integer)
    query = (
        sa_select(
            col(Notification.purpose), col(Notification.subject_key), func.count(), func.sum(sent),
            func.sum(failed), func.sum(cast(col(Notification.late), Integer)),
            func.min(func.coalesce(col(Notification.sent_at), col(Notification.queued_at))),
        )
        .where(or_(*term_notice_filters(election_year(term.term), dialect), _of_meetings(term)))
        .group_by(col(Notification.purpose), col(Notification.subject_key))
    )  # fmt: skip
    return [_notice_event(*row) for row in session.execute(query)]


def _of_meetings(term: Term) -> Any:
    meetings = select(Meeting.meeting_id).where(col(Meeting.term) == term.term)
    return col(Notification.subject_key).in_(meetings)


def _notice_event(
    purpose: str, subject: str, n: int, sent: int, failed: int, late: int, first: Any
) -> TimelineEvent:
    missed = late or failed or n - sent
    return TimelineEvent(
        at=src.iso(first),
        kind="deadline_missed" if purpose == "deadline_passed" or late or failed else "notice",
        subject=subject,
        detail=f"{purpose}: {sent} of {n} sent"
        + (f", {late} late, {failed} failed" * bool(missed)),
        source=src.record("notification", f"purpose={purpose},subject_key={subject}"),
    )


def _milestones(session: Session, term: Term, dialect: str) -> list[TimelineEvent]:
    key = ids.term_id(election_year(term.term))
    query = select(AuditEntry).where(
        or_(
            col(AuditEntry.subject) == key,
            src.starts_with(AuditEntry.subject, f"{key}/", dialect),
        ),
        col(AuditEntry.action).not_in(TOLD_BY_ROWS),
        col(AuditEntry.action).not_like("notification_%") | (
            col(AuditEntry.action) == "notification_failed"
        ),
    )  # fmt: skip
    return [
        TimelineEvent(
            at=src.iso(e.at),
            kind="deadline_missed" if e.action in MISSED else e.action,
            subject=e.subject,
            detail=f"{e.action} {_short(e.content)}",
            source=src.audit(e.seq, e.hash),
        )
        for e in session.exec(query)
    ]


def _short(content: str, limit: int = 120) -> str:
    return content if len(content) <= limit else content[: limit - 3] + "..."
