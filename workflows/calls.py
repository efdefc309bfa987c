"""Every activity call a workflow makes, with its timeout and retry policy, in one place;
and the start of a child that outlives its parent.

Workflows pass the activity's declaration (`activities/contracts.py`), so the activity's name and
result type come from it, never from a string. Three kinds of call:
- `store`: a record-store write or read; retried for about three hours, then the step fails
  loudly (a database outage that long needs a human);
- `pure`: a computation (a calendar file, a plan); retried a few times;
- `notify` and friends: notices, retried with backoff until their deadline, so an SMTP outage
  loses nothing; one still undelivered then is recorded and the secretariat is alerted.
A refusal for bad input (`BadInput`) is never retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities import contracts
    from models.payloads import (
        SECRETARIAT,
        CouncilsRequest,
        CouncilsResult,
        DelegatesRequest,
        NotifyMany,
        NotifyRequest,
        NotifyResult,
        OrganSeatsRequest,
        PersonIn,
        Recipient,
        RecordEventRequest,
        RecordResult,
        SeatIn,
    )

_A = TypeVar("_A")
_R = TypeVar("_R")

STORE_TIMEOUT = timedelta(seconds=60)
STORE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=50,
    non_retryable_error_types=["BadInput"],
)
PURE_TIMEOUT = timedelta(seconds=30)
PURE_RETRY = RetryPolicy(maximum_attempts=5, non_retryable_error_types=["BadInput"])
NOTIFY_TIMEOUT = timedelta(minutes=5)
NOTIFY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
    non_retryable_error_types=["BadInput"],
)
NOTIFY_WITHOUT_DEADLINE = timedelta(days=3)
# The notify activity heartbeats every second at most; one SMTP exchange times out after 30 s.
NOTIFY_HEARTBEAT = timedelta(seconds=60)
# A notice to more recipients than this goes out in several activities: one payload stays far
# below Temporal's 2 MB limit, and one activity well inside its five-minute timeout.
NOTIFY_BATCH = 500


async def store(activity: Callable[[_A], _R], request: _A) -> _R:
    """Run the record-store activity `activity` with `request`."""
    return await _call(activity, request, STORE_TIMEOUT, STORE_RETRY)


async def pure(activity: Callable[[_A], _R], request: _A) -> _R:
    """Run the computing activity `activity` with `request`."""
    return await _call(activity, request, PURE_TIMEOUT, PURE_RETRY)


async def _call(
    activity: Callable[[_A], _R], request: _A, limit: timedelta, retry: RetryPolicy
) -> _R:
    result: _R = await workflow.execute_activity(
        activity, request, start_to_close_timeout=limit, retry_policy=retry
    )
    return result


async def start_abandoned_child(
    run: Callable[[Any, _A], Awaitable[Any]], data: _A, id: str
) -> None:
    """Start a child workflow that outlives its parent (a series, a meeting); one already
    running under `id` is left as it is."""
    try:
        await workflow.start_child_workflow(
            run, data, id=id, parent_close_policy=ParentClosePolicy.ABANDON
        )
    except WorkflowAlreadyStartedError:
        workflow.logger.info("child_already_running", extra={"id": id})


async def record(activity: Callable[[_A], RecordResult], request: _A) -> RecordResult:
    """A record write: it changes its rows and appends its audit entry once per key."""
    return await store(activity, request)


async def event(
    key: str, action: str, subject: str, *, term: str | None = None, **content: Any
) -> RecordResult:
    """Log a milestone in the audit log (ids and counts only), once per key; with `term`, the
    term is recorded too if it is not yet."""
    request = RecordEventRequest(
        idempotency_key=key, action=action, subject=subject, content=dict(content), term=term
    )
    return await record(contracts.record_event, request)


async def read_delegates(
    term: str, counties: tuple[str, ...], deputies: bool = False
) -> tuple[PersonIn, ...]:
    """Every delegate (or deputy) the given counties' meetings recorded, a page at a time."""
    people: list[PersonIn] = []
    request = DelegatesRequest(term=term, counties=counties, deputies=deputies)
    while True:
        page = await store(contracts.read_delegates, request)
        people += page.people
        if not page.next_after:
            return tuple(people)
        request = request.model_copy(update={"after": page.next_after})


async def read_councils(person_ids: Sequence[str], on: date) -> tuple[Recipient, ...]:
    """The councils with an address that elected these people, from the record store."""
    request = CouncilsRequest(person_ids=tuple(person_ids), on=on)
    found: CouncilsResult = await store(contracts.read_councils, request)
    return found.councils


async def read_organ_seats(term: str, organ: str) -> tuple[list[SeatIn], list[PersonIn]]:
    """The seats of `organ` in `term` that have not ended, and their holders, from the record
    store."""
    request = OrganSeatsRequest(term=term, organ=organ)
    found = await store(contracts.read_organ_seats, request)
    return list(found.seats), list(found.people)


async def _notify_call(
    activity: Callable[[_A], NotifyResult], request: _A, deadline: datetime | None
) -> NotifyResult:
    """Run a notification activity, retried until `deadline` (at least 10 minutes from now),
    or for 3 days without one; heartbeats show it alive between messages."""
    budget = NOTIFY_WITHOUT_DEADLINE
    if deadline is not None:
        budget = max(deadline - workflow.now(), timedelta(minutes=10))
    result: NotifyResult = await workflow.execute_activity(
        activity,
        request,
        start_to_close_timeout=NOTIFY_TIMEOUT,
        heartbeat_timeout=NOTIFY_HEARTBEAT,
        schedule_to_close_timeout=budget,
        retry_policy=NOTIFY_RETRY,
    )
    return result


async def notify(request: NotifyRequest) -> NotifyResult:
    """Send one message per recipient, retrying until the deadline (or 3 days without one)."""
    try:
        return await _notify_call(contracts.notify, request, request.deadline)
    except ActivityError as exc:
        if request.purpose == "delivery_alert":
            raise
        await _alert_undelivered(request, str(exc.cause or exc))
        return NotifyResult(sent=0, already_sent=0, failed=len(request.recipients))


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


async def notify_many(requests: Sequence[NotifyRequest]) -> NotifyResult:
    """Several notices in one `notify_many` activity, retried until the earliest deadline.

    If that passes with messages undelivered, each notice gets its own `notify` once more (what
    was sent is not sent again), so an undelivered one is recorded and alerted as `notify` does.
    """
    deadlines = [r.deadline for r in requests if r.deadline is not None]
    batch = NotifyMany(requests=tuple(requests))
    try:
        return await _notify_call(contracts.notify_many, batch, min(deadlines, default=None))
    except ActivityError:
        return _summed(await asyncio.gather(*(notify(r) for r in requests)))


def _summed(results: Sequence[NotifyResult]) -> NotifyResult:
    return NotifyResult(
        sent=sum(r.sent for r in results),
        already_sent=sum(r.already_sent for r in results),
        failed=sum(r.failed for r in results),
        late=sum(r.late for r in results),
    )


async def _alert_undelivered(request: NotifyRequest, reason: str) -> None:
    """Record that a notice could not be delivered in time and tell the secretariat."""
    subject = f"{request.purpose}/{request.subject_key}"
    await event(
        f"undelivered/{subject}",
        "notice_undelivered",
        request.subject_key,
        purpose=request.purpose,
        recipients=len(request.recipients),
        reason=reason[:300],
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
