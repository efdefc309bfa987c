"""The secretariat's part in a simulated term's meetings: attendance, minutes and approvals.

Notices and reminders go out by themselves (durable timers in each meeting's workflow) while
the simulation moves time forward; the driver only does what people do at and after a
meeting: one absence (a deputy is called in), attendance, the minutes, and their approval at
the organ's next meeting. Meetings at the same time (the county boards share their plan, and
often their day with Hovedstyret's) are held side by side after one move of the clock, each
meeting's own steps in order.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import exists
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from harness.driver import wait_started
from models import ids
from models.election_payloads import OrganMeetings
from models.meeting_payloads import (
    AbsenceIn,
    ApproveMinutesIn,
    AttendanceIn,
    DecisionIn,
    MeetingStatus,
    MinutesIn,
    SeriesStatus,
)
from models.records import Seat
from service.term_inputs import TermPlan
from workflows.meetings.meeting import MeetingWorkflow
from workflows.meetings.series import MeetingSeriesWorkflow

Advance = Callable[[dt.datetime], Awaitable[None]]
QUERY_ATTEMPTS = 20


def members_with_deputies(engine: Engine, organ: str, term: str) -> list[str]:
    """Members of `organ` elected on a list that has deputies (they can be stood in for)."""
    deputy = aliased(Seat)
    with Session(engine) as session:
        rows = session.exec(
            select(Seat.person_id)
            .where(Seat.organ == organ, Seat.term == term, Seat.role == "member")
            .where(
                exists().where(
                    col(deputy.organ) == col(Seat.organ), col(deputy.term) == col(Seat.term),
                    col(deputy.group) == col(Seat.group), col(deputy.role) == "deputy",
                )
            )
            .order_by(col(Seat.id))
        ).all()  # fmt: skip
    return list(rows)


async def series_started(client: Client, plans: Sequence[OrganMeetings], term: str) -> None:
    """Wait until the series of `plans` exist (each starts a moment after its organ is
    composed), so that the driver sees every planned meeting."""
    for plan in plans:
        await wait_started(client, ids.series_id(plan.organ, term))


@dataclass
class MeetingDriver:
    """Holds each organ's previous meeting (for the approval of its minutes)."""

    client: Client
    engine: Engine
    term: str
    organs: tuple[str, ...]
    held: dict[str, int] = field(default_factory=dict)
    previous: dict[str, str] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    absences: int = 0

    @classmethod
    def for_term(cls, client: Client, engine: Engine, data: TermPlan) -> MeetingDriver:
        """A driver for every series the term's input asks for: national, then per county."""
        county = tuple(m.organ for c in data.counties for m in c.meetings)
        organs = tuple(m.organ for m in data.meetings) + county
        return cls(client, engine, data.term, organs)

    async def planned(self) -> list[tuple[dt.datetime, str, str]]:
        """(start, organ, meeting id) of every meeting in the organs' plans, in time order."""
        found = []
        for organ in self.organs:
            status = await self._series_status(organ)
            if status is None:
                continue  # no series: the organ has no meetings, or it is not composed
            found += [
                (m.starts_at, organ, m.meeting_id)
                for m in status.meetings
                if m.status != "cancelled"
            ]
        return sorted(found)

    async def _series_status(self, organ: str) -> SeriesStatus | None:
        """The series' status, asked again when the server is busy; None if there is none.

        Skipping an organ on a passing error would hold its meetings only in a later round,
        after their dates, and their notices would miss their deadlines."""
        handle = self.client.get_workflow_handle(ids.series_id(organ, self.term))
        for _ in range(QUERY_ATTEMPTS):
            try:
                return await handle.query(MeetingSeriesWorkflow.status)
            except RPCError as exc:
                if exc.status == RPCStatusCode.NOT_FOUND:
                    return None
                await asyncio.sleep(0.5)
        raise RuntimeError(f"the meeting series of {organ} does not answer")

    async def hold_until(self, until: dt.datetime, advance: Advance) -> None:
        """Hold every planned meeting that starts before `until`, moving time to each start."""
        due = [p for p in await self.planned() if p[0] < until and p[2] not in self.done]
        for starts_at, group in itertools.groupby(due, key=lambda p: p[0]):
            meetings = [(organ, meeting_id) for _, organ, meeting_id in group]
            await advance(starts_at - dt.timedelta(days=3))
            for organ, meeting_id in meetings:
                await self._maybe_absent(organ, meeting_id)
            await advance(starts_at + dt.timedelta(hours=4))
            # Each organ's secretary at once (the county boards share their day): one after
            # the other, the updates of 15 meetings waited on each other for nothing.
            await asyncio.gather(*(self._hold(organ, m) for organ, m in meetings))

    async def _maybe_absent(self, organ: str, meeting_id: str) -> None:
        """At the organ's second meeting a list-elected member reports an absence (forfall):
        the meeting calls in the first deputy of that member's list."""
        if self.absences or self.held.get(organ) != 1:
            return
        voting = set((await self._status(meeting_id)).voting)
        absent = next((p for p in members_with_deputies(self.engine, organ, self.term)
                        if p in voting), None)  # fmt: skip
        if absent is not None:
            handle = self.client.get_workflow_handle(meeting_id)
            absence = AbsenceIn(person_id=absent, reason="syk")
            await handle.execute_update(MeetingWorkflow.absence, absence)
            self.absences += 1

    async def _status(self, meeting_id: str) -> MeetingStatus:
        return await self.client.get_workflow_handle(meeting_id).query(MeetingWorkflow.status)

    async def _hold(self, organ: str, meeting_id: str) -> None:
        handle = self.client.get_workflow_handle(meeting_id)
        status = await self._status(meeting_id)
        present = [p for p in status.voting if p not in status.absent]
        present += list(status.called_in)
        await handle.execute_update(
            MeetingWorkflow.attendance, AttendanceIn(present=tuple(present))
        )
        decisions = tuple(
            DecisionIn(item_number=item.number, text="Innstillingen ble vedtatt.",
                       votes={"for": len(present), "mot": 0})
            for item in status.agenda[:1]
        )  # fmt: skip
        minutes = MinutesIn(decisions=decisions, text="Protokoll fra møtet.")
        await handle.execute_update(MeetingWorkflow.minutes, minutes)
        if organ in self.previous:
            approve = ApproveMinutesIn(meeting_id=self.previous[organ])
            await handle.execute_update(MeetingWorkflow.approve_previous_minutes, approve)
        self.previous[organ] = meeting_id
        self.held[organ] = self.held.get(organ, 0) + 1
        self.done.add(meeting_id)
