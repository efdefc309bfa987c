"""A vote counts only with a quorum present and no more ballots than voters.

Rule: a meeting decides when at least half of its members are present (kommuneloven § 11-9); all
present take part in a vote, blank ballots included, and a vote cannot count more ballots than
there are people entitled to vote.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from models.election_payloads import VoteIn
from workflows.elections.turnout import check_turnout

HALF = Fraction(1, 2)


def test_a_landsting_leader_elected_30_to_11_of_239_members_is_refused_for_want_of_a_quorum() -> (
    None
):
    vote = VoteIn(post="leader", votes={"a": 30, "b": 11})
    with pytest.raises(ValueError, match="fewer than the quorum of 120 of the 239 members"):
        check_turnout(vote, 219, 239, HALF)


def test_more_ballots_than_accredited_delegates_are_refused() -> None:
    vote = VoteIn(post="leader", votes={"a": 200, "b": 30})
    with pytest.raises(ValueError, match="230 ballots in the vote for leader, but only 219"):
        check_turnout(vote, 219, 239, HALF)


@pytest.mark.parametrize(
    ("votes", "blank"), [({"a": 120}, 0), ({"a": 100, "b": 10}, 10), ({"a": 219}, 0)]
)
def test_a_quorum_of_ballots_blank_ones_included_is_accepted(
    votes: dict[str, int], blank: int
) -> None:
    check_turnout(VoteIn(post="leader", votes=votes, blank=blank), 219, 239, HALF)
