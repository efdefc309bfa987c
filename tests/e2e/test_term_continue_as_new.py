"""On a real (dev) server, what the term started outlives the term's continue-as-new.

With the default parent-close policy (TERMINATE) a real server terminates a child when its
parent continues as new or closes; the time-skipping server does not, so only this tier can show
that ABANDON is in place. The county meetings (started beside the term by the client) still
report to the term's new run, which goes on
to start the Landsting and then the national organs' meeting series. Those series, and the county
boards' and yearly county meetings' series that each county meeting starts as it finishes, keep
running after their parents have completed or continued as new.
"""

from __future__ import annotations

from datetime import datetime

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from models import ids
from service.term_inputs import build_term_input
from service.term_start import start_term_workflows
from tests.workflows.cycle_driver import Cycle, hold_county_meetings, hold_landsting
from tests.workflows.cycle_support import (
    Recorder,
    eventually,
    fictional_bylaws,
    fictional_registry,
    mock_worker,
)

YEAR = 2047  # a year no other test of the session uses for its workflow ids


async def status_of(client: Client, workflow_id: str) -> WorkflowExecutionStatus | None:
    try:
        return (await client.get_workflow_handle(workflow_id).describe()).status
    except RPCError:  # not started yet
        return None


async def test_the_terms_county_meetings_survive_its_continue_as_new_and_still_report(
    dev_env: WorkflowEnvironment, task_queue: str
) -> None:
    client = dev_env.client
    data = build_term_input(
        fictional_registry(), fictional_bylaws(), YEAR, meetings=True
    ).with_input(max_history_length=12)  # continue as new at every chance
    county_series = [ids.series_id(m.organ, data.term)
                     for c in data.counties for m in c.meetings]  # fmt: skip
    national_series = [ids.series_id(m.organ, data.term) for m in data.meetings]
    assert len(county_series) == 2 * len(data.counties)
    recorder = Recorder()
    async with mock_worker(client, task_queue, recorder):
        term = client.get_workflow_handle(
            (await start_term_workflows(client, data, task_queue)).term_id
        )
        first_run = term.result_run_id

        async def continued() -> bool:
            return (await term.describe()).run_id != first_run

        await eventually(continued, seconds=30)
        counties = [client.get_workflow_handle(ids.county_meeting_id(YEAR, c.county))
                    for c in data.counties]  # fmt: skip
        for handle in counties:
            assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
        cycle = Cycle(data, term, counties, client.get_workflow_handle(ids.landsting_id(YEAR)))
        await hold_county_meetings(cycle)  # until the new run has started the Landsting
        await hold_landsting(cycle, recorder)  # until the term is in office
        series = [*county_series, *national_series]
        await eventually(lambda: all_running(client, series), seconds=60)
        for handle in counties:  # the county-level series' parents have completed
            assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
        started = max([(await client.get_workflow_handle(s).describe()).start_time
                       for s in series])  # fmt: skip
        await eventually(lambda: continued_after(client, term.id, started), seconds=60)
        assert await all_running(client, series), "a series did not outlive the continue-as-new"
        for workflow_id in (*series, term.id):
            await client.get_workflow_handle(workflow_id).terminate("test over")


async def all_running(client: Client, workflow_ids: list[str]) -> bool:
    found = [await status_of(client, w) for w in workflow_ids]
    return found == [WorkflowExecutionStatus.RUNNING] * len(workflow_ids)


async def continued_after(client: Client, workflow_id: str, moment: datetime) -> bool:
    """Whether a run of `workflow_id` continued as new after `moment` (visibility)."""
    runs = [r async for r in client.list_workflows(f"WorkflowId = '{workflow_id}'")]
    return any(
        r.status == WorkflowExecutionStatus.CONTINUED_AS_NEW
        and r.close_time is not None
        and r.close_time > moment
        for r in runs
    )
