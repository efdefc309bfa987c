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
from collections.abc import Callable
from dataclasses import dataclass

from temporalio.client import Client

from client import gateway
from models import ids
from models.election_payloads import CountyMeetingInput
from service.term_inputs import TermPlan
from workflows.elections.county_meeting import CountyMeetingWorkflow
from workflows.search_attributes import at_start
from workflows.term.term import TermWorkflow

# County meetings started at a time: a thousand and more counties (load tests) must not open
# a thousand concurrent start requests.
START_CONCURRENCY = 32


@dataclass(frozen=True)
class Started:
    """What one start did: whether the term was new, how many county meetings it started, and
    on which registry (its label, when the caller names it)."""

    term_id: str
    term_started: bool
    counties_started: int
    counties: int
    registry: str = ""


async def start_term_workflows(
    client: Client,
    plan: TermPlan,
    task_queue: str,
    progress: Callable[[str], None] | None = None,
) -> Started:
    """Start the term of `plan` and its county meetings; whatever already runs is left alone."""
    term_id = ids.term_id(plan.year)
    term_started = await gateway.start(
        client,
        TermWorkflow.run,
        plan.input,
        term_id,
        task_queue,
        search_attributes=at_start(plan.term, "term", "all", "county_meetings"),
    )
    gate = asyncio.Semaphore(START_CONCURRENCY)
    done = 0
    total = len(plan.counties)

    async def county(one: CountyMeetingInput) -> bool:
        nonlocal done
        async with gate:
            started = await gateway.start(
                client,
                CountyMeetingWorkflow.run,
                one,
                ids.county_meeting_id(plan.year, one.county),
                task_queue,
                search_attributes=at_start(plan.term, "county_meeting", one.county, "started"),
            )
        done += 1
        if progress is not None and (done % 100 == 0 or done == total):
            progress(f"  county meetings started or found running: {done} of {total}")
        return started

    started = await asyncio.gather(*(county(c) for c in plan.counties))
    return Started(term_id, term_started, sum(started), total)
