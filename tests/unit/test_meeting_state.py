"""What one meeting knows, and what falls due next: the notice, each reminder, the meeting.

Worked example: a county board meeting on Thursday 16 March 2028 at 10:00 with the KS bylaws'
14 days' notice (kommuneloven § 11-3), sent 2 days early, and reminders 7 days and 1 day before.
"""

from __future__ import annotations

import datetime as dt

import pytest

from models.meeting_payloads import (
    AgendaItemIn,
    MeetingInput,
    MinutesApproved,
    OrganRules,
    RosterEntry,
)
from models.payloads import SeatRole
from workflows.meetings.state import MeetingState

OSLO_WINTER = dt.timezone(dt.timedelta(hours=1))
STARTS = dt.datetime(2028, 3, 16, 10, 0, tzinfo=OSLO_WINTER)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2028, month, day, hour, 0, tzinfo=OSLO_WINTER)


def entry(pid: str, role: SeatRole = "member") -> RosterEntry:
    return RosterEntry(
        person_id=pid, name=f"Person {pid}", email=f"{pid}@example.invalid", role=role
    )


ROSTER = (entry("ada", "leader"), entry("bo"), entry("cy", "deputy"), entry("di", "observer"))
RULES = OrganRules(
    organ="county_board:46",
    organ_title="Fylkesstyret, Vestland",
    term="2027-2031",
    county="46",
    notice_days=14,
    reminder_days=(7, 1),
    roster=ROSTER,
)
AGENDA = (AgendaItemIn(number=1, title="Budsjett"),)


def meeting(**extra: object) -> MeetingState:
    """The second meeting of the term, with `extra` fields of its input changed."""
    data = MeetingInput(
        meeting_id="meeting-county_board:46-2027-2031-02", number=2, rules=RULES,
        starts_at=STARTS, agenda=AGENDA, sequence=1,
    )  # fmt: skip
    return MeetingState(data.model_copy(update=extra))


def test_a_new_meeting_starts_from_its_input() -> None:
    m = meeting(urgent=True)
    assert (m.key, m.starts_at, m.sequence, m.urgent, m.agenda) == (
        "meeting-county_board:46-2027-2031-02",
        STARTS,
        1,
        True,
        AGENDA,
    )
    assert (m.stage, m.version, m.quorum, m.absent, m.called_in) == ("planned", 0, None, [], {})


def test_a_persons_entry_is_their_seat_in_the_organ() -> None:
    m = meeting()
    assert m.entry("cy") == ROSTER[2]
    assert m.entry("zed") is None


def test_every_move_raises_the_version_so_old_timers_are_re_armed() -> None:
    m = meeting()
    m.moved()
    m.moved()
    assert m.version == 2


@pytest.mark.parametrize(
    ("margin_days", "notice_at"),
    [(2, at(2, 29)), (0, at(3, 2))],  # 14 days' notice, and 2 days to spare by default
)
def test_the_notice_falls_due_the_notice_period_and_the_margin_before_the_meeting(
    margin_days: int, notice_at: dt.datetime
) -> None:
    m = meeting(notice_margin=dt.timedelta(days=margin_days))
    assert m.next_due() == ("notice", notice_at)


@pytest.mark.parametrize(
    ("sent_at", "reminded", "due"),
    [
        (at(2, 29), [], ("2028-03-16/7d", at(3, 9))),
        (at(2, 29), ["2028-03-16/7d"], ("2028-03-16/1d", at(3, 15))),
        (at(2, 29), ["2028-03-16/7d", "2028-03-16/1d"], ("meeting", STARTS)),
        # An urgent notice sent after a reminder's time makes that reminder needless.
        (at(3, 12), [], ("2028-03-16/1d", at(3, 15))),
        (at(3, 15, 12), [], ("meeting", STARTS)),
    ],
)
def test_after_the_notice_each_reminder_falls_due_earliest_first_then_the_meeting(
    sent_at: dt.datetime, reminded: list[str], due: tuple[str, dt.datetime]
) -> None:
    m = meeting()
    m.notice_started, m.notice_sent_at, m.reminders_sent = True, sent_at, reminded
    assert m.next_due() == due


def test_a_reminder_offset_given_twice_is_one_reminder() -> None:
    m = meeting(rules=RULES.model_copy(update={"reminder_days": (1, 7, 7)}))
    m.notice_started, m.notice_sent_at = True, at(2, 29)
    m.reminders_sent = ["2028-03-16/7d"]
    assert m.next_due() == ("2028-03-16/1d", at(3, 15))


def test_a_moved_meeting_is_reminded_again_for_its_new_date() -> None:
    m = meeting()
    m.notice_started, m.reminders_sent = True, ["2028-03-16/7d"]
    m.starts_at, m.notice_sent_at = at(3, 23), at(3, 10)  # moved, and the change sent
    assert m.next_due() == ("2028-03-23/7d", at(3, 16))


def test_the_status_shows_the_meeting_as_it_stands() -> None:
    m = meeting()
    m.stage, m.notice_sent_at, m.reminders_sent = "awaiting_minutes", at(2, 29), ["x"]
    m.absent, m.called_in, m.present, m.quorum = ["bo"], {"cy": "bo"}, ("ada", "cy"), True
    status = m.status()
    assert (status.meeting_id, status.organ, status.term, status.number) == (
        "meeting-county_board:46-2027-2031-02",
        "county_board:46",
        "2027-2031",
        2,
    )
    assert (status.starts_at, status.stage, status.sequence, status.urgent) == (
        STARTS,
        "awaiting_minutes",
        1,
        False,
    )
    assert (status.agenda, status.notice_sent_at, status.reminders_sent) == (
        AGENDA,
        at(2, 29),
        ("x",),
    )
    assert (status.absent, status.called_in, status.present, status.quorum) == (
        ("bo",),
        {"cy": "bo"},
        ("ada", "cy"),
        True,
    )
    assert status.voting == ("ada", "bo")  # not the deputy, not the observer
    assert status.minutes_approved_at is None
    m.approved = MinutesApproved(
        approved_by="meeting-county_board:46-2027-2031-03", approved_at=at(4, 20)
    )
    assert m.status().minutes_approved_at == at(4, 20)
