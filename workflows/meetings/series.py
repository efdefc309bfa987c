"""MeetingSeriesWorkflow: an organ's meetings over a term, one MeetingWorkflow child each.

Workflow id `meetings-<organ>-<term>`, started by the workflow that composed the organ (see
`workflows.meetings.start`) or by `ksgov meeting start-series`. It holds the plan; `open_days`
before a meeting's notice is due it starts the meeting's own workflow
(`meeting-<organ>-<term>-<nn>`, ABANDON), which from then on owns that meeting. Until then the
plan is edited here (updates add, move, cancel). The history stays small: after each start (or
when Temporal suggests it) the series waits for its handlers and continues as new.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.meeting_plan import PlanError, check_meeting_date
    from models import ids
    from models.meeting_payloads import (
        AddMeetingIn,
        CancelMeetingIn,
        MeetingInput,
        MoveMeetingIn,
        PlannedMeeting,
        SeriesInput,
        SeriesMeeting,
        SeriesStatus,
    )
    from models.payloads import NotifyRequest
    from workflows import calls
    from workflows import search_attributes as search
    from workflows.meetings.meeting import MeetingWorkflow
    from workflows.meetings.roster import recipients


@workflow.defn(name=ids.MEETING_SERIES)
class MeetingSeriesWorkflow:
    """The meeting plan of one organ for one term."""

    @workflow.init
    def __init__(self, data: SeriesInput) -> None:
        self._data = data
        self._plan = {m.number: m for m in data.meetings}
        self._last_started = data.last_started_id
        self._version = 0

    @workflow.run
    async def run(self, data: SeriesInput) -> SeriesStatus:
        rules = data.rules
        search.show(rules.term, rules.organ, rules.county or "national", "running")
        started = 0
        end = datetime.combine(data.ends_on + timedelta(days=1), time(), tzinfo=UTC)
        while True:
            due = self._next_planned()
            at = end if due is None else self._opens_at(due)
            if await self._wait_until(at):
                continue
            if due is None:
                break
            await self._start(due)
            started += 1
            if started >= data.meetings_per_run or workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._state())
        await workflow.wait_condition(workflow.all_handlers_finished)
        search.show_stage("done")
        return self.status()

    async def _wait_until(self, at: datetime) -> bool:
        """Sleep until `at`; True when the plan changed first (so the caller looks again)."""
        wait = at - workflow.now()
        if wait <= timedelta(0):
            return False
        version = self._version
        try:
            await workflow.wait_condition(lambda: self._version != version, timeout=wait)
        except TimeoutError:
            return False
        return True

    def _next_planned(self) -> PlannedMeeting | None:
        planned = [m for m in self._plan.values() if m.status == "planned"]
        return min(planned, key=lambda m: m.starts_at, default=None)

    def _opens_at(self, m: PlannedMeeting) -> datetime:
        days = self._data.rules.notice_days + self._data.open_days
        return m.starts_at - timedelta(days=days)

    async def _start(self, m: PlannedMeeting) -> None:
        rules = self._data.rules
        meeting_id = ids.meeting_id(rules.organ, rules.term, m.number)
        data = MeetingInput(
            meeting_id=meeting_id, number=m.number, rules=rules, starts_at=m.starts_at,
            urgent=m.urgent, extra=m.extra, sequence=m.sequence,
            previous_meeting_id=self._last_started,
        )  # fmt: skip
        await calls.start_abandoned_child(MeetingWorkflow.run, data, meeting_id)
        self._plan[m.number] = m.model_copy(update={"status": "started"})
        self._last_started = meeting_id

    def _state(self) -> SeriesInput:
        return self._data.model_copy(
            update={
                "meetings": tuple(self._plan[n] for n in sorted(self._plan)),
                "last_started_id": self._last_started,
            }
        )

    # ------------------------------------------------------------------ updates

    @workflow.update
    async def add(self, data: AddMeetingIn) -> SeriesMeeting:
        number = max(self._plan, default=0) + 1
        self._plan[number] = PlannedMeeting(
            number=number, starts_at=data.starts_at, urgent=data.urgent, extra=True
        )
        self._version += 1
        return self._row(self._plan[number])

    @add.validator
    def _check_add(self, data: AddMeetingIn) -> None:
        self._check_date(data.starts_at, data.urgent)

    @workflow.update
    async def move(self, data: MoveMeetingIn) -> SeriesMeeting:
        m = self._find(data.meeting_id)
        moved = m.model_copy(
            update={"starts_at": data.starts_at, "urgent": m.urgent or data.urgent}
        )
        self._plan[m.number] = moved
        self._version += 1
        return self._row(moved)

    @move.validator
    def _check_move(self, data: MoveMeetingIn) -> None:
        m = self._planned(data.meeting_id)
        self._check_date(data.starts_at, data.urgent or m.urgent)

    @workflow.update
    async def cancel(self, data: CancelMeetingIn) -> SeriesMeeting:
        m = self._find(data.meeting_id)
        self._plan[m.number] = m.model_copy(update={"status": "cancelled"})
        self._version += 1
        rules = self._data.rules
        await calls.notify(
            NotifyRequest(
                purpose="meeting_cancelled", subject_key=f"{data.meeting_id}/cancel",
                recipients=recipients(rules.roster),
                context={"meeting_id": data.meeting_id, "organ_title": rules.organ_title,
                         "starts_at": m.starts_at.isoformat(), "reason": data.reason},
            )
        )  # fmt: skip
        await calls.event(
            f"{data.meeting_id}/cancelled-in-plan", "meeting_cancelled", data.meeting_id,
            starts_at=m.starts_at.isoformat(),
        )  # fmt: skip
        return self._row(self._plan[m.number])

    @cancel.validator
    def _check_cancel(self, data: CancelMeetingIn) -> None:
        self._planned(data.meeting_id)

    def _check_date(self, starts_at: datetime, urgent: bool) -> None:
        rules = self._data.rules
        today = workflow.now().astimezone(starts_at.tzinfo).date()
        try:
            check_meeting_date(
                starts_at.date(), set(rules.holidays), today, rules.notice_days, urgent=urgent
            )
        except PlanError as exc:
            raise ValueError(str(exc)) from None
        if starts_at.date() > self._data.ends_on:
            raise ValueError(f"the term ends on {self._data.ends_on.isoformat()}")

    def _find(self, meeting_id: str) -> PlannedMeeting:
        rules = self._data.rules
        for m in self._plan.values():
            if ids.meeting_id(rules.organ, rules.term, m.number) == meeting_id:
                return m
        series = ids.series_id(rules.organ, rules.term)
        raise ValueError(f"{meeting_id} is not in the plan of {series}")

    def _planned(self, meeting_id: str) -> PlannedMeeting:
        m = self._find(meeting_id)
        if m.status == "started":
            raise ValueError(
                f"{meeting_id} has its own workflow now: send the change to the meeting itself"
            )
        if m.status == "cancelled":
            raise ValueError(f"{meeting_id} is cancelled")
        return m

    # ------------------------------------------------------------------ status

    def _row(self, m: PlannedMeeting) -> SeriesMeeting:
        rules = self._data.rules
        return SeriesMeeting(
            meeting_id=ids.meeting_id(rules.organ, rules.term, m.number), number=m.number,
            starts_at=m.starts_at, status=m.status, urgent=m.urgent, extra=m.extra,
        )  # fmt: skip

    @workflow.query
    def status(self) -> SeriesStatus:
        rules = self._data.rules
        return SeriesStatus(
            workflow_id=workflow.info().workflow_id,
            organ=rules.organ,
            term=rules.term,
            meetings=tuple(self._row(self._plan[n]) for n in sorted(self._plan)),
        )
