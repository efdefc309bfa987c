"""Helpers for e2e tests: run the real `ksgov` command in a fresh directory with free ports.

`sandbox`: a fresh directory and environment; `running`: that sandbox with `ksgov server` and
`ksgov worker` running on it (an SQLite file database, the aiosmtpd `smtp` fixture for mail).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

import connection
from config import Settings
from harness.devserver import temporal_binary
from sealing import Keyring
from tests.conftest import SmtpServer, free_port

KSGOV = str(Path(sys.executable).parent / "ksgov")


# Ctrl-C (SIGINT) must reach the commands as in a terminal. When the tests run as a background
# job of a shell without job control, SIGINT is ignored, and children would inherit that; a
# Python handler is reset to the default in a child, an ignored signal is not.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@dataclass
class Sandbox:
    """A working directory and environment of its own: data dir, Temporal and UI ports."""

    cwd: Path
    env: dict[str, str]

    @property
    def address(self) -> str:
        return self.env["KSGOV_TEMPORAL_ADDRESS"]

    def keyring(self) -> Keyring:
        """The payload keys of this sandbox's data directory, as its commands read them."""
        return Settings(data_dir=Path(self.env["KSGOV_DATA_DIR"])).keyring()

    async def client(self) -> Client:
        """A client of this sandbox's Temporal server that opens its sealed payloads."""
        return await connection.connect_to(self.address, self.keyring())

    def run(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [KSGOV, *args], cwd=self.cwd, env=self.env, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip

    def popen_logged(self, *args: str) -> subprocess.Popen[str]:
        """A long-running command whose output goes to `<cwd>/<command>.log`: a pipe nobody
        reads would fill up and block a chatty process such as the worker."""
        log = (self.cwd / f"{args[0]}.log").open("w")
        return subprocess.Popen(
            [KSGOV, *args], cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [KSGOV, *args], cwd=self.cwd, env=self.env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KSGOV_")}
    env.update(
        KSGOV_TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}",
        KSGOV_UI_PORT=str(free_port()),
        KSGOV_DATA_DIR=str(tmp_path / "data"),
        KSGOV_LOG_FORMAT="json",
    )
    return Sandbox(tmp_path, env)


@pytest.fixture
def running(sandbox: Sandbox, smtp: SmtpServer) -> Iterator[Sandbox]:
    """`ksgov server` and `ksgov worker` running for the sandbox, stopped afterwards."""
    sandbox.env["KSGOV_SMTP_PORT"] = str(smtp.port)
    sandbox.env["KSGOV_DATABASE_URL"] = f"sqlite:///{sandbox.cwd / 'records.db'}"
    assert sandbox.run("db", "upgrade").returncode == 0
    server = sandbox.popen_logged("server")
    waited = sandbox.run("term", "status", "1999", timeout=60)  # answers once the server is up
    for _ in range(60):
        if "does not answer" not in waited.stderr:
            break
        waited = sandbox.run("term", "status", "1999", timeout=60)
    worker = sandbox.popen_logged("worker")
    try:
        yield sandbox
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        stop_server(server)


def stop_server(server: subprocess.Popen[str]) -> None:
    """Ctrl-C, as from a terminal; SIGTERM (which `ksgov server` also handles by stopping its
    `temporal server start-dev` child) if it does not stop in time."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.terminate()
        server.wait(timeout=60)


def _texts(node: Any) -> Iterator[str]:
    """Every string in a JSON document, and what each base64 one decodes to (a payload's data
    is base64 in the Temporal CLI's JSON unless the CLI could show it as JSON)."""
    if isinstance(node, dict):
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)
    elif isinstance(node, str):
        yield node
        with contextlib.suppress(ValueError):
            yield base64.b64decode(node, validate=True).decode("utf-8", errors="replace")


def found_in_histories(sandbox: Sandbox, secrets: set[str]) -> dict[str, set[str]]:
    """The `secrets` (names, addresses) that the Temporal CLI shows in some workflow's history,
    by workflow id: what anyone with access to the Temporal server (or its UI) would read."""
    temporal = [temporal_binary(), "--address", sandbox.address, "--output", "json"]
    listed = subprocess.run(
        [*temporal, "workflow", "list", "--limit", "1000"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    runs = [e["execution"] for e in json.loads(listed.stdout)]  # every run, continued ones too
    assert runs, "the Temporal CLI listed no workflow"
    found: dict[str, set[str]] = {}
    for run in runs:
        shown = subprocess.run(
            [*temporal, "workflow", "show", "--workflow-id", run["workflowId"],
             "--run-id", run["runId"]],
            capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
        text = "\n".join(_texts(json.loads(shown.stdout)))
        if hits := {secret for secret in secrets if secret in text}:
            found.setdefault(run["workflowId"], set()).update(hits)
    return found


@pytest.fixture
def artefacts(tmp_path: Path) -> Path:
    """Where a browser test saves its screenshots: KSGOV_TEST_ARTIFACTS, else its own folder."""
    folder = Path(os.environ.get("KSGOV_TEST_ARTIFACTS", tmp_path / "artefacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
