"""A county's representatives as one sheet: accepted whole in one record write, or refused
whole with the entry named, on the time-skipping server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from models.election_payloads import (
    CountyMeetingInput,
    MeetingDateIn,
    RepresentativesSheetIn,
)
from tests.workflows.cycle_support import (
    Recorder,
    delegate_nominations,
    person,
    representatives,
)
from tests.workflows.test_county_meeting_refusals import refused, waiting_meeting
from workflows.elections.county_meeting import CountyMeetingWorkflow

Handle = WorkflowHandle[Any, Any]


@pytest_asyncio.fixture
async def waiting(
    ts_env: WorkflowEnvironment, task_queue: str
) -> AsyncIterator[tuple[Handle, CountyMeetingInput, Recorder]]:
    """A county meeting that has asked for its representatives and has none yet."""
    async with waiting_meeting(ts_env, task_queue, "cm-sheet") as meeting:
        yield meeting


async def test_a_whole_sheet_is_accepted_and_recorded_in_one_write(waiting: Any) -> None:
    handle, data, recorder = waiting
    sheet = RepresentativesSheetIn(entries=tuple(representatives(data)))
    status = await handle.execute_update(CountyMeetingWorkflow.representatives_sheet, sheet)
    assert status.stage == "awaiting_nominations"
    assert not [a for a in status.awaiting if a.startswith("representatives of")]
    writes = recorder.of("record_people")
    assert len(writes) == 1
    expected = {p.person_id for entry in sheet.entries for p in entry.people}
    assert {p.person_id for p in writes[0].people} == expected
    assert len(expected) == sum(m.representatives for m in data.members) > len(data.members)


async def test_a_sheet_with_one_wrong_entry_changes_nothing_and_names_the_entry(
    waiting: Any,
) -> None:
    handle, data, recorder = waiting
    entries = representatives(data)
    wrong = entries[1].model_copy(update={"people": (*entries[1].people, person("extra", True))})
    sheet = RepresentativesSheetIn(entries=(entries[0], wrong, *entries[2:]))
    message = await refused(handle, "representatives_sheet", sheet)
    assert f"entry 2 of the sheet: {data.members[1].name} elects" in message
    assert "nothing from the sheet was recorded" in message
    status = await handle.query(CountyMeetingWorkflow.status)
    assert status.stage == "awaiting_representatives"
    missing = [a for a in status.awaiting if a.startswith("representatives of")]
    assert len(missing) == len(data.members)
    assert recorder.of("record_people") == []


async def test_a_sheet_naming_a_member_twice_is_refused(waiting: Any) -> None:
    handle, data, recorder = waiting
    entries = representatives(data)
    sheet = RepresentativesSheetIn(entries=(*entries, entries[0]))
    message = await refused(handle, "representatives_sheet", sheet)
    assert f"member {entries[0].member_number} more than once" in message
    assert recorder.of("record_people") == []


async def test_a_sheet_after_voting_has_begun_is_refused(waiting: Any) -> None:
    handle, data, _ = waiting
    entries = representatives(data)
    sheet = RepresentativesSheetIn(entries=tuple(entries))
    await handle.execute_update(CountyMeetingWorkflow.representatives_sheet, sheet)
    await handle.execute_update(
        CountyMeetingWorkflow.meeting_date, MeetingDateIn(meeting_date=data.deadline.date())
    )
    await handle.execute_update(CountyMeetingWorkflow.nominations, delegate_nominations(data))
    again = RepresentativesSheetIn(entries=(entries[0],))
    assert "voting has begun" in await refused(handle, "representatives_sheet", again)
