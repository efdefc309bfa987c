"""Moving the time-skipping server's clock without unbalancing its time-skipping locks.

The Java test server counts locks on time skipping: each workflow task and activity holds one
while it runs, and the client holds one except while it waits. Its sleep call
(`UnlockTimeSkippingWithSleep`) releases the client's lock and arms a timer that takes it back
when the clock reaches the target. The SDK's `env.sleep` gives that call the default RPC
deadline (30 s): when the workflows have more than 30 s of real work to do before the clock
can get there (150 county meetings e-mailing 3,570 councils at scale 10), the call gives up
while the server's timer is still armed. Calling sleep again then releases the lock a second
time: the count goes wrong, the clock skips ahead while activities still run (they time out
in simulated time) and can later fail the next sleep call. This is one of the two test-server
faults a large simulation (`--scale 10`, `--meetings all`) runs into (docs/temporal.md, "The
time-skipping test server"); the other (a child closing after its parent leaks a lock) is
avoided by how the simulation starts its workflows (see tests/workflows/test_sim_clock.py).

So the clock moves by exactly one sleep call per target, with a deadline long enough for the
work; if that call still fails, the client waits for the armed timer instead of calling again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Callable

from temporalio.api.testservice.v1 import SleepRequest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

SLEEP_DEADLINE = dt.timedelta(hours=3)
REPORT_EVERY = 60.0  # seconds of wall time between progress lines while the clock waits
GIVEN_UP = (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED)


async def skip_to(
    env: WorkflowEnvironment,
    moment: dt.datetime,
    progress: Callable[[str], None] = lambda _m: None,
    deadline: dt.timedelta = SLEEP_DEADLINE,
) -> None:
    """Move the clock to `moment` (timers fire on the way); no-op if it is there already.

    While the workflows' work keeps the clock back, `progress` hears the simulated time once a
    minute. The sleep call waits up to `deadline`; if it gives up, the clock is waited for up to
    SLEEP_DEADLINE more, then RuntimeError.
    """
    now = await env.get_current_time()
    if moment <= now:
        return
    request = SleepRequest()
    request.duration.FromTimedelta(moment - now)
    call = asyncio.ensure_future(
        env.client.test_service.unlock_time_skipping_with_sleep(request, timeout=deadline)
    )
    try:
        while not call.done():
            await asyncio.wait({call}, timeout=REPORT_EVERY)
            if not call.done():
                clock = await env.get_current_time()
                progress(f"  (simulated time {clock:%Y-%m-%d %H:%M}: the workflows are busy)")
        call.result()
        return
    except RPCError as exc:
        if exc.status not in GIVEN_UP:
            raise
    finally:
        if not call.done():  # cancelled from outside: the server's timer is armed regardless
            call.cancel()
            with contextlib.suppress(asyncio.CancelledError, RPCError):
                await call
    await _wait_for_armed_timer(env, moment, SLEEP_DEADLINE.total_seconds())


async def _wait_for_armed_timer(
    env: WorkflowEnvironment, moment: dt.datetime, seconds: float
) -> None:
    """The sleep call gave up, but its timer is still armed: wait for the clock to pass
    `moment` (the timer then takes the client's lock back) rather than sleeping again."""
    give_up = time.monotonic() + max(seconds, 0.0)
    while await env.get_current_time() < moment:
        if time.monotonic() > give_up:
            raise RuntimeError(f"simulated time did not reach {moment.isoformat()}")
        await asyncio.sleep(0.2)
    await asyncio.sleep(0.2)  # the timer's callback takes the lock a moment after the clock
