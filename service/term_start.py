"""Starting a term: the TermWorkflow and, beside it, one CountyMeetingWorkflow per county.

The term's input names its counties (`county_ids`) but does not carry their inputs: at a hundred
times the federation those are 7 MB, above the 4 MB a gRPC message may hold (and the 2 MB of a
payload on a real server). So the client starts each county meeting itself, with the term's
workflow id to signal when done. Every start is idempotent: the term and the county meetings
have business-key ids, started with REJECT_DUPLICATE, so running the start again after a crash
(or a lost connection) starts only what is missing, and never a county meeting a second time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from models import ids
from models.election_payloads import CountyMeetingInput, TermInput
from workflows.county_meeting import CountyMeetingWorkflow
from workflows.term import TermWorkflow, search_attributes

# County meetings started at a time: a thousand and more counties (load tests) must not open
# a thousand concurrent start requests.
START_CONCURRENCY = 32


@dataclass(frozen=True)
class Started:
    """What one start did: whether the term was new, and how many county meetings it started."""

    term_id: str
    term_started: bool
    counties_started: int
    counties: int


def term_workflow_id(year: int) -> str:
    return ids.term_id(year)


def county_workflow_id(year: int, county: str) -> str:
    return ids.county_meeting_id(year, county)


def split_term_input(data: TermInput) -> tuple[TermInput, tuple[CountyMeetingInput, ...]]:
    """The lean term input (county ids only) and the county meetings' inputs, linked by id."""
    if data.lean:
        raise ValueError("the term input is already split: its county inputs are elsewhere")
    term_id = term_workflow_id(data.year)
    ids = tuple(c.county for c in data.counties)
    lean = TermInput.model_validate({**data.model_dump(), "counties": (), "county_ids": ids})
    linked = {"term_workflow_id": term_id, "signal_leader_only": True}
    counties = tuple(c.model_copy(update=linked) for c in data.counties)
    return lean, counties


async def start_term_workflows(
    client: Client,
    data: TermInput,
    task_queue: str,
    progress: Callable[[str], None] | None = None,
) -> Started:
    """Start the term of `data` and its county meetings; whatever already runs is left alone."""
    lean, counties = split_term_input(data)
    term_id = term_workflow_id(data.year)
    term_started = await _start(
        client.start_workflow(
            TermWorkflow.run,
            lean,
            id=term_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=search_attributes(data.term, "term", "all", "county_meetings"),
        )
    )
    gate = asyncio.Semaphore(START_CONCURRENCY)
    done = 0

    async def county(one: CountyMeetingInput) -> bool:
        nonlocal done
        async with gate:
            started = await _start(
                client.start_workflow(
                    CountyMeetingWorkflow.run,
                    one,
                    id=county_workflow_id(data.year, one.county),
                    task_queue=task_queue,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    search_attributes=search_attributes(
                        data.term, "county_meeting", one.county, "started"
                    ),
                )
            )
        done += 1
        if progress is not None and (done % 100 == 0 or done == len(counties)):
            progress(f"  county meetings started or found running: {done} of {len(counties)}")
        return started

    started = await asyncio.gather(*(county(c) for c in counties))
    return Started(term_id, term_started, sum(started), len(counties))


async def _start(call: Awaitable[object]) -> bool:
    """Await a start; False if a workflow with that id already ran (REJECT_DUPLICATE)."""
    try:
        await call
    except WorkflowAlreadyStartedError:
        return False
    return True
