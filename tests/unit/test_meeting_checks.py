"""The checks of a meeting's updates: each refusal in a secretary's words, and what passes.

The meeting is a county board's on Thursday 16 March 2028 at 10:00 with 14 days' notice
(kommuneloven § 11-3; urgent meetings may be called at shorter notice, § 11-8), and meetings
are held on working days outside July.
"""

from __future__ import annotations

import datetime as dt

import pytest

from models.meeting_payloads import (
    AbsenceIn,
    AgendaIn,
    AgendaItemIn,
    ApproveMinutesIn,
    AttendanceIn,
    DecisionIn,
    MeetingInput,
    MeetingStage,
    MinutesIn,
    MoveIn,
    OrganRules,
    RosterEntry,
)
from models.payloads import SeatRole
from workflows.meetings import checks
from workflows.meetings.state import MeetingState

OSLO_WINTER = dt.timezone(dt.timedelta(hours=1))
KEY, PREVIOUS, OTHER = (f"meeting-county_board:46-2027-2031-0{n}" for n in (2, 1, 3))
MAUNDY_THURSDAY = dt.date(2028, 4, 13)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2028, month, day, hour, 0, tzinfo=OSLO_WINTER)


def entry(pid: str, role: SeatRole = "member") -> RosterEntry:
    return RosterEntry(
        person_id=pid, name=f"Person {pid}", email=f"{pid}@example.invalid", role=role
    )


def meeting(**state: object) -> MeetingState:
    """The meeting, with `state` fields of MeetingState set."""
    roster = (entry("ada", "leader"), entry("bo"), entry("cy", "deputy"), entry("di", "observer"))
    rules = OrganRules(
        organ="county_board:46", organ_title="Fylkesstyret, Vestland", term="2027-2031",
        notice_days=14, holidays=(MAUNDY_THURSDAY,), roster=roster,
    )  # fmt: skip
    data = MeetingInput(meeting_id=KEY, number=2, rules=rules, starts_at=at(3, 16))
    m = MeetingState(data.model_copy(update={"previous_meeting_id": state.pop("previous", None)}))
    for name, value in state.items():
        setattr(m, name, value)
    return m


@pytest.mark.parametrize(
    ("stage", "cancel_reason", "quorum", "message"),
    [
        ("cancelled", None, None, f"^meeting {KEY} is cancelled: it can no longer be moved$"),
        ("noticed", "storm", None, "is cancelled: it can no longer be moved"),
        ("awaiting_minutes", None, True, f"^meeting {KEY} has been held: it can no longer be"),
        ("not_constituted", None, False, "has been held"),
    ],
)
def test_a_cancelled_or_held_meeting_can_no_longer_change(
    stage: MeetingStage, cancel_reason: str | None, quorum: bool | None, message: str
) -> None:
    m = meeting(stage=stage, cancel_reason=cancel_reason, quorum=quorum)
    with pytest.raises(ValueError, match=message):
        checks.still_open(m, "moved")


def test_a_planned_or_noticed_meeting_is_open() -> None:
    checks.still_open(meeting(), "moved")
    checks.still_open(meeting(stage="noticed"), "moved")


def items(*numbers: int) -> AgendaIn:
    return AgendaIn(items=tuple(AgendaItemIn(number=n, title=f"Sak {n}") for n in numbers))


@pytest.mark.parametrize(
    ("m", "agenda", "message"),
    [
        (
            meeting(),
            items(1, 3),
            r"^number the agenda items 1, 2, 3, \.\.\. in order \(got \[1, 3\]\)",
        ),
        (meeting(), items(2, 1), r"\(got \[2, 1\]\)$"),
        (meeting(notice_started=True), items(1), "the notice with the agenda has gone out"),
        (meeting(quorum=True), items(1), "has been held: it can no longer be given a new agenda"),
    ],
)
def test_an_agenda_out_of_order_or_after_the_notice_is_refused(
    m: MeetingState, agenda: AgendaIn, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        checks.agenda(m, agenda)


def test_an_agenda_numbered_in_order_before_the_notice_is_accepted() -> None:
    checks.agenda(meeting(), items(1, 2, 3))


NOW = dt.datetime(2028, 3, 1, 9, 0, tzinfo=dt.UTC)  # 10:00 on Wednesday 1 March in Oslo


@pytest.mark.parametrize(
    ("starts_at", "now", "message"),
    [
        (at(3, 16), NOW, r"^the meeting is already at 2028-03-16T10:00:00\+01:00$"),
        (at(3, 16).astimezone(dt.UTC), NOW, "the meeting is already at"),
        (at(3, 1, 15), NOW, r"^2028-03-01 is not after today \(2028-03-01\)$"),
        # 23:30 UTC on 29 February is already 1 March in Oslo, the meeting's day.
        (at(3, 1, 15), dt.datetime(2028, 2, 29, 23, 30, tzinfo=dt.UTC), "not after today"),
        (at(3, 25), NOW, "^2028-03-25 cannot be a meeting day: it is a Saturday$"),
        (dt.datetime.combine(MAUNDY_THURSDAY, dt.time(10), OSLO_WINTER), NOW, "public holiday"),
        (at(7, 6), NOW, "it is in the July holiday"),
        (
            at(3, 9),
            NOW,
            r"^the notice for 2028-03-09 had to go out by 2028-02-24 \(14 days before\): "
            "too late unless the meeting is marked urgent$",
        ),
    ],
)
def test_a_move_to_the_same_time_a_past_day_a_day_off_or_too_late_for_notice_is_refused(
    starts_at: dt.datetime, now: dt.datetime, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        checks.move(meeting(), MoveIn(starts_at=starts_at), now)


def test_a_move_to_a_working_day_with_time_for_the_notice_is_accepted() -> None:
    checks.move(meeting(), MoveIn(starts_at=at(3, 20)), NOW)  # notice by 6 March


def test_an_urgent_meeting_may_move_to_a_day_too_close_for_the_notice() -> None:
    checks.move(meeting(), MoveIn(starts_at=at(3, 9), urgent=True), NOW)
    checks.move(meeting(urgent=True), MoveIn(starts_at=at(3, 9)), NOW)
    with pytest.raises(ValueError, match="cancelled: it can no longer be moved"):
        checks.move(meeting(stage="cancelled"), MoveIn(starts_at=at(3, 20)), NOW)


@pytest.mark.parametrize(
    ("m", "person", "message"),
    [
        (meeting(), "zed", "^zed has no seat in Fylkesstyret, Vestland$"),
        (meeting(), "cy", "^cy sits as deputy and has not been called in: only members and"),
        (meeting(), "di", "di sits as observer and has not been called in"),
        (meeting(absent=["bo"]), "bo", "^bo has already reported absence$"),
        (meeting(stage="cancelled"), "bo", "is cancelled: it can no longer be changed"),
    ],
)
def test_an_absence_from_someone_without_a_seat_or_a_vote_or_reported_twice_is_refused(
    m: MeetingState, person: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        checks.absence(m, AbsenceIn(person_id=person))


def test_members_and_called_in_deputies_report_absence() -> None:
    checks.absence(meeting(), AbsenceIn(person_id="ada"))
    checks.absence(meeting(absent=["bo"], called_in={"cy": "bo"}), AbsenceIn(person_id="cy"))


@pytest.mark.parametrize(
    ("m", "present", "message"),
    [
        (
            meeting(stage="noticed"),
            (),
            r"^the meeting starts at 2028-03-16T10:00:00\+01:00: record",
        ),
        (meeting(stage="awaiting_attendance"), ("zed", "ada", "yo"), "^not in the organ: yo, zed$"),
        (meeting(cancel_reason="storm"), ("ada",), "it can no longer be given attendance"),
    ],
)
def test_attendance_before_the_meeting_or_naming_strangers_is_refused(
    m: MeetingState, present: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        checks.attendance(m, AttendanceIn(present=present))


def test_attendance_of_anyone_on_the_roster_is_accepted_once_the_meeting_has_begun() -> None:
    checks.attendance(meeting(stage="awaiting_attendance"), AttendanceIn(present=("ada", "cy")))
    checks.attendance(meeting(stage="awaiting_attendance"), AttendanceIn(present=()))


def decisions(*numbers: int) -> MinutesIn:
    return MinutesIn(decisions=tuple(DecisionIn(item_number=n, text="Vedtatt") for n in numbers))


AGENDA = (AgendaItemIn(number=1, title="Budsjett"), AgendaItemIn(number=2, title="Mandat"))


@pytest.mark.parametrize(
    ("m", "minutes", "message"),
    [
        (meeting(quorum=False), decisions(1), "no quorum \\(not lawfully constituted\\)"),
        (meeting(), decisions(1), "^record the attendance first$"),
        (meeting(quorum=True, minutes_done=True), decisions(), "the minutes are already recorded"),
        (meeting(quorum=True, agenda=AGENDA), decisions(1, 2, 1), "an agenda item has two"),
        (
            meeting(quorum=True, agenda=AGENDA),
            decisions(3, 1, 4),
            r"^items \[3, 4\] are not on the agenda \(items: \[1, 2\]\)$",
        ),
    ],
)
def test_minutes_without_a_lawful_meeting_twice_or_off_the_agenda_are_refused(
    m: MeetingState, minutes: MinutesIn, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        checks.minutes(m, minutes)


def test_minutes_of_a_quorate_meeting_with_decisions_on_its_items_are_accepted() -> None:
    checks.minutes(meeting(quorum=True, agenda=AGENDA), decisions(2, 1))
    checks.minutes(meeting(quorum=True), MinutesIn(text="Ingen vedtak"))


@pytest.mark.parametrize(
    ("m", "approves", "message"),
    [
        (meeting(), PREVIOUS, "^only a meeting held with a quorum can approve minutes$"),
        (meeting(quorum=False), PREVIOUS, "held with a quorum"),
        (meeting(quorum=True), KEY, "^a meeting cannot approve its own minutes$"),
        (
            meeting(quorum=True, previous=PREVIOUS),
            OTHER,
            f"^this meeting approves the minutes of {PREVIOUS}$",
        ),
        (
            meeting(quorum=True, previous=PREVIOUS, approved_others=[PREVIOUS]),
            PREVIOUS,
            f"^the minutes of {PREVIOUS} are already approved$",
        ),
    ],
)
def test_approving_minutes_without_a_quorum_ones_own_or_the_wrong_meetings_is_refused(
    m: MeetingState, approves: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        checks.approve(m, ApproveMinutesIn(meeting_id=approves))


@pytest.mark.parametrize("previous", [PREVIOUS, None])
def test_a_quorate_meeting_approves_the_previous_meetings_minutes(previous: str | None) -> None:
    checks.approve(meeting(quorum=True, previous=previous), ApproveMinutesIn(meeting_id=PREVIOUS))
