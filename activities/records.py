"""Record-store activities: each one writes its rows and its audit entry in one transaction.

Every request carries an idempotency key built from business keys by the workflow, so a retry
after a crash (or a rerun after continue-as-new) changes nothing and returns the same answer.
"""

from __future__ import annotations

import json

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio import activity

from activities import audit
from models.payloads import RecordMembersRequest, RecordMembersResult
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
        log.info("members_recorded", key=request.idempotency_key, seq=entry.seq, **counts)
        return RecordMembersResult(**counts, audit_seq=entry.seq)


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
