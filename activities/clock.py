"""Which clock an activity reads for business times (sent_at, queued_at, Date headers).

Production reads the wall clock. A simulation runs on the time-skipping server, where simulated
years pass in seconds: there the activity reads the server's time of the attempt, so a notice
"sent" in simulated December 2027 is recorded as sent then, and deadlines compare like for like.
The audit log's own timestamps always use the wall clock: they say when the row was written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from temporalio import activity

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


def temporal_clock() -> datetime:
    """The Temporal server's time when this attempt was scheduled (simulated time when skipping)."""
    if not activity.in_activity():
        return wall_clock()
    return activity.info().current_attempt_scheduled_time.astimezone(UTC)
