"""On a real (dev) server, the term's county meetings outlive the term's continue-as-new.

With the default parent-close policy (TERMINATE) a real server terminates a child when its
parent continues as new; the time-skipping server does not, so only this tier can show that
ABANDON is in place. The county meetings then still report to the new run, which goes on to
start the Landsting.
"""

from __future__ import annotations

from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from service.term_inputs import build_term_input
from tests.workflows.cycle_support import (
    Recorder,
    eventually,
    fictional_bylaws,
    fictional_registry,
    mock_worker,
    run_county_meeting,
)
from workflows.term import TermWorkflow

YEAR = 2047  # a year no other test of the session uses for its workflow ids


async def test_county_meetings_survive_the_terms_continue_as_new_and_still_report(
    dev_env: WorkflowEnvironment, task_queue: str
) -> None:
    client = dev_env.client
    data = build_term_input(fictional_registry(), fictional_bylaws(), YEAR).model_copy(
        update={"max_history_length": 12}  # continue as new as soon as the children are out
    )
    async with mock_worker(client, task_queue, Recorder()):
        term = await client.start_workflow(
            TermWorkflow.run, data, id=f"term-{YEAR}", task_queue=task_queue
        )
        first_run = term.result_run_id

        async def continued() -> bool:
            return (await term.describe()).run_id != first_run

        await eventually(continued, seconds=30)
        counties = [client.get_workflow_handle(f"county-meeting-{YEAR}-{c.county}")
                    for c in data.counties]  # fmt: skip
        for handle in counties:
            assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
        for handle, county in zip(counties, data.counties, strict=True):
            await run_county_meeting(handle, county)

        landsting = client.get_workflow_handle(f"landsting-{YEAR}")

        async def landsting_started() -> bool:
            status = await term.query(TermWorkflow.status)
            if status.stage != "landsting" or status.counties_missing:
                return False
            try:
                return (await landsting.describe()).status == WorkflowExecutionStatus.RUNNING
            except RPCError:  # the child is being started
                return False

        await eventually(landsting_started, seconds=60)
        await landsting.terminate("test over")
        await term.terminate("test over")
