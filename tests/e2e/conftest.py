"""Helpers for e2e tests: run the real `ksgov` command in a fresh directory with free ports."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port

KSGOV = str(Path(sys.executable).parent / "ksgov")


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
