"""Helpers of the election-cycle workflow tests: the fictional federation, mock activities,
a worker, generated people and the inputs a secretariat would send."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

import worker
from activities.starts import StartActivities
from client.gateway import ensure_search_attributes
from domain.bylaws import Bylaws, parse_bylaws
from domain.gender import Gender
from domain.registry import Registry, parse_registry_csv, parse_registry_json
from models.election_payloads import (
    CountyMeetingInput,
    ListIn,
    MeetingDateIn,
    NominationsIn,
    PostNomination,
    PostStatus,
    RepresentativesIn,
    RepresentativesSheetIn,
    VoteIn,
)
from models.meeting_payloads import (
    IcsRequest,
    PlanRequest,
    PlanResult,
    RecordAttendanceRequest,
    RecordDecisionsRequest,
    RecordMeetingRequest,
    RecordMinutesRequest,
)
from models.payloads import (
    CouncilsRequest,
    CouncilsResult,
    DelegatesRequest,
    EndSeatRequest,
    NotifyMany,
    NotifyRequest,
    NotifyResult,
    OrganSeatsRequest,
    PeoplePage,
    PersonIn,
    Recipient,
    RecordElectionRequest,
    RecordEventRequest,
    RecordPeopleRequest,
    RecordResult,
    RecordSeatsRequest,
    SeatIn,
    SeatsResult,
)
from notices.calendar import meeting_ics
from notices.messages import render
from notices.planning import plan_series
from store.reads import DELEGATE_ORGAN, delegate_county
from tests.conftest import binary
from workflows.all import WORKFLOWS

UNIT_DATA = Path(__file__).resolve().parents[1] / "unit" / "data"
HERE = Path(__file__).resolve().parent


def fictional_bylaws(**replace: str) -> Bylaws:
    """tests/unit/data/fictional.toml with the organs of tests/workflows/data/fictional_organs.toml
    appended."""
    text = (UNIT_DATA / "fictional.toml").read_text(encoding="utf-8")
    text += (HERE / "data" / "fictional_organs.toml").read_text(encoding="utf-8")
    for old, new in replace.items():
        text = text.replace(old, new)
    return parse_bylaws(text, "fictional+organs")


def fictional_registry() -> Registry:
    counties = parse_registry_json(
        "[]", (UNIT_DATA / "fictional_counties.json").read_text(encoding="utf-8"), "fictional"
    ).counties
    text = (UNIT_DATA / "fictional_towns.csv").read_text(encoding="utf-8")
    return parse_registry_csv(text, counties, "fictional_towns.csv")


@dataclass
class Recorder:
    """Mock activities with the real names; every call is kept as (name, request)."""

    calls: list[tuple[str, Any]] = field(default_factory=list)
    # People another county registered: a county's record_people naming them is refused, as
    # store/people.py refuses it.
    foreign: set[str] = field(default_factory=set)

    def of(self, name: str) -> list[Any]:
        return [req for n, req in self.calls if n == name]

    def _keep(self, name: str, request: Any) -> RecordResult:
        self.calls.append((name, request))
        return RecordResult(changed=1, audit_seq=len(self.calls))

    @activity.defn(name="record_people")
    async def record_people(self, request: RecordPeopleRequest) -> RecordResult:
        taken = sorted({p.person_id for p in request.people} & self.foreign)
        if taken and request.scope != "national":
            raise ApplicationError(
                f"{taken[0]} is registered by another county", type="BadInput", non_retryable=True
            )
        return self._keep("record_people", request)

    @activity.defn(name="record_election")
    async def record_election(self, request: RecordElectionRequest) -> RecordResult:
        return self._keep("record_election", request)

    @activity.defn(name="record_seats")
    async def record_seats(self, request: RecordSeatsRequest) -> RecordResult:
        return self._keep("record_seats", request)

    @activity.defn(name="end_seat")
    async def end_seat(self, request: EndSeatRequest) -> RecordResult:
        return self._keep("end_seat", request)

    @activity.defn(name="record_event")
    async def record_event(self, request: RecordEventRequest) -> RecordResult:
        return self._keep("record_event", request)

    @activity.defn(name="notify")
    async def notify(self, request: NotifyRequest) -> NotifyResult:
        # The real templates must accept what the workflow sends (a missing key is BadInput).
        render(request.purpose, request.context, "Navn Navnesen", request.deadline)
        self.calls.append(("notify", request))
        return NotifyResult(sent=len(request.recipients), already_sent=0, failed=0)

    @activity.defn(name="notify_many")
    async def notify_many(self, batch: NotifyMany) -> NotifyResult:
        """Each notice is kept as a `notify` call too: the tests count notices, not calls."""
        self.calls.append(("notify_many", batch))
        results = [await self.notify(request) for request in batch.requests]
        return NotifyResult(sent=sum(r.sent for r in results), already_sent=0, failed=0)

    # Reads answer from what was recorded above, as the record store would.

    def _current_seats(self) -> list[SeatIn]:
        ended = {(r.organ, r.term, r.person_id, r.role) for r in self.of("end_seat")}
        seats = {(s.organ, s.term, s.person_id, s.role): s
                 for r in self.of("record_seats") for s in r.seats}  # fmt: skip
        return [s for key, s in seats.items() if key not in ended]

    @activity.defn(name="read_delegates")
    async def read_delegates(self, request: DelegatesRequest) -> PeoplePage:
        people = {p.person_id: p for r in self.of("record_people") for p in r.people}
        ids = sorted(
            s.person_id
            for s in self._current_seats()
            if s.organ == DELEGATE_ORGAN and s.term == request.term
            and (s.role == "deputy") == request.deputies
            and delegate_county(s.group) in request.counties and s.person_id > request.after
        )  # fmt: skip
        page = ids[: request.limit]
        last = page[-1] if len(ids) > request.limit else ""
        return PeoplePage(people=tuple(people[pid] for pid in page), next_after=last)

    @activity.defn(name="read_organ_seats")
    async def read_organ_seats(self, request: OrganSeatsRequest) -> SeatsResult:
        seats = self._current_seats()
        return SeatsResult(
            seats=tuple(s for s in seats if s.organ == request.organ and s.term == request.term)
        )

    @activity.defn(name="read_councils")
    async def read_councils(self, request: CouncilsRequest) -> CouncilsResult:
        """Every council that elected one of these people, as if the registry gave each an
        address."""
        people = {p.person_id: p for r in self.of("record_people") for p in r.people}
        numbers = sorted({n for pid in request.person_ids
                          if (n := people[pid].member_number) is not None})  # fmt: skip
        return CouncilsResult(councils=tuple(
            Recipient(recipient_id=n, email=f"postmottak@{n}.example", name=f"Medlem {n}")
            for n in numbers
        ))  # fmt: skip

    # The meeting series and meetings the term and the county meetings start.

    @activity.defn(name="plan_meetings")
    async def plan_meetings(self, request: PlanRequest) -> PlanResult:
        self.calls.append(("plan_meetings", request))
        return plan_series(request)  # pure apart from the holidays package

    @activity.defn(name="render_ics")
    async def render_ics(self, request: IcsRequest) -> str:
        return meeting_ics(request)

    @activity.defn(name="record_meeting")
    async def record_meeting(self, request: RecordMeetingRequest) -> RecordResult:
        return self._keep("record_meeting", request)

    @activity.defn(name="record_attendance")
    async def record_attendance(self, request: RecordAttendanceRequest) -> RecordResult:
        return self._keep("record_attendance", request)

    @activity.defn(name="record_decisions")
    async def record_decisions(self, request: RecordDecisionsRequest) -> RecordResult:
        return self._keep("record_decisions", request)

    @activity.defn(name="record_minutes")
    async def record_minutes(self, request: RecordMinutesRequest) -> RecordResult:
        return self._keep("record_minutes", request)

    def activities(self) -> list[Callable[..., Any]]:
        return [
            self.record_people,
            self.record_election,
            self.record_seats,
            self.end_seat,
            self.record_event,
            self.read_delegates,
            self.read_organ_seats,
            self.read_councils,
            self.notify,
            self.notify_many,
            self.plan_meetings,
            self.render_ics,
            self.record_meeting,
            self.record_attendance,
            self.record_decisions,
            self.record_minutes,
        ]


@contextlib.asynccontextmanager
async def own_time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of the test's own, for tests whose meeting series go on running
    (abandoned) after the test: on the session's shared server they could hold its clock for
    the tests that follow."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    try:
        await ensure_search_attributes(env.client, "default")
        yield env
    finally:
        await env.shutdown()


def mock_worker(client: Client, task_queue: str, recorder: Recorder) -> Worker:
    """Every workflow, the recorder's activities, and the real one that starts series."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        activities=[*recorder.activities(), StartActivities(client, task_queue).start_series],
        workflow_runner=SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(*worker.PASSTHROUGH)
        ),
    )


def person(pid: str, female: bool) -> PersonIn:
    return PersonIn(
        person_id=pid,
        name=f"Person {pid}",
        gender=Gender.FEMALE if female else Gender.MALE,
        email=f"{pid}@example.invalid",
    )


def representatives(data: CountyMeetingInput) -> list[RepresentativesIn]:
    """Each member's representatives, genders alternating."""
    return [
        RepresentativesIn(
            member_number=m.member_number,
            people=tuple(
                person(f"r{m.member_number}-{i}", i % 2 == 0) for i in range(m.representatives)
            ),
        )
        for m in data.members
    ]


def list_people(county: str, name: str, size: int, female_first: bool) -> list[PersonIn]:
    """Candidates put up by the county authority (whose council is told of their election)."""
    return [
        person(f"c{county}-{name}{i}", (i % 2 == 0) == female_first).model_copy(
            update={"member_number": county}
        )
        for i in range(size)
    ]


def voters(data: CountyMeetingInput) -> int:
    """Every representative of the county meeting: all of them vote."""
    return sum(m.representatives for m in data.members)


def delegate_nominations(data: CountyMeetingInput) -> NominationsIn:
    """Two gender-balanced lists for the Landsting delegates, each of seats + 2 candidates."""
    seats = next(p.seats for p in data.posts if p.post == "delegates")
    a = list_people(data.county, "A", seats + 2, True)
    b = list_people(data.county, "B", seats + 2, False)
    lists = tuple(
        ListIn(name=name, candidates=tuple(p.person_id for p in group))
        for name, group in (("A", a), ("B", b))
    )
    nom = PostNomination(post="delegates", lists=lists)
    return NominationsIn(posts=(nom,), people=(*a, *b))


def board_nominations(pool: list[str]) -> NominationsIn:
    """The county board from `pool` (the delegates, then their deputies): leader and deputy
    leader between two of them, the members between two lists of the rest."""
    rest = [pool[1], *pool[3:]]  # pool[0] and pool[2] win leader and deputy leader
    half = -(-len(rest) // 2)
    return NominationsIn(
        posts=(
            PostNomination(post="leader", candidates=(pool[0], pool[1])),
            PostNomination(post="deputy_leader", candidates=(pool[1], pool[2])),
            PostNomination(
                post="members",
                lists=(
                    ListIn(name="A", candidates=tuple(rest[:half])),
                    ListIn(name="B", candidates=tuple(rest[half:])),
                ),
            ),
        )
    )


def split_vote(post: str, total: int) -> VoteIn:
    """Two lists at about 8:5, every voter voting."""
    a = -(-total * 8 // 13)
    return VoteIn(post=post, votes={"A": a, "B": total - a})


async def run_county_meeting(handle: WorkflowHandle[Any, Any], data: CountyMeetingInput) -> None:
    """Send a whole county meeting's input: representatives, date, the delegates, then the
    board from among the delegates and their deputies (every representative voting)."""
    reps = representatives(data)
    total = voters(data)
    await handle.execute_update(
        "representatives_sheet", RepresentativesSheetIn(entries=tuple(reps))
    )
    await handle.execute_update("meeting_date", MeetingDateIn(meeting_date=data.deadline.date()))
    await handle.execute_update("nominations", delegate_nominations(data))
    status = await handle.execute_update(
        "vote", split_vote("delegates", total), result_type=PostStatus
    )
    noms = board_nominations([*status.elected, *status.deputies])
    await handle.execute_update("nominations", noms)
    lead = noms.posts[0].candidates
    first = total - total // 3
    await handle.execute_update(
        "vote", VoteIn(post="leader", votes={lead[0]: first, lead[1]: total - first})
    )
    dep = noms.posts[1].candidates
    await handle.execute_update(
        "vote", VoteIn(post="deputy_leader", votes={dep[1]: first, dep[0]: total - first})
    )
    await handle.execute_update("vote", split_vote("members", total))


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
    """Poll `check` (real time) until it holds."""
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")
