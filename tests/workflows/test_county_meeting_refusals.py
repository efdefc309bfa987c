"""Refused input, the deadline reminder, requests undelivered at their deadline and a moved-up
deputy, on the time-skipping server.

A refused update raises WorkflowUpdateFailedError with the validator's message and leaves no
trace in the history (no update events, no activity calls).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from models.election_payloads import (
    CountyMeetingInput,
    MeetingDateIn,
    NominationsIn,
    PostNomination,
    RepresentativesIn,
    RepresentativesSheetIn,
    VacateIn,
    VoteIn,
)
from models.payloads import NotifyMany, NotifyResult
from service.term_inputs import build_term_input
from tests.workflows.cycle_driver import hold_county_meetings, hold_landsting, start_term
from tests.workflows.cycle_support import (
    Recorder,
    board_nominations,
    delegate_nominations,
    eventually,
    fictional_bylaws,
    fictional_registry,
    mock_worker,
    person,
    representatives,
    split_vote,
    voters,
)
from workflows.elections.county_meeting import CountyMeetingWorkflow

Handle = WorkflowHandle[Any, Any]


def county_input(year: int) -> CountyMeetingInput:
    data = build_term_input(fictional_registry(), fictional_bylaws(), year).counties[0]
    return data.model_copy(update={"term_workflow_id": ""})


@contextlib.asynccontextmanager
async def waiting_meeting(
    ts_env: WorkflowEnvironment, task_queue: str, name: str
) -> AsyncIterator[tuple[Handle, CountyMeetingInput, Recorder]]:
    """A county meeting (province 71) that has asked its members for representatives and waits
    for the secretariat's input; terminated on exit."""
    recorder = Recorder()
    # A year ahead of the shared server clock: its timers overflow beyond about 68 years.
    year = (await ts_env.get_current_time()).year + 1
    data = county_input(year)
    async with mock_worker(ts_env.client, task_queue, recorder):
        handle = await ts_env.client.start_workflow(
            CountyMeetingWorkflow.run, data, id=f"{name}-{task_queue}", task_queue=task_queue
        )

        async def settled() -> bool:  # requests sent, waiting for input until the deadline
            return "EVENT_TYPE_TIMER_STARTED" in await recorded_events(handle)

        await eventually(settled)
        yield handle, data, recorder
        with contextlib.suppress(RPCError):  # a test may have let it finish
            await handle.terminate()


@pytest_asyncio.fixture
async def meeting(
    ts_env: WorkflowEnvironment, task_queue: str
) -> AsyncIterator[tuple[Handle, CountyMeetingInput, Recorder]]:
    """A county meeting with representatives, date and delegates in, and the board nominated
    from among the delegates and their deputies."""
    async with waiting_meeting(ts_env, task_queue, "cm") as (handle, data, recorder):
        reps = representatives(data)
        await handle.execute_update(
            CountyMeetingWorkflow.representatives_sheet, RepresentativesSheetIn(entries=tuple(reps))
        )
        await handle.execute_update(
            CountyMeetingWorkflow.meeting_date,
            MeetingDateIn(meeting_date=dt.date(data.year, 10, 1)),
        )
        await handle.execute_update(CountyMeetingWorkflow.nominations, delegate_nominations(data))
        placed = await handle.execute_update(
            CountyMeetingWorkflow.vote, split_vote("delegates", voters(data))
        )
        pool = [*placed.elected, *placed.deputies]
        await handle.execute_update(CountyMeetingWorkflow.nominations, board_nominations(pool))
        yield handle, data, recorder


async def leader_candidates(handle: Handle) -> tuple[str, str]:
    """The two candidates nominated for leader, as the meeting's status shows them."""
    status = await handle.query(CountyMeetingWorkflow.status)
    first, second = next(p.candidates for p in status.posts if p.post == "leader")
    return first, second


async def recorded_events(handle: Handle) -> list[str]:
    """Event types that carry business meaning (the test server adds empty workflow tasks)."""
    events = (await handle.fetch_history()).events
    names = [EventType.Name(e.event_type) for e in events]
    return [n for n in names if "WORKFLOW_TASK" not in n]


async def refused(handle: Handle, update: str, arg: Any) -> str:
    before = await recorded_events(handle)
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await handle.execute_update(update, arg)
    assert await recorded_events(handle) == before  # no update accepted, no activity
    return str(info.value.cause)


async def test_a_sheet_naming_another_countys_person_changes_nothing(
    ts_env: WorkflowEnvironment, task_queue: str
) -> None:
    # Issue 21, finding 1: the record store refuses the county's write, and the meeting keeps
    # none of the sheet (its people are recorded before anything else changes).
    async with waiting_meeting(ts_env, task_queue, "foreign") as (handle, data, recorder):
        sheet = RepresentativesSheetIn(entries=tuple(representatives(data)))
        before = await handle.query(CountyMeetingWorkflow.status)
        recorder.foreign = {sheet.entries[0].people[0].person_id}
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(CountyMeetingWorkflow.representatives_sheet, sheet)
        after_refusal = await handle.query(CountyMeetingWorkflow.status)
        assert after_refusal.version == before.version + 1  # accepted by Temporal, then failed
        assert after_refusal.model_copy(update={"version": before.version}) == before
        recorder.foreign = set()
        await handle.execute_update(CountyMeetingWorkflow.representatives_sheet, sheet)
        after = await handle.query(CountyMeetingWorkflow.status)
        assert not any(line.startswith("representatives of") for line in after.awaiting)
        [*_, request] = recorder.of("record_people")
        assert request.scope == f"county:{data.county}"


async def test_a_meeting_date_after_the_deadline_is_refused(
    ts_env: WorkflowEnvironment, task_queue: str
) -> None:
    # Issue 21, finding 8: a county meeting held after its deadline was accepted.
    async with waiting_meeting(ts_env, task_queue, "late") as (handle, data, _):
        late = MeetingDateIn(meeting_date=data.deadline.date() + dt.timedelta(days=1))
        refusal = await refused(handle, "meeting_date", late)
        assert f"must be held by its deadline, {data.deadline.date().isoformat()}" in refusal
        on_time = MeetingDateIn(meeting_date=data.deadline.date())
        await handle.execute_update(CountyMeetingWorkflow.meeting_date, on_time)


async def test_the_wrong_number_of_representatives_is_refused(meeting: Any) -> None:
    handle, _, _ = meeting
    two = RepresentativesIn(member_number="7102", people=(person("x1", True), person("x2", False)))
    sheet = RepresentativesSheetIn(entries=(two,))
    refusal = await refused(handle, "representatives_sheet", sheet)
    assert "elects 1 representative(s), not 2" in refusal


async def test_an_unknown_member_is_refused(meeting: Any) -> None:
    handle, _, _ = meeting
    data = RepresentativesIn(member_number="9999", people=(person("x1", True),))
    sheet = RepresentativesSheetIn(entries=(data,))
    assert "unknown member '9999'" in await refused(handle, "representatives_sheet", sheet)


async def test_a_vote_for_a_candidate_not_nominated_is_refused(meeting: Any) -> None:
    handle, data, _ = meeting
    first, _ = await leader_candidates(handle)
    vote = VoteIn(post="leader", votes={first: voters(data) - 9, "someone-else": 9})
    assert "'someone-else' is not nominated for leader" in await refused(handle, "vote", vote)


async def test_a_nomination_of_an_unknown_person_is_refused(meeting: Any) -> None:
    handle, _, _ = meeting
    noms = NominationsIn(posts=(PostNomination(post="leader", candidates=("ghost",)),))
    assert "unknown person 'ghost'" in await refused(handle, "nominations", noms)


async def test_county_board_candidates_must_be_delegates_or_their_deputies(meeting: Any) -> None:
    """The county meeting elects its board from among its Landsting delegates and their deputies
    (docs/domain.md, "Organs and who elects whom")."""
    handle, _, _ = meeting
    stranger = person("stranger", True)
    first, _ = await leader_candidates(handle)
    noms = NominationsIn(
        posts=(PostNomination(post="leader", candidates=(first, "stranger")),), people=(stranger,)
    )
    message = await refused(handle, "nominations", noms)
    assert "stranger nominated for leader of the county board but not a Landsting delegate" in (
        message
    )


async def test_a_vote_without_a_quorum_or_with_more_ballots_than_representatives_is_refused(
    meeting: Any,
) -> None:
    handle, data, _ = meeting
    first, second = await leader_candidates(handle)
    total = voters(data)
    few = VoteIn(post="leader", votes={first: 1, second: 0})
    assert "fewer than the quorum" in await refused(handle, "vote", few)
    many = VoteIn(post="leader", votes={first: total, second: 1})
    assert f"but only {total} may vote" in await refused(handle, "vote", many)


async def test_a_vote_for_a_closed_election_is_refused(meeting: Any) -> None:
    handle, data, _ = meeting
    first, second = await leader_candidates(handle)
    total = voters(data)
    won = VoteIn(post="leader", votes={first: total, second: 0})
    await handle.execute_update("vote", won)
    again = VoteIn(post="leader", votes={first: 0, second: total})
    assert "the election of leader is closed" in await refused(handle, "vote", again)


async def test_a_majority_election_goes_to_a_second_round_and_then_to_lot(meeting: Any) -> None:
    handle, data, recorder = meeting
    first, second = await leader_candidates(handle)
    half = voters(data) // 2
    with pytest.raises(WorkflowUpdateFailedError):  # "nobody" is not nominated for leader
        await handle.execute_update(
            "vote", VoteIn(post="leader", votes={first: half, second: half, "nobody": 0})
        )
    tied = VoteIn(post="leader", votes={first: half, second: half})
    first_round = await handle.execute_update(CountyMeetingWorkflow.vote, tied)
    assert (first_round.status, first_round.round) == ("open", 2)
    second_round = await handle.execute_update(
        CountyMeetingWorkflow.vote, tied.model_copy(update={"round": 2})
    )
    assert second_round.status == "decided"
    assert second_round.elected[0] in {first, second}
    assert second_round.drawn_by_lot == second_round.elected
    lot = [e for e in recorder.of("record_event") if e.action == "lot_drawn"]
    assert lot[0].content["drawn"] == list(second_round.elected)


async def test_the_deadline_reminds_the_secretariat_and_the_county_secretary(
    ts_env: WorkflowEnvironment, meeting: Any
) -> None:
    handle, data, recorder = meeting
    assert not [n for n in recorder.of("notify") if n.purpose == "deadline_passed"]
    await ts_env.sleep(data.deadline - await ts_env.get_current_time() + dt.timedelta(hours=1))
    status = await handle.query(CountyMeetingWorkflow.status)  # still waiting for the votes
    assert status.stage == "voting"

    async def reminded() -> bool:
        return any(n.purpose == "deadline_passed" for n in recorder.of("notify"))

    await eventually(reminded)
    reminders = [n for n in recorder.of("notify") if n.purpose == "deadline_passed"]
    assert [r.recipient_id for r in reminders[0].recipients] == [
        "secretariat",
        "county-71-secretary",
    ]
    assert "votes for leader (round 1)" in reminders[0].context["awaiting"]


class MailServerDown(Recorder):
    """Its `notify_many` never gets through, as when the mail server is down for days."""

    @activity.defn(name="notify_many")
    async def notify_many(self, batch: NotifyMany) -> NotifyResult:
        self.calls.append(("notify_many", batch))
        raise ApplicationError("the mail server did not answer", type="DeliveryDeferred")


async def test_requests_undelivered_at_their_deadline_are_each_tried_once_more_alone(
    ts_env: WorkflowEnvironment, task_queue: str
) -> None:
    recorder = MailServerDown()
    now = await ts_env.get_current_time()
    data = county_input(now.year + 1).model_copy(update={"deadline": now + dt.timedelta(hours=1)})
    async with mock_worker(ts_env.client, task_queue, recorder):
        handle = await ts_env.client.start_workflow(
            CountyMeetingWorkflow.run, data, id=f"cm-down-{task_queue}", task_queue=task_queue
        )
        await ts_env.sleep(dt.timedelta(hours=2))

        async def each_alone() -> bool:
            return len(alone(recorder)) == len(data.members)

        await eventually(each_alone)
        await handle.terminate()
    attempts = recorder.of("notify_many")
    assert len(attempts) > 1  # retried until the deadline
    assert sorted(r.subject_key for r in attempts[0].requests) == sorted(alone(recorder))


def alone(recorder: Recorder) -> list[str]:
    """The requests for representatives sent by a `notify` of their own."""
    notices = recorder.of("notify")
    return [n.subject_key for n in notices if n.purpose == "representatives_requested"]


async def test_a_vacancy_is_filled_by_the_first_deputy_where_the_bylaws_allow_it(
    ts_env: WorkflowEnvironment, task_queue: str
) -> None:
    recorder = Recorder()
    bylaws = fictional_bylaws(**{"first_deputy_moves_up = false": "first_deputy_moves_up = true"})
    async with mock_worker(ts_env.client, task_queue, recorder):
        cycle = await start_term(ts_env.client, task_queue, bylaws, 2095)
        await hold_county_meetings(cycle)
        await hold_landsting(cycle, recorder)
        await cycle.term.execute_update(
            "vacate",
            VacateIn(
                organ="hovedstyret", person_id="hs-0", reason="resigned", on=dt.date(2097, 1, 1)
            ),
        )
        status = await cycle.term.query("status")
        await cycle.term.terminate()
    assert status["vacancies"] == []
    ended = [(e.organ, e.person_id, e.role) for e in recorder.of("end_seat")]
    # Landsstyret's ex officio seat follows Hovedstyret's: the leaver's ends, the deputy's begins.
    assert ended == [
        ("hovedstyret", "hs-0", "member"),
        ("hovedstyret", "hs-2", "deputy"),
        ("landsstyret", "hs-0", "member"),
    ]
    moved, follower = (r.seats[0] for r in recorder.of("record_seats")[-2:])
    assert (moved.organ, moved.person_id, moved.role, moved.obtained_by) == (
        "hovedstyret",
        "hs-2",
        "member",
        "first deputy moved up",
    )
    assert (follower.organ, follower.person_id, follower.group, follower.from_date) == (
        "landsstyret",
        "hs-2",
        "ex_officio/hovedstyret",
        dt.date(2097, 1, 1),
    )
