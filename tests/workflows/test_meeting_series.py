"""MeetingSeriesWorkflow on the time-skipping server: a year of Hovedstyret, edits to the plan.

With KSGOV_SAVE_HISTORIES=1 the plan-editing test writes histories/meeting_series.json (its first
run: edits, a meeting started, continue-as-new) and meeting_series_continued.json (the run after).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
import pytest_asyncio
from temporalio import workflow
from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from models import ids
from models.meeting_payloads import (
    AddMeetingIn,
    CancelMeetingIn,
    MoveMeetingIn,
    OrganRules,
    PlannedMeeting,
    PlanRequest,
    SeriesInput,
)
from notices.planning import plan_series
from tests.workflows.test_meeting_support import (
    Calls,
    meeting_worker,
    own_env,
    rules,
    save_history,
    weekday_at,
)
from workflows.meetings.series import MeetingSeriesWorkflow
from workflows.meetings.start import start_meeting_series


@pytest_asyncio.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    async with own_env() as started:
        yield started


def before(moment: datetime, days: int) -> datetime:
    return moment.astimezone(UTC) - timedelta(days=days)


def near(a: datetime, b: datetime) -> bool:
    return abs(a - b) < timedelta(minutes=5)


async def test_a_year_of_hovedstyret_sends_every_notice_and_reminder_on_time(
    env: WorkflowEnvironment, task_queue: str
) -> None:
    year = (await env.get_current_time()).year + 1
    term = f"{year}-{year + 4}"
    plan = plan_series(
        PlanRequest(organ="hovedstyret", meetings_per_year=10,
                    first_day=date(year, 1, 1), last_day=date(year, 12, 31))
    )  # fmt: skip
    data = SeriesInput(
        rules=rules(term=term, holidays=plan.holidays),
        ends_on=date(year, 12, 31),
        meetings=plan.meetings,
    )
    calls = Calls()
    series_id = f"meetings-hovedstyret-{term}-{task_queue}"
    async with meeting_worker(env.client, task_queue, calls):
        handle = await env.client.start_workflow(
            MeetingSeriesWorkflow.run, data, id=series_id, task_queue=task_queue
        )
        await env.sleep(datetime(year + 1, 1, 2, tzinfo=UTC) - await env.get_current_time())
        result = await handle.result()
        for m in plan.meetings:
            child = env.client.get_workflow_handle(ids.meeting_id("hovedstyret", term, m.number))
            with contextlib.suppress(RPCError):  # a child may have ended with the test clock
                await child.terminate()
    assert [m.status for m in result.meetings] == ["started"] * 10
    starts = [m.starts_at for m in plan.meetings]
    notices = calls.purpose("meeting_notice")
    assert len(notices) == 10
    assert all(near(n.at, before(s, 16)) for n, s in zip(notices, starts, strict=True))
    reminders = sorted(calls.purpose("reminder"), key=lambda s: s.at)
    expected = sorted(before(s, d) for s in starts for d in (7, 1))
    assert len(reminders) == 20
    assert all(near(r.at, e) for r, e in zip(reminders, expected, strict=True))
    history = await env.client.get_workflow_handle(series_id).fetch_history()
    assert len(history.events) < 60  # continued as new after each meeting


async def test_the_plan_takes_extra_meetings_moves_and_cancellations(
    env: WorkflowEnvironment, task_queue: str
) -> None:
    now = await env.get_current_time()
    first, second = weekday_at(now, 60), weekday_at(now, 90)
    data = SeriesInput(
        rules=rules(),
        ends_on=(now + timedelta(days=200)).date(),
        meetings=(PlannedMeeting(number=1, starts_at=first),
                  PlannedMeeting(number=2, starts_at=second)),
    )  # fmt: skip
    calls = Calls()
    series_id = f"meetings-hovedstyret-2024-2028-{task_queue}"
    async with meeting_worker(env.client, task_queue, calls):
        handle = await env.client.start_workflow(
            MeetingSeriesWorkflow.run, data, id=series_id, task_queue=task_queue
        )
        with pytest.raises(WorkflowUpdateFailedError) as late:
            await handle.execute_update(
                MeetingSeriesWorkflow.add, AddMeetingIn(starts_at=weekday_at(now, 5))
            )
        assert "too late" in str(late.value.cause)
        extra = await handle.execute_update(
            MeetingSeriesWorkflow.add, AddMeetingIn(starts_at=weekday_at(now, 5), urgent=True)
        )
        one = ids.meeting_id("hovedstyret", "2024-2028", 1)
        two = ids.meeting_id("hovedstyret", "2024-2028", 2)
        moved = await handle.execute_update(
            MeetingSeriesWorkflow.move, MoveMeetingIn(meeting_id=one, starts_at=weekday_at(now, 70))
        )
        await handle.execute_update(
            MeetingSeriesWorkflow.cancel, CancelMeetingIn(meeting_id=two, reason="Ingen saker")
        )
        await env.sleep(timedelta(hours=2))
        with pytest.raises(WorkflowUpdateFailedError) as started:
            await handle.execute_update(
                MeetingSeriesWorkflow.cancel,
                CancelMeetingIn(meeting_id=extra.meeting_id, reason="x"),
            )
        assert "has its own workflow" in str(started.value.cause)
        status = await handle.query(MeetingSeriesWorkflow.status)
        await env.client.get_workflow_handle(extra.meeting_id).terminate()
        await handle.terminate()
        first_run = env.client.get_workflow_handle(series_id, run_id=handle.first_execution_run_id)
        first_status = (await first_run.describe()).status
        await save_history(first_run, "meeting_series")
        await save_history(env.client.get_workflow_handle(series_id), "meeting_series_continued")
    assert moved.starts_at == weekday_at(now, 70)
    assert [m.status for m in status.meetings] == ["planned", "cancelled", "started"]
    assert first_status == WorkflowExecutionStatus.CONTINUED_AS_NEW  # after starting the extra
    assert extra.extra
    assert extra.urgent
    assert len(calls.purpose("meeting_cancelled")) == 1
    (notice,) = calls.purpose("meeting_notice")  # the urgent extra meeting, at once
    assert notice.request.subject_key == f"{extra.meeting_id}/notice"


@workflow.defn(name="TermStandIn", sandboxed=False)  # a test stand-in: pytest is no sandbox guest
class TermStandIn:
    """What the term workflow does once Hovedstyret is composed: start its meeting series."""

    @workflow.run
    async def run(self, rules: OrganRules) -> str:
        return await start_meeting_series(rules, 10, date(2027, 3, 1), date(2028, 1, 31))


async def test_the_term_starts_the_series_as_an_abandoned_child(
    env: WorkflowEnvironment, task_queue: str
) -> None:
    async with meeting_worker(env.client, task_queue, Calls(), extra=[TermStandIn]):
        # Poll instead of awaiting the result: awaiting would skip time and run the series ahead.
        term = await env.client.start_workflow(
            TermStandIn.run, rules(term="2027-2031"), id=f"term-{task_queue}", task_queue=task_queue
        )
        for _ in range(100):
            done = (await term.describe()).status == WorkflowExecutionStatus.COMPLETED
            if done:
                break
            await asyncio.sleep(0.05)
        series_id = await term.result()
        series = env.client.get_workflow_handle(series_id)
        description = await series.describe()
        history = await series.fetch_history()
        await series.terminate()
    assert series_id == "meetings-hovedstyret-2027-2031"
    assert description.status is not None
    assert description.status.name == "RUNNING"  # the parent completed; the series lives on
    started = history.events[0].workflow_execution_started_event_attributes
    assert started.parent_workflow_execution.workflow_id == f"term-{task_queue}"
