"""MeetingWorkflow on the time-skipping server with recording mock activities.

With KSGOV_SAVE_HISTORIES=1 the first test writes histories/meeting.json and the moved-meeting test
histories/meeting_moved.json (see test_replay.py).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import pytest_asyncio
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from models import ids
from models.meeting_payloads import (
    AbsenceIn,
    AgendaIn,
    AgendaItemIn,
    ApproveMinutesIn,
    AttendanceIn,
    CancelIn,
    DecisionIn,
    MeetingInput,
    MeetingStatus,
    MinutesApproved,
    MinutesIn,
    MoveIn,
)
from models.payloads import PUBLIC_URL
from tests.workflows.test_meeting_support import (
    Calls,
    meeting_worker,
    own_env,
    roster,
    rules,
    save_history,
    weekday_at,
)
from workflows.meetings.meeting import MeetingWorkflow

Handle = WorkflowHandle[MeetingWorkflow, MeetingStatus]
VOTING = [e.person_id for e in roster() if e.role != "deputy" and e.role != "observer"]


@pytest_asyncio.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    async with own_env() as started:
        yield started


async def start(env: WorkflowEnvironment, tq: str, starts_at: datetime, **extra: object) -> Handle:
    data = MeetingInput(
        meeting_id=f"meeting-hovedstyret-2024-2028-{uuid.uuid4().hex[:8]}",
        number=1, rules=rules(), starts_at=starts_at, **extra,  # type: ignore[arg-type]
    )  # fmt: skip
    return await env.client.start_workflow(
        MeetingWorkflow.run, data, id=data.meeting_id, task_queue=tq
    )


def near(a: datetime, b: datetime) -> bool:
    return abs(a - b) < timedelta(minutes=5)


def before(moment: datetime, days: int) -> datetime:
    """`days` of 24 hours before `moment` (the workflow's timers count elapsed time)."""
    return moment.astimezone(UTC) - timedelta(days=days)


def ics(sent_request: object) -> icalendar.Calendar:
    (attachment,) = sent_request.attachments  # type: ignore[attr-defined]
    return icalendar.Calendar.from_ical(attachment.text)


async def test_a_meeting_is_noticed_reminded_held_and_its_minutes_published(
    env: WorkflowEnvironment, task_queue: str
) -> None:
    calls = Calls()
    async with meeting_worker(env.client, task_queue, calls):
        starts = weekday_at(await env.get_current_time(), 40)
        first = await start(env, task_queue, starts)
        items = (AgendaItemIn(number=1, title="Budsjett"), AgendaItemIn(number=2, title="Mandat"))
        await first.execute_update(MeetingWorkflow.agenda, AgendaIn(items=items))
        await env.sleep(starts - await env.get_current_time() + timedelta(hours=1))
        status = await first.query(MeetingWorkflow.status)
        assert status.stage == "awaiting_attendance"

        (notice,) = calls.purpose("meeting_notice")
        assert near(notice.at, before(starts, 16))
        assert len(notice.request.recipients) == len(roster())
        assert notice.request.context["agenda"] == [
            {"number": 1, "title": "Budsjett"},
            {"number": 2, "title": "Mandat"},
        ]
        event = ics(notice.request).walk("VEVENT")[0]
        assert (str(event["UID"]), int(str(event["SEQUENCE"]))) == (f"{first.id}@ksgov.ks.no", 0)
        reminders = calls.purpose("reminder")
        assert [near(r.at, before(starts, d)) for r, d in zip(reminders, (7, 1), strict=True)] == [
            True,
            True,
        ]

        held = await first.execute_update(
            MeetingWorkflow.attendance, AttendanceIn(present=tuple(VOTING[:12]))
        )
        assert held.quorum is True
        decisions = (DecisionIn(item_number=1, text="Vedtatt", votes={"for": 12}),)
        await first.execute_update(MeetingWorkflow.minutes, MinutesIn(decisions=decisions))

        nxt_at = weekday_at(starts, 30)
        second = await start(env, task_queue, nxt_at, previous_meeting_id=first.id)
        await env.sleep(nxt_at - await env.get_current_time() + timedelta(hours=1))
        await second.execute_update(MeetingWorkflow.attendance, AttendanceIn(present=tuple(VOTING)))
        await second.execute_update(
            MeetingWorkflow.approve_previous_minutes, ApproveMinutesIn(meeting_id=first.id)
        )
        result = await first.result()
        await save_history(first, "meeting")
    assert result.stage == "published"
    (published,) = calls.purpose("minutes_published")
    # the link is where `ksgov document serve` publishes them, under the configured address
    assert published.request.context["url"] == ids.minutes_url(PUBLIC_URL, first.id)
    assert published.request.context["url"].startswith("http://127.0.0.1:8000/protokoller/")
    assert [r["quorum"] for r in calls.recorded("record_attendance")] == [True, True]
    assert [e.action for e in calls.events] == ["minutes_approved"]


async def test_a_move_rearms_the_reminders_and_resends_the_notice_with_a_higher_sequence(
    env: WorkflowEnvironment, task_queue: str
) -> None:
    calls = Calls()
    async with meeting_worker(env.client, task_queue, calls):
        starts = weekday_at(await env.get_current_time(), 40)
        handle = await start(env, task_queue, starts)
        await env.sleep(timedelta(days=30))
        assert len(calls.purpose("meeting_notice")) == 1
        new = weekday_at(starts, 14)
        moved = await handle.execute_update(MeetingWorkflow.move, MoveIn(starts_at=new))
        assert moved.sequence == 1
        await env.sleep(new - await env.get_current_time() + timedelta(hours=1))
        status = await handle.query(MeetingWorkflow.status)
        await handle.terminate()
    (changed,) = calls.purpose("meeting_changed")
    event = ics(changed.request).walk("VEVENT")[0]
    assert int(str(event["SEQUENCE"])) == 1
    assert event.decoded("DTSTART") == new
    keys = [s.request.subject_key for s in calls.purpose("reminder")]
    assert all(new.date().isoformat() in k for k in keys), keys
    sent = [(s.at, s.request.subject_key) for s in calls.sent]
    reminders = calls.purpose("reminder")
    assert [near(s.at, before(new, d)) for s, d in zip(reminders, (7, 1), strict=True)] == [
        True,
        True,
    ], sent
    assert status.stage == "awaiting_attendance"


async def test_a_moved_meeting_is_renoticed_reminded_for_its_new_date_and_held_with_a_deputy(
    env: WorkflowEnvironment, task_queue: str
) -> None:
    """The `move` and `absence` paths end to end; writes histories/meeting_moved.json."""
    calls = Calls()
    async with meeting_worker(env.client, task_queue, calls):
        starts = weekday_at(await env.get_current_time(), 40)
        handle = await start(env, task_queue, starts)
        items = (AgendaItemIn(number=1, title="Budsjett"),)
        await handle.execute_update(MeetingWorkflow.agenda, AgendaIn(items=items))
        await env.sleep(timedelta(days=30))  # noticed; the old date's 7-day reminder not yet due
        assert len(calls.purpose("meeting_notice")) == 1
        assert calls.purpose("reminder") == []

        moved_at = await env.get_current_time()
        new = weekday_at(starts, 14)
        moved = await handle.execute_update(MeetingWorkflow.move, MoveIn(starts_at=new))
        assert (moved.sequence, moved.starts_at) == (1, new)
        away = await handle.execute_update(MeetingWorkflow.absence, AbsenceIn(person_id="p04"))
        assert away.called_in == {"dA1": "p04"}
        await env.sleep(new - await env.get_current_time() + timedelta(hours=1))
        status = await handle.query(MeetingWorkflow.status)
        assert status.stage == "awaiting_attendance"

        present = (*[p for p in VOTING if p != "p04"][:11], "dA1")
        held = await handle.execute_update(
            MeetingWorkflow.attendance, AttendanceIn(present=present)
        )
        assert held.quorum is True
        decisions = (DecisionIn(item_number=1, text="Vedtatt", votes={"for": 12}),)
        await handle.execute_update(MeetingWorkflow.minutes, MinutesIn(decisions=decisions))
        # What the next meeting's `approve_previous_minutes` signals (the same history event).
        approved = MinutesApproved(
            approved_by=f"{handle.id}-next", approved_at=await env.get_current_time()
        )
        await handle.signal(MeetingWorkflow.minutes_approved, approved)
        result = await handle.result()
        await save_history(handle, "meeting_moved")
    sent = [(s.at, s.request.purpose, s.request.subject_key) for s in calls.sent]

    # The new notice: to everyone, at the move, for the new date with SEQUENCE 1.
    (changed,) = calls.purpose("meeting_changed")
    assert changed.request.subject_key == f"{handle.id}/seq-1"
    assert near(changed.at, moved_at), sent
    assert len(changed.request.recipients) == len(roster())
    event = ics(changed.request).walk("VEVENT")[0]
    assert (int(str(event["SEQUENCE"])), event.decoded("DTSTART")) == (1, new)
    assert changed.request.context["starts_at"] == new.isoformat()

    # Reminders: none for the old date, the new date's at its 7- and 1-day offsets, to the deputy
    # called in rather than the absent member.
    assert not any(near(s.at, before(starts, 7)) for s in calls.sent), sent
    reminders = calls.purpose("reminder")
    day = new.date().isoformat()
    assert [r.request.subject_key for r in reminders] == [
        f"{handle.id}/reminder/{day}/7d",
        f"{handle.id}/reminder/{day}/1d",
    ], sent
    assert [near(r.at, before(new, d)) for r, d in zip(reminders, (7, 1), strict=True)] == [
        True,
        True,
    ], sent
    assert status.reminders_sent == (f"{day}/7d", f"{day}/1d")
    for r in reminders:
        to = {x.recipient_id for x in r.request.recipients}
        assert {"dA1", "p04"} & to == {"dA1"}, to

    # The call-in: the first-ranked deputy of p04's group, invited to the new date.
    (call_in,) = calls.purpose("deputy_called_in")
    assert [x.recipient_id for x in call_in.request.recipients] == ["dA1"]
    assert call_in.request.context["stands_in_for"] == "p04"
    assert call_in.request.context["starts_at"] == new.isoformat()
    event = ics(call_in.request).walk("VEVENT")[0]
    assert (int(str(event["SEQUENCE"])), event.decoded("DTSTART")) == (1, new)
    assert [(e.action, e.content) for e in calls.events] == [
        ("deputy_called_in", {"member": "p04", "deputy": "dA1"})
    ]

    # Held with quorum (the deputy votes for p04), minutes recorded and published.
    (attendance,) = calls.recorded("record_attendance")
    assert (attendance["quorum"], attendance["voting_present"]) == (True, 12)
    deputy_row = next(r for r in attendance["rows"] if r["person_id"] == "dA1")
    assert deputy_row == {"person_id": "dA1", "present": True, "as_deputy_for": "p04"}
    assert [r["text"] for r in calls.recorded("record_decisions")[0]["decisions"]] == ["Vedtatt"]
    assert len(calls.recorded("record_minutes")) == 2  # recorded, then published
    assert len(calls.purpose("minutes_published")) == 1
    assert (result.stage, result.starts_at, result.sequence) == ("published", new, 1)
    rows = [(r["status"], r["sequence"]) for r in calls.recorded("record_meeting")]
    assert rows == [("planned", 0), ("planned", 0), ("planned", 1), ("held", 1)]


async def test_a_cancellation_sends_method_cancel_to_everyone(
    env: WorkflowEnvironment, task_queue: str
) -> None:
    calls = Calls()
    async with meeting_worker(env.client, task_queue, calls):
        starts = weekday_at(await env.get_current_time(), 30)
        handle = await start(env, task_queue, starts)
        await env.sleep(timedelta(days=20))
        await handle.execute_update(MeetingWorkflow.cancel, CancelIn(reason="Ingen saker"))
        result = await handle.result()
    assert result.stage == "cancelled"
    (cancel,) = calls.purpose("meeting_cancelled")
    assert {r.recipient_id for r in cancel.request.recipients} == {e.person_id for e in roster()}
    calendar = ics(cancel.request)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert int(str(calendar.walk("VEVENT")[0]["SEQUENCE"])) == 1
    assert calls.recorded("record_meeting")[-1]["status"] == "cancelled"
    assert calls.purpose("reminder") == []


async def test_an_absent_member_is_replaced_by_the_next_deputy_of_their_group(
    env: WorkflowEnvironment, task_queue: str
) -> None:
    calls = Calls()
    async with meeting_worker(env.client, task_queue, calls):
        handle = await start(env, task_queue, weekday_at(await env.get_current_time(), 30))
        await handle.execute_update(MeetingWorkflow.absence, AbsenceIn(person_id="p04"))
        status = await handle.execute_update(MeetingWorkflow.absence, AbsenceIn(person_id="dA1"))
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(MeetingWorkflow.absence, AbsenceIn(person_id="dB1"))
        await handle.terminate()
    assert status.called_in == {"dA2": "p04"}
    called = [s.request.recipients[0].recipient_id for s in calls.purpose("deputy_called_in")]
    assert called == ["dA1", "dA2"]
    assert [e.action for e in calls.events] == ["deputy_called_in", "deputy_called_in"]


async def test_a_meeting_without_quorum_is_recorded_as_not_lawfully_constituted(
    env: WorkflowEnvironment, task_queue: str
) -> None:
    calls = Calls()
    async with meeting_worker(env.client, task_queue, calls):
        starts = weekday_at(await env.get_current_time(), 20)
        handle = await start(env, task_queue, starts)
        await env.sleep(starts - await env.get_current_time() + timedelta(hours=1))
        status = await handle.execute_update(
            MeetingWorkflow.attendance, AttendanceIn(present=tuple(VOTING[:7]))
        )
        result = await handle.result()
    assert status.quorum is False
    assert result.stage == "not_constituted"
    assert calls.recorded("record_attendance")[0]["quorum"] is False
    assert calls.recorded("record_meeting")[-1]["status"] == "not_constituted"


async def test_a_late_move_is_refused_unless_the_meeting_is_urgent(
    env: WorkflowEnvironment, task_queue: str
) -> None:
    calls = Calls()
    async with meeting_worker(env.client, task_queue, calls):
        now = await env.get_current_time()
        handle = await start(env, task_queue, weekday_at(now, 30))
        soon = weekday_at(now, 5)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(MeetingWorkflow.move, MoveIn(starts_at=soon))
        assert "too late unless the meeting is marked urgent" in str(refused.value.cause)
        status = await handle.execute_update(
            MeetingWorkflow.move, MoveIn(starts_at=soon, urgent=True)
        )
        await env.sleep(timedelta(hours=1))  # the notice is due at once: let the timeline run
        await handle.terminate()
    assert status.urgent is True
    assert [e.action for e in calls.events] == ["meeting_urgent"]
    assert len(calls.purpose("meeting_notice")) == 1  # sent at once: the deadline has passed


async def test_an_urgent_meeting_on_short_notice_is_noticed_at_once_and_marked(
    env: WorkflowEnvironment, task_queue: str
) -> None:
    calls = Calls()
    async with meeting_worker(env.client, task_queue, calls):
        now = await env.get_current_time()
        handle = await start(env, task_queue, weekday_at(now, 4), urgent=True)
        await env.sleep(timedelta(hours=1))
        await handle.terminate()
    (notice,) = calls.purpose("meeting_notice")
    assert near(notice.at, now)
    assert notice.request.context["urgent"] is True
    # its deadline is the meeting's start, not "now", which every delivery would miss
    assert notice.request.deadline == weekday_at(now, 4)
    assert [e.action for e in calls.events] == ["meeting_urgent"]
