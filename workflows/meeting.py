"""MeetingWorkflow: one meeting of an organ, from notice to published minutes.

Workflow id `meeting-<organ>-<term>-<nn>` (stable when the meeting moves). The notice with the
agenda and an .ics invite goes to members, deputies and observers before the bylaw deadline;
reminders follow at the bylaw offsets as durable timers. A move re-arms the timers and re-sends the
notice (SEQUENCE+1); a cancellation tells everyone (METHOD:CANCEL). A member's absence calls in the
next deputy. Attendance decides the quorum; minutes are recorded, approved at the organ's next
meeting (update `approve_previous_minutes` there, which signals this one) and then published.
The timeline (notice, reminders, meeting time) runs in `run`; handlers only change state, so a
message is never sent for a date that is no longer the meeting's date.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.meetings import check_notice
    from models.meeting_payloads import (
        AbsenceIn,
        AgendaIn,
        ApproveMinutesIn,
        AttendanceIn,
        CancelIn,
        MeetingInput,
        MeetingStatus,
        MinutesApproved,
        MinutesIn,
        MoveIn,
    )
    from workflows import meeting_checks as checks
    from workflows import meeting_handlers as handlers
    from workflows.meeting_runner import MeetingState


@workflow.defn(name="Meeting")
class MeetingWorkflow:
    """One meeting: notice, reminders, changes, absences, attendance, minutes, publication."""

    @workflow.init
    def __init__(self, data: MeetingInput) -> None:
        self._m = MeetingState(data)

    @workflow.run
    async def run(self, data: MeetingInput) -> MeetingStatus:
        m = self._m
        m.sync_stage()
        await m.record_status("planned")
        local_today = workflow.now().astimezone(data.starts_at.tzinfo).date()
        notice = check_notice(
            data.starts_at.date(), local_today, data.rules.notice_days, urgent=data.urgent
        )
        if not notice.allowed:
            raise ApplicationError(
                f"the notice had to go out by {notice.deadline.isoformat()}: too late for "
                "a meeting that is not urgent",
                type="LateNotice",
                non_retryable=True,
            )
        if data.urgent:
            await m.mark_urgent()
        if await m.until_held():
            await handlers.finish_minutes(m)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return m.status()

    # ------------------------------------------------------------------ updates

    @workflow.update
    async def agenda(self, data: AgendaIn) -> MeetingStatus:
        await handlers.set_agenda(self._m, data.items)
        return self._m.status()

    @agenda.validator
    def _check_agenda(self, data: AgendaIn) -> None:
        checks.agenda(self._m, data)

    @workflow.update
    async def move(self, data: MoveIn) -> MeetingStatus:
        await handlers.move(self._m, data)
        return self._m.status()

    @move.validator
    def _check_move(self, data: MoveIn) -> None:
        checks.move(self._m, data, workflow.now())

    @workflow.update
    async def cancel(self, data: CancelIn) -> MeetingStatus:
        self._m.cancel_reason = data.reason
        self._m.bump()
        await workflow.wait_condition(lambda: self._m.stage == "cancelled")
        return self._m.status()

    @cancel.validator
    def _check_cancel(self, data: CancelIn) -> None:
        checks.still_open(self._m, "cancelled")

    @workflow.update
    async def absence(self, data: AbsenceIn) -> MeetingStatus:
        await handlers.absence(self._m, data)
        return self._m.status()

    @absence.validator
    def _check_absence(self, data: AbsenceIn) -> None:
        checks.absence(self._m, data)

    @workflow.update
    async def attendance(self, data: AttendanceIn) -> MeetingStatus:
        await handlers.attendance(self._m, data)
        return self._m.status()

    @attendance.validator
    def _check_attendance(self, data: AttendanceIn) -> None:
        checks.attendance(self._m, data, workflow.now())

    @workflow.update
    async def minutes(self, data: MinutesIn) -> MeetingStatus:
        await handlers.minutes(self._m, data)
        return self._m.status()

    @minutes.validator
    def _check_minutes(self, data: MinutesIn) -> None:
        checks.minutes(self._m, data)

    @workflow.update
    async def approve_previous_minutes(self, data: ApproveMinutesIn) -> MeetingStatus:
        await handlers.approve_other(self._m, data)
        return self._m.status()

    @approve_previous_minutes.validator
    def _check_approve(self, data: ApproveMinutesIn) -> None:
        checks.approve(self._m, data)

    @workflow.signal
    def minutes_approved(self, data: MinutesApproved) -> None:
        self._m.approved = data

    @workflow.query
    def status(self) -> MeetingStatus:
        return self._m.status()
