"""Benchmark: Temporal's own floor for a simulation of a given shape.

A raw Temporal program with the shape of a `ksgov simulate` run and nothing of ksgov in it:
`--workflows` workflow runs, `--activities` activities that do nothing and `--timers` timers of
one simulated day, spread evenly over the runs (each run alternates its activities and its
timers), on the same time-skipping server, with one worker in this process. It prints the wall
seconds from the first start to the last result. bench/run.py runs it with the counts of the
simulation it just ran and adds the simulation's notices at the plain floor's rate
(bench/notify_floor.py): the floor of that simulation's own shape.

    .venv/bin/python bench/skeleton.py --workflows 533 --activities 5976 --timers 2395
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.devserver import bundled_binary  # noqa: E402 - after the path set-up above


@activity.defn
def nothing(n: int) -> int:
    """An activity that does no work."""
    return n


@workflow.defn(sandboxed=False)
class Skeleton:
    """`activities` activities and `timers` one-day timers, alternated."""

    @workflow.run
    async def run(self, activities: int, timers: int) -> int:
        done = 0
        for n in range(max(activities, timers)):
            if n < activities:
                done += await workflow.execute_activity(
                    nothing, 1, start_to_close_timeout=timedelta(minutes=5)
                )
            if n < timers:
                await workflow.sleep(timedelta(days=1))
        return done


@workflow.defn(sandboxed=False)
class Parent:
    """Starts the other runs as children, all at once, and waits for them (one client wait:
    the time-skipping server's lock is held and released once)."""

    @workflow.run
    async def run(self, shares: list[tuple[int, int]]) -> int:
        children = [
            workflow.execute_child_workflow(Skeleton.run, args=[a, t], id=f"skeleton-{n}")
            for n, (a, t) in enumerate(shares)
        ]
        return sum(await asyncio.gather(*children))


def spread(total: int, parts: int) -> list[int]:
    """`total` split over `parts` as evenly as integers allow."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


async def run(workflows: int, activities: int, timers: int) -> dict[str, float | int]:
    """Run the skeleton; its counts and wall seconds."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=bundled_binary("temporal-test-server")
    )
    try:
        client: Client = env.client
        queue = f"skeleton-{uuid.uuid4()}"
        with ThreadPoolExecutor(16) as pool:
            async with Worker(
                client,
                task_queue=queue,
                workflows=[Parent, Skeleton],
                activities=[nothing],
                activity_executor=pool,
            ):
                began = time.perf_counter()
                children = workflows - 1  # the parent is a run too
                shares = list(
                    zip(spread(activities, children), spread(timers, children), strict=True)
                )
                done = await client.execute_workflow(
                    Parent.run, shares, id="skeleton", task_queue=queue
                )
                wall = time.perf_counter() - began
    finally:
        await env.shutdown()
    return {
        "workflows": workflows,
        "activities": done,
        "timers": timers,
        "wall_seconds": round(wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflows", type=int, required=True)
    parser.add_argument("--activities", type=int, required=True)
    parser.add_argument("--timers", type=int, required=True)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.workflows, args.activities, args.timers)), indent=2))


if __name__ == "__main__":
    main()
