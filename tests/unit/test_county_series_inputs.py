"""The county-level meeting series a term asks for: bylaw rules, rosters and first days."""

from __future__ import annotations

import datetime as dt

from domain.bylaws import Bylaws
from domain.gender import Gender
from domain.registry import Registry
from models.election_payloads import RepresentativesIn
from models.payloads import PersonIn
from service.term_inputs import build_term_input, county_organ_meetings
from workflows.meetings.roster import first_meeting_day, organ_rules, representatives_roster


def person(pid: str) -> PersonIn:
    return PersonIn(
        person_id=pid, name=f"Person {pid}", gender=Gender.FEMALE, email=f"{pid}@x.invalid"
    )


def test_a_county_gets_its_boards_and_its_yearly_meetings_rules_until_the_next_county_meetings(
    ks_bylaws: Bylaws,
) -> None:
    board, yearly = county_organ_meetings(ks_bylaws, 2027, "46", "Vestland")
    assert (board.organ, board.organ_title) == ("county_board:46", "Fylkesstyret i KS Vestland")
    assert (board.meetings_per_year, board.notice_days, board.reminder_days) == (6, 14, (7, 1))
    assert board.members == 9
    assert (yearly.organ, yearly.meetings_per_year, yearly.notice_days) == (
        "county_meeting:46",
        1,
        21,
    )
    assert yearly.members is None  # the representatives the councils elected
    # The county meetings of November 2031 compose the next ones.
    assert board.ends_on == yearly.ends_on == dt.date(2031, 10, 31)
    assert board.location == "Vestland"


def test_every_county_meeting_of_a_term_with_meetings_carries_its_series_unless_turned_off(
    ks_registry: Registry, ks_bylaws: Bylaws
) -> None:
    data = build_term_input(ks_registry, ks_bylaws, 2027, meetings=True)
    assert [len(c.meetings) for c in data.counties] == [2] * 15
    assert [m.organ for m in data.meetings] == ["hovedstyret", "landsstyret"]
    national = build_term_input(ks_registry, ks_bylaws, 2027, meetings=True, county_meetings=False)
    assert [c.meetings for c in national.counties] == [()] * 15
    assert national.meetings == data.meetings
    assert build_term_input(ks_registry, ks_bylaws, 2027).counties[0].meetings == ()


def test_the_representatives_roster_lists_each_person_once_as_a_voting_member() -> None:
    roster = representatives_roster(
        [
            RepresentativesIn(member_number="4601", people=(person("a"), person("b"))),
            RepresentativesIn(member_number="46", people=(person("b"), person("c"))),
        ]
    )
    assert [(r.person_id, r.role, r.group) for r in roster] == [
        ("a", "member", "member-4601"),
        ("b", "member", "member-4601"),
        ("c", "member", "member-46"),
    ]


def test_the_first_meeting_leaves_two_weeks_and_time_for_the_notice() -> None:
    assert first_meeting_day(dt.date(2027, 11, 20), 14) == dt.date(2027, 12, 5)
    assert first_meeting_day(dt.date(2027, 11, 20), 7) == dt.date(2027, 12, 4)
    assert first_meeting_day(dt.date(2027, 11, 20), 21) == dt.date(2027, 12, 12)


def test_county_rules_carry_the_county_and_its_meeting_place(ks_bylaws: Bylaws) -> None:
    board, _ = county_organ_meetings(ks_bylaws, 2027, "46-2", "Vestland 2")
    roster = representatives_roster(
        [RepresentativesIn(member_number="46-2", people=(person("a"),))]
    )
    rules = organ_rules(board, "2027-2031", roster, "46-2")
    assert (rules.county, rules.location, rules.members) == ("46-2", "Vestland 2", 9)
    national = organ_rules(board.model_copy(update={"location": ""}), "2027-2031", roster)
    assert (national.county, national.location) == ("", "KS, Haakon VIIs gate 9, Oslo")
