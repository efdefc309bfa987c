"""A term's seats: who holds what, the first deputy moving up, and supplementary elections.

Rule: when a member leaves, the first-ranked deputy of the same list in the same organ moves up
for the rest of the seat (where the bylaws allow it), passing over deputies of the other gender
where the group would fall short of § 7-6; otherwise the organ that elected the seat fills it by
a supplementary election (Landsstyret, or the county meeting for its board). Landsstyret's ex
officio seats follow Hovedstyret and the county-board leaders.
"""

from __future__ import annotations

import datetime as dt

import pytest

from domain.gender import Gender
from models.election_payloads import SupplementaryIn, VacateIn
from models.payloads import PersonIn, SeatIn, SeatRole
from workflows.term.seats import (
    ex_officio_of,
    ex_officio_seat,
    filled,
    first_deputy,
    follows,
    held_seat,
    moved_up,
    open_vacancy,
    supplementary_by,
)

CONGRESS, END = dt.date(2028, 2, 14), dt.date(2031, 12, 31)
ELECTION = "term-2027/landsting/landsstyret_members/round-1"


def seat(
    organ: str, pid: str, role: SeatRole = "member", group: str = "", rank: int | None = None
) -> SeatIn:
    return SeatIn(
        organ=organ,
        term="2027-2031",
        person_id=pid,
        role=role,
        rank=rank,
        group=group,
        from_date=CONGRESS,
        to_date=END,
        election_id=ELECTION,
        obtained_by="agreed",
    )


LIST = "landsstyret/Felles"
NEWCOMER = PersonIn(person_id="new", name="Ny Person", gender=Gender.FEMALE, email="n@x.invalid")
SEATS = [
    seat("hovedstyret", "hs-leader", "leader", "hovedstyret/"),
    seat("landsstyret", "hs-leader", "leader", "hovedstyret"),
    seat("landsstyret", "ls0", group=LIST),
    seat("landsstyret", "ls1", group=LIST),
    seat("landsstyret", "ls-d2", "deputy", LIST, rank=2),
    seat("landsstyret", "ls-d1", "deputy", LIST, rank=1),
    seat("landsstyret", "leader-03", group="county_board_leaders/03"),
    seat("landsstyret", "ls-nolist"),
    seat("hovedstyret", "hs0", group=LIST),
]


@pytest.mark.parametrize(
    ("organ", "pid", "role"),
    [("hovedstyret", "hs-leader", "leader"), ("landsstyret", "ls1", "member")],
)
def test_a_persons_seat_is_found_in_the_organ_named(organ: str, pid: str, role: str) -> None:
    held = held_seat(SEATS, organ, pid)
    assert (held.organ, held.person_id, held.role) == (organ, pid, role)


@pytest.mark.parametrize(
    ("seats", "organ", "pid", "message"),
    [
        (
            SEATS,
            "hovedstyret",
            "ls0",
            "^unknown person 'ls0': they hold no seat in 'hovedstyret' this term "
            r"\(the organs are hovedstyret, landsstyret\)$",
        ),
        ([], "landsstyret", "ls0", r"\(the organs are not composed yet\)$"),
    ],
)
def test_a_seat_nobody_holds_is_refused_naming_the_organs(
    seats: list[SeatIn], organ: str, pid: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        held_seat(seats, organ, pid)


@pytest.mark.parametrize(
    ("vacated", "deputy"),
    [
        # The deputy ranked first moves up, wherever the list puts it.
        (seat("landsstyret", "ls0", group=LIST), "ls-d1"),
        # A deputy who leaves leaves a vacancy; a seat without a list has no deputies.
        (seat("landsstyret", "ls-d1", "deputy", LIST, rank=1), None),
        (seat("landsstyret", "ls-nolist"), None),
        # Ex officio seats have no deputies, nor do the lists of another organ.
        (seat("landsstyret", "leader-03", group="county_board_leaders/03"), None),
        (seat("hovedstyret", "hs0", group=LIST), None),
    ],
)
def test_the_first_deputy_of_the_same_list_and_organ_moves_up(
    vacated: SeatIn, deputy: str | None
) -> None:
    found = first_deputy(SEATS, vacated)
    assert (found.person_id if found else None) == deputy


def test_the_deputy_takes_the_rest_of_the_vacated_seat_from_the_day_it_was_left() -> None:
    vacated = seat("landsstyret", "ls0", group=LIST)
    deputy = seat("landsstyret", "ls-d1", "deputy", LIST, rank=1)
    data = VacateIn(organ="landsstyret", person_id="ls0", reason="moved", on=dt.date(2029, 5, 2))
    new = moved_up(deputy, vacated, data)
    assert new == SeatIn(
        organ="landsstyret",
        term="2027-2031",
        person_id="ls-d1",
        role="member",
        rank=None,
        group=LIST,
        from_date=dt.date(2029, 5, 2),
        to_date=END,
        election_id=None,
        obtained_by="first deputy moved up",
    )


NEWCOMER = PersonIn(
    person_id="new", name="Person new", gender=Gender.MALE, email="new@example.invalid"
)
VACANCIES = [seat("landsstyret", "ls0", group=LIST), seat("hovedstyret", "hs0", group=LIST)]


def supplementary(organ: str, pid: str) -> SupplementaryIn:
    return SupplementaryIn(
        organ=organ, vacated_person_id=pid, person=NEWCOMER, decided_on=dt.date(2029, 6, 12)
    )


def test_a_supplementary_election_fills_the_open_vacancy_for_the_rest_of_the_term() -> None:
    vacancy = open_vacancy(VACANCIES, supplementary("hovedstyret", "hs0"))
    assert vacancy is VACANCIES[1]
    key = "term-2027/hovedstyret/hs0/supplementary"
    new = filled(vacancy, supplementary("hovedstyret", "hs0"), key)
    assert (new.organ, new.person_id, new.role, new.group) == ("hovedstyret", "new", "member", LIST)
    assert (new.from_date, new.to_date, new.election_id, new.obtained_by) == (
        dt.date(2029, 6, 12),
        END,
        key,
        "supplementary election by landsstyret",
    )


@pytest.mark.parametrize(
    ("vacancies", "data", "message"),
    [
        (
            VACANCIES,
            supplementary("landsstyret", "hs0"),
            r"^no open vacancy after 'hs0' in 'landsstyret' \(open vacancies: "
            r"landsstyret/ls0, hovedstyret/hs0\)$",
        ),
        ([], supplementary("landsstyret", "ls0"), r"\(open vacancies: none\)$"),
    ],
)
def test_a_supplementary_election_without_its_vacancy_is_refused(
    vacancies: list[SeatIn], data: SupplementaryIn, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        open_vacancy(vacancies, data)


def test_a_deputy_of_the_short_gender_moves_up_where_the_first_would_break_the_balance() -> None:
    """§ 7-6 on the group: A (man), B (woman), C (man); B leaves; D (man, first) is passed
    over for E (woman), as three members need both genders."""
    group = "county_board:46/A"
    seats = [
        seat("county_board:46", "a", group=group),
        seat("county_board:46", "b", group=group),
        seat("county_board:46", "c", group=group),
        seat("county_board:46", "d", "deputy", group, 1),
        seat("county_board:46", "e", "deputy", group, 2),
    ]
    genders = {"a": Gender.MALE, "b": Gender.FEMALE, "c": Gender.MALE, "d": Gender.MALE}
    genders["e"] = Gender.FEMALE
    found = first_deputy(seats, seats[1], genders)
    assert found is not None
    assert found.person_id == "e"
    genders["a"] = Gender.FEMALE  # a woman stays: the first deputy moves up
    found = first_deputy(seats, seats[1], genders)
    assert found is not None
    assert found.person_id == "d"
    genders["e"] = Gender.MALE  # no woman among the deputies: the first one moves up
    genders["a"] = Gender.MALE
    found = first_deputy(seats, seats[1], genders)
    assert found is not None
    assert found.person_id == "d"


def test_on_a_body_judged_whole_the_other_groups_count_too() -> None:
    """Two male leaders, two women on the joint list; one woman leaves. The list alone would
    take a man (two of its members need both genders); the board as one body of four needs two
    women, so the woman deputy moves up."""
    seats = [
        seat("hovedstyret", "lead", "leader", "hovedstyret/"),
        seat("hovedstyret", "dep", "deputy_leader", "hovedstyret/"),
        seat("hovedstyret", "m1", group="hovedstyret/joint"),
        seat("hovedstyret", "m2", group="hovedstyret/joint"),
        seat("hovedstyret", "d1", "deputy", "hovedstyret/joint", 1),
        seat("hovedstyret", "d2", "deputy", "hovedstyret/joint", 2),
    ]
    genders = {"lead": Gender.MALE, "dep": Gender.MALE, "m1": Gender.FEMALE, "m2": Gender.FEMALE}
    genders |= {"d1": Gender.MALE, "d2": Gender.FEMALE}
    found = first_deputy(seats, seats[2], genders, whole_body=True)
    assert found is not None
    assert found.person_id == "d2"
    found = first_deputy(seats, seats[2], genders, whole_body=False)
    assert found is not None
    assert found.person_id == "d1"


@pytest.mark.parametrize(
    ("organ", "by"),
    [("county_board:46", "county_meeting:46"), ("hovedstyret", "landsstyret"),
     ("landsstyret", "landsstyret")],
)  # fmt: skip
def test_a_county_board_vacancy_is_filled_by_its_county_meeting_and_others_by_landsstyret(
    organ: str, by: str
) -> None:
    assert supplementary_by(organ) == by
    vacancy = seat(organ, "gone")
    data = SupplementaryIn(
        organ=organ, vacated_person_id="gone", person=NEWCOMER, decided_on=CONGRESS
    )
    assert filled(vacancy, data, "k").obtained_by == f"supplementary election by {by}"


@pytest.mark.parametrize(
    ("held", "followed"),
    [
        (seat("hovedstyret", "x", "deputy_leader"), "hovedstyret"),
        (seat("hovedstyret", "x", "deputy"), None),
        (seat("hovedstyret", "x", "observer"), None),
        (seat("county_board:46", "x", "leader"), "county_board:46"),
        (seat("county_board:46", "x", "member"), None),
        (seat("landsstyret", "x", "member"), None),
    ],
)
def test_landsstyret_follows_hovedstyret_and_the_county_board_leaders(
    held: SeatIn, followed: str | None
) -> None:
    assert follows(held) == followed


def test_an_ex_officio_seat_goes_to_the_new_holder_unless_they_already_sit() -> None:
    council = [
        seat("landsstyret", "old", group="ex_officio/hovedstyret"),
        seat("landsstyret", "lead46", group="ex_officio/county_board:46"),
    ]
    assert ex_officio_of(council, "landsstyret", "old", "hovedstyret") == council[0]
    assert ex_officio_of(council, "landsstyret", "old", "county_board:46") is None
    new = seat("hovedstyret", "new", "deputy_leader")
    on = dt.date(2030, 5, 1)
    made = ex_officio_seat("landsstyret", "hovedstyret", new, on, council)
    assert made is not None
    assert (made.organ, made.person_id, made.role, made.group, made.from_date) == (
        "landsstyret", "new", "deputy_leader", "ex_officio/hovedstyret", on,
    )  # fmt: skip
    leader = seat("county_board:46", "lead46", "leader")
    assert ex_officio_seat("landsstyret", "county_board:46", leader, on, council) is None
