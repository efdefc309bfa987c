"""Replay the saved happy-path histories of the term, a county meeting and the Landsting.

A change to workflow code that is not replay-safe fails here. Regenerate the histories with
`KSGOV_SAVE_HISTORIES=1 .venv/bin/pytest tests/workflows/test_election_cycle.py` (only when a
change is deliberately incompatible and guarded by `workflow.patched`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

import worker
from workflows.all import WORKFLOWS

HISTORIES = Path(__file__).resolve().parent / "histories"


@pytest.mark.parametrize("name", ["term", "county_meeting", "landsting"])
async def test_saved_history_replays_without_nondeterminism(name: str) -> None:
    text = (HISTORIES / f"{name}.json").read_text(encoding="utf-8")
    replayer = Replayer(
        workflows=list(WORKFLOWS),
        data_converter=pydantic_data_converter,
        workflow_runner=SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(*worker.PASSTHROUGH)
        ),
    )
    await replayer.replay_workflow(WorkflowHistory.from_json(f"{name}-replay", text))
