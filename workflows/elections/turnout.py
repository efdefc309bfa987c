"""Pure check of a vote's turnout: no more ballots than voters, and a quorum present.

Rule: a meeting decides only when at least half of its members are present (kommuneloven
§ 11-9, first paragraph; the bylaws may set another fraction), and everyone present takes part in
a vote, blank ballots included; a vote cannot count more ballots than there are people entitled
to vote (the county meeting's registered representatives, the Landsting's accredited delegates).
ksgov reads the ballots of a vote (votes plus blank) as the members present at it.
Example: a Landsting of 239 members with 219 accredited delegates refuses a vote of 30 to 11
(41 ballots: fewer than 120) and one of 230 ballots (more than 219).
"""

from __future__ import annotations

from fractions import Fraction

from domain.meetings import quorum_needed
from models.election_payloads import VoteIn


def check_turnout(vote: VoteIn, voters: int, members: int, quorum: Fraction) -> None:
    """Refuse a vote with more ballots than `voters`, or fewer than the quorum of `members`."""
    ballots = sum(vote.votes.values()) + vote.blank
    if ballots > voters:
        raise ValueError(
            f"{ballots} ballots in the vote for {vote.post}, but only {voters} may vote"
        )
    need = quorum_needed(members, quorum)
    if ballots < need:
        raise ValueError(
            f"{ballots} ballots in the vote for {vote.post}: fewer than the quorum of {need} "
            f"of the {members} members, so the meeting cannot decide it"
        )
