"""Record-store activities: each one writes its rows and its audit entry in one transaction.

Every request carries an idempotency key built from business keys by the workflow, so a retry
after a crash (or a rerun after continue-as-new) changes nothing and returns the same answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio import activity

from activities import audit
from activities.changes import Change
from activities.people import write_election, write_people
from activities.seats import write_end_seat, write_seats
from models.payloads import (
    EndSeatRequest,
    RecordElectionRequest,
    RecordEventRequest,
    RecordMembersRequest,
    RecordMembersResult,
    RecordPeopleRequest,
    RecordResult,
    RecordSeatsRequest,
)
from models.records import AuditEntry, Member

log = structlog.get_logger(__name__)


def actor() -> str:
    """Who is acting: the workflow id and run id of the calling activity, or `cli` outside one."""
    if not activity.in_activity():
        return "cli"
    info = activity.info()
    return f"workflow:{info.workflow_id}/{info.workflow_run_id}"


class RecordActivities:
    """Activities that write the record store; they receive the engine from the worker."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="record_members")
    def record_members(self, request: RecordMembersRequest) -> RecordMembersResult:
        """Insert or update the members of a registry snapshot and log the change once."""
        with Session(self.engine) as session, session.begin():
            done = session.exec(
                select(AuditEntry).where(AuditEntry.idempotency_key == request.idempotency_key)
            ).first()
            if done is not None:
                log.info("record_members_already_done", key=request.idempotency_key, seq=done.seq)
                return RecordMembersResult(**json.loads(done.content), audit_seq=done.seq)
            counts = {"inserted": 0, "updated": 0, "unchanged": 0}
            for member in request.members:
                counts[_upsert_member(session, member.model_dump())] += 1
            entry = audit.append(
                session,
                actor=actor(),
                action="members_recorded",
                subject=f"registry:{request.source}",
                content=counts,
                idempotency_key=request.idempotency_key,
            )
            seq = entry.seq  # read before the commit expires the instance
        log.info("members_recorded", key=request.idempotency_key, seq=seq, **counts)
        return RecordMembersResult(**counts, audit_seq=seq)

    @activity.defn(name="record_people")
    def record_people(self, request: RecordPeopleRequest) -> RecordResult:
        """Insert or update people (the secretariat's register of representatives)."""
        return self._once(request.idempotency_key, lambda s: write_people(s, request))

    @activity.defn(name="record_election")
    def record_election(self, request: RecordElectionRequest) -> RecordResult:
        """Record a decided election with its inputs and outcome, chained in the audit log."""
        return self._once(request.idempotency_key, lambda s: write_election(s, request))

    @activity.defn(name="record_seats")
    def record_seats(self, request: RecordSeatsRequest) -> RecordResult:
        """Give people their seats for a term; every person must be recorded first."""
        return self._once(request.idempotency_key, lambda s: write_seats(s, request))

    @activity.defn(name="end_seat")
    def end_seat(self, request: EndSeatRequest) -> RecordResult:
        """End a seat before its term ends (a vacancy), keeping the row as history."""
        return self._once(request.idempotency_key, lambda s: write_end_seat(s, request))

    @activity.defn(name="record_event")
    def record_event(self, request: RecordEventRequest) -> RecordResult:
        """Log a workflow milestone (stage reached, deadline passed, lot drawn): audit only."""
        event = Change(1, request.action, request.subject, dict(request.content))
        return self._once(request.idempotency_key, lambda _: event, stores_count=False)

    def _once(
        self, key: str, write: Callable[[Session], Change], *, stores_count: bool = True
    ) -> RecordResult:
        """Run `write` and append its audit entry in one transaction, unless `key` is logged.

        A replay returns the first result: the count is kept in the entry's content (events keep
        the caller's content as it is, and always changed exactly one thing, their entry).
        """
        with Session(self.engine) as session, session.begin():
            done = _logged(session, key)
            if done is not None:
                changed = json.loads(done.content).get("changed", 0) if stores_count else 1
                log.info("record_already_done", key=key, action=done.action, seq=done.seq)
                return RecordResult(changed=changed, audit_seq=done.seq)
            change = write(session)
            content = {**change.content, "changed": change.changed} if stores_count else None
            entry = audit.append(
                session,
                actor=actor(),
                action=change.action,
                subject=change.subject,
                content=change.content if content is None else content,
                idempotency_key=key,
            )
            seq = entry.seq  # read before the commit expires the instance
        log.info(change.action, key=key, seq=seq, changed=change.changed)
        return RecordResult(changed=change.changed, audit_seq=seq)


def _logged(session: Session, key: str) -> AuditEntry | None:
    return session.exec(select(AuditEntry).where(AuditEntry.idempotency_key == key)).first()


def _upsert_member(session: Session, values: dict[str, object]) -> str:
    row = session.get(Member, values["number"])
    if row is None:
        session.add(Member.model_validate(values))
        return "inserted"
    if row.model_dump() == values:
        return "unchanged"
    for key, value in values.items():
        setattr(row, key, value)
    session.add(row)
    return "updated"
