"""Helpers of the audit e2e test: the fictional term on the real worker, and Temporal waits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from temporalio.client import Client

from models.election_payloads import (
    AppointIn,
    AssociateDelegatesIn,
    CongressDateIn,
    CountyMeetingResult,
    CredentialsIn,
    VoteIn,
)
from tests.workflows.cycle_driver import Cycle, congress_date, landsting_nominations, stage_of
from tests.workflows.cycle_support import person


async def county_delegates(cycle: Cycle) -> list[str]:
    """The delegates each county meeting returned, in county order."""
    results: list[CountyMeetingResult] = [
        CountyMeetingResult.model_validate(await h.result()) for h in cycle.counties
    ]
    return [p.person_id for r in results for p in r.delegates]


async def hold_landsting(cycle: Cycle, ids: list[str]) -> None:
    """As tests.workflows.cycle_driver.hold_landsting, with the delegates given."""
    h = cycle.landsting
    await h.execute_update("congress_date", CongressDateIn(congress_date=congress_date(cycle)))
    associates = tuple(
        person(f"tu-d{i}", i % 2 == 0)
        for i in range(cycle.data.input.landsting.associate_delegates)
    )
    await h.execute_update("associate_delegates", AssociateDelegatesIn(people=associates))
    ids = [*ids, *(p.person_id for p in associates)]
    await h.execute_update("credentials", CredentialsIn(approved=tuple(ids)))
    await h.execute_update("nominations", landsting_nominations(ids))
    await h.execute_update("vote", VoteIn(post="leader", votes={ids[0]: 10, ids[1]: 10, ids[2]: 5}))
    await h.execute_update("vote", VoteIn(post="leader", round=2, votes={ids[0]: 12, ids[1]: 12}))
    await h.execute_update(
        "vote", VoteIn(post="first_deputy_leader", votes={ids[2]: 20, ids[3]: 9})
    )
    for post in ("hovedstyret_members", "landsstyret_members"):
        await h.execute_update("vote", VoteIn(post=post, votes_against=0))
    await h.execute_update("appoint", AppointIn(person=person("tu-1", True)))
    await poll(lambda: _in_office(cycle), 20)


async def _in_office(cycle: Cycle) -> bool:
    return await stage_of(cycle.term) == "in_office"


async def poll(check: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
    """Wait (real time) until `check` holds: visibility is eventually consistent."""
    for _ in range(int(seconds / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached in time")


async def listed(client: Client, query: str) -> int:
    return len([e async for e in client.list_workflows(query)])
