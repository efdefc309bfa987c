"""A county meeting cannot be exhausted: it continues as new after a number of accepted inputs,
carrying everything it knows, answers an input sent twice under one update id once, and refuses
inputs with a message long before Temporal's limit of updates in a run (time-skipping server)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from client.errors import UserError
from models.election_payloads import (
    REPRESENTATIVES_SHEET_MAX,
    UPDATES_REFUSED_AT,
    CountyMeetingInput,
    CountyMeetingResult,
    MeetingDateIn,
)
from service import term as term_service
from tests.workflows.cycle_support import Recorder, mock_worker, run_county_meeting
from tests.workflows.test_county_meeting_refusals import county_input, waiting_meeting
from workflows.elections.ballots import ElectionMeeting
from workflows.elections.county_meeting import CountyMeetingWorkflow


async def hold(
    ts_env: WorkflowEnvironment, task_queue: str, name: str, data: CountyMeetingInput
) -> tuple[CountyMeetingResult, Recorder, int]:
    """Run a whole county meeting; its result, what it recorded and how many runs it took."""
    recorder = Recorder()
    workflow_id = f"{name}-{task_queue}"
    async with mock_worker(ts_env.client, task_queue, recorder):
        first = await ts_env.client.start_workflow(
            CountyMeetingWorkflow.run, data, id=workflow_id, task_queue=task_queue
        )
        # the newest run, whichever it is
        handle = ts_env.client.get_workflow_handle(workflow_id, result_type=CountyMeetingResult)
        await run_county_meeting(handle, data)
        result: CountyMeetingResult = await handle.result()
    runs, run_id = 1, first.first_execution_run_id
    while True:
        events = (
            await ts_env.client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        ).events
        last = events[-1]
        if last.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            return result, recorder, runs
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
        runs += 1


async def test_a_county_meeting_continues_as_new_and_ends_as_one_run_would(
    ts_env: WorkflowEnvironment, task_queue: str
) -> None:
    year = (await ts_env.get_current_time()).year + 1
    data = county_input(year)
    once, recorded_once, runs_once = await hold(ts_env, task_queue, "cm-one", data)
    split = data.model_copy(update={"updates_per_run": 2})
    many, recorded, runs = await hold(ts_env, task_queue, "cm-many", split)
    assert runs_once == 1
    assert runs >= 4  # 8 inputs, a new run after every 2
    assert many.model_dump(exclude={"seats"}) == once.model_dump(exclude={"seats"})
    assert [s.model_dump(exclude={"election_id"}) for s in many.seats] == [
        s.model_dump(exclude={"election_id"}) for s in once.seats
    ]
    # every record write of every run has a key of its own: none is dropped as a repeat
    keys = Counter(r.idempotency_key for name in ("record_people", "record_election",
                   "record_seats") for r in recorded.of(name))  # fmt: skip
    assert keys
    assert max(keys.values()) == 1
    people = {p.person_id for r in recorded.of("record_people") for p in r.people}
    assert people == {p.person_id for r in recorded_once.of("record_people") for p in r.people}


async def test_an_input_sent_twice_under_one_id_is_applied_once(
    ts_env: WorkflowEnvironment, task_queue: str
) -> None:
    async with waiting_meeting(ts_env, task_queue, "cm-id") as (handle, data, _):
        date = MeetingDateIn(meeting_date=data.deadline.date())
        first = await handle.execute_update(CountyMeetingWorkflow.meeting_date, date, id="date-1")
        again = await handle.execute_update(CountyMeetingWorkflow.meeting_date, date, id="date-1")
        assert first == again
        assert first.version == 1
        status = await handle.query(CountyMeetingWorkflow.status)
        assert status.version == 1  # the second was answered, not applied
        updates = [
            e for e in (await handle.fetch_history()).events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        ]  # fmt: skip
        assert len(updates) == 1


def test_a_run_that_took_too_many_inputs_refuses_the_next_with_a_reason() -> None:
    meeting: Any = ElectionMeeting(county_input(2027).posts, "2027-2031", "test")
    meeting.accepted_this_run = UPDATES_REFUSED_AT - 1
    meeting.check_room()  # one more still fits
    meeting.accept()
    with pytest.raises(ValueError, match=r"^this meeting has taken 1500 inputs in a short time"):
        meeting.check_room()
    assert UPDATES_REFUSED_AT < 2000  # Temporal's limit of updates in one run


DATE = MeetingDateIn(meeting_date=date(2027, 3, 1))


@pytest.mark.parametrize(
    ("kind", "count", "words"),
    [
        (
            "meeting-date",
            10_400,
            "10400 inputs in one file; a meeting takes at most 1 meeting-date",
        ),
        ("credentials", 2, "takes at most 1 credentials"),
        ("vote", 201, "takes at most 200 vote"),
    ],
)
def test_a_file_with_more_inputs_than_a_meeting_takes_is_refused_before_sending(
    kind: str, count: int, words: str
) -> None:
    with pytest.raises(UserError, match=words):
        term_service._counted(Path("f.json"), kind, [DATE] * count)
    assert term_service._counted(Path("f.json"), "vote", [DATE, DATE]) == [DATE, DATE]


def test_a_representatives_sheet_may_name_as_many_members_as_a_county_meeting_has() -> None:
    sheet = [DATE] * REPRESENTATIVES_SHEET_MAX
    assert term_service._counted(Path("f.json"), "representatives", sheet) == sheet
    with pytest.raises(UserError, match="takes at most 500 representatives"):
        term_service._counted(Path("f.json"), "representatives", [*sheet, DATE])
