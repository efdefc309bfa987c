"""Record-store activities: each one runs a store write and its audit entry in one transaction.

Every request carries an idempotency key built from business keys by the workflow, so a retry
after a crash (or a rerun after continue-as-new) changes nothing and returns the same answer.
A write the store refuses becomes a non-retryable `BadInput` error with the store's message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import contracts
from activities.contracts import implements
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
from store.changes import Change, RefusedError, Written, ensure_term, write_once
from store.members import write_members
from store.people import write_election, write_people
from store.seats import write_end_seat, write_seats

log = structlog.get_logger(__name__)


def actor() -> str:
    """Who is acting: the workflow id and run id of the calling activity, or `cli` outside one."""
    if not activity.in_activity():
        return "cli"
    info = activity.info()
    return f"workflow:{info.workflow_id}/{info.workflow_run_id}"


def bad_input(message: str) -> ApplicationError:
    """A business refusal: not retried, and the message is shown to the secretariat."""
    return ApplicationError(message, type="BadInput", non_retryable=True)


@contextmanager
def refusals_as_bad_input() -> Iterator[None]:
    """Turn the store's refusals into `bad_input` errors."""
    try:
        yield
    except RefusedError as exc:
        raise bad_input(str(exc)) from None


def run_once(
    engine: Engine, key: str, write: Callable[[Session], Change], *, counted: bool = True
) -> Written:
    """`write_once` for the calling activity, its refusals as `BadInput`, and a log line."""
    with refusals_as_bad_input():
        written = write_once(engine, key, actor(), write, counted=counted)
    event = "record_already_done" if written.already else written.action
    log.info(event, key=key, seq=written.seq, changed=written.changed)
    return written


def recorded(engine: Engine, key: str, write: Callable[[Session], Change]) -> RecordResult:
    """Run `write` once under `key`; rows changed and the audit entry's number."""
    written = run_once(engine, key, write)
    return RecordResult(changed=written.changed, audit_seq=written.seq)


class RecordActivities:
    """Activities that write the record store; they receive the engine from the worker."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @implements(contracts.record_members)
    def record_members(self, request: RecordMembersRequest) -> RecordMembersResult:
        written = run_once(
            self.engine, request.idempotency_key, lambda s: write_members(s, request)
        )
        counts = {k: written.content.get(k, 0) for k in ("inserted", "updated", "unchanged")}
        return RecordMembersResult(**counts, audit_seq=written.seq)

    @implements(contracts.record_people)
    def record_people(self, request: RecordPeopleRequest) -> RecordResult:
        return recorded(self.engine, request.idempotency_key, lambda s: write_people(s, request))

    @implements(contracts.record_election)
    def record_election(self, request: RecordElectionRequest) -> RecordResult:
        return recorded(self.engine, request.idempotency_key, lambda s: write_election(s, request))

    @implements(contracts.record_seats)
    def record_seats(self, request: RecordSeatsRequest) -> RecordResult:
        return recorded(self.engine, request.idempotency_key, lambda s: write_seats(s, request))

    @implements(contracts.end_seat)
    def end_seat(self, request: EndSeatRequest) -> RecordResult:
        return recorded(self.engine, request.idempotency_key, lambda s: write_end_seat(s, request))

    @implements(contracts.record_event)
    def record_event(self, request: RecordEventRequest) -> RecordResult:
        event = Change(1, request.action, request.subject, dict(request.content))

        def write(session: Session) -> Change:
            if request.term is not None:
                ensure_term(session, request.term)
            return event

        written = run_once(self.engine, request.idempotency_key, write, counted=False)
        return RecordResult(changed=written.changed, audit_seq=written.seq)
