"""The composition root: settings -> logging -> database -> client -> Worker(workflows, activities).

Run it with `ksgov worker` or `python worker.py`. Tests build the same worker with `build_worker`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import signal
import sys
import time
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
# How long a stopping worker lets its running activities finish before cancelling them.
GRACEFUL = timedelta(seconds=10)

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
        graceful_shutdown_timeout=GRACEFUL,
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


async def connect_patiently(settings: Settings, stop: asyncio.Event) -> Client | None:
    """A client, trying again with backoff (0.5 s, doubling to 30 s) while Temporal does not
    answer, for `worker_connect_patience` seconds; then TemporalUnreachableError. None when
    `stop` is set while it waits (a worker stopped before it ever started)."""
    began, delay = time.monotonic(), 0.5
    while True:
        try:
            return await connection.connect(settings)
        except connection.TemporalUnreachableError as exc:
            left = settings.worker_connect_patience - (time.monotonic() - began)
            if left <= 0:
                raise
            wait = min(delay, left)
            log.warning("temporal_unreachable", retry_in_seconds=round(wait, 1), reason=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
            if stop.is_set():
                return None
            delay = min(delay * 2, 30)


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run the worker until `stop` is set (or forever). On `stop` it takes no new tasks and
    lets running activities finish for up to ten seconds (then they are cancelled, and
    Temporal retries them elsewhere)."""
    stop = stop or asyncio.Event()
    key = read_record_key(settings.record_key_path, create=True)
    engine = sign_with(make_engine(settings.resolved_database_url), key)
    client = await connect_patiently(settings, stop)
    if client is None:
        log.info("worker_stopped", drained_seconds=0)
        return
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
        await stop.wait()
        log.info("worker_stopping", drain_seconds=GRACEFUL.total_seconds())
        began = time.monotonic()
    log.info("worker_stopped", drained_seconds=round(time.monotonic() - began, 1))


async def serve(settings: Settings) -> None:
    """The worker until SIGTERM or SIGINT (Ctrl-C): either stops it gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await run_worker(settings, stop)


def main() -> None:
    """Run the worker with the settings of the environment until SIGTERM or SIGINT (exit 0);
    exit 3 if Temporal does not answer within KSGOV_WORKER_CONNECT_PATIENCE seconds."""
    settings = load_settings()
    configure_logging(settings.log_format, settings.log_level)
    try:
        with contextlib.suppress(KeyboardInterrupt):  # a Ctrl-C before the handlers are set
            asyncio.run(serve(settings))
    except connection.TemporalUnreachableError as exc:
        print(f"ksgov: error: {exc} (KSGOV_TEMPORAL_ADDRESS)", file=sys.stderr)
        raise SystemExit(3) from None
    except (KeyringError, RecordKeyError) as exc:
        print(f"ksgov: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
