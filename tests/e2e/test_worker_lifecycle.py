"""`ksgov worker` as an operator's supervisor runs it: started before Temporal answers, it keeps
trying with backoff and starts once the server is up; SIGTERM drains it and it exits 0 saying
so; without a server for longer than its patience it exits 3 in one line."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.e2e.conftest import KSGOV, Sandbox, stop_server


def events(log: Path) -> list[str]:
    """The worker's log events, in order (JSON lines; anything else is skipped)."""
    found = []
    for line in log.read_text().splitlines():
        try:
            found.append(str(json.loads(line)["event"]))
        except (ValueError, KeyError, TypeError):
            continue
    return found


def until(what: str, check: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def test_a_worker_waits_for_temporal_and_stops_gracefully_on_sigterm(sandbox: Sandbox) -> None:
    sandbox.env["KSGOV_DATABASE_URL"] = f"sqlite:///{sandbox.cwd / 'records.db'}"
    assert sandbox.run("db", "upgrade").returncode == 0
    worker = sandbox.popen_logged("worker")  # no server yet at its address
    log = sandbox.cwd / "worker.log"
    server = None
    try:
        until("a retry", lambda: events(log).count("temporal_unreachable") >= 2)
        assert worker.poll() is None  # still trying, not exited
        server = sandbox.popen_logged("server")
        until("the worker's start", lambda: "worker_started" in events(log), 90)
        worker.send_signal(signal.SIGTERM)
        began = time.monotonic()
        assert worker.wait(timeout=30) == 0
        assert time.monotonic() - began < 15  # the drain is bounded (ten seconds)
        said = events(log)
        assert said[-1] == "worker_stopped"
        assert said.index("worker_stopping") > said.index("worker_started")
    finally:
        if worker.poll() is None:
            worker.kill()
        if server is not None:
            stop_server(server)


def test_a_worker_without_temporal_past_its_patience_exits_3_in_one_line(
    sandbox: Sandbox,
) -> None:
    sandbox.env["KSGOV_DATABASE_URL"] = f"sqlite:///{sandbox.cwd / 'records.db'}"
    sandbox.env["KSGOV_WORKER_CONNECT_PATIENCE"] = "2"
    assert sandbox.run("db", "upgrade").returncode == 0
    result = subprocess.run(
        [KSGOV, "worker"], cwd=sandbox.cwd, env=sandbox.env,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 3
    [line] = [ln for ln in result.stderr.splitlines() if ln.startswith("ksgov: error:")]
    assert "does not answer" in line
    assert "KSGOV_TEMPORAL_ADDRESS" in line
    assert (result.stdout + result.stderr).count("temporal_unreachable") >= 2  # it tried again
