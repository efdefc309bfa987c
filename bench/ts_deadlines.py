"""Probe: how long the time-skipping server takes to skip past many activities' deadlines.

    .venv/bin/python bench/ts_deadlines.py 500 2000 8000
    .venv/bin/python bench/ts_deadlines.py 2000 --filler 0 10000 20000 40000

For each N it starts N workflows, each running one quick activity whose schedule-to-close
deadline falls at the same instant 30 days ahead, waits until all have completed, then sleeps
31 days and prints how long that skip took. With `--filler K ...` it first runs K quick
activities (FILLER_PER_WORKFLOW to a workflow, short timeouts) and skips past their timeouts,
then probes each N on that server: this shows whether a deadline costs more on a server that
has done more work. A large simulation's clock crawls at the county meetings' deadline, when
the completed notify activities of every county meeting reach theirs (figures in
docs/benchmarks.md). It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

DEADLINE = timedelta(days=30)
FILLER_PER_WORKFLOW = 20
SHORT = timedelta(seconds=60)


@activity.defn
async def quick(n: int) -> int:
    return n


@workflow.defn(sandboxed=False)
class OneActivity:
    @workflow.run
    async def run(self, n: int) -> int:
        result: int = await workflow.execute_activity(
            quick,
            n,
            start_to_close_timeout=SHORT,
            schedule_to_close_timeout=DEADLINE,
        )
        return result


@workflow.defn(sandboxed=False)
class ManyActivities:
    @workflow.run
    async def run(self, count: int) -> int:
        done = 0
        for i in range(count):
            done += await workflow.execute_activity(
                quick, i, start_to_close_timeout=SHORT, schedule_to_close_timeout=SHORT
            )
        return done


async def probe(env: WorkflowEnvironment, n: int, filler: int = 0) -> dict[str, float]:
    queue = str(uuid.uuid4())
    worker = Worker(
        env.client,
        task_queue=queue,
        workflows=[OneActivity, ManyActivities],
        activities=[quick],
        max_concurrent_activities=200,
    )
    async with worker:
        filled = 0.0
        if filler:
            began = time.monotonic()
            with env.auto_time_skipping_disabled():
                fill = await asyncio.gather(
                    *(
                        env.client.start_workflow(
                            ManyActivities.run,
                            FILLER_PER_WORKFLOW,
                            id=f"filler-{queue}-{i}",
                            task_queue=queue,
                        )
                        for i in range(max(filler // FILLER_PER_WORKFLOW, 1))
                    )
                )
                for filling in fill:
                    await filling.result()
            await env.sleep(timedelta(days=1))  # past the filler's own timeouts
            filled = time.monotonic() - began
        with env.auto_time_skipping_disabled():
            began = time.monotonic()
            handles = await asyncio.gather(
                *(
                    env.client.start_workflow(
                        OneActivity.run, i, id=f"probe-{queue}-{i}", task_queue=queue
                    )
                    for i in range(n)
                )
            )
            for handle in handles:
                await handle.result()
            ran = time.monotonic() - began
        began = time.monotonic()
        await env.sleep(DEADLINE + timedelta(days=1))
        skipped = time.monotonic() - began
    return {
        "filler_activities": filler,
        "filler_seconds": round(filled, 1),
        "activities": n,
        "run_seconds": round(ran, 1),
        "skip_seconds": round(skipped, 2),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", type=int, nargs="+", help="activities per probe")
    parser.add_argument(
        "--filler", type=int, nargs="+", default=[0], help="quick activities run before each probe"
    )
    args = parser.parse_args()
    server = shutil.which("temporal-test-server") or str(
        Path(sys.executable).parent / "temporal-test-server"
    )
    # The core's warnings would go to stdout, which is for the JSON alone.
    quiet = TelemetryFilter(core_level="ERROR", other_level="ERROR")
    runtime = Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(quiet)))
    results = []
    for filler, n in itertools.product(args.filler, args.counts):
        env = await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=server, runtime=runtime
        )
        try:
            results.append(await probe(env, n, filler))
        finally:
            await env.shutdown()
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    json.dump(results, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    asyncio.run(main())
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # as in cli/: the core can crash at exit (docs/temporal.md, "Client shutdown")
