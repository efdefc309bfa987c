"""The business clock of a simulation: the Temporal server's time of the activity attempt.

On the time-skipping server simulated years pass in seconds; reading the server's time of the
attempt makes a notice "sent" in simulated December 2027 recorded as sent then, so deadlines
compare like for like. Outside an activity it is the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity

from store.clock import wall_clock


def temporal_clock() -> datetime:
    """The Temporal server's time when this attempt was scheduled (simulated time when skipping)."""
    if not activity.in_activity():
        return wall_clock()
    return activity.info().current_attempt_scheduled_time.astimezone(UTC)
