"""Validators of MeetingWorkflow's updates: refuse bad input before it reaches the history.

Each raises ValueError with a message a secretary can act on; none changes any state.
"""

from __future__ import annotations

from datetime import datetime

from domain.meeting_plan import PlanError, check_meeting_date
from models.meeting_payloads import (
    VOTING_ROLES,
    AbsenceIn,
    AgendaIn,
    ApproveMinutesIn,
    AttendanceIn,
    MinutesIn,
    MoveIn,
)
from workflows.meetings.state import MeetingState


def still_open(m: MeetingState, verb: str) -> None:
    """Refuse changes to a meeting that is cancelled (or being cancelled) or already held."""
    if m.stage == "cancelled" or m.cancel_reason is not None:
        raise ValueError(f"meeting {m.key} is cancelled: it can no longer be {verb}")
    if m.quorum is not None:
        raise ValueError(f"meeting {m.key} has been held: it can no longer be {verb}")


def agenda(m: MeetingState, data: AgendaIn) -> None:
    still_open(m, "given a new agenda")
    numbers = [i.number for i in data.items]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"number the agenda items 1, 2, 3, ... in order (got {numbers})")
    if m.notice_started:
        raise ValueError("the notice with the agenda has gone out: the agenda can no longer change")


def move(m: MeetingState, data: MoveIn, now: datetime) -> None:
    still_open(m, "moved")
    if data.starts_at == m.starts_at:
        raise ValueError(f"the meeting is already at {m.starts_at.isoformat()}")
    today = now.astimezone(data.starts_at.tzinfo).date()
    rules = m.data.rules
    try:
        check_meeting_date(
            data.starts_at.date(), set(rules.holidays), today, rules.notice_days,
            urgent=data.urgent or m.urgent,
        )  # fmt: skip
    except PlanError as exc:
        raise ValueError(str(exc)) from None


def absence(m: MeetingState, data: AbsenceIn) -> None:
    still_open(m, "changed")
    person = m.entry(data.person_id)
    if person is None:
        raise ValueError(f"{data.person_id} has no seat in {m.data.rules.organ_title}")
    if person.role not in VOTING_ROLES and data.person_id not in m.called_in:
        raise ValueError(
            f"{data.person_id} sits as {person.role} and has not been called in: "
            "only members and called-in deputies report absence"
        )
    if data.person_id in m.absent:
        raise ValueError(f"{data.person_id} has already reported absence")


def attendance(m: MeetingState, data: AttendanceIn) -> None:
    still_open(m, "given attendance")
    if m.stage != "awaiting_attendance":
        raise ValueError(
            f"the meeting starts at {m.starts_at.isoformat()}: record attendance once it has begun"
        )
    unknown = sorted(p for p in data.present if m.entry(p) is None)
    if unknown:
        raise ValueError(f"not in the organ: {', '.join(unknown)}")


def minutes(m: MeetingState, data: MinutesIn) -> None:
    if m.quorum is False:
        raise ValueError("the meeting had no quorum (not lawfully constituted): no decisions")
    if m.quorum is None:
        raise ValueError("record the attendance first")
    if m.minutes_done:
        raise ValueError("the minutes are already recorded")
    items = {i.number for i in m.agenda}
    numbers = [d.item_number for d in data.decisions]
    if len(set(numbers)) != len(numbers):
        raise ValueError("an agenda item has two decisions")
    if stray := sorted(set(numbers) - items):
        raise ValueError(f"items {stray} are not on the agenda (items: {sorted(items)})")


def approve(m: MeetingState, data: ApproveMinutesIn) -> None:
    if m.quorum is not True:
        raise ValueError("only a meeting held with a quorum can approve minutes")
    if data.meeting_id == m.key:
        raise ValueError("a meeting cannot approve its own minutes")
    previous = m.data.previous_meeting_id
    if previous is not None and data.meeting_id != previous:
        raise ValueError(f"this meeting approves the minutes of {previous}")
    if data.meeting_id in m.approved_others:
        raise ValueError(f"the minutes of {data.meeting_id} are already approved")
