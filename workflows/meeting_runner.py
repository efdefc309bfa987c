"""The state and steps of MeetingWorkflow (workflows/meeting.py), kept apart to stay readable.

The timeline loop waits on durable timers (`wait_condition` with a timeout) that are re-armed
whenever `version` changes (a move or a cancellation); what is due is computed from the current
date each time, so a reminder is only ever sent for the date the meeting has now.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.meeting_payloads import (
        VOTING_ROLES,
        MeetingInput,
        MeetingStage,
        MeetingStatus,
        MinutesApproved,
        RecordMeetingRequest,
        RosterEntry,
    )
    from models.payloads import Attachment, Purpose, Recipient, RecordEventRequest
    from workflows import meeting_notices as notices
    from workflows import meeting_steps, steps
    from workflows.meeting_roster import attending, recipients
    from workflows.search_attributes import KS_COUNTY, KS_ORGAN, KS_STAGE, KS_TERM


class MeetingState:
    """Everything one meeting knows, and the steps that send and record."""

    def __init__(self, data: MeetingInput) -> None:
        self.data = data
        self.key = data.meeting_id
        self.starts_at = data.starts_at
        self.sequence = data.sequence
        self.urgent = data.urgent
        self.agenda = data.agenda
        self.stage: MeetingStage = "planned"
        self.version = 0
        self.notice_started = False
        self.notice_sent_at: datetime | None = None
        self.change_pending = False
        self.reminders_sent: list[str] = []
        self.absent: list[str] = []
        self.called_in: dict[str, str] = {}
        self.present: tuple[str, ...] = ()
        self.quorum: bool | None = None
        self.minutes_done = False
        self.approved: MinutesApproved | None = None
        self.approved_others: list[str] = []
        self.cancel_reason: str | None = None
        self.writes = 0
        self._shown_stage = ""

    # ------------------------------------------------------------------ state

    def entry(self, person_id: str) -> RosterEntry | None:
        return next((e for e in self.data.rules.roster if e.person_id == person_id), None)

    def bump(self) -> None:
        self.version += 1

    def set_stage(self, stage: MeetingStage) -> None:
        self.stage = stage
        self.sync_stage()

    def sync_stage(self) -> None:
        """Keep the search attributes in step with the stage (ids only: no personal data)."""
        if self.stage == self._shown_stage:
            return
        self._shown_stage = self.stage
        rules = self.data.rules
        workflow.upsert_search_attributes(
            [
                KS_TERM.value_set(rules.term),
                KS_ORGAN.value_set(rules.organ),
                KS_COUNTY.value_set(rules.county or "national"),
                KS_STAGE.value_set(self.stage),
            ]
        )

    def status(self) -> MeetingStatus:
        rules = self.data.rules
        return MeetingStatus(
            meeting_id=self.key, organ=rules.organ, term=rules.term, number=self.data.number,
            starts_at=self.starts_at, stage=self.stage, sequence=self.sequence,
            urgent=self.urgent, agenda=self.agenda, notice_sent_at=self.notice_sent_at,
            reminders_sent=tuple(self.reminders_sent), absent=tuple(self.absent),
            called_in=dict(self.called_in), present=self.present, quorum=self.quorum,
            minutes_approved_at=None if self.approved is None else self.approved.approved_at,
            voting=tuple(r.person_id for r in rules.roster if r.role in VOTING_ROLES),
        )  # fmt: skip

    # ------------------------------------------------------------------ timeline

    async def until_held(self) -> bool:
        """Notice, reminders and changes until attendance is recorded; True if quorate."""
        while True:
            await self._timeline()
            if self.cancel_reason is not None:
                await self._cancelled()
                return False
            self.set_stage("awaiting_attendance")
            version = self.version
            await workflow.wait_condition(
                lambda v=version: self.quorum is not None or self.version != v  # type: ignore[misc]
            )
            if self.quorum is not None:
                return self.quorum

    async def _timeline(self) -> None:
        while self.cancel_reason is None:
            if self.change_pending:
                await self._send_change()
                continue
            action, at = self._next()
            version = self.version
            wait = at - workflow.now()
            if wait > timedelta(0):
                try:
                    await workflow.wait_condition(lambda v=version: self.version != v, timeout=wait)  # type: ignore[misc]
                    continue
                except TimeoutError:
                    pass
            if action == "meeting":
                return
            await (self._send_notice() if action == "notice" else self._send_reminder(action))

    def _next(self) -> tuple[str, datetime]:
        """The next thing due: the notice, a reminder for the current date, or the meeting."""
        rules = self.data.rules
        if not self.notice_started:
            lead = timedelta(days=rules.notice_days) + self.data.notice_margin
            return "notice", self.starts_at - lead
        for days in sorted(set(rules.reminder_days), reverse=True):
            at = self.starts_at - timedelta(days=days)
            key = f"{self.starts_at.date().isoformat()}/{days}d"
            sent_at = self.notice_sent_at or at
            if key not in self.reminders_sent and at > sent_at:
                return key, at
        return "meeting", self.starts_at

    def everyone(self) -> tuple[Recipient, ...]:
        return recipients(self.data.rules.roster)

    async def send(
        self, purpose: Purpose, what: str, to: tuple[Recipient, ...], deadline: datetime | None,
        attachment: Attachment | None = None, **extra: object,
    ) -> None:  # fmt: skip
        ctx = notices.context(self.data, self.starts_at, self.agenda, **extra)
        req = notices.request(purpose, f"{self.key}/{what}", to, ctx, deadline, attachment)
        await steps.notify(req)

    async def _send_notice(self) -> None:
        self.notice_started = True
        deadline = self.starts_at - timedelta(days=self.data.rules.notice_days)
        if deadline <= workflow.now():  # urgent, on short notice: it must arrive before the start
            deadline = self.starts_at
        invite = await notices.invite(self.data, self.starts_at, self.sequence)
        await self.send(
            "meeting_notice", "notice", self.everyone(), deadline,
            invite, urgent=self.urgent, sequence=self.sequence,
        )  # fmt: skip
        self.notice_sent_at = workflow.now()
        self.set_stage("noticed")

    async def _send_change(self) -> None:
        self.change_pending = False
        seq = self.sequence
        invite = await notices.invite(self.data, self.starts_at, seq)
        await self.send(
            "meeting_changed", f"seq-{seq}", self.everyone(), self.starts_at, invite, sequence=seq
        )
        self.notice_sent_at = workflow.now()

    async def _send_reminder(self, key: str) -> None:
        to = recipients(attending(self.data.rules.roster, self.absent, self.called_in))
        await self.send("reminder", f"reminder/{key}", to, self.starts_at)
        self.reminders_sent.append(key)

    async def _cancelled(self) -> None:
        self.sequence += 1
        invite = await notices.invite(self.data, self.starts_at, self.sequence, cancel=True)
        await self.send(
            "meeting_cancelled", "cancel", self.everyone(), None, invite,
            reason=self.cancel_reason, sequence=self.sequence,
        )  # fmt: skip
        await self.record_status("cancelled")
        self.set_stage("cancelled")

    # ------------------------------------------------------------------ records

    async def record_status(self, status: str) -> None:
        self.writes += 1
        await meeting_steps.record_meeting(
            RecordMeetingRequest(
                idempotency_key=f"{self.key}/meeting/{self.writes}", meeting_id=self.key,
                organ=self.data.rules.organ, term=self.data.rules.term,
                starts_at=self.starts_at, status=status, urgent=self.urgent,
                sequence=self.sequence, agenda=self.agenda,
            )
        )  # fmt: skip

    async def event(self, what: str, action: str, **content: object) -> None:
        await steps.record_event(
            RecordEventRequest(
                idempotency_key=f"{self.key}/{what}", action=action, subject=self.key,
                content=dict(content),
            )
        )  # fmt: skip

    async def mark_urgent(self) -> None:
        self.urgent = True
        await self.event(f"urgent/seq-{self.sequence}", "meeting_urgent", sequence=self.sequence)
