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

from datetime import timedelta
from fractions import Fraction

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities import contracts
    from domain.meetings import check_notice, has_quorum
    from models import ids
    from models.meeting_payloads import (
        AbsenceIn,
        AgendaIn,
        ApproveMinutesIn,
        AttendanceIn,
        CancelIn,
        MeetingInput,
        MeetingStage,
        MeetingStatus,
        MinutesApproved,
        MinutesIn,
        MoveIn,
        RecordAttendanceRequest,
        RecordDecisionsRequest,
        RecordMinutesRequest,
    )
    from workflows import calls
    from workflows import search_attributes as search
    from workflows.meetings import checks, steps
    from workflows.meetings.roster import (
        attendance_rows,
        attending,
        next_deputy,
        recipients,
        voting_present,
    )
    from workflows.meetings.state import MeetingState


@workflow.defn(name=ids.MEETING)
class MeetingWorkflow:
    """One meeting: notice, reminders, changes, absences, attendance, minutes, publication."""

    @workflow.init
    def __init__(self, data: MeetingInput) -> None:
        self._m = MeetingState(data)
        self._shown_stage = ""

    @workflow.run
    async def run(self, data: MeetingInput) -> MeetingStatus:
        m = self._m
        self._show()
        await steps.record_status(m, "planned")
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
            await steps.mark_urgent(m)
        if await self._until_held():
            await self._publish_minutes()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return m.status()

    # ------------------------------------------------------------------ timeline

    async def _until_held(self) -> bool:
        """Notice, reminders and changes until attendance is recorded; True if quorate."""
        m = self._m
        while True:
            await self._timeline()
            if m.cancel_reason is not None:
                await self._cancelled()
                return False
            self._set_stage("awaiting_attendance")
            version = m.version
            await workflow.wait_condition(
                lambda v=version: m.quorum is not None or m.version != v  # type: ignore[misc]
            )
            if m.quorum is not None:
                return m.quorum

    async def _timeline(self) -> None:
        """Send what falls due (the notice, each reminder) until the meeting starts."""
        m = self._m
        while m.cancel_reason is None:
            if m.change_pending:
                await self._send_change()
                continue
            action, at = m.next_due()
            version = m.version
            wait = at - workflow.now()
            if wait > timedelta(0):
                try:
                    await workflow.wait_condition(lambda v=version: m.version != v, timeout=wait)  # type: ignore[misc]
                    continue
                except TimeoutError:
                    pass
            if action == "meeting":
                return
            await (self._send_notice() if action == "notice" else self._send_reminder(action))

    async def _send_notice(self) -> None:
        m = self._m
        m.notice_started = True
        deadline = m.starts_at - timedelta(days=m.data.rules.notice_days)
        if deadline <= workflow.now():  # urgent, on short notice: it must arrive before the start
            deadline = m.starts_at
        invite = await steps.invite(m)
        await steps.send(
            m, "meeting_notice", "notice", recipients(m.data.rules.roster), deadline,
            invite, urgent=m.urgent, sequence=m.sequence,
        )  # fmt: skip
        m.notice_sent_at = workflow.now()
        self._set_stage("noticed")

    async def _send_change(self) -> None:
        m = self._m
        m.change_pending = False
        seq = m.sequence
        invite = await steps.invite(m)
        await steps.send(
            m, "meeting_changed", f"seq-{seq}", recipients(m.data.rules.roster), m.starts_at,
            invite, sequence=seq,
        )  # fmt: skip
        m.notice_sent_at = workflow.now()

    async def _send_reminder(self, key: str) -> None:
        m = self._m
        to = recipients(attending(m.data.rules.roster, m.absent, m.called_in))
        await steps.send(m, "reminder", f"reminder/{key}", to, m.starts_at)
        m.reminders_sent.append(key)

    async def _cancelled(self) -> None:
        m = self._m
        m.sequence += 1
        invite = await steps.invite(m, cancel=True)
        await steps.send(
            m, "meeting_cancelled", "cancel", recipients(m.data.rules.roster), None, invite,
            reason=m.cancel_reason, sequence=m.sequence,
        )  # fmt: skip
        await steps.record_status(m, "cancelled")
        self._set_stage("cancelled")

    async def _publish_minutes(self) -> None:
        """Wait for the minutes and their approval at the next meeting, then publish them."""
        m = self._m
        await workflow.wait_condition(lambda: m.minutes_done and m.approved is not None)
        assert m.approved is not None
        await calls.record(
            contracts.record_minutes,
            RecordMinutesRequest(
                idempotency_key=f"{m.key}/minutes/published", meeting_id=m.key,
                approved_at=m.approved.approved_at, published_at=workflow.now(),
            ),
        )  # fmt: skip
        await steps.send(
            m, "minutes_published", "minutes", recipients(m.data.rules.roster), None,
            approved_by=m.approved.approved_by,
        )  # fmt: skip
        self._set_stage("published")

    def _set_stage(self, stage: MeetingStage) -> None:
        self._m.stage = stage
        self._show()

    def _show(self) -> None:
        """Keep the search attributes in step with the stage (ids only: no personal data)."""
        m = self._m
        if m.stage != self._shown_stage:
            self._shown_stage = m.stage
            rules = m.data.rules
            search.show(rules.term, rules.organ, rules.county or "national", m.stage)

    # ------------------------------------------------------------------ updates

    @workflow.update
    async def agenda(self, data: AgendaIn) -> MeetingStatus:
        self._m.agenda = data.items
        await steps.record_status(self._m, "planned")
        return self._m.status()

    @agenda.validator
    def _check_agenda(self, data: AgendaIn) -> None:
        checks.agenda(self._m, data)

    @workflow.update
    async def move(self, data: MoveIn) -> MeetingStatus:
        m = self._m
        m.starts_at = data.starts_at
        m.sequence += 1
        if m.notice_started:
            m.change_pending = True
        m.moved()
        if data.urgent and not m.urgent:
            await steps.mark_urgent(m)
        await steps.record_status(m, "planned")
        await workflow.wait_condition(lambda: not m.change_pending)
        return m.status()

    @move.validator
    def _check_move(self, data: MoveIn) -> None:
        checks.move(self._m, data, workflow.now())

    @workflow.update
    async def cancel(self, data: CancelIn) -> MeetingStatus:
        self._m.cancel_reason = data.reason
        self._m.moved()
        await workflow.wait_condition(lambda: self._m.stage == "cancelled")
        return self._m.status()

    @cancel.validator
    def _check_cancel(self, data: CancelIn) -> None:
        checks.still_open(self._m, "cancelled")

    @workflow.update
    async def absence(self, data: AbsenceIn) -> MeetingStatus:
        m = self._m
        m.absent.append(data.person_id)
        member = m.entry(m.called_in.pop(data.person_id, data.person_id))
        assert member is not None  # the validator made sure
        deputy = next_deputy(m.data.rules.roster, member, m.absent, m.called_in)
        if deputy is None:
            await steps.event(
                m, f"absence/{data.person_id}", "no_deputy_available", member=member.person_id
            )
            return m.status()
        m.called_in[deputy.person_id] = member.person_id
        invite = await steps.invite(m)
        await steps.send(
            m, "deputy_called_in", f"deputy/{deputy.person_id}", recipients([deputy]),
            m.starts_at, invite, stands_in_for=member.person_id,
            stands_in_for_name=member.name,
        )  # fmt: skip
        await steps.event(
            m, f"deputy/{deputy.person_id}", "deputy_called_in",
            member=member.person_id, deputy=deputy.person_id,
        )  # fmt: skip
        return m.status()

    @absence.validator
    def _check_absence(self, data: AbsenceIn) -> None:
        checks.absence(self._m, data)

    @workflow.update
    async def attendance(self, data: AttendanceIn) -> MeetingStatus:
        m, rules, present = self._m, self._m.data.rules, set(data.present)
        members = rules.member_count()
        voting = min(voting_present(rules.roster, present, m.called_in), members)
        quorum = has_quorum(voting, members, Fraction(rules.quorum))
        await calls.record(
            contracts.record_attendance,
            RecordAttendanceRequest(
                idempotency_key=f"{m.key}/attendance", meeting_id=m.key,
                rows=attendance_rows(rules.roster, present, m.called_in),
                members=members, voting_present=voting, quorum=quorum,
            ),
        )  # fmt: skip
        m.present = tuple(sorted(present))
        m.quorum = quorum
        await steps.record_status(m, "held" if quorum else "not_constituted")
        self._set_stage("awaiting_minutes" if quorum else "not_constituted")
        return m.status()

    @attendance.validator
    def _check_attendance(self, data: AttendanceIn) -> None:
        checks.attendance(self._m, data)

    @workflow.update
    async def minutes(self, data: MinutesIn) -> MeetingStatus:
        m = self._m
        await calls.record(
            contracts.record_decisions,
            RecordDecisionsRequest(
                idempotency_key=f"{m.key}/decisions", meeting_id=m.key, decisions=data.decisions
            ),
        )
        await calls.record(
            contracts.record_minutes,
            RecordMinutesRequest(
                idempotency_key=f"{m.key}/minutes", meeting_id=m.key, text=data.text
            ),
        )
        m.minutes_done = True
        self._set_stage("awaiting_approval")
        return m.status()

    @minutes.validator
    def _check_minutes(self, data: MinutesIn) -> None:
        checks.minutes(self._m, data)

    @workflow.update
    async def approve_previous_minutes(self, data: ApproveMinutesIn) -> MeetingStatus:
        m = self._m
        m.approved_others.append(data.meeting_id)
        other = workflow.get_external_workflow_handle(data.meeting_id)
        await other.signal(
            ids.MINUTES_APPROVED, MinutesApproved(approved_by=m.key, approved_at=workflow.now())
        )
        await steps.event(m, f"approves/{data.meeting_id}", "minutes_approved",
                          meeting=data.meeting_id)  # fmt: skip
        return m.status()

    @approve_previous_minutes.validator
    def _check_approve(self, data: ApproveMinutesIn) -> None:
        checks.approve(self._m, data)

    @workflow.signal(name=ids.MINUTES_APPROVED)
    def minutes_approved(self, data: MinutesApproved) -> None:
        self._m.approved = data

    @workflow.query
    def status(self) -> MeetingStatus:
        return self._m.status()
