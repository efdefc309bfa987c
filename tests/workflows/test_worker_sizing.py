"""The worker's workflow cache and task slots come from its settings (and the simulation's size).

With the SDK's defaults (1,000 cached workflows, 100 task slots) a large simulation thrashes: it
runs more county meetings than the cache holds, and on a few cores its tasks outlast their
timeout. These check that the sizes reach the SDK's worker, and that the simulation's cache holds
every county's workflows.
"""

from __future__ import annotations

import concurrent.futures

from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from config import WORKFLOW_CACHE, WORKFLOW_TASKS
from domain.registry import scaled
from harness.simulate import worker_cache
from service import governance
from worker import build_worker


async def test_the_worker_gets_the_cache_and_task_slots_it_is_given(
    ts_env: WorkflowEnvironment, sqlite_engine: Engine, task_queue: str
) -> None:
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as executor:
        default = build_worker(ts_env.client, task_queue, sqlite_engine, executor).config()
        sized = build_worker(
            ts_env.client, f"{task_queue}-2", sqlite_engine, executor, cache=4700, workflow_tasks=4
        ).config()
    assert (default["max_cached_workflows"], default["max_concurrent_workflow_tasks"]) == (
        WORKFLOW_CACHE,
        WORKFLOW_TASKS,
    )
    assert (sized["max_cached_workflows"], sized["max_concurrent_workflow_tasks"]) == (4700, 4)


def test_the_simulation_caches_every_county_workflow_at_scale_100() -> None:
    registry = governance.load_registry()
    assert worker_cache(registry) == WORKFLOW_CACHE  # 15 counties fit the default
    big = scaled(registry, 100)
    assert len(big.counties) == 1500
    assert worker_cache(big) >= 3 * 1500  # a meeting and two series a county
