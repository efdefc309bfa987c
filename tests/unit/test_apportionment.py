"""Apportionment: worked examples from cited sources, refusals, ties and Hypothesis properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.apportionment import (
    Apportionment,
    ApportionmentError,
    Method,
    Tie,
    apportion,
    divisor,
    parse_method,
    settle_tie,
)

# The worked example of the Wikipedia articles "D'Hondt method" and "Sainte-Laguë method":
# 230,000 votes, 8 seats.
WIKI_8 = {"A": 100_000, "B": 80_000, "C": 30_000, "D": 20_000}
# The worked example of the Wikipedia article "Largest remainder method" (Hare quota), 10 seats.
WIKI_LR = {"A": 47_000, "B": 16_000, "C": 15_800, "D": 12_000, "E": 6_100, "F": 3_100}


@pytest.mark.parametrize(
    ("votes", "total", "method", "expected"),
    [
        (WIKI_8, 8, Method.DHONDT, {"A": 4, "B": 3, "C": 1, "D": 0}),
        (WIKI_8, 8, Method.SAINTE_LAGUE, {"A": 3, "B": 3, "C": 1, "D": 1}),
        (WIKI_LR, 10, Method.LARGEST_REMAINDER, {"A": 5, "B": 2, "C": 1, "D": 1, "E": 1, "F": 0}),
        # Same votes by hand: d'Hondt quotients 47000, 23500, 16000, 15800, 15666, 12000, 11750,
        # 9400, 8000, 7900 give A 5, B 2, C 2, D 1.
        (WIKI_LR, 10, Method.DHONDT, {"A": 5, "B": 2, "C": 2, "D": 1, "E": 0, "F": 0}),
        # Pure Sainte-Laguë by hand: 47000, 16000, 15800, 15666, 12000, 9400, 6714, 6100, 5333,
        # 5266.
        (WIKI_LR, 10, Method.SAINTE_LAGUE, {"A": 4, "B": 2, "C": 2, "D": 1, "E": 1, "F": 0}),
        # Modified Sainte-Laguë by hand: the first divisor 1.4 pushes E (6100 / 1.4 = 4357) out.
        (
            WIKI_LR,
            10,
            Method.MODIFIED_SAINTE_LAGUE,
            {"A": 5, "B": 2, "C": 2, "D": 1, "E": 0, "F": 0},
        ),
    ],
)
def test_apportionment_reproduces_the_published_worked_examples(
    votes: dict[str, int], total: int, method: Method, expected: dict[str, int]
) -> None:
    result = apportion(votes, total, method)
    assert result == Apportionment(method, total, expected, None)


def test_modified_sainte_lague_returns_a_tie_when_the_last_quotients_are_equal() -> None:
    # 100000/7 and 20000/1.4 are both 14285 5/7: the eighth seat is tied between A and D.
    result = apportion(WIKI_8, 8, "modified-sainte-lague")
    assert result.seats == {"A": 3, "B": 3, "C": 1, "D": 0}
    assert result.tie == Tie(("A", "D"), 1)


def test_the_ks_rule_gives_equal_quotients_to_the_list_with_more_votes() -> None:
    result = apportion(WIKI_8, 8, Method.MODIFIED_SAINTE_LAGUE, tie_break="more_votes")
    assert result.seats == {"A": 4, "B": 3, "C": 1, "D": 0}
    assert result.tie is None


def test_equal_quotients_and_equal_votes_remain_a_tie_for_the_lot() -> None:
    result = apportion({"A": 200, "B": 100, "C": 100}, 3, tie_break="more_votes")
    assert result.seats == {"A": 2, "B": 0, "C": 0}
    assert result.tie == Tie(("B", "C"), 1)


def test_equal_votes_for_one_seat_are_a_tie_between_both_lists() -> None:
    assert apportion({"A": 100, "B": 100}, 1).tie == Tie(("A", "B"), 1)


def test_largest_remainder_returns_a_tie_on_equal_remainders() -> None:
    result = apportion({"A": 1, "B": 1, "C": 2}, 2, Method.LARGEST_REMAINDER)
    assert result.seats == {"A": 0, "B": 0, "C": 1}
    assert result.tie == Tie(("A", "B"), 1)


def test_a_settled_tie_gives_the_seat_to_the_list_drawn() -> None:
    result = settle_tie(apportion({"A": 100, "B": 100}, 1), ["B"])
    assert result.seats == {"A": 0, "B": 1}
    assert result.tie is None


@pytest.mark.parametrize("winners", [[], ["C"], ["A", "B"], ["A", "A"]])
def test_settling_a_tie_refuses_the_wrong_winners(winners: list[str]) -> None:
    with pytest.raises(ApportionmentError, match="choose 1 different"):
        settle_tie(apportion({"A": 100, "B": 100}, 1), winners)


def test_settling_refuses_a_result_without_a_tie() -> None:
    with pytest.raises(ApportionmentError, match="no tie"):
        settle_tie(apportion({"A": 100}, 1), ["A"])


@pytest.mark.parametrize(
    ("method", "held", "expected"),
    [
        (Method.DHONDT, 0, Fraction(1)),
        (Method.DHONDT, 2, Fraction(3)),
        (Method.SAINTE_LAGUE, 0, Fraction(1)),
        (Method.SAINTE_LAGUE, 2, Fraction(5)),
        (Method.MODIFIED_SAINTE_LAGUE, 0, Fraction(7, 5)),
        (Method.MODIFIED_SAINTE_LAGUE, 1, Fraction(3)),
    ],
)
def test_divisors_follow_the_statute(method: Method, held: int, expected: Fraction) -> None:
    assert divisor(method, held) == expected


def test_the_first_divisor_of_modified_sainte_lague_is_a_parameter() -> None:
    # With first divisor 1 it is pure Sainte-Laguë: D gets its seat.
    result = apportion(WIKI_8, 8, Method.MODIFIED_SAINTE_LAGUE, first_divisor=Fraction(1))
    assert result.seats == {"A": 3, "B": 3, "C": 1, "D": 1}


def test_minimum_seats_are_given_first_under_a_divisor_method() -> None:
    assert apportion({"A": 1000, "B": 10}, 5, minimum=1).seats == {"A": 4, "B": 1}


def test_minimum_seats_per_list_can_differ() -> None:
    result = apportion({"A": 1000, "B": 10, "C": 10}, 5, minimum={"C": 2})
    assert result.seats == {"A": 3, "B": 0, "C": 2}


def test_largest_remainder_honours_minimums_by_fixing_small_districts() -> None:
    result = apportion({"A": 1000, "B": 10, "C": 10}, 10, "largest-remainder", minimum=2)
    assert result.seats == {"A": 6, "B": 2, "C": 2}


def test_seats_all_taken_by_minimums_need_no_votes() -> None:
    assert apportion({"A": 0, "B": 0}, 2, minimum=1).seats == {"A": 1, "B": 1}


def test_an_unknown_method_is_refused_with_the_known_names() -> None:
    with pytest.raises(ApportionmentError, match=r"unknown method 'hare'.*dhondt"):
        parse_method("hare")


@pytest.mark.parametrize(
    ("votes", "total", "kwargs", "message"),
    [
        ({}, 3, {}, "no lists"),
        ({"A": 1}, 0, {}, "at least 1"),
        ({"A": -1}, 3, {}, "votes for 'A'"),
        ({"A": True}, 3, {}, "votes for 'A'"),
        ({"A": 1.5}, 3, {}, "votes for 'A'"),
        ({"A": 1, "B": 2}, 3, {"minimum": 2}, "do not fit"),
        ({"A": 1}, 3, {"minimum": -1}, "do not fit"),
        ({"A": 1}, 3, {"minimum": {"Z": 1}}, "unknown list"),
        ({"A": 0, "B": 0}, 3, {}, "no votes"),
        ({"A": 1}, 3, {"method": "modified-sainte-lague", "first_divisor": Fraction(3)}, "divisor"),
    ],
)
def test_apportionment_refuses_bad_input(
    votes: dict[str, int], total: int, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ApportionmentError, match=message):
        apportion(votes, total, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- properties

VOTES = st.dictionaries(
    st.sampled_from("ABCDEFG"), st.integers(min_value=0, max_value=10_000), min_size=1
).filter(lambda v: sum(v.values()) > 0)
METHODS = st.sampled_from(list(Method))
DIVISOR_METHODS = st.sampled_from([m for m in Method if m is not Method.LARGEST_REMAINDER])


@settings(max_examples=150, deadline=None)
@given(votes=VOTES, total=st.integers(1, 40), method=METHODS, minimum=st.integers(0, 3))
def test_seats_and_tied_seats_always_sum_to_the_total(
    votes: dict[str, int], total: int, method: Method, minimum: int
) -> None:
    minimum = min(minimum, total // len(votes))
    result = apportion(votes, total, method, minimum=minimum)
    tied = result.tie.seats if result.tie else 0
    assert sum(result.seats.values()) + tied == total
    assert all(n >= minimum for n in result.seats.values())
    if result.tie:
        assert 0 < result.tie.seats < len(result.tie.lists)


@settings(max_examples=150, deadline=None)
@given(votes=VOTES, total=st.integers(1, 40), method=METHODS)
def test_more_votes_never_means_fewer_seats(
    votes: dict[str, int], total: int, method: Method
) -> None:
    seats = apportion(votes, total, method).seats
    for a in votes:
        for b in votes:
            if votes[a] > votes[b]:
                assert seats[a] >= seats[b]


@settings(max_examples=150, deadline=None)
@given(
    votes=VOTES,
    total=st.integers(1, 40),
    method=DIVISOR_METHODS,
    gain=st.integers(1, 5_000),
    data=st.data(),
)
def test_a_list_that_gains_votes_never_loses_a_certain_seat_under_a_divisor_method(
    votes: dict[str, int], total: int, method: Method, gain: int, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(sorted(votes)))
    before = apportion(votes, total, method).seats[name]
    after = apportion({**votes, name: votes[name] + gain}, total, method).seats[name]
    assert after >= before
