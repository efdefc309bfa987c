"""The secretariat's part in a simulated term: the inputs a real secretariat would send.

Every update goes through the same Temporal updates (and validators) as the CLI's, with
synthetic people from `harness.synthetic`. Votes are fixed patterns (a clear majority, two lists
at 8:5, agreed lists with nobody against), so every simulated election is decided.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from harness.synthetic import PeopleFactory
from models.election_payloads import (
    AppointIn,
    CongressDateIn,
    CountyMeetingInput,
    CredentialsIn,
    ListIn,
    MeetingDateIn,
    NominationsIn,
    PostNomination,
    PostSpec,
    RepresentativesIn,
    RepresentativesSheetIn,
    VoteIn,
)
from models.payloads import PersonIn
from service.term_inputs import TermPlan
from workflows.elections.ballots import ElectionMeeting
from workflows.elections.county_meeting import CountyMeetingWorkflow
from workflows.elections.landsting import LandstingWorkflow
from workflows.term.term import TermWorkflow

Handle = WorkflowHandle[Any, Any]


async def wait_started(client: Client, workflow_id: str, seconds: float = 60) -> Handle:
    """The handle of `workflow_id` once it exists (children start a moment after their parent)."""
    handle = client.get_workflow_handle(workflow_id)
    for _ in range(int(seconds / 0.05)):
        try:
            await handle.describe()
            return handle
        except RPCError:
            await asyncio.sleep(0.05)
    raise TimeoutError(f"{workflow_id} did not start within {seconds:.0f} s")


async def stage(handle: Handle) -> str:
    return (await handle.query(TermWorkflow.status)).stage


async def wait_stage(handle: Handle, wanted: str, seconds: float = 120) -> None:
    for _ in range(int(seconds / 0.05)):
        if await stage(handle) == wanted:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{handle.id} did not reach stage {wanted!r} within {seconds:.0f} s")


def _list_people(people: PeopleFactory, member: str, count: int) -> list[PersonIn]:
    return list(people.balanced(member, count))


def _nomination(
    spec: PostSpec, people: PeopleFactory, member: str, pool: list[str]
) -> tuple[PostNomination, list[PersonIn]]:
    """Two candidates from `pool` for a majority post; two lists, or one agreed list, else."""
    if spec.method == "majority":
        return PostNomination(post=spec.post, candidates=(pool.pop(0), pool.pop(0))), []
    size = spec.seats * 2 + spec.deputies_extra
    if spec.method == "agreed":
        joint = _list_people(people, member, size)
        ids = tuple(p.person_id for p in joint)
        return PostNomination(post=spec.post, lists=(ListIn(name="joint", candidates=ids),)), joint
    lists = [_list_people(people, member, size) for _ in ("A", "B")]
    return PostNomination(
        post=spec.post,
        lists=tuple(
            ListIn(name=name, candidates=tuple(p.person_id for p in group))
            for name, group in zip(("A", "B"), lists, strict=True)
        ),
    ), [p for group in lists for p in group]


def nominations(
    posts: Sequence[PostSpec], people: PeopleFactory, member: str, pool: list[str]
) -> NominationsIn:
    """The nomination committee's proposal for every post."""
    noms, new = [], []
    for spec in posts:
        nom, made = _nomination(spec, people, member, pool)
        noms.append(nom)
        new += made
    return NominationsIn(posts=tuple(noms), people=tuple(new))


def vote_for(spec: PostSpec, nom: PostNomination) -> VoteIn:
    """A vote that decides the post in its first round."""
    if spec.method == "majority":
        first, second = nom.candidates[:2]
        return VoteIn(post=spec.post, votes={first: 30, second: 11})
    if spec.method == "agreed":
        return VoteIn(post=spec.post, votes_against=0)
    return VoteIn(
        post=spec.post, votes={lst.name: 8 if lst.name == "A" else 5 for lst in nom.lists}
    )


async def hold_elections(handle: Handle, posts: Sequence[PostSpec], noms: NominationsIn) -> None:
    await handle.execute_update(ElectionMeeting.nominations, noms)
    by_post = {n.post: n for n in noms.posts}
    for spec in posts:
        await handle.execute_update(ElectionMeeting.vote, vote_for(spec, by_post[spec.post]))


async def county_meeting(
    handle: Handle, data: CountyMeetingInput, people: PeopleFactory, on: dt.date
) -> None:
    """A whole county meeting: every member's representatives (one sheet, as a secretariat's
    file of them goes), the date, nominations, votes."""
    sheet = tuple(
        RepresentativesIn(
            member_number=m.member_number,
            people=tuple(_list_people(people, m.member_number, m.representatives)),
        )
        for m in data.members
    )
    pool = [p.person_id for entry in sheet for p in entry.people]
    await handle.execute_update(
        CountyMeetingWorkflow.representatives_sheet, RepresentativesSheetIn(entries=sheet)
    )
    await handle.execute_update(CountyMeetingWorkflow.meeting_date, MeetingDateIn(meeting_date=on))
    await hold_elections(handle, data.posts, nominations(data.posts, people, data.county, pool))


async def notice_landsting(handle: Handle, on: dt.date) -> None:
    """The congress date, which sends the notice to every delegate."""
    await handle.execute_update(LandstingWorkflow.congress_date, CongressDateIn(congress_date=on))


async def landsting(
    handle: Handle, data: TermPlan, people: PeopleFactory, delegates: list[str]
) -> None:
    """The congress itself: credentials, elections and the associates' appointment."""
    await handle.execute_update(
        LandstingWorkflow.credentials, CredentialsIn(approved=tuple(delegates))
    )
    pool = list(delegates)
    posts = data.input.landsting.posts
    await hold_elections(handle, posts, nominations(posts, people, "ks", pool))
    appointee = people.person("sb")
    await handle.execute_update(LandstingWorkflow.appoint, AppointIn(person=appointee))
