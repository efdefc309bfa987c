"""The `start_series` activity starts a meeting series once, however often it is retried."""

from __future__ import annotations

from datetime import date

from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from activities.starts import StartActivities
from models.meeting_payloads import SeriesInput
from tests.workflows.test_meeting_support import rules


async def test_a_retried_start_finds_the_series_and_a_finished_one_is_not_started_again(
    ts_env: WorkflowEnvironment, task_queue: str
) -> None:
    data = SeriesInput(
        rules=rules(organ="county_board:46", term="2091-2095"),
        ends_on=date(2095, 10, 31),
        meetings=(),
    )
    starts = StartActivities(ts_env.client, task_queue)  # no worker: the series only waits
    series_id = await starts.start_series(data)
    assert series_id == "meetings-county_board:46-2091-2095"
    handle = ts_env.client.get_workflow_handle(series_id)
    first = await handle.describe()
    assert await starts.start_series(data) == series_id
    assert (await handle.describe()).run_id == first.run_id
    await handle.terminate("test over")
    assert await starts.start_series(data) == series_id
    after = await ts_env.client.get_workflow_handle(series_id).describe()
    assert (after.run_id, after.status) == (first.run_id, WorkflowExecutionStatus.TERMINATED)
