"""Which clock the store reads for business times (queued, sent).

Production reads the wall clock; a simulation passes the Temporal server's clock (see
activities/clock.py), so a notice sent in simulated December 2027 is recorded as sent then. The
audit log's own timestamps always use the wall clock: they say when the row was written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)
