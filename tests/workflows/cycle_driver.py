"""Drives a whole term of the fictional federation through its workflows, as a secretariat would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from domain.bylaws import Bylaws
from models import ids
from models.election_payloads import (
    AppointIn,
    AssociateDelegatesIn,
    CongressDateIn,
    CredentialsIn,
    ListIn,
    NominationsIn,
    PostNomination,
    TermResult,
    VoteIn,
)
from service.term_inputs import TermPlan, build_term_input
from service.term_start import start_term_workflows
from tests.workflows.cycle_support import (
    Recorder,
    eventually,
    fictional_registry,
    person,
    run_county_meeting,
)


@dataclass
class Cycle:
    data: TermPlan
    term: WorkflowHandle[Any, Any]
    counties: list[WorkflowHandle[Any, Any]]
    landsting: WorkflowHandle[Any, Any]


async def stage_of(handle: WorkflowHandle[Any, Any]) -> str:
    status = await handle.query("status")
    return str(status["stage"])


async def start_term(
    client: Client, tq: str, bylaws: Bylaws, year: int, meetings_per_run: int | None = None
) -> Cycle:
    """Start the term; with `meetings_per_run`, the organs' meeting series too."""
    data = build_term_input(
        fictional_registry(),
        bylaws,
        year,
        meetings=meetings_per_run is not None,
        meetings_per_run=meetings_per_run or 1,
    )
    started = await start_term_workflows(client, data, tq)
    term = client.get_workflow_handle(started.term_id, result_type=TermResult)
    counties = [
        client.get_workflow_handle(ids.county_meeting_id(year, c.county)) for c in data.counties
    ]

    async def all_started() -> bool:
        return bool(await stage_of(term)) and all([await _exists(h) for h in counties])

    await eventually(all_started)
    return Cycle(data, term, counties, client.get_workflow_handle(ids.landsting_id(year)))


async def _exists(handle: WorkflowHandle[Any, Any]) -> bool:
    try:
        await handle.describe()
    except RPCError:  # not started yet
        return False
    return True


async def hold_county_meetings(cycle: Cycle) -> None:
    for data, handle in zip(cycle.data.counties, cycle.counties, strict=True):
        await run_county_meeting(handle, data)

    async def landsting_started() -> bool:
        return await stage_of(cycle.term) == "landsting" and await _exists(cycle.landsting)

    await eventually(landsting_started)


def delegates(recorder: Recorder) -> list[str]:
    return [
        s.person_id
        for req in recorder.of("record_seats")
        for s in req.seats
        if s.organ == "landsting" and s.role == "member"
    ]


async def hold_landsting(cycle: Cycle, recorder: Recorder) -> None:
    """Date, the associates' delegates, credentials, nominations, votes (leader: round 2 tie,
    then a lot), appointment."""
    h = cycle.landsting
    await h.execute_update("congress_date", CongressDateIn(congress_date=congress_date(cycle)))
    associates = tuple(
        person(f"tu-d{i}", i % 2 == 0)
        for i in range(cycle.data.input.landsting.associate_delegates)
    )
    await h.execute_update("associate_delegates", AssociateDelegatesIn(people=associates))
    ids = delegates(recorder)
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

    async def in_office() -> bool:
        return await stage_of(cycle.term) == "in_office"

    await eventually(in_office)


def congress_date(cycle: Cycle) -> dt.date:
    return cycle.data.input.landsting.notice_deadline.date() + dt.timedelta(days=40)


def landsting_nominations(ids: list[str]) -> NominationsIn:
    """Joint lists alternate genders; the people are new (national candidates)."""
    board = [person(f"hs-{i}", i % 2 == 0) for i in range(5)]
    council = [person(f"ls-{i}", i % 2 == 1) for i in range(4)]
    return NominationsIn(
        posts=(
            PostNomination(post="leader", candidates=(ids[0], ids[1], ids[2])),
            PostNomination(post="first_deputy_leader", candidates=(ids[2], ids[3])),
            PostNomination(
                post="hovedstyret_members",
                lists=(ListIn(name="joint", candidates=tuple(p.person_id for p in board)),),
            ),
            PostNomination(
                post="landsstyret_members",
                lists=(ListIn(name="joint", candidates=tuple(p.person_id for p in council)),),
            ),
        ),
        people=(*board, *council),
    )
