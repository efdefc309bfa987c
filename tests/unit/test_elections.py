"""Elections: majority rounds (§ 7-8), list elections (§§ 7-5 to 7-7) and agreed elections."""

from __future__ import annotations

import pytest

from domain.apportionment import Apportionment, Method, Tie, settle_tie
from domain.elections import (
    AgreedResult,
    Candidate,
    CandidateList,
    ElectionError,
    ListElectionResult,
    MajorityResult,
    agreed_election,
    fill_list_seats,
    list_seats,
    majority_round,
    proportional_election,
    resolve_lot,
)
from domain.gender import Gender, GenderBalanceError

F, M = Gender.FEMALE, Gender.MALE


def people(prefix: str, genders: str) -> tuple[Candidate, ...]:
    return tuple(Candidate(f"{prefix}{i}", F if g == "f" else M) for i, g in enumerate(genders))


@pytest.mark.parametrize(
    ("votes", "round_", "expected"),
    [
        ({"Ada": 23, "Bo": 22}, 1, MajorityResult(1, "Ada")),
        ({"Ada": 20, "Bo": 15, "Cy": 10}, 1, MajorityResult(1, None, ("Ada", "Bo", "Cy"))),
        ({"Ada": 20, "Bo": 20}, 1, MajorityResult(1, None, ("Ada", "Bo"))),
        ({"Ada": 20, "Bo": 15, "Cy": 10}, 2, MajorityResult(2, "Ada")),
        ({"Ada": 20, "Bo": 20, "Cy": 5}, 2, MajorityResult(2, None, lot_needed=("Ada", "Bo"))),
    ],
)
def test_majority_rounds_follow_kommuneloven_7_8(
    votes: dict[str, int], round_: int, expected: MajorityResult
) -> None:
    assert majority_round(votes, round_) == expected


def test_majority_election_goes_to_second_round_without_absolute_majority() -> None:
    result = majority_round({"Ada": 22, "Bo": 22, "Cy": 1}, 1)
    assert result.elected is None
    assert result.second_round == ("Ada", "Bo", "Cy")


@pytest.mark.parametrize(
    ("votes", "round_", "message"),
    [
        ({"Ada": 1}, 3, "round 1 or 2"),
        ({}, 1, "no candidate"),
        ({"Ada": -1}, 1, "votes for 'Ada'"),
        ({"Ada": "9"}, 1, "votes for 'Ada'"),
        ({"Ada": 0, "Bo": 0}, 1, "no votes were cast"),
    ],
)
def test_a_majority_round_refuses_bad_counts(
    votes: dict[str, int], round_: int, message: str
) -> None:
    with pytest.raises(ElectionError, match=message):
        majority_round(votes, round_)


def test_a_lot_picks_the_candidate_at_the_drawn_index() -> None:
    assert resolve_lot(("Ada", "Bo"), 1) == "Bo"


@pytest.mark.parametrize(
    ("tied", "index", "message"),
    [
        (("Ada",), 0, "at least two"),
        (("Ada", "Bo"), 2, "between 0 and 1"),
        (("A", "B"), -1, "between"),
    ],
)
def test_a_lot_refuses_a_bad_draw(tied: tuple[str, ...], index: int, message: str) -> None:
    with pytest.raises(ElectionError, match=message):
        resolve_lot(tied, index)


LISTS = [
    CandidateList("A", people("a", "fmfmfmf"), 30),
    CandidateList("B", people("b", "mfmfm"), 25),
    CandidateList("C", people("c", "f"), 4),
]


def test_a_list_election_elects_members_in_list_order_with_seats_plus_two_deputies() -> None:
    result = proportional_election(LISTS, 4)
    assert isinstance(result, ListElectionResult)
    assert result.apportionment.seats == {"A": 2, "B": 2, "C": 0}
    assert [c.name for c in result.members["A"]] == ["a0", "a1"]
    assert [c.name for c in result.deputies["A"]] == ["a2", "a3", "a4", "a5"]
    assert [c.name for c in result.deputies["B"]] == ["b2", "b3", "b4"]  # the list runs out
    assert result.members["C"] == ()
    assert result.deputies["C"] == ()


def test_a_list_election_with_a_tie_returns_the_tie_for_the_lot() -> None:
    tied = [CandidateList("A", people("a", "fm"), 10), CandidateList("B", people("b", "mf"), 10)]
    result = proportional_election(tied, 1, Method.SAINTE_LAGUE)
    assert isinstance(result, Apportionment)
    assert result.tie == Tie(("A", "B"), 1)
    settled = fill_list_seats(tied, settle_tie(result, ["B"]), deputies_extra=0)
    assert settled.members == {"A": (), "B": people("b", "m")}
    assert settled.deputies["B"] == people("b", "mf")[1:]


def test_equal_quotients_in_a_list_election_go_to_the_list_with_more_votes() -> None:
    lists = [
        CandidateList("A", people("a", "fmf"), 200),
        CandidateList("B", people("b", "mf"), 100),
    ]
    assert list_seats(lists, 2).seats == {"A": 2, "B": 0}


def test_two_lists_with_one_name_are_refused() -> None:
    with pytest.raises(ElectionError, match="same name"):
        list_seats([LISTS[0], LISTS[0]], 3)


def test_filling_seats_refuses_an_unsettled_tie() -> None:
    with pytest.raises(ElectionError, match="settle the tie"):
        fill_list_seats(LISTS, Apportionment(Method.DHONDT, 1, {"A": 0}, Tie(("A", "B"), 1)))


def test_filling_seats_refuses_negative_extra_deputies() -> None:
    with pytest.raises(ElectionError, match="cannot be negative"):
        fill_list_seats(LISTS, list_seats(LISTS, 3), deputies_extra=-1)


def test_a_list_with_too_few_candidates_for_its_seats_is_refused() -> None:
    with pytest.raises(ElectionError, match="list 'C' won 2 seat"):
        fill_list_seats(LISTS, Apportionment(Method.DHONDT, 2, {"C": 2}))


def test_an_agreed_election_with_no_votes_against_is_adopted() -> None:
    result = agreed_election("Hovedstyret", people("m", "fmfmf"), people("d", "mf"), 0)
    assert result == AgreedResult(people("m", "fmfmf"), people("d", "mf"))


@pytest.mark.parametrize(
    ("members", "against", "message"),
    [
        ("fmfmf", 1, "1 voted against"),
        ("fmfmf", -1, "whole number"),
        ("", 0, "names no members"),
    ],
)
def test_an_agreed_election_is_refused_when_anyone_votes_against_or_it_is_empty(
    members: str, against: int, message: str
) -> None:
    with pytest.raises(ElectionError, match=message):
        agreed_election("Hovedstyret", people("m", members), (), against)


def test_an_agreed_election_checks_gender_balance_on_members_and_deputies() -> None:
    with pytest.raises(GenderBalanceError, match="the members"):
        agreed_election("Hovedstyret", people("m", "ffff"), (), 0)
    with pytest.raises(GenderBalanceError, match="the deputies"):
        agreed_election("Hovedstyret", people("m", "fmfm"), people("d", "mmmm"), 0)
