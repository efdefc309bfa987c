"""Helpers for e2e tests: run the real `ksgov` command in a fresh directory with free ports.

`sandbox`: a fresh directory and environment; `running`: that sandbox with `ksgov server` and
`ksgov worker` running on it (an SQLite file database, the aiosmtpd `smtp` fixture for mail).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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
