"""`ksgov drill`: a small term on the dev server while its parts fail and come back.

The real thing, not the time-skipping server: `temporal server start-dev` on its own SQLite file,
`ksgov worker` as a separate process, an in-process SMTP server on a fixed port, and the record
store (a new SQLite file, or the PostgreSQL database given) reached by the worker through a TCP
proxy the drill can cut. While the secretariat's input goes in (county meetings, the Landsting's
notice and elections), the drill

- kills the worker with SIGKILL at random moments and starts it again;
- cuts the database: new connections refused and open ones dropped, for a while;
- stops the SMTP server for a while, while the Landsting's notice goes out to every delegate;
- stops the Temporal dev server and starts it again on its data.

Then it waits until nothing is pending and checks what landed: organ sizes, gender balance,
every notice sent before its deadline, each message delivered, the audit chain, and that no
workflow failed. A re-send after a kill arrives with the same Message-ID (the window between the
mail server's acceptance and the outbox write); it is counted, not hidden.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import random
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus

import connection
from client.errors import UserError
from domain.bylaws import Bylaws
from domain.registry import Registry
from harness import driver as sim_driver
from harness import report
from harness.choices import FAULTS
from harness.devserver import DevServer, bundled_binary
from harness.smtp import CountingSmtp
from harness.synthetic import PeopleFactory
from models import ids
from models.election_payloads import CountyMeetingResult
from models.records import Notification
from sealing import Keyring
from service import governance
from service.migrate import migrate
from service.term_inputs import TermPlan, build_term_input
from service.term_start import start_term_workflows
from store import db
from store.signing import read_record_key, sign_with

Progress = Callable[[str], None]
UNHEALTHY = {
    WorkflowExecutionStatus.FAILED,
    WorkflowExecutionStatus.TERMINATED,
    WorkflowExecutionStatus.TIMED_OUT,
    WorkflowExecutionStatus.CANCELED,
}


WATCH_SECONDS = 1.0  # how often the drill looks whether its worker still runs
MAX_KILLS = 20  # each kill costs a restart and its retries: more would run for an hour


@dataclass(frozen=True)
class DrillOptions:
    """What to run and what to break."""

    year: int = 2027
    counties: int = 3
    seed: int = 1
    database_url: str | None = None
    data_dir: Path = Path(".ksgov")
    kills: int = 3
    outage_seconds: float = 15.0
    faults: tuple[str, ...] = FAULTS
    settle_seconds: float = 300.0
    record_key_file: Path | None = None  # default: record-key in the data directory

    @property
    def record_key_path(self) -> Path:
        return self.record_key_file or self.data_dir / "record-key"

    def check(self) -> None:
        """Refuse options that cannot make a drill, in words the operator understands."""
        unknown = sorted(set(self.faults) - set(FAULTS))
        if unknown:
            raise UserError(f"unknown fault {', '.join(unknown)}: choose from {', '.join(FAULTS)}")
        if not 0 <= self.kills <= MAX_KILLS:
            raise UserError(f"--kills must be between 0 and {MAX_KILLS}, not {self.kills}")
        if not 1 <= self.outage_seconds <= 600:
            raise UserError(
                f"--outage-seconds must be between 1 and 600, not {self.outage_seconds}"
            )
        if self.database_url and not self.database_url.startswith("postgresql+psycopg://"):
            raise UserError(
                "--database-url must be a postgresql+psycopg:// URL (without it the drill uses "
                "a new SQLite file); never point a drill at the production record store"
            )


@dataclass
class FaultLog:
    """Every fault injected, with when it began (seconds since the start) and how long it took."""

    began: float = field(default_factory=time.monotonic)
    entries: list[dict[str, Any]] = field(default_factory=list)
    progress: Progress = print

    def now(self) -> float:
        return round(time.monotonic() - self.began, 1)

    def add(self, kind: str, phase: str, at: float, what: str) -> None:
        entry = {"fault": kind, "phase": phase, "at_seconds": at,
                 "lasted_seconds": round(self.now() - at, 1), "what": what}  # fmt: skip
        self.entries.append(entry)
        self.progress(f"  [{at:6.1f} s] {kind}: {what} ({entry['lasted_seconds']} s)")


def free_port() -> int:
    """A free port below Linux's ephemeral range (32768-60999): a server the drill stops and
    starts again keeps its port, which an outgoing connection could otherwise take meanwhile."""
    for port in random.sample(range(20000, 32768), 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise UserError("no free port between 20000 and 32767 for the drill's servers")


# ------------------------------------------------------------------------------- the parts


class TcpProxy:
    """A TCP relay on 127.0.0.1 in a thread of its own; `cut()` drops every connection and resets
    new ones until `restore()`: the database, as the worker sees it, is down. The listening
    socket stays open meanwhile, so no other program can take its port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="proxy")
        self.server: asyncio.AbstractServer | None = None
        self.open: set[asyncio.StreamWriter] = set()
        self.down = False

    def start(self) -> None:
        self.thread.start()
        self._call(self._listen())

    def cut(self) -> None:
        self._call(self._cut())

    def restore(self) -> None:
        self.down = False

    def close(self) -> None:
        self._call(self._cut())
        if self.server is not None:
            self.server.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def _call(self, coro: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = int(self.server.sockets[0].getsockname()[1])

    async def _cut(self) -> None:
        self.down = True
        for writer in list(self.open):
            writer.transport.abort()
        self.open.clear()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.open |= {writer, up_writer}
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        self.open -= {writer, up_writer}


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()


class Database:
    """The drill's record store: what the worker uses (through the proxy for PostgreSQL), what
    the drill reads directly, and how it is taken down."""

    def __init__(self, options: DrillOptions, folder: Path) -> None:
        self.proxy: TcpProxy | None = None
        if options.database_url:
            self.url = options.database_url
            target = make_url(self.url)
            self.proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
            self.worker_url = ""  # known once the proxy listens
        else:
            self.url = self.worker_url = f"sqlite:///{folder / 'records.db'}"
        self._lock: Any = None

    def start(self) -> Engine:
        migrate(self.url, "--database-url")
        if self.proxy is not None:
            self.proxy.start()
            proxied = make_url(self.url).set(host="127.0.0.1", port=self.proxy.port)
            self.worker_url = proxied.render_as_string(hide_password=False)
        return db.make_engine(self.url)

    def down(self) -> str:
        if self.proxy is not None:
            self.proxy.cut()
            return "every connection to PostgreSQL dropped, new ones reset"
        import sqlite3

        self._lock = sqlite3.connect(make_url(self.url).database or "", timeout=60)
        self._lock.isolation_level = None
        self._lock.execute("BEGIN EXCLUSIVE")
        return "the SQLite file locked against every writer"

    def up(self) -> None:
        if self.proxy is not None:
            self.proxy.restore()
        elif self._lock is not None:
            self._lock.execute("ROLLBACK")
            self._lock.close()
            self._lock = None

    def close(self) -> None:
        self.up()
        if self.proxy is not None:
            self.proxy.close()


@dataclass
class WorkerProcess:
    """`ksgov worker` in a process of its own, which the drill can kill -9."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    command: tuple[str, ...] = ()  # default: `ksgov worker`
    killed: bool = False  # by the drill, and not yet started again

    def start(self) -> None:
        out: IO[bytes] = self.log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            list(self.command or (bundled_binary("ksgov"), "worker")), env=self.env,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        out.close()
        self.starts += 1
        self.killed = False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.killed = True
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def died(self) -> int | None:
        """The exit code of a worker that stopped by itself (None while it runs, or while it is
        down because the drill killed it)."""
        if self.process is None or self.killed:
            return None
        return self.process.poll()

    async def watch(self) -> None:
        """Return never; raise a UserError as soon as the worker stops by itself, with the last
        line it wrote, instead of waiting for work that no worker will do."""
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            code = self.died()
            if code is not None:
                lines = self.log.read_text(errors="replace").strip().splitlines() or [""]
                raise UserError(
                    f"the drill's worker stopped by itself (exit code {code}): "
                    f"{lines[-1][:200]} (all of it in {self.log})"
                )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


# ------------------------------------------------------------------------------- the drill


@dataclass
class Drill:
    options: DrillOptions
    folder: Path
    server: DevServer
    worker: WorkerProcess
    database: Database
    engine: Engine
    smtp: CountingSmtp
    faults: FaultLog
    rng: random.Random
    progress: Progress
    keys: Keyring
    client: Client | None = None

    def wanted(self, fault: str) -> bool:
        return fault in self.options.faults

    async def connect(self) -> Client:
        self.client = await connection.connect_to(self.server.address, self.keys)
        return self.client

    async def kill_worker(self, phase: str) -> None:
        at = self.faults.now()
        await asyncio.to_thread(self.worker.kill)
        await asyncio.sleep(self.rng.uniform(0.5, 2.0))
        self.worker.start()
        self.faults.add("worker", phase, at, "worker killed with SIGKILL and started again")

    async def database_outage(self, phase: str) -> None:
        at = self.faults.now()
        what = await asyncio.to_thread(self.database.down)
        await asyncio.sleep(self.options.outage_seconds)
        await asyncio.to_thread(self.database.up)
        self.faults.add("database", phase, at, what)

    async def restart_server(self, phase: str) -> None:
        at = self.faults.now()
        await asyncio.to_thread(self.server.stop)
        await asyncio.sleep(1.0)
        self.server.start(output=(self.folder / "server.log").open("ab"))
        await self.server.wait_ready()
        self.faults.add("server", phase, at, "Temporal dev server stopped and started on its data")

    async def smtp_down(self, phase: str) -> asyncio.Task[None]:
        """Stop the mail server now; the task returned starts it again after the outage."""

        async def back(at: float, port: int) -> None:
            await asyncio.sleep(self.options.outage_seconds)
            await asyncio.to_thread(self.smtp.start, port)
            self.faults.add("smtp", phase, at, "mail server stopped and started again")

        at, port = self.faults.now(), self.smtp.port
        if self.wanted("smtp"):
            await asyncio.to_thread(self.smtp.stop)
            return asyncio.create_task(back(at, port))
        return asyncio.create_task(asyncio.sleep(0))

    async def chaos(self, phase: str, kills: int, outage: bool) -> None:
        """Worker kills at random moments, with a database outage among them."""
        outage_after = self.rng.randint(0, kills) if outage else -1
        for n in range(kills + 1):
            if n == outage_after:
                await asyncio.sleep(self.rng.uniform(0.5, 3.0))
                await self.database_outage(phase)
            if n < kills:
                await asyncio.sleep(self.rng.uniform(1.0, 6.0))
                await self.kill_worker(phase)


def small_federation(counties: int, year: int) -> tuple[Registry, Bylaws]:
    """The first `counties` counties of the shipped registry with their municipalities."""
    full = governance.load_registry()
    if not 1 <= counties <= len(full.counties):
        raise UserError(f"--counties must be between 1 and {len(full.counties)}, not {counties}")
    chosen = full.counties[:counties]
    numbers = {c.number for c in chosen}
    registry = Registry(
        chosen,
        tuple(m for m in full.municipalities if m.county in numbers),
        f"{full.source} (first {counties} counties)",
    )
    return registry, governance.load_bylaws(on_date=dt.date(year, 1, 1))


async def run_drill(options: DrillOptions, progress: Progress) -> dict[str, Any]:
    """Run the drill and return its report (faults, counts, invariants)."""
    options.check()
    registry, bylaws = small_federation(options.counties, options.year)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    folder = options.data_dir.resolve() / "drills" / f"drill-{stamp}-{uuid.uuid4().hex[:6]}"
    folder.mkdir(parents=True)
    progress(f"Drill folder: {folder}")
    database = Database(options, folder)
    engine = sign_with(database.start(), read_record_key(options.record_key_path, create=True))
    smtp = CountingSmtp()
    smtp.start(free_port())
    server = DevServer(folder / "temporal", port=free_port(), ui_port=free_port())
    server.start(output=(folder / "server.log").open("ab"))
    queue = f"drill-{uuid.uuid4().hex[:8]}"
    keys = Keyring.generate()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KSGOV_")}
    env.update(
        KSGOV_TEMPORAL_ADDRESS=server.address, KSGOV_TASK_QUEUE=queue,
        KSGOV_DATABASE_URL=database.worker_url, KSGOV_DATA_DIR=str(folder),
        KSGOV_SMTP_HOST="127.0.0.1", KSGOV_SMTP_PORT=str(smtp.port),
        KSGOV_MAIL_FROM="drill@ks.invalid", KSGOV_LOG_FORMAT="json",
        KSGOV_PAYLOAD_KEYS=keys.value(), KSGOV_RECORD_KEY_FILE=str(options.record_key_path),
    )  # fmt: skip
    drill = Drill(
        options, folder, server, WorkerProcess(env, folder / "worker.log"), database, engine,
        smtp, FaultLog(progress=progress), random.Random(options.seed), progress, keys,
    )  # fmt: skip
    try:
        await server.wait_ready()
        drill.worker.start()
        client = await drill.connect()
        return await _watched(drill.worker, _term(drill, client, registry, bylaws, queue))
    finally:
        drill.worker.stop()
        server.stop()
        smtp.stop()
        database.close()
        engine.dispose()


async def _watched(
    worker: WorkerProcess, work: Coroutine[Any, Any, dict[str, Any]]
) -> dict[str, Any]:
    """`work`, cancelled with the worker's own words if the worker stops by itself."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(worker.watch())
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            watcher.result()  # raises the worker's UserError
        return task.result()
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError, UserError):
            await watcher


async def _term(
    drill: Drill, client: Client, registry: Registry, bylaws: Bylaws, queue: str
) -> dict[str, Any]:
    options, progress = drill.options, drill.progress
    people = PeopleFactory(options.seed)
    year = options.year
    data = build_term_input(registry, bylaws, year, meetings=True)
    started = await start_term_workflows(client, data, queue)
    term = client.get_workflow_handle(started.term_id)
    progress(f"Term {data.term}: {len(data.counties)} county meetings started")

    chaos = asyncio.create_task(
        drill.chaos(
            "county meetings",
            options.kills - options.kills // 2 if drill.wanted("worker") else 0,
            drill.wanted("database"),
        )
    )
    results = await _county_meetings(client, data, people)
    await chaos
    progress(f"County meetings: {len(results)} held, organs elected")

    if drill.wanted("server"):
        await drill.restart_server("between county meetings and Landsting")
    landsting = await sim_driver.wait_started(client, ids.landsting_id(year))
    # The update returns once the notice is out, so the mail server comes back beside it.
    outage = await drill.smtp_down("Landsting notice")
    associates = await sim_driver.notice_landsting(
        landsting, dt.date(year + 1, 2, 13), people, data.input.landsting
    )
    await outage

    delegates = [p.person_id for r in results for p in r.delegates]
    chaos = asyncio.create_task(
        drill.chaos("Landsting", options.kills // 2 if drill.wanted("worker") else 0, False)
    )
    await sim_driver.landsting(landsting, data, people, results, associates)
    await chaos
    await sim_driver.wait_stage(term, "in_office", seconds=options.settle_seconds)
    progress(f"Landsting: {len(delegates)} delegates; organs composed")
    workflow_ids = await _term_workflows(client, data.term)
    settled = await _settle(client, drill, workflow_ids, options.settle_seconds)
    return await _report(drill, client, data, bylaws, workflow_ids, settled)


async def _county_meetings(
    client: Client, data: TermPlan, people: PeopleFactory
) -> list[CountyMeetingResult]:
    async def one(n: int) -> CountyMeetingResult:
        county = data.counties[n]
        handle = await sim_driver.wait_started(
            client, ids.county_meeting_id(data.year, county.county)
        )
        await sim_driver.county_meeting(handle, county, people, dt.date(data.year, 11, 10 + n))
        return CountyMeetingResult.model_validate(await handle.result())

    return list(await asyncio.gather(*(one(n) for n in range(len(data.counties)))))


async def _term_workflows(client: Client, term: str) -> list[str]:
    """Every workflow of the term, found by its search attribute (the dev server has visibility)."""
    found: set[str] = set()
    async for execution in client.list_workflows(f"KsTerm = '{term}'"):
        found.add(execution.id)
    return sorted(found)


async def _settle(client: Client, drill: Drill, ids: list[str], seconds: float) -> float:
    """Wait until no workflow has an activity pending and the outbox is empty; the seconds it
    took (the retries after the last fault included)."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        pending = 0
        for workflow_id in ids:
            described = await client.get_workflow_handle(workflow_id).describe()
            pending += len(described.raw_description.pending_activities)
        with Session(drill.engine) as session:
            queued = len(
                session.exec(select(Notification.id).where(Notification.status == "queued")).all()
            )
        if pending == 0 and queued == 0:
            return round(time.monotonic() - began, 1)
        await asyncio.sleep(1.0)
    drill.progress(f"did not settle within {seconds:.0f} s: the checks below see unfinished work")
    return round(time.monotonic() - began, 1)


def delivery_problems(engine: Engine, smtp: CountingSmtp) -> tuple[list[str], int]:
    """Each sent outbox row arrived under its Message-ID, and nothing else arrived; the number
    of re-sends (a Message-ID arriving again after a kill) is returned beside the problems."""
    with Session(engine) as session:
        sent = session.exec(
            select(Notification.message_id).where(Notification.status == "sent")
        ).all()
    arrived = Counter(a.message_id for a in smtp.arrivals)
    expected = {str(m) for m in sent}
    problems = [
        f"{m} was recorded as sent but never arrived" for m in sorted(expected - set(arrived))
    ]
    problems += [f"{m} arrived but is not in the outbox" for m in sorted(set(arrived) - expected)]
    return problems, sum(n - 1 for n in arrived.values())


async def workflow_problems(client: Client, ids: list[str]) -> tuple[list[str], dict[str, int]]:
    """Workflows that failed or were terminated, and failed workflow tasks by cause (a task that
    timed out because its worker was killed is expected; a failed one is not); beside them, the
    counts that show the faults hit: timed-out tasks and activities, and activity retries."""
    problems, counts = [], Counter[str]()
    for workflow_id in ids:
        handle = client.get_workflow_handle(workflow_id)
        described = await handle.describe()
        if described.status in UNHEALTHY:
            problems.append(f"{workflow_id}: {described.status.name}")
        async for event in handle.fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
                cause = event.workflow_task_failed_event_attributes.cause
                problems.append(f"{workflow_id}: workflow task failed (cause {cause})")
            elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
                counts["workflow_tasks_timed_out"] += 1
            elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
                counts["activities_timed_out"] += 1
            elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                # only an attempt's last start is in the history, with its number
                attempt = event.activity_task_started_event_attributes.attempt
                counts["activity_retries"] += max(attempt - 1, 0)
    return problems, dict(counts)


async def _report(
    drill: Drill, client: Client, data: TermPlan, bylaws: Bylaws, ids: list[str], settled: float
) -> dict[str, Any]:
    engine = drill.engine
    found = report.organs(engine, data.term)
    invariants = report.Invariants()
    invariants.check("organ_sizes", report.composition_problems(found, bylaws, len(data.counties)))
    balanced = data.input.landsting.balanced_bodies
    invariants.check("gender_balance", report.gender_problems(engine, data.term, balanced))
    invariants.check("notices_before_deadline", report.notice_problems(engine))
    delivered, resent = delivery_problems(engine, drill.smtp)
    invariants.check("each_message_delivered", delivered)
    record_key = read_record_key(drill.options.record_key_path, create=False)
    audit_verified = report.audit_ok(engine, record_key.public)
    invariants.check("audit_chain", [] if audit_verified else ["the audit chain does not verify"])
    unhealthy, counts = await workflow_problems(client, ids)
    invariants.check("workflows_healthy", unhealthy)
    injected = Counter(entry["fault"] for entry in drill.faults.entries)
    missing = [f for f in drill.options.faults if not injected[f]]
    if "worker" in missing and drill.options.kills == 0:
        missing.remove("worker")
    invariants.check("faults_injected", [f"{f}: not injected" for f in missing])
    return {
        "term": data.term,
        "records": db.display_url(drill.database.url),
        "folder": str(drill.folder),
        "counties": len(data.counties),
        "delegates": found.get("landsting", {}).get("size", 0),
        "organs": {o: v["size"] for o, v in found.items()},
        "elections": report.elections_count(engine, data.term),
        "notifications": report.notifications(engine),
        "emails_received": drill.smtp.count,
        "resent_after_kill": resent,
        "workflows": len(ids),
        "worker_starts": drill.worker.starts,
        **counts,
        "faults": drill.faults.entries,
        "settle_seconds": settled,
        "audit_verified": audit_verified,
        "invariants": invariants.as_dict(),
        "invariants_ok": invariants.ok,
        "wall_seconds": drill.faults.now(),
    }
