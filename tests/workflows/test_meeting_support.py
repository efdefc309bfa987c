"""Shared set-up of the meeting workflow tests: a roster, mock activities that record, a worker.

The mock activities have the production names; `notify` keeps the (simulated) time at which the
workflow scheduled it, so tests can check when each notice and reminder went out. With
KSGOV_SAVE_HISTORIES=1, `save_history` writes a run's history for test_replay.py.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from client.gateway import ensure_search_attributes
from models.meeting_payloads import (
    IcsRequest,
    OrganRules,
    PlanRequest,
    PlanResult,
    RosterEntry,
)
from models.payloads import NotifyRequest, NotifyResult, RecordEventRequest, RecordResult, SeatRole
from notices.calendar import meeting_ics
from notices.messages import render
from notices.planning import plan_series
from tests.conftest import binary
from worker import PASSTHROUGH
from workflows.meetings.meeting import MeetingWorkflow
from workflows.meetings.series import MeetingSeriesWorkflow

OSLO = ZoneInfo("Europe/Oslo")
HISTORIES = Path(__file__).resolve().parent / "histories"


def roster() -> tuple[RosterEntry, ...]:
    """Hovedstyret-like: 15 voting seats in groups A (8) and B (7), 3 deputies each, 1 observer."""
    seats: list[tuple[SeatRole, str]] = [
        ("leader", "A"),
        ("deputy_leader", "A"),
        ("deputy_leader", "B"),
    ]
    member: SeatRole = "member"
    seats += [(member, "A")] * 6 + [(member, "B")] * 6
    entries = [
        RosterEntry(person_id=f"p{n:02d}", name=f"Person {n}", email=f"p{n}@ks.invalid",
                    role=role, group=group)
        for n, (role, group) in enumerate(seats, start=1)
    ]  # fmt: skip
    entries += [
        RosterEntry(person_id=f"d{g}{r}", name=f"Deputy {g}{r}", email=f"d{g}{r}@ks.invalid",
                    role="deputy", rank=r, group=g)
        for g in "AB"
        for r in (1, 2, 3)
    ]  # fmt: skip
    entries.append(
        RosterEntry(person_id="obs", name="Observer", email="obs@ks.invalid", role="observer")
    )
    return tuple(entries)


def rules(**changes: Any) -> OrganRules:
    base = OrganRules(
        organ="hovedstyret", organ_title="Hovedstyret", term="2024-2028",
        notice_days=14, reminder_days=(7, 1), members=15, roster=roster(),
    )  # fmt: skip
    return base.model_copy(update=changes)


def weekday_at(moment: datetime, days: int) -> datetime:
    """10:00 in Oslo on the first Monday-Friday at least `days` after `moment`."""
    day = (moment + timedelta(days=days)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(10), tzinfo=OSLO)


@dataclass
class Sent:
    at: datetime
    request: NotifyRequest


@dataclass
class Calls:
    """What the mock activities were asked to do, in order."""

    sent: list[Sent] = field(default_factory=list)
    events: list[RecordEventRequest] = field(default_factory=list)
    records: list[tuple[str, BaseModel]] = field(default_factory=list)

    def purpose(self, purpose: str) -> list[Sent]:
        return [s for s in self.sent if s.request.purpose == purpose]

    def recorded(self, name: str) -> list[Any]:
        return [r for n, r in self.records if n == name]


def mock_activities(calls: Calls) -> list[Any]:
    @activity.defn(name="notify")
    async def notify(request: NotifyRequest) -> NotifyResult:
        # The real templates must accept what the workflow sends (a missing key is BadInput).
        render(request.purpose, request.context, "Navn Navnesen", request.deadline)
        calls.sent.append(Sent(activity.info().current_attempt_scheduled_time, request))
        return NotifyResult(sent=len(request.recipients), already_sent=0, failed=0)

    @activity.defn(name="record_event")
    async def record_event(request: RecordEventRequest) -> RecordResult:
        calls.events.append(request)
        return RecordResult(changed=1, audit_seq=len(calls.events))

    @activity.defn(name="render_ics")
    async def render_ics(request: IcsRequest) -> str:
        return meeting_ics(request)

    @activity.defn(name="plan_meetings")
    async def plan_meetings(request: PlanRequest) -> PlanResult:
        return plan_series(request)

    def recorder(name: str) -> Any:
        @activity.defn(name=name)
        async def record(request: Any) -> RecordResult:
            calls.records.append((name, request))
            return RecordResult(changed=1, audit_seq=len(calls.records))

        return record

    names = ("record_meeting", "record_attendance", "record_decisions", "record_minutes")
    return [notify, record_event, render_ics, plan_meetings, *(recorder(n) for n in names)]


@contextlib.asynccontextmanager
async def own_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of the test's own: these tests skip months and years of time,
    and a continued-as-new parent with abandoned children can leave the shared server's
    clock locked for the tests that follow (docs/temporal.md, "The time-skipping test server")."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    await ensure_search_attributes(env.client, "default")
    yield env
    await env.shutdown()


@contextlib.asynccontextmanager
async def meeting_worker(
    client: Client, task_queue: str, calls: Calls, extra: Sequence[type] = ()
) -> AsyncIterator[Worker]:
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[MeetingWorkflow, MeetingSeriesWorkflow, *extra],
        activities=mock_activities(calls),
        workflow_runner=SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)
        ),
    ) as worker:
        yield worker


async def save_history(handle: WorkflowHandle[Any, Any], name: str) -> None:
    """Write the history of `handle`'s run to histories/<name>.json, when KSGOV_SAVE_HISTORIES=1
    (the same switch as test_election_cycle.save_histories)."""
    if os.environ.get("KSGOV_SAVE_HISTORIES") != "1":
        return
    HISTORIES.mkdir(exist_ok=True)
    history = await handle.fetch_history()
    (HISTORIES / f"{name}.json").write_text(history.to_json(), encoding="utf-8")
