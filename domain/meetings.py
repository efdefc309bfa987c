"""Meeting rules: notice deadlines, reminders, urgent meetings and quorum.

Sources: kommuneloven § 11-3 (notice in reasonable time, municipal practice 7-10 days),
§ 11-8 (urgent decisions), § 11-9 (quorum: at least half of the members present); the notice
periods and quorum fractions themselves come from the bylaws (docs/domain.md, "Meetings").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

DEFAULT_QUORUM = Fraction(1, 2)


class MeetingError(ValueError):
    """A meeting value is impossible (a negative period, more present than members, ...)."""


@dataclass(frozen=True)
class NoticeCheck:
    """Whether a notice was in time; an urgent meeting is allowed even when late."""

    deadline: dt.date
    late: bool
    urgent: bool

    @property
    def allowed(self) -> bool:
        """A meeting may go ahead when its notice was in time or it is urgent (§ 11-8)."""
        return self.urgent or not self.late


def notice_deadline(meeting_date: dt.date, notice_days: int) -> dt.date:
    """The latest day the notice of a meeting may go out.

    Rule: the notice goes out at least `notice_days` days before the meeting (kommuneloven
    § 11-3; the period is a bylaw parameter, 14 days for Hovedstyret by default).
    Example: a meeting on 2024-03-15 with 14 days' notice needs notice by 2024-03-01.
    """
    if notice_days < 0:
        raise MeetingError(f"the notice period cannot be negative ({notice_days} days)")
    return meeting_date - dt.timedelta(days=notice_days)


def check_notice(
    meeting_date: dt.date, notice_date: dt.date, notice_days: int, *, urgent: bool = False
) -> NoticeCheck:
    """Flag a notice sent after its deadline; an urgent meeting is marked and allowed.

    Rule: a notice later than `notice_deadline` is late; a meeting called on urgent matters
    (kommuneloven § 11-8) may be held on shorter notice and is recorded as urgent.
    Example: meeting 2024-03-15, 14 days, notice 2024-03-05: late, not allowed unless urgent.
    """
    deadline = notice_deadline(meeting_date, notice_days)
    return NoticeCheck(deadline=deadline, late=notice_date > deadline, urgent=urgent)


def reminder_dates(meeting_date: dt.date, offsets: Iterable[int]) -> tuple[dt.date, ...]:
    """The days reminders go out: `offsets` days before the meeting, earliest first.

    Rule: reminders go out at the bylaw's offsets (default [7, 1] days before the meeting).
    Example: a meeting on 2024-03-15 with offsets [7, 1] gives 2024-03-08 and 2024-03-14.
    """
    days = sorted(set(offsets), reverse=True)
    if any(d < 0 for d in days):
        raise MeetingError("a reminder cannot be sent after the meeting")
    return tuple(meeting_date - dt.timedelta(days=d) for d in days)


def quorum_needed(members: int, quorum: Fraction = DEFAULT_QUORUM) -> int:
    """How many members must be present for the organ to make decisions.

    Rule: at least `quorum` of the members, rounded up (kommuneloven § 11-9: at least half).
    Example: quorum_needed(15) is 8, quorum_needed(54) is 27.
    """
    if members < 1:
        raise MeetingError(f"an organ has at least one member, not {members}")
    if not 0 < quorum <= 1:
        raise MeetingError(f"the quorum must be above 0 and at most 1, not {quorum}")
    need = quorum * members
    return -(-need.numerator // need.denominator)


def has_quorum(present: int, members: int, quorum: Fraction = DEFAULT_QUORUM) -> bool:
    """Whether `present` members make a quorum.

    Rule: the organ may decide when at least `quorum` of its members are present (§ 11-9).
    Example: has_quorum(8, 15) is True, has_quorum(7, 15) is False.
    """
    if not 0 <= present <= members:
        raise MeetingError(f"{present} present does not fit an organ of {members} members")
    return present >= quorum_needed(members, quorum)
