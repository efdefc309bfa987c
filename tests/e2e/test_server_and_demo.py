"""`ksgov server` keeps its workflows across a restart; `ksgov demo` runs end to end on it."""

from __future__ import annotations

import asyncio
import json
import signal
import stat
import subprocess
import time

from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client, WorkflowExecutionStatus

from connection import TemporalUnreachableError
from harness.devserver import port_in_use
from tests.e2e.conftest import Sandbox
from workflows.search_attributes import KS_STAGE


async def wait_for_server(sandbox: Sandbox, process: subprocess.Popen[str]) -> Client:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            return await sandbox.client()
        except TemporalUnreachableError:
            await asyncio.sleep(0.3)
    raise AssertionError("ksgov server did not start within 60 s")


def interrupt(process: subprocess.Popen[str]) -> str:
    """Ctrl-C, as a terminal sends it, and the output of the stopped server."""
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    return output


async def test_server_finds_a_workflow_started_before_its_restart(sandbox: Sandbox) -> None:
    server = sandbox.popen("server")
    client = await wait_for_server(sandbox, server)
    # Nobody polls this queue, so the workflow stays open across the restart.
    await client.start_workflow("RegistryImport", id="survives-restart", task_queue="nobody-polls")
    output = interrupt(server)
    assert server.returncode == 0, output
    assert "Stopped." in output

    server = sandbox.popen("server")
    try:
        client = await wait_for_server(sandbox, server)
        listed = [w async for w in client.list_workflows("WorkflowId = 'survives-restart'")]
        assert [w.status for w in listed] == [WorkflowExecutionStatus.RUNNING]
        # The custom search attributes are registered on the server ksgov starts.
        await client.get_workflow_handle("survives-restart").terminate("test over")
        registered = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace="default")
        )
        assert KS_STAGE.name in registered.custom_attributes
        # `kill` (SIGTERM, as a service manager stops it) stops the dev server too: no orphan
        # left holding the port and the data file.
        server.terminate()
        output, _ = server.communicate(timeout=60)
        assert "Stopped." in output
        host, port = sandbox.address.rsplit(":", 1)
        assert not port_in_use(host, int(port))
    finally:
        if server.poll() is None:
            interrupt(server)


def test_demo_runs_a_real_workflow_that_writes_records_and_is_idempotent(sandbox: Sandbox) -> None:
    # The simulated term the demo ends with is `ksgov simulate`, tested in test_simulate.py;
    # here the demo's own part: the dev server, the worker and the registry import.
    first = sandbox.run("demo", "--json", "--no-simulation", timeout=300)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["simulation"] is None
    assert summary["registry"]["members"] == 372  # 357 municipalities + 15 county authorities
    assert summary["registry"]["inserted"] == 372
    assert summary["audit_verified"] is True
    assert summary["audit_entries"] >= 1
    assert sorted(summary["started"]) == ["temporal dev server", "worker"]

    again = json.loads(sandbox.run("demo", "--json", "--no-simulation").stdout)
    assert again["registry"] == summary["registry"]  # the same import is recorded once
    assert again["audit_entries"] == summary["audit_entries"]
    assert (sandbox.cwd / "data" / "temporal.db").is_file()
    # The server's state and the record store are for their owner only (issue 21, finding 4).
    assert stat.S_IMODE((sandbox.cwd / "data").stat().st_mode) == 0o700
