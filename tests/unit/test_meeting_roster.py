"""Who a meeting concerns: recipients, deputies called in, attendance, and a series' roster.

Rule: a deputy stands in for an absent member of their own group (list), first rank first
(kommuneloven § 7-10); only voting members and deputies standing in for one count for the
quorum.
"""

from __future__ import annotations

import datetime as dt

import pytest

from domain.gender import Gender
from models.election_payloads import OrganMeetings, RepresentativesIn
from models.meeting_payloads import RosterEntry
from models.payloads import PersonIn, Recipient, SeatIn, SeatRole
from workflows.meetings.roster import (
    attendance_rows,
    attending,
    first_meeting_day,
    meeting_roster,
    meeting_uid,
    next_deputy,
    organ_rules,
    recipients,
    representatives_roster,
    voting_present,
)


def entry(
    pid: str, role: SeatRole = "member", group: str = "", rank: int | None = None
) -> RosterEntry:
    return RosterEntry(
        person_id=pid,
        name=f"Person {pid}",
        email=f"{pid}@example.invalid",
        role=role,
        rank=rank,
        group=group,
    )


ROSTER = (
    entry("leader", "leader", "A"),
    entry("m-a", "member", "A"),
    entry("m-b", "member", "B"),
    entry("d-a2", "deputy", "A", 2),
    entry("d-a1", "deputy", "A", 1),
    entry("d-b1", "deputy", "B", 1),
    entry("d-b", "deputy", "B"),
    entry("obs", "observer"),
)
BY_ID = {e.person_id: e for e in ROSTER}


def test_a_meeting_keeps_one_calendar_uid_for_its_whole_life() -> None:
    assert meeting_uid("meeting-hovedstyret-2027-2031-03") == (
        "meeting-hovedstyret-2027-2031-03@ksgov.ks.no"
    )


def test_each_person_gets_one_message_however_many_seats_they_hold() -> None:
    twice = (entry("ada", "leader", "A"), entry("bo"), entry("ada", "member", "B"))
    assert recipients(twice) == (
        Recipient(recipient_id="ada", email="ada@example.invalid", name="Person ada"),
        Recipient(recipient_id="bo", email="bo@example.invalid", name="Person bo"),
    )


@pytest.mark.parametrize(
    ("absent", "called_in", "expected"),
    [
        ((), {}, ["leader", "m-a", "m-b", "obs"]),
        (("m-a",), {"d-a1": "m-a"}, ["leader", "m-b", "d-a1", "obs"]),
        (("m-a", "d-a1"), {"d-a2": "m-a"}, ["leader", "m-b", "d-a2", "obs"]),
        (("obs", "leader"), {}, ["m-a", "m-b"]),
    ],
)
def test_the_expected_are_members_not_absent_called_in_deputies_and_observers(
    absent: tuple[str, ...], called_in: dict[str, str], expected: list[str]
) -> None:
    assert [e.person_id for e in attending(ROSTER, absent, called_in)] == expected


@pytest.mark.parametrize(
    ("member", "absent", "called_in", "deputy"),
    [
        ("m-a", (), {}, "d-a1"),
        ("m-a", ("d-a1",), {}, "d-a2"),
        ("m-a", (), {"d-a1": "leader"}, "d-a2"),
        ("m-a", ("d-a2",), {"d-a1": "leader"}, None),
        # An unranked deputy comes after the ranked ones.
        ("m-b", (), {}, "d-b1"),
        ("m-b", ("d-b1",), {}, "d-b"),
    ],
)
def test_the_first_ranked_free_deputy_of_the_members_group_is_called_in(
    member: str, absent: tuple[str, ...], called_in: dict[str, str], deputy: str | None
) -> None:
    found = next_deputy(ROSTER, BY_ID[member], absent, called_in)
    assert (found.person_id if found else None) == deputy


def test_a_member_without_a_group_may_be_replaced_from_any_group() -> None:
    # d-a1 and d-b1 both rank first: the person id decides, so the choice is stable.
    found = next_deputy(ROSTER, entry("solo"), (), {})
    assert found is not None
    assert found.person_id == "d-a1"
    found = next_deputy(ROSTER, entry("solo"), ("d-a1",), {"d-b1": "m-b"})
    assert found is not None
    assert found.person_id == "d-a2"


def test_the_attendance_list_has_every_voting_member_the_called_in_and_others_present() -> None:
    rows = attendance_rows(ROSTER, {"leader", "m-b", "d-a1", "obs"}, {"d-a1": "m-a"})
    assert [(r.person_id, r.present, r.as_deputy_for) for r in rows] == [
        ("leader", True, None),
        ("m-a", False, None),
        ("m-b", True, None),
        ("d-a1", True, "m-a"),
        ("obs", True, None),
    ]


@pytest.mark.parametrize(
    ("present", "called_in", "voting"),
    [
        ({"leader", "m-a", "m-b"}, {}, 3),
        ({"leader", "m-b", "d-a1", "obs"}, {"d-a1": "m-a"}, 3),
        # A deputy who comes without being called in, and an observer, have no vote.
        ({"leader", "d-b1", "obs"}, {}, 1),
        ({"d-a1"}, {"d-a1": "m-a", "d-b1": "m-b"}, 1),
        (set(), {}, 0),
    ],
)
def test_only_voting_members_and_called_in_deputies_count_for_the_quorum(
    present: set[str], called_in: dict[str, str], voting: int
) -> None:
    assert voting_present(ROSTER, present, called_in) == voting


def person(pid: str) -> PersonIn:
    return PersonIn(
        person_id=pid, name=f"Person {pid}", gender=Gender.FEMALE, email=f"{pid}@example.invalid"
    )


def seat(organ: str, pid: str, role: SeatRole = "member", rank: int | None = None) -> SeatIn:
    return SeatIn(
        organ=organ,
        term="2027-2031",
        person_id=pid,
        role=role,
        rank=rank,
        group=f"{organ}/Felles",
        from_date=dt.date(2028, 2, 14),
        to_date=dt.date(2031, 12, 31),
        obtained_by="agreed",
    )


def test_an_organs_roster_is_its_seats_of_people_with_a_known_address() -> None:
    seats = [
        seat("hovedstyret", "ada", "leader"),
        seat("landsstyret", "ada"),
        seat("hovedstyret", "bo", "deputy", 1),
        seat("hovedstyret", "unknown"),
    ]
    roster = meeting_roster(seats, {p: person(p) for p in ("ada", "bo")}, "hovedstyret")
    assert roster == (
        RosterEntry(
            person_id="ada",
            name="Person ada",
            email="ada@example.invalid",
            role="leader",
            group="hovedstyret/Felles",
        ),
        RosterEntry(
            person_id="bo",
            name="Person bo",
            email="bo@example.invalid",
            role="deputy",
            rank=1,
            group="hovedstyret/Felles",
        ),
    )


def test_the_yearly_county_meetings_roster_is_every_representative_once_with_deputies() -> None:
    roster = representatives_roster(
        [
            RepresentativesIn(
                member_number="4601",
                people=(person("a"), person("b")),
                deputies=(person("d1"), person("d2")),
            ),
            RepresentativesIn(member_number="46", people=(person("a"),)),
        ]
    )
    assert [(e.person_id, e.role, e.group, e.rank) for e in roster] == [
        ("a", "member", "member-4601", None),
        ("b", "member", "member-4601", None),
        ("d1", "deputy", "member-4601", 1),
        ("d2", "deputy", "member-4601", 2),
    ]
    assert representatives_roster([]) == ()


@pytest.mark.parametrize(
    ("notice_days", "first"),
    [
        (0, dt.date(2028, 2, 28)),
        (13, dt.date(2028, 2, 28)),
        # From 14 days' notice on, the notice period decides (2028 is a leap year).
        (14, dt.date(2028, 2, 29)),
        (21, dt.date(2028, 3, 7)),
    ],
)
def test_a_new_organ_meets_two_weeks_after_it_is_composed_or_once_notice_can_be_given(
    notice_days: int, first: dt.date
) -> None:
    assert first_meeting_day(dt.date(2028, 2, 14), notice_days) == first


PLAN = OrganMeetings(
    organ="county_board:46",
    organ_title="Fylkesstyret, Vestland",
    meetings_per_year=6,
    notice_days=14,
    reminder_days=(7, 1),
    quorum="1/2",
    members=9,
    location="Vestland",
)


@pytest.mark.parametrize(
    ("location", "county", "where"),
    [("Vestland", "46", "Vestland"), ("", "", "KS, Haakon VIIs gate 9, Oslo")],
)
def test_a_series_takes_the_bylaw_rules_and_meets_at_ks_unless_told_otherwise(
    location: str, county: str, where: str
) -> None:
    roster = (entry("ada"),)
    plan = PLAN.model_copy(update={"location": location})
    rules = organ_rules(plan, "2027-2031", roster, county)
    assert (rules.organ, rules.organ_title, rules.term, rules.county) == (
        "county_board:46",
        "Fylkesstyret, Vestland",
        "2027-2031",
        county,
    )
    assert (rules.notice_days, rules.reminder_days, rules.quorum, rules.members) == (
        14,
        (7, 1),
        "1/2",
        9,
    )
    assert (rules.roster, rules.location) == (roster, where)
