"""The simulation's clock (harness/clock.py) waits for work that outlasts its sleep call's
deadline, and leaves the time-skipping server's lock count as it found it.

A wrong count shows as the clock skipping while an activity runs: the activity then times out
in simulated time and is tried again. Each test has a server of its own (locks are global).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from temporalio import activity, workflow
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from harness.clock import skip_to
from harness.driver import wait_started
from tests.workflows.cycle_support import own_time_skipping_env


@activity.defn(name="slow_step")
async def slow_step(seconds: float) -> int:
    """Real work that takes `seconds` of wall time; returns the attempt it succeeded on."""
    await asyncio.sleep(seconds)
    return activity.info().attempt


@workflow.defn(name="SlowStep", sandboxed=False)
class SlowStepWorkflow:
    @workflow.run
    async def run(self, seconds: float) -> tuple[int, float]:
        """The attempt the activity succeeded on, and the simulated minutes it took."""
        began = workflow.now()
        attempt = await workflow.execute_activity(
            slow_step, seconds, start_to_close_timeout=dt.timedelta(minutes=10)
        )
        return attempt, (workflow.now() - began).total_seconds() / 60


def worker(env: WorkflowEnvironment, queue: str) -> Worker:
    return Worker(
        env.client,
        task_queue=queue,
        workflows=[SlowStepWorkflow],
        activities=[slow_step],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )


async def a_slow_step(env: WorkflowEnvironment, queue: str) -> tuple[int, float]:
    """Run a 2-second activity: the attempt it succeeded on, and the simulated minutes."""
    return await env.client.execute_workflow(
        SlowStepWorkflow.run, 2.0, id=f"slow-{uuid.uuid4()}", task_queue=queue
    )


async def test_the_clock_waits_for_work_longer_than_the_sleep_calls_deadline() -> None:
    queue = f"clock-{uuid.uuid4()}"
    async with own_time_skipping_env() as env, worker(env, queue):
        handle = await env.client.start_workflow(
            SlowStepWorkflow.run, 3.0, id=f"slow-{uuid.uuid4()}", task_queue=queue
        )
        target = await env.get_current_time() + dt.timedelta(days=30)
        # The sleep call gives up after 1 s while the 3-second activity holds the clock.
        await skip_to(env, target, deadline=dt.timedelta(seconds=1))
        assert await env.get_current_time() >= target
        # ...and the clock did not skip while it ran: no timeout in simulated time, no retry
        # (sleeping again after the 1 s call gives up would make this (2, 10.07)).
        attempt, minutes = await handle.result()
        assert (attempt, minutes < 1) == (1, True)
        # The count is balanced: a later activity holds the clock while it runs.
        attempt, minutes = await a_slow_step(env, queue)
        assert attempt == 1
        assert minutes < 1


async def test_the_clock_does_not_move_back_or_sleep_when_it_is_already_there() -> None:
    queue = f"clock-{uuid.uuid4()}"
    async with own_time_skipping_env() as env, worker(env, queue):
        now = await env.get_current_time()
        await skip_to(env, now - dt.timedelta(days=1))
        assert (await env.get_current_time() - now) < dt.timedelta(minutes=1)
        await skip_to(env, now + dt.timedelta(days=2))
        assert await env.get_current_time() >= now + dt.timedelta(days=2)
        attempt, minutes = await a_slow_step(env, queue)
        assert (attempt, minutes < 1) == (1, True)


# Why the simulation lets no workflow continue as new: the test server's lock leak
# (docs/temporal.md, "The time-skipping test server").


@workflow.defn(name="Kid", sandboxed=False)
class KidWorkflow:
    def __init__(self) -> None:
        self._go = False

    @workflow.signal
    def proceed(self) -> None:
        self._go = True

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self._go)


@workflow.defn(name="Parent", sandboxed=False)
class ParentWorkflow:
    @workflow.run
    async def run(self, kids: int, continue_as_new: bool) -> str:
        if kids:
            for n in range(kids):
                await workflow.start_child_workflow(
                    KidWorkflow.run,
                    id=f"{workflow.info().workflow_id}-kid-{n}",
                    parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                )
            if continue_as_new:
                workflow.continue_as_new(args=[0, False])
        await workflow.sleep(dt.timedelta(days=1))
        return "a day later"


async def a_day_after_the_kids_close(continue_as_new: bool) -> bool:
    """Whether a parent's one-day timer fires after its abandoned children closed."""
    queue = f"clock-{uuid.uuid4()}"
    async with (
        own_time_skipping_env() as env,
        Worker(
            env.client,
            task_queue=queue,
            workflows=[ParentWorkflow, KidWorkflow],
            workflow_runner=UnsandboxedWorkflowRunner(),
        ),
    ):
        parent = await env.client.start_workflow(
            ParentWorkflow.run, args=[2, continue_as_new], id="parent", task_queue=queue
        )
        kids = [await wait_started(env.client, f"parent-kid-{n}") for n in range(2)]
        for kid in kids:
            await kid.signal(KidWorkflow.proceed)
            await kid.result()
        try:
            await asyncio.wait_for(parent.result(), timeout=5)
        except TimeoutError:
            return False
        return True


async def test_a_child_closing_after_its_parent_continued_as_new_stops_the_test_servers_clock() -> (
    None
):
    # If this starts failing, the test server is fixed: the simulation may continue as new.
    assert await a_day_after_the_kids_close(continue_as_new=False)
    assert not await a_day_after_the_kids_close(continue_as_new=True)
