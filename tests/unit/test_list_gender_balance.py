"""Gender balance per list in a list election (kommuneloven § 7-6): who moves up the list.

Each list's elected group is judged on its own, members and deputies apart; where a gender is
short of the minimum, its candidates further down the list move up, as far as the list has them.
Candidates are written as a string of genders, "mmmmf" for four men and then a woman, named by
their place on the list: c0, c1, ...
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.apportionment import Method
from domain.elections import (
    Candidate,
    CandidateList,
    ElectionError,
    ListElectionResult,
    elect_from_list,
    proportional_election,
)
from domain.gender import Gender, minimum_per_gender

F, M = Gender.FEMALE, Gender.MALE


def ranked(genders: str, prefix: str = "c") -> tuple[Candidate, ...]:
    return tuple(Candidate(f"{prefix}{i}", F if g == "f" else M) for i, g in enumerate(genders))


def places(group: tuple[Candidate, ...]) -> list[int]:
    return [int(c.name[1:]) for c in group]


def test_four_men_then_a_woman_with_three_seats_elect_two_men_and_the_woman() -> None:
    a, b, c, d = (Candidate(n, M) for n in "ABCD")
    e = Candidate("E", F)
    assert elect_from_list((a, b, c, d, e), 3) == ((a, b, e), (c, d))


@pytest.mark.parametrize(
    ("genders", "seats", "extra", "members", "deputies"),
    [
        # 1 seat: no requirement on the member; 3 deputies need one of each.
        ("m", 1, 2, [0], []),
        ("mmmmm", 1, 2, [0], [1, 2, 3]),
        ("mmmmf", 1, 2, [0], [1, 2, 4]),
        # 2 seats: both genders; 3 seats: a 2-1 split.
        ("mmf", 2, 2, [0, 2], [1]),
        ("ffmm", 2, 2, [0, 2], [1, 3]),
        ("mmmmf", 3, 2, [0, 1, 4], [2, 3]),
        ("fffm", 3, 2, [0, 1, 3], [2]),
        # 4-5 seats: 2 of each. The man who gives way is the lowest-placed man elected (2),
        # though a woman (3) stands below him: she keeps her seat.
        ("mmmfmff", 4, 2, [0, 1, 3, 5], [2, 4, 6]),
        ("mmmmmff", 5, 2, [0, 1, 2, 5, 6], [3, 4]),
        # 6-8 seats: 3 of each; 9: 4.
        ("ffffffmmm", 6, 2, [0, 1, 2, 6, 7, 8], [3, 4, 5]),
        ("m" * 8 + "fff", 8, 2, [0, 1, 2, 3, 4, 8, 9, 10], [5, 6, 7]),
        ("f" * 9 + "mmmm", 9, 2, [0, 1, 2, 3, 4, 9, 10, 11, 12], [5, 6, 7, 8]),
        # More than 9: 40 %, rounded up: 10 seats need 4, 11 seats need 5 (4.4).
        ("m" * 10 + "ffff", 10, 2, [*range(6), 10, 11, 12, 13], [6, 7, 8, 9]),
        ("m" * 11 + "fffff", 11, 2, [*range(6), 11, 12, 13, 14, 15], [6, 7, 8, 9, 10]),
        ("fmfmfmfmmmm" + "mf", 11, 2, [*range(10), 12], [10, 11]),
    ],
)
def test_the_short_gender_moves_up_to_the_minimum_of_section_7_6(
    genders: str, seats: int, extra: int, members: list[int], deputies: list[int]
) -> None:
    elected, ranked_deputies = elect_from_list(ranked(genders), seats, extra)
    assert places(elected) == members
    assert places(ranked_deputies) == deputies


@pytest.mark.parametrize(
    ("genders", "seats", "extra", "members", "deputies"),
    [
        # Members already balanced: nothing moves.
        ("fmfm", 2, 2, [0, 1], [2, 3]),
        ("mfmmf", 3, 2, [0, 1, 2], [3, 4]),
        ("mfmfmf", 4, 0, [0, 1, 2, 3], [4, 5]),
        ("fmfmfmfmfm", 10, 2, list(range(10)), []),
        # The list runs out of the short gender for its members: it elects what it has.
        ("mmmm", 3, 2, [0, 1, 2], [3]),
        ("mmmfm", 5, 2, [0, 1, 2, 3, 4], []),
        ("mmmmmf", 4, 2, [0, 1, 2, 5], [3, 4]),
        ("ffffffffff", 4, 2, [0, 1, 2, 3], [4, 5, 6, 7, 8, 9]),
        # ... and for its deputies.
        ("fmmmmmm", 1, 2, [0], [1, 2, 3]),
        ("fmmmmmmf", 2, 2, [0, 1], [2, 3, 4, 7]),
        # Deputies are balanced on their own count: 4 deputies need 2 men, the list has one.
        ("fm" + "ffff" + "m", 2, 2, [0, 1], [2, 3, 4, 6]),
        # Fewer remaining candidates than seats + 2: all of them are deputies.
        ("fmf", 2, 2, [0, 1], [2]),
        ("mf", 2, 2, [0, 1], []),
        # No extra deputies: as many deputies as seats, balanced.
        ("mfmmmf", 2, 0, [0, 1], [2, 5]),
        ("mmf", 1, 0, [0], [1]),
        # A list without seats gets neither members nor deputies.
        ("mf", 0, 2, [], []),
        ("", 0, 2, [], []),
        # More seats than candidates: everyone is elected (fill_list_seats refuses this).
        ("mf", 3, 2, [0, 1], []),
    ],
)
def test_a_list_elects_what_it_has_and_nothing_moves_when_it_is_balanced(
    genders: str, seats: int, extra: int, members: list[int], deputies: list[int]
) -> None:
    elected, ranked_deputies = elect_from_list(ranked(genders), seats, extra)
    assert places(elected) == members
    assert places(ranked_deputies) == deputies


@pytest.mark.parametrize(
    ("seats", "extra", "message"),
    [(-1, 2, "seats cannot be negative, not -1"), (2, -1, "extra deputies per list cannot be")],
)
def test_a_list_election_refuses_negative_seats_or_extra_deputies(
    seats: int, extra: int, message: str
) -> None:
    with pytest.raises(ElectionError, match=message):
        elect_from_list(ranked("mf"), seats, extra)


def test_three_lists_electing_one_man_each_are_accepted_as_one_seat_has_no_requirement() -> None:
    lists = [CandidateList(n, ranked("mff", n.lower()), v) for n, v in (("A", 30), ("B", 29))]
    lists.append(CandidateList("C", ranked("mff", "c"), 28))
    result = proportional_election(lists, 3)
    assert isinstance(result, ListElectionResult)
    assert result.apportionment.seats == {"A": 1, "B": 1, "C": 1}
    assert {n: [c.name for c in g] for n, g in result.members.items()} == {
        "A": ["a0"],
        "B": ["b0"],
        "C": ["c0"],
    }
    assert [c.gender for g in result.members.values() for c in g] == [M, M, M]
    assert [c.name for c in result.deputies["A"]] == ["a1", "a2"]


def test_a_list_electing_three_men_moves_its_woman_up_and_one_electing_three_women_a_man() -> None:
    # 6 seats by d'Hondt: quotients 60, 59, 30, 29.5, 20, 19 2/3 give Ap 3 and H 3.
    ap = CandidateList("Ap", ranked("mmmmf", "a"), 60)
    h = CandidateList("H", ranked("fffmf", "h"), 59)
    result = proportional_election([ap, h], 6, Method.DHONDT)
    assert isinstance(result, ListElectionResult)
    assert result.apportionment.seats == {"Ap": 3, "H": 3}
    assert [c.name for c in result.members["Ap"]] == ["a0", "a1", "a4"]
    assert [c.name for c in result.deputies["Ap"]] == ["a2", "a3"]
    assert [c.name for c in result.members["H"]] == ["h0", "h1", "h3"]
    assert [c.name for c in result.deputies["H"]] == ["h2", "h4"]


def test_a_list_election_judges_each_list_not_the_lists_pooled() -> None:
    # Pooled, 3 men and 3 women would pass; per list, each list of 3 needs both genders.
    ap = CandidateList("Ap", ranked("mmmf", "a"), 60)
    h = CandidateList("H", ranked("fffm", "h"), 59)
    result = proportional_election([ap, h], 6)
    assert isinstance(result, ListElectionResult)
    assert [c.name for c in result.members["Ap"]] == ["a0", "a1", "a3"]
    assert [c.name for c in result.members["H"]] == ["h0", "h1", "h3"]


GENDERS = st.text(alphabet="fm", max_size=30)


@settings(max_examples=400, deadline=None)
@given(genders=GENDERS, seats=st.integers(0, 32), extra=st.integers(0, 4))
def test_any_list_elects_its_seats_with_each_gender_at_its_minimum_as_far_as_it_has_them(
    genders: str, seats: int, extra: int
) -> None:
    candidates = ranked(genders)
    members, deputies = elect_from_list(candidates, seats, extra)
    size = min(seats, len(candidates))
    assert len(members) == size
    first = {g: sum(c.gender == g for c in candidates[:size]) for g in Gender}
    on_list = {g: sum(c.gender == g for c in candidates) for g in Gender}
    elected = {g: sum(c.gender == g for c in members) for g in Gender}
    # Only as many move up as the minimum needs, and as the list has.
    up = {g: max(min(minimum_per_gender(size), on_list[g]) - first[g], 0) for g in Gender}
    assert elected == {F: first[F] + up[F] - up[M], M: first[M] + up[M] - up[F]}
    for g in Gender:
        assert elected[g] >= min(minimum_per_gender(seats), on_list[g])
    everyone = [*members, *deputies]
    assert len(set(everyone)) == len(everyone)
    assert set(everyone) <= set(candidates)
    rest = tuple(c for c in candidates if c not in members)
    for group, pool in ((members, candidates), (deputies, rest)):
        # List order, so the list's own order within each gender ...
        assert places(group) == sorted(places(group))
        for g in Gender:
            # ... and within a gender, the highest-placed of the pool are the ones chosen.
            chosen = [c for c in group if c.gender == g]
            assert [c for c in pool if c.gender == g][: len(chosen)] == chosen
    wanted = min(seats + extra, len(rest)) if seats else 0
    assert len(deputies) == wanted
    for g in Gender:
        has = sum(c.gender == g for c in rest)
        assert sum(c.gender == g for c in deputies) >= min(minimum_per_gender(wanted), has)
