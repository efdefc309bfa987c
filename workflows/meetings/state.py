"""What one meeting knows: its date, notice, reminders, absences, attendance and minutes.

Pure state of MeetingWorkflow (no Temporal calls): the workflow changes it in its handlers and
asks it what is due next. `version` rises with every move or cancellation, so a timer armed for
the old date is re-armed; what is due is computed from the current date each time, so a
reminder is only ever sent for the date the meeting has now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from models.meeting_payloads import (
    VOTING_ROLES,
    AgendaItemIn,
    MeetingInput,
    MeetingStage,
    MeetingStatus,
    MinutesApproved,
    RosterEntry,
)


@dataclass
class MeetingState:
    """Everything one meeting knows; `data` is its input."""

    data: MeetingInput
    starts_at: datetime = field(init=False)
    sequence: int = field(init=False)
    urgent: bool = field(init=False)
    agenda: tuple[AgendaItemIn, ...] = field(init=False)
    stage: MeetingStage = "planned"
    version: int = 0
    notice_started: bool = False
    notice_sent_at: datetime | None = None
    change_pending: bool = False
    reminders_sent: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    called_in: dict[str, str] = field(default_factory=dict)
    present: tuple[str, ...] = ()
    quorum: bool | None = None
    minutes_done: bool = False
    approved: MinutesApproved | None = None
    approved_others: list[str] = field(default_factory=list)
    cancel_reason: str | None = None
    writes: int = 0

    def __post_init__(self) -> None:
        self.starts_at = self.data.starts_at
        self.sequence = self.data.sequence
        self.urgent = self.data.urgent
        self.agenda = self.data.agenda

    @property
    def key(self) -> str:
        """The meeting's business key: its workflow id."""
        return self.data.meeting_id

    def entry(self, person_id: str) -> RosterEntry | None:
        """The person's seat in the organ, if they have one."""
        return next((e for e in self.data.rules.roster if e.person_id == person_id), None)

    def moved(self) -> None:
        """The date or the plan changed: timers armed for the old one must be re-armed."""
        self.version += 1

    def next_due(self) -> tuple[str, datetime]:
        """The next thing due: "notice", a reminder's key for the current date, or "meeting"."""
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
