"""Replay the saved happy-path histories of the term, its county meetings and the Landsting,
one meeting, one moved meeting with a deputy called in, and a meeting series.

A change to workflow code that is not replay-safe fails here. Nothing is deployed yet, so the
histories are those of the current code: regenerate them after a deliberate change by running the
test that writes each with KSGOV_SAVE_HISTORIES=1. Once a deployment exists, a change to a
running workflow needs `workflow.patched` and the old histories stay. For example
`KSGOV_SAVE_HISTORIES=1 .venv/bin/pytest tests/workflows/test_election_cycle.py`:
- term.json, county_meeting.json, landsting.json: test_election_cycle.py
  (test_a_term_runs_from_county_meetings_to_composed_organs_and_hand_over);
- meeting.json: test_meeting_workflow.py
  (test_a_meeting_is_noticed_reminded_held_and_its_minutes_published);
- meeting_moved.json (the `move` update re-arming the reminders and re-sending the notice, the
  `absence` update calling in a deputy): test_meeting_workflow.py
  (test_a_moved_meeting_is_renoticed_reminded_for_its_new_date_and_held_with_a_deputy);
- meeting_series.json (the first run, up to continue-as-new) and meeting_series_continued.json
  (the run after it): test_meeting_series.py
  (test_the_plan_takes_extra_meetings_moves_and_cancellations).
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


@pytest.mark.parametrize(
    "name",
    [
        "term",
        "county_meeting",
        "landsting",
        "meeting",
        "meeting_moved",
        "meeting_series",
        "meeting_series_continued",
    ],
)
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
