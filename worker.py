"""The composition root: settings -> logging -> database -> client -> Worker(workflows, activities).

Run it with `ksgov worker` or `python worker.py`. Tests build the same worker with `build_worker`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Literal

import structlog
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

import connection
from activities.all import build_activities
from activities.starts import StartActivities
from config import WORKFLOW_CACHE, WORKFLOW_TASKS, Settings, load_settings
from notices.mailer import SmtpConfig
from sealing import KeyringError
from store.clock import Clock, wall_clock
from store.db import make_engine
from store.signing import RecordKeyError, read_record_key, sign_with
from telemetry import configure_logging
from workflows.all import WORKFLOWS

# Our own pure modules and pydantic are passed through the sandbox: re-importing them for every
# workflow run costs CPU and memory (docs/temporal.md, "Sandbox and imports").
PASSTHROUGH = ("pydantic", "pydantic_core", "annotated_types", "models", "domain")

ACTIVITY_THREADS = 16

WorkerRole = Literal["all", "workflows", "activities"]

log = structlog.get_logger(__name__)


def smtp_config(settings: Settings) -> SmtpConfig:
    """The SMTP part of the settings, as the notification activities take it."""
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=settings.smtp_security.value,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value(),
        plaintext_login=settings.smtp_plaintext_login,
        mail_from=settings.mail_from,
        secretariat_email=settings.secretariat_email,
    )


def build_worker(
    client: Client,
    task_queue: str,
    engine: Engine,
    executor: concurrent.futures.ThreadPoolExecutor,
    smtp: SmtpConfig | None = None,
    clock: Clock = wall_clock,
    cache: int = WORKFLOW_CACHE,
    workflow_tasks: int = WORKFLOW_TASKS,
    role: WorkerRole = "all",
) -> Worker:
    """A worker with every workflow and activity; sync activities run on `executor`.

    `cache` workflows are kept in memory between tasks, at most `workflow_tasks` run at once.
    `role` "workflows" or "activities" builds a worker with only those, for a deployment that
    runs them in separate processes on one task queue (the simulation does).
    """
    activities = build_activities(
        engine, smtp or SmtpConfig(), StartActivities(client, task_queue), clock
    )
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS) if role != "activities" else [],
        activities=activities if role != "workflows" else [],
        activity_executor=executor,
        max_concurrent_activities=ACTIVITY_THREADS,
        max_cached_workflows=cache,
        max_concurrent_workflow_tasks=workflow_tasks,
        workflow_runner=SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)
        ),
        graceful_shutdown_timeout=timedelta(seconds=10),
    )


@contextlib.asynccontextmanager
async def running_worker(
    client: Client,
    task_queue: str,
    engine: Engine,
    smtp: SmtpConfig | None = None,
    clock: Clock = wall_clock,
    cache: int = WORKFLOW_CACHE,
    workflow_tasks: int = WORKFLOW_TASKS,
    role: WorkerRole = "all",
) -> AsyncIterator[Worker]:
    """A started worker with its own activity thread pool, shut down on exit."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=ACTIVITY_THREADS) as executor:
        async with build_worker(
            client, task_queue, engine, executor, smtp, clock, cache, workflow_tasks, role
        ) as worker:
            yield worker


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run the worker until `stop` is set (or forever)."""
    key = read_record_key(settings.record_key_path, create=True)
    engine = sign_with(make_engine(settings.resolved_database_url), key)
    client = await connection.connect(settings)
    async with running_worker(
        client,
        settings.task_queue,
        engine,
        smtp_config(settings),
        cache=settings.workflow_cache,
        workflow_tasks=settings.workflow_tasks,
    ):
        log.info(
            "worker_started", task_queue=settings.task_queue, namespace=settings.temporal_namespace
        )
        await (stop or asyncio.Event()).wait()
    log.info("worker_stopped")


def main() -> None:
    """Run the worker with the settings of the environment; exit 3 if Temporal does not answer."""
    settings = load_settings()
    configure_logging(settings.log_format, settings.log_level)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run_worker(settings))
    except connection.TemporalUnreachableError as exc:
        print(f"ksgov: error: {exc} (KSGOV_TEMPORAL_ADDRESS)", file=sys.stderr)
        raise SystemExit(3) from None
    except (KeyringError, RecordKeyError) as exc:
        print(f"ksgov: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
