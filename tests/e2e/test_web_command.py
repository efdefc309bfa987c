"""`ksgov web` as an operator starts it: it listens, answers its health check and nothing else
without a login, keeps its session key private, and a second one on the same port is one line
and exit 2."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.e2e.conftest import Sandbox


def test_ksgov_web_serves_the_console_until_stopped(sandbox: Sandbox) -> None:
    sandbox.env["KSGOV_DATABASE_URL"] = f"sqlite:///{sandbox.cwd / 'records.db'}"
    assert sandbox.run("db", "upgrade").returncode == 0
    port = free_port()
    server = sandbox.popen_logged("web", "--port", str(port))
    try:
        health = None
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as a:
                    health = json.loads(a.read())
                break
            except OSError:
                time.sleep(0.2)
        assert health == {"ok": True}
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/me", timeout=5)
        assert refused.value.code == 401
        again = sandbox.run("web", "--port", str(port))
        assert again.returncode == 2
        assert again.stderr.startswith("ksgov: error: cannot listen on 127.0.0.1:")
        assert again.stderr.count("\n") == 1
    finally:
        server.terminate()
        server.wait(timeout=30)
    secret = sandbox.cwd / "data" / "web-secret"  # the session key, made on first use
    assert secret.stat().st_mode & 0o777 == 0o600


def test_ksgov_web_serves_from_several_processes(sandbox: Sandbox) -> None:
    sandbox.env["KSGOV_DATABASE_URL"] = f"sqlite:///{sandbox.cwd / 'records.db'}"
    assert sandbox.run("db", "upgrade").returncode == 0
    port = free_port()
    server = sandbox.popen_logged("web", "--port", str(port), "--workers", "2")
    try:
        answers: list[object] = []
        deadline = time.monotonic() + 60
        while len(answers) < 20 and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as a:
                    answers.append(json.loads(a.read()))
            except OSError:
                time.sleep(0.2)
        assert answers == [{"ok": True}] * 20
        assert len(_children(server.pid)) >= 2  # the workers (and multiprocessing's helper)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/me", timeout=5)
        assert refused.value.code == 401
    finally:
        server.terminate()
        assert server.wait(timeout=30) == 0


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux's /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found
