"""Probe: how long the time-skipping server takes to skip past many activities' deadlines.

    .venv/bin/python bench/ts_deadlines.py 500 2000 8000

For each N it starts N workflows, each running one quick activity whose schedule-to-close
deadline falls at the same instant 30 days ahead, waits until all have completed, then sleeps
31 days and prints how long that skip took. The scale-100 simulation's clock stopped just after
the county meetings' deadline, when 37,200 completed notify activities reach theirs (README,
"Benchmark"); this measures whether stale deadlines alone make the Java test server slow. It
prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
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
            start_to_close_timeout=timedelta(seconds=60),
            schedule_to_close_timeout=DEADLINE,
        )
        return result


async def probe(env: WorkflowEnvironment, n: int) -> dict[str, float]:
    queue = str(uuid.uuid4())
    worker = Worker(
        env.client,
        task_queue=queue,
        workflows=[OneActivity],
        activities=[quick],
        max_concurrent_activities=200,
    )
    async with worker:
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
    return {"activities": n, "run_seconds": round(ran, 1), "skip_seconds": round(skipped, 2)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", type=int, nargs="+", help="activities per probe")
    args = parser.parse_args()
    server = shutil.which("temporal-test-server") or str(
        Path(sys.executable).parent / "temporal-test-server"
    )
    # The core's warnings would go to stdout, which is for the JSON alone.
    quiet = TelemetryFilter(core_level="ERROR", other_level="ERROR")
    runtime = Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(quiet)))
    results = []
    for n in args.counts:
        env = await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=server, runtime=runtime
        )
        try:
            results.append(await probe(env, n))
        finally:
            await env.shutdown()
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    json.dump(results, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    asyncio.run(main())
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # the SDK's core can crash at interpreter exit (sdk-python#300), as in cli/
