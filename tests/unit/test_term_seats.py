"""A term's seats: who holds what, the first deputy moving up, and supplementary elections.

Rule: when a member leaves, the first-ranked deputy of the same list in the same organ moves up
for the rest of the seat (where the bylaws allow it); otherwise Landsstyret fills the vacancy by
a supplementary election.
"""

from __future__ import annotations

import datetime as dt

import pytest

from domain.gender import Gender
from models.election_payloads import SupplementaryIn, VacateIn
from models.payloads import PersonIn, SeatIn, SeatRole
from workflows.term.seats import filled, first_deputy, held_seat, moved_up, open_vacancy

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
