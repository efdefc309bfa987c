"""Meeting rules: notice deadlines, urgent meetings, reminders and quorum."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from domain.meetings import (
    MeetingError,
    check_notice,
    has_quorum,
    notice_deadline,
    quorum_needed,
    reminder_dates,
)

MEETING = dt.date(2024, 3, 15)


def test_the_notice_deadline_is_the_notice_period_before_the_meeting() -> None:
    assert notice_deadline(MEETING, 14) == dt.date(2024, 3, 1)


def test_a_notice_on_the_deadline_is_in_time() -> None:
    check = check_notice(MEETING, dt.date(2024, 3, 1), 14)
    assert (check.late, check.allowed) == (False, True)


def test_a_late_notice_is_flagged_and_not_allowed() -> None:
    check = check_notice(MEETING, dt.date(2024, 3, 5), 14)
    assert (check.deadline, check.late, check.allowed) == (dt.date(2024, 3, 1), True, False)


def test_an_urgent_meeting_is_marked_and_allowed_on_short_notice() -> None:
    check = check_notice(MEETING, dt.date(2024, 3, 14), 14, urgent=True)
    assert (check.late, check.urgent, check.allowed) == (True, True, True)


def test_reminders_go_out_at_the_offsets_earliest_first() -> None:
    assert reminder_dates(MEETING, [1, 7, 7]) == (dt.date(2024, 3, 8), dt.date(2024, 3, 14))


@pytest.mark.parametrize(
    ("present", "members", "quorum", "expected"),
    [
        (8, 15, Fraction(1, 2), True),
        (7, 15, Fraction(1, 2), False),
        (27, 54, Fraction(1, 2), True),
        (3, 5, Fraction(3, 5), True),
        (2, 5, Fraction(3, 5), False),
    ],
)
def test_quorum_is_at_least_the_bylaw_fraction_of_the_members(
    present: int, members: int, quorum: Fraction, expected: bool
) -> None:
    assert has_quorum(present, members, quorum) is expected


def test_the_default_quorum_is_half_rounded_up() -> None:
    assert quorum_needed(15) == 8


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: notice_deadline(MEETING, -1), "cannot be negative"),
        (lambda: reminder_dates(MEETING, [-1]), "after the meeting"),
        (lambda: quorum_needed(0), "at least one member"),
        (lambda: quorum_needed(5, Fraction(0)), "above 0"),
        (lambda: quorum_needed(5, Fraction(3, 2)), "at most 1"),
        (lambda: has_quorum(6, 5), "does not fit"),
        (lambda: has_quorum(-1, 5), "does not fit"),
    ],
)
def test_impossible_meeting_values_are_refused(call: object, message: str) -> None:
    with pytest.raises(MeetingError, match=message):
        call()  # type: ignore[operator]
