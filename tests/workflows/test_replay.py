"""Replay the saved happy-path histories of the term, its county meetings and the Landsting,
one meeting, one moved meeting with a deputy called in, and a meeting series.

A change to workflow code that is not replay-safe fails here. Regenerate a history (only when a
change is deliberately incompatible and guarded by `workflow.patched`) by running the test that
writes it with KSGOV_SAVE_HISTORIES=1, e.g.
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
  (test_the_plan_takes_extra_meetings_moves_and_cancellations);
- term_before_county_series.json, county_meeting_before_county_series.json,
  landsting_before_county_series.json: the same election cycle recorded by the code before
  county meetings started their county board's and yearly meetings' series, so terms already
  running when that landed still replay. Never regenerate these.
- term_before_lean_term.json, county_meeting_before_lean_term.json,
  landsting_before_lean_term.json: the cycle recorded when the term still started its county
  meetings as children and carried every county's delegates and seats (before `county_ids`,
  service/term_start.py). Never regenerate these.
- county_meeting_before_one_request.json: a county meeting recorded when it asked each member
  for representatives in a `notify` of its own (before the `notify_many` patch,
  `representatives-requested-in-one-activity`). Never regenerate it.
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
        "term_before_county_series",
        "county_meeting_before_county_series",
        "landsting_before_county_series",
        "term_before_lean_term",
        "county_meeting_before_lean_term",
        "landsting_before_lean_term",
        "county_meeting_before_one_request",
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
