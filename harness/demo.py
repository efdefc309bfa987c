"""`ksgov demo`: the richest end-to-end scenario ksgov has, on the embedded default.

It starts a dev server and a worker when none is running, migrates the database, runs the
scenario through real workflows and activities, and stops what it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from typing import Any

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from client.gateway import connect
from config import Settings
from harness.choices import MeetingScope
from harness.devserver import DevServer, port_in_use
from harness.simulate import SimulationOptions, run_simulation
from models import ids
from models.payloads import MemberIn, RegistryImportInput, RegistryImportResult
from service import governance
from service.migrate import migrate
from store import audit, db
from store.files import private_dir
from store.signing import read_record_key, sign_with
from worker import running_worker, smtp_config
from workflows.registry_import import RegistryImportWorkflow

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoSummary:
    """What the demo did, for the console summary and `--json`."""

    started: list[str]
    database: str
    registry_workflow_id: str
    registry: dict[str, Any]
    audit_entries: int
    audit_verified: bool
    audit_head: str
    ui_url: str
    wall_seconds: float
    simulation: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def registry_snapshot() -> RegistryImportInput:
    """The shipped member registry as one import payload: municipalities and county authorities."""
    registry = governance.load_registry()
    members = [
        MemberIn(number=m.number, kind="municipality", name=m.name, county=m.county,
                 population=m.population)
        for m in registry.municipalities
    ] + [
        MemberIn(number=c.number, kind="county", name=c.name, county=c.number,
                 population=registry.population_of(c.number))
        for c in registry.counties
    ]  # fmt: skip
    body = "\n".join(m.model_dump_json() for m in members)
    digest = hashlib.sha256(body.encode()).hexdigest()
    return RegistryImportInput(source=registry.source, digest=digest, members=tuple(members))


async def run_demo(settings: Settings, progress: Progress) -> DemoSummary:
    """Run the demo scenario, starting (and afterwards stopping) what is not running."""
    began = time.monotonic()
    started: list[str] = []
    url = settings.resolved_database_url
    progress(f"Database: migrating {db.display_url(url)}")
    migrate(url, "KSGOV_DATABASE_URL")
    key = read_record_key(settings.record_key_path, create=True)
    engine = sign_with(db.make_engine(url), key)
    async with (
        _temporal(settings, started, progress) as client,
        _worker(client, settings, engine, started, progress),
    ):
        snapshot = registry_snapshot()
        workflow_id = ids.registry_import_id(snapshot.digest)
        progress(f"Workflow {workflow_id}: recording {len(snapshot.members)} members")
        result: RegistryImportResult = await client.execute_workflow(
            RegistryImportWorkflow.run, snapshot, id=workflow_id, task_queue=settings.task_queue
        )
    report = audit.verify_chain(engine, public_key=key.public)
    progress("Stopped what the demo started" if started else "Done")
    return DemoSummary(
        started=started,
        database=db.display_url(url),
        registry_workflow_id=workflow_id,
        registry=result.model_dump(),
        audit_entries=report.entries,
        audit_verified=report.ok,
        audit_head=report.head_hash,
        ui_url=f"{settings.ui_url}/workflows/{workflow_id}",
        wall_seconds=round(time.monotonic() - began, 2),
    )


@contextlib.asynccontextmanager
async def _temporal(
    settings: Settings, started: list[str], progress: Progress
) -> AsyncIterator[Client]:
    server: DevServer | None = None
    if not port_in_use(settings.temporal_host, settings.temporal_port):
        server = DevServer(
            settings.data_dir, settings.temporal_host, settings.temporal_port, settings.ui_port,
            settings.temporal_namespace,
        )  # fmt: skip
        progress(
            f"Temporal: starting the dev server at {server.address} (data in {settings.data_dir})"
        )
        private_dir(settings.data_dir)
        with (settings.data_dir / "temporal.log").open("ab") as log_file:
            server.start(log_file)
        started.append("temporal dev server")
    else:
        progress(f"Temporal: using the server already at {settings.temporal_address}")
    try:
        if server is not None:
            await server.wait_ready()
        yield await connect(settings)
    finally:
        if server is not None:
            server.stop()


@contextlib.asynccontextmanager
async def _worker(
    client: Client, settings: Settings, engine: Any, started: list[str], progress: Progress
) -> AsyncIterator[None]:
    if await has_pollers(client, settings):
        progress(f"Worker: using the worker already polling {settings.task_queue!r}")
        yield
        return
    progress(f"Worker: starting one on task queue {settings.task_queue!r}")
    started.append("worker")
    async with running_worker(client, settings.task_queue, engine, smtp_config(settings)):
        yield


async def has_pollers(client: Client, settings: Settings) -> bool:
    """Whether some worker polls the task queue for workflow tasks right now."""
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=settings.temporal_namespace,
            task_queue=TaskQueue(name=settings.task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return len(response.pollers) > 0


async def run_all(
    settings: Settings, progress: Progress, simulate: bool, meetings: MeetingScope = "national"
) -> DemoSummary:
    """The registry import on the embedded dev server, then (unless skipped) a simulated term
    holding the meetings of `meetings` (Hovedstyret's and Landsstyret's by default: the whole
    term in about a minute; every organ's takes about four)."""
    summary = await run_demo(settings, progress)
    if not simulate:
        return summary
    # How long two cores took (docs/benchmarks.md, 2026-12-07).
    how_long = {"all": "about 4 minutes", "national": "about a minute"}.get(
        meetings, "under a minute"
    )
    progress(f"Simulating a whole term on the time-skipping server ({how_long}) ...")
    options = SimulationOptions(
        data_dir=settings.data_dir, meetings=meetings, record_key_file=settings.record_key_file
    )
    term = await run_simulation(options, lambda message: progress(f"  {message}"))
    return dataclasses.replace(summary, simulation=term)


def run(
    settings: Settings,
    progress: Progress,
    simulate: bool = True,
    meetings: MeetingScope = "national",
) -> DemoSummary:
    """Synchronous entry point for the CLI."""
    return asyncio.run(run_all(settings, progress, simulate, meetings))
