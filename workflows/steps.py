"""The activity calls workflows make, with their timeouts and retry policies in one place.

Activities are called by name (workflows must not import activities/, which imports the
database); the names are a stored contract with the worker's registrations (tests check it).
Record writes retry for a while and then fail the step loudly; notifications retry with backoff
until their deadline, so an SMTP outage loses nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from models.payloads import (
        SECRETARIAT,
        DelegatesRequest,
        EndSeatRequest,
        NotifyMany,
        NotifyRequest,
        NotifyResult,
        OrganSeatsRequest,
        PeoplePage,
        PersonIn,
        Recipient,
        RecordElectionRequest,
        RecordEventRequest,
        RecordPeopleRequest,
        RecordResult,
        RecordSeatsRequest,
        SeatIn,
        SeatsResult,
    )

_R = TypeVar("_R", bound=BaseModel)

RECORD_TIMEOUT = timedelta(seconds=60)
RECORD_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=50,  # about 3 hours: a database outage longer than that needs a human
    non_retryable_error_types=["BadInput"],
)
NOTIFY_TIMEOUT = timedelta(minutes=5)
NOTIFY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
    non_retryable_error_types=["BadInput"],
)
NOTIFY_WITHOUT_DEADLINE = timedelta(days=3)
# The notify activity heartbeats after each message; one SMTP exchange times out after 30 s.
NOTIFY_HEARTBEAT = timedelta(seconds=60)


async def store_call(name: str, request: BaseModel, result_type: type[_R]) -> _R:
    """Run the record-store activity `name`, with the record store's timeout and retries."""
    result: _R = await workflow.execute_activity(
        name,
        request,
        result_type=result_type,
        start_to_close_timeout=RECORD_TIMEOUT,
        retry_policy=RECORD_RETRY,
    )
    return result


async def record(name: str, request: BaseModel) -> RecordResult:
    """Run the record activity `name`: it writes its rows and audit entry once per key."""
    return await store_call(name, request, RecordResult)


async def record_people(request: RecordPeopleRequest) -> RecordResult:
    return await record("record_people", request)


async def record_election(request: RecordElectionRequest) -> RecordResult:
    return await record("record_election", request)


async def record_seats(request: RecordSeatsRequest) -> RecordResult:
    return await record("record_seats", request)


async def end_seat(request: EndSeatRequest) -> RecordResult:
    return await record("end_seat", request)


async def record_event(request: RecordEventRequest) -> RecordResult:
    return await record("record_event", request)


async def read_delegates(term: str, counties: tuple[str, ...]) -> tuple[PersonIn, ...]:
    """Every delegate the given counties' meetings recorded, read a page at a time."""
    people: list[PersonIn] = []
    request = DelegatesRequest(term=term, counties=counties)
    while True:
        page = await store_call("read_delegates", request, PeoplePage)
        people += page.people
        if not page.next_after:
            return tuple(people)
        request = request.model_copy(update={"after": page.next_after})


async def read_organ_seats(term: str, organ: str) -> list[SeatIn]:
    """The seats of `organ` in `term` that have not ended, from the record store."""
    request = OrganSeatsRequest(term=term, organ=organ)
    return list((await store_call("read_organ_seats", request, SeatsResult)).seats)


# A notice to more recipients than this goes out in several activities: one payload stays far
# below Temporal's 2 MB limit, and one activity well inside its five-minute timeout.
NOTIFY_BATCH = 500


async def notify_in_batches(request: NotifyRequest) -> NotifyResult:
    """`notify`, NOTIFY_BATCH recipients at a time (the outbox keys make each message once)."""
    people = request.recipients
    results = await asyncio.gather(
        *(
            notify(request.model_copy(update={"recipients": people[i : i + NOTIFY_BATCH]}))
            for i in range(0, len(people), NOTIFY_BATCH)
        )
    )
    return _summed(results)


async def _notify_call(name: str, request: BaseModel, deadline: datetime | None) -> NotifyResult:
    """Run the notification activity `name`, retried until `deadline` (at least 10 minutes from
    now), or for 3 days without one; heartbeats show it alive between messages."""
    budget = NOTIFY_WITHOUT_DEADLINE
    if deadline is not None:
        budget = max(deadline - workflow.now(), timedelta(minutes=10))
    result: NotifyResult = await workflow.execute_activity(
        name,
        request,
        result_type=NotifyResult,
        start_to_close_timeout=NOTIFY_TIMEOUT,
        heartbeat_timeout=NOTIFY_HEARTBEAT,
        schedule_to_close_timeout=budget,
        retry_policy=NOTIFY_RETRY,
    )
    return result


async def notify_many(requests: Sequence[NotifyRequest]) -> NotifyResult:
    """Several notices in one `notify_many` activity, retried until the earliest deadline.

    If that passes with messages undelivered, each notice gets its own `notify` once more (what
    was sent is not sent again), so an undelivered one is recorded and alerted as `notify` does.
    """
    deadlines = [r.deadline for r in requests if r.deadline is not None]
    batch = NotifyMany(requests=tuple(requests))
    try:
        return await _notify_call("notify_many", batch, min(deadlines, default=None))
    except ActivityError:
        return _summed(await asyncio.gather(*(notify(r) for r in requests)))


def _summed(results: Sequence[NotifyResult]) -> NotifyResult:
    return NotifyResult(
        sent=sum(r.sent for r in results),
        already_sent=sum(r.already_sent for r in results),
        failed=sum(r.failed for r in results),
        late=sum(r.late for r in results),
    )


async def notify(request: NotifyRequest) -> NotifyResult:
    """Send one message per recipient, retrying until the deadline (or 3 days without one)."""
    try:
        return await _notify_call("notify", request, request.deadline)
    except ActivityError as exc:
        if request.purpose == "delivery_alert":
            raise
        await _alert_undelivered(request, str(exc.cause or exc))
        return NotifyResult(sent=0, already_sent=0, failed=len(request.recipients))


async def _alert_undelivered(request: NotifyRequest, reason: str) -> None:
    """Record that a notice could not be delivered in time and tell the secretariat."""
    subject = f"{request.purpose}/{request.subject_key}"
    await record_event(
        RecordEventRequest(
            idempotency_key=f"undelivered/{subject}",
            action="notice_undelivered",
            subject=request.subject_key,
            content={
                "purpose": request.purpose,
                "recipients": len(request.recipients),
                "reason": reason[:300],
            },
        )
    )
    await notify(
        NotifyRequest(
            purpose="delivery_alert",
            subject_key=subject,
            recipients=(Recipient(recipient_id=SECRETARIAT),),
            context={
                "purpose": request.purpose,
                "subject": request.subject_key,
                "recipients": [r.recipient_id for r in request.recipients],
            },
        )
    )


ACTIVITY_NAMES: tuple[str, ...] = (
    "record_members",
    "record_people",
    "record_election",
    "record_seats",
    "end_seat",
    "record_event",
    "read_delegates",
    "read_organ_seats",
    "notify",
    "notify_many",
)
