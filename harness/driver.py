"""The secretariat's part in a simulated term: the inputs a real secretariat would send.

Every update goes through the same Temporal updates (and validators) as the CLI's, with
synthetic people from `harness.synthetic`. Every voter present votes, in fixed patterns (two
thirds for one candidate, two lists at 8:5, agreed lists with nobody against), so every
simulated election is decided in its first round.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from domain.gender import Gender, minimum_per_gender
from harness.synthetic import PeopleFactory
from models.election_payloads import (
    AppointIn,
    AssociateDelegatesIn,
    AssociateMemberIn,
    CongressDateIn,
    CountyMeetingInput,
    CountyMeetingResult,
    CredentialsIn,
    LandstingSetup,
    ListIn,
    MeetingDateIn,
    NominationsIn,
    ObserverIn,
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


def vote_for(spec: PostSpec, nom: PostNomination, voters: int) -> VoteIn:
    """A vote of every voter present that decides the post in its first round: two thirds for
    the first candidate, 8:5 between two lists, nobody against an agreed list."""
    if spec.method == "majority":
        first, second = nom.candidates[:2]
        return VoteIn(post=spec.post, votes={first: voters - voters // 3, second: voters // 3})
    if spec.method == "agreed":
        return VoteIn(post=spec.post, votes_against=0)
    if len(nom.lists) == 1:
        return VoteIn(post=spec.post, votes={nom.lists[0].name: voters})
    a = -(-voters * 8 // 13)
    return VoteIn(post=spec.post, votes={"A": a, "B": voters - a})


def _lists(post: str, groups: Sequence[Sequence[str]]) -> PostNomination:
    return PostNomination(
        post=post,
        lists=tuple(
            ListIn(name=name, candidates=tuple(group))
            for name, group in zip(("A", "B"), groups, strict=True)
        ),
    )


async def _elect(handle: Handle, nomination: NominationsIn, spec: PostSpec, voters: int) -> Any:
    """Nominate for one post and vote it through; the vote's answer (a PostStatus)."""
    await handle.execute_update(ElectionMeeting.nominations, nomination)
    return await handle.execute_update(
        ElectionMeeting.vote, vote_for(spec, nomination.posts[0], voters)
    )


async def _elect_lists(
    handle: Handle, spec: PostSpec, people: PeopleFactory, member: str, voters: int
) -> list[str]:
    """A list election between two new lists; who it placed, members first, then deputies."""
    size = spec.seats * 2 + spec.deputies_extra
    groups = [_list_people(people, member, size) for _ in ("A", "B")]
    nom = _lists(spec.post, [[p.person_id for p in g] for g in groups])
    made = tuple(p for g in groups for p in g)
    status = await _elect(handle, NominationsIn(posts=(nom,), people=made), spec, voters)
    return [*status.elected, *status.deputies]


async def county_meeting(
    handle: Handle, data: CountyMeetingInput, people: PeopleFactory, on: dt.date
) -> None:
    """A whole county meeting: every member's representatives with a deputy each (one sheet,
    as a secretariat's file of them goes), the date, the delegates, then the county board from
    among the delegates and their deputies, and Samfunnsbedriftene's member of the board."""
    sheet = tuple(
        RepresentativesIn(
            member_number=m.member_number,
            people=tuple(_list_people(people, m.member_number, m.representatives)),
            deputies=(people.person(m.member_number),),
        )
        for m in data.members
    )
    voters = sum(len(entry.people) for entry in sheet)
    await handle.execute_update(
        CountyMeetingWorkflow.representatives_sheet, RepresentativesSheetIn(entries=sheet)
    )
    await handle.execute_update(CountyMeetingWorkflow.meeting_date, MeetingDateIn(meeting_date=on))
    specs = {spec.post: spec for spec in data.posts}
    pool = await _elect_lists(handle, specs["delegates"], people, data.county, voters)
    await county_board(handle, [s for s in data.posts if s.post != "delegates"], pool, voters)
    if data.associate_members:
        member = AssociateMemberIn(person=people.person("sb"))
        await handle.execute_update(CountyMeetingWorkflow.associate_member, member)


def board_inputs(
    posts: Sequence[PostSpec], pool: list[str], voters: int
) -> list[tuple[NominationsIn, VoteIn]]:
    """The board's nominations and votes from `pool` (the delegates, then their deputies): each
    majority post between two of them (the first wins and leaves the pool), the members between
    two lists of the rest; every voter votes."""
    pool = list(pool)
    steps: list[tuple[NominationsIn, VoteIn]] = []
    for spec in posts:
        if spec.method == "majority":
            nom = PostNomination(post=spec.post, candidates=(pool[0], pool[1]))
            pool.pop(0)
        elif len(pool) < 2 * spec.seats + 2 * spec.deputies_extra:
            # Too few for two lists that could each take their share: one list takes all.
            nom = PostNomination(post=spec.post, lists=(ListIn(name="A", candidates=tuple(pool)),))
        else:
            half = -(-len(pool) // 2)
            nom = _lists(spec.post, [pool[:half], pool[half:]])
        steps.append((NominationsIn(posts=(nom,)), vote_for(spec, nom, voters)))
    return steps


async def county_board(
    handle: Handle, posts: Sequence[PostSpec], pool: list[str], voters: int
) -> None:
    """The county board from among the delegates and their deputies."""
    for nomination, vote in board_inputs(posts, pool, voters):
        await handle.execute_update(ElectionMeeting.nominations, nomination)
        await handle.execute_update(ElectionMeeting.vote, vote)


async def notice_landsting(
    handle: Handle, on: dt.date, people: PeopleFactory, setup: LandstingSetup
) -> tuple[PersonIn, ...]:
    """The congress date, which sends the notice to every delegate, and the associates'
    delegates, who get it too; returns those."""
    await handle.execute_update(LandstingWorkflow.congress_date, CongressDateIn(congress_date=on))
    associates = tuple(_list_people(people, "sb", setup.associate_delegates))
    if associates:
        await handle.execute_update(
            LandstingWorkflow.associate_delegates, AssociateDelegatesIn(people=associates)
        )
    return associates


async def landsting(
    handle: Handle,
    data: TermPlan,
    people: PeopleFactory,
    counties: Sequence[CountyMeetingResult],
    associates: Sequence[PersonIn],
) -> None:
    """The congress itself: the associates' member, the observer, credentials, then each post
    in order. Hovedstyret's joint list is made to balance the whole board with the leaders the
    congress has elected and the appointed member (§ 7-6 on the body)."""
    setup = data.input.landsting
    appointee = people.person("sb")
    await handle.execute_update(LandstingWorkflow.appoint, AppointIn(person=appointee))
    if setup.observer_organ:
        observer = ObserverIn(person=people.person("kdu"))
        await handle.execute_update(LandstingWorkflow.observer, observer)
    delegates = {p.person_id: p for c in counties for p in c.delegates}
    approved = (*delegates, *(p.person_id for p in associates))
    await handle.execute_update(LandstingWorkflow.credentials, CredentialsIn(approved=approved))
    steps = landsting_inputs(
        setup.posts, people, delegates, {c.leader.person_id for c in counties}, appointee,
        len(approved), setup.balanced_bodies,
    )  # fmt: skip
    for nomination, vote in steps:
        await handle.execute_update(ElectionMeeting.nominations, nomination)
        await handle.execute_update(ElectionMeeting.vote, vote)


def landsting_inputs(
    posts: Sequence[PostSpec],
    people: PeopleFactory,
    delegates: dict[str, PersonIn],
    leaders: set[str],
    appointee: PersonIn,
    voters: int,
    balanced: Sequence[str],
) -> list[tuple[NominationsIn, VoteIn]]:
    """Each post's nomination and vote in order: majority posts between two delegates who are
    not county-board leaders (the first wins), joint lists of new people; a joint list of an
    organ judged as one body balances it with the leaders elected before it and the appointee."""
    pool = [d for d in delegates if d not in leaders]
    seated: dict[str, list[Gender]] = {"hovedstyret": [Gender(appointee.gender)]}
    steps: list[tuple[NominationsIn, VoteIn]] = []
    for spec in posts:
        if spec.method == "majority":
            nom = PostNomination(post=spec.post, candidates=(pool[0], pool[1]))
            seated.setdefault(spec.organ, []).append(Gender(delegates[pool.pop(0)].gender))
            steps.append((NominationsIn(posts=(nom,)), vote_for(spec, nom, voters)))
            continue
        body = seated.get(spec.organ, []) if spec.organ in balanced else []
        joint = _balanced_joint(people, spec, body)
        nom = PostNomination(
            post=spec.post,
            lists=(ListIn(name="joint", candidates=tuple(p.person_id for p in joint)),),
        )
        steps.append((NominationsIn(posts=(nom,), people=tuple(joint)), vote_for(spec, nom, 0)))
    return steps


def _balanced_joint(people: PeopleFactory, spec: PostSpec, body: list[Gender]) -> list[PersonIn]:
    """A joint list of `spec.seats` members and as many deputies plus the bylaw extra, its
    members chosen so that with `body` (seats the organ already has) each gender has its
    § 7-6 minimum; the deputies alternate."""
    total = len(body) + spec.seats
    need = minimum_per_gender(total)
    members: list[PersonIn] = []
    for gender in Gender:
        short = max(0, need - body.count(gender))
        members += [people.person("ks", gender) for _ in range(short)]
    members += list(people.balanced("ks", spec.seats - len(members)))
    deputies = list(people.balanced("ks", spec.seats + spec.deputies_extra))
    return [*members, *deputies]
