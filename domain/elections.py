"""Elections in KS organs: majority (§ 7-8), proportional list (§§ 7-5 to 7-7) and agreed (§ 7-4).

All functions are pure and take plain values. A tie is returned as a value; the caller draws the
lot (a workflow with `workflow.random()`) and passes the drawn index to `resolve_lot`, or the
drawn lists to `domain.apportionment.settle_tie`. Sources: kommuneloven 2018 chapter 7;
docs/domain.md, "Election rules".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from domain.apportionment import (
    DEFAULT_FIRST_DIVISOR,
    Apportionment,
    Method,
    TieBreak,
    apportion,
)
from domain.gender import Gender, check_gender_balance, minimum_per_gender

DEFAULT_DEPUTIES_EXTRA = 2


class ElectionError(ValueError):
    """An election cannot be counted or is not valid; the message says why in plain words."""


@dataclass(frozen=True)
class Candidate:
    """A person standing for election."""

    name: str
    gender: Gender


@dataclass(frozen=True)
class MajorityResult:
    """One round of a majority election: elected, a second round between whom, or a lot."""

    round: int
    elected: str | None
    second_round: tuple[str, ...] = ()
    lot_needed: tuple[str, ...] = ()


@dataclass(frozen=True)
class CandidateList:
    """A list in a proportional election: ranked candidates and the votes the list received."""

    name: str
    candidates: tuple[Candidate, ...]
    votes: int


@dataclass(frozen=True)
class ListElectionResult:
    """Seats per list, each list's members in list order and its ranked deputies (§§ 7-6, 7-7)."""

    apportionment: Apportionment
    members: dict[str, tuple[Candidate, ...]]
    deputies: dict[str, tuple[Candidate, ...]]


@dataclass(frozen=True)
class AgreedResult:
    """An agreed election (avtalevalg): the members and ranked deputies of the joint list."""

    members: tuple[Candidate, ...]
    deputies: tuple[Candidate, ...]


def majority_round(votes: Mapping[str, int], round: int) -> MajorityResult:
    """Count one round of a majority election (flertallsvalg).

    Rule: in round 1 a candidate with more than half of the votes cast is elected; otherwise a new
    vote is held, open to all candidates (the statute does not narrow the field), where the most
    votes wins; equal votes there are decided by lot (kommuneloven § 7-8, as 1992 § 38 before it).
    Example: {"Ada": 20, "Bo": 15, "Cy": 10} in round 1 needs a second round (20 is not over 22.5);
    {"Ada": 20, "Bo": 20} in round 2 needs a lot between Ada and Bo.
    """
    if round not in (1, 2):
        raise ElectionError(f"a majority election has round 1 or 2, not {round!r}")
    cast = _check_votes(votes, "candidate")
    best = max(votes.values())
    leaders = tuple(name for name, count in votes.items() if count == best)
    if round == 1:
        if 2 * best > cast:
            return MajorityResult(1, leaders[0])
        ranked = sorted(votes, key=lambda name: votes[name], reverse=True)
        return MajorityResult(1, None, second_round=tuple(ranked))
    if len(leaders) == 1:
        return MajorityResult(2, leaders[0])
    return MajorityResult(2, None, lot_needed=leaders)


def resolve_lot(tied: Sequence[str], random_index: int) -> str:
    """The winner of a lot: the entry of `tied` at the index the caller drew.

    Rule: a tie in an election is decided by lot (kommuneloven §§ 7-6 and 7-8); the draw itself
    is a recorded workflow step, so this helper only applies it.
    Example: resolve_lot(("Ada", "Bo"), 1) is "Bo".
    """
    if len(tied) < 2:
        raise ElectionError("a lot needs at least two tied candidates")
    if not 0 <= random_index < len(tied):
        raise ElectionError(
            f"the drawn index must be between 0 and {len(tied) - 1}, not {random_index}"
        )
    return tied[random_index]


def list_seats(
    lists: Sequence[CandidateList],
    seats: int,
    method: Method = Method.DHONDT,
    *,
    first_divisor: Fraction = DEFAULT_FIRST_DIVISOR,
    tie_break: TieBreak = TieBreak.MORE_VOTES,
) -> Apportionment:
    """Share an organ's seats between candidate lists by their votes.

    Rule: seats go to lists by the bylaw method (d'Hondt by default); equal quotients go to the
    list with more votes, then by lot, returned as a tie (kommuneloven § 7-6).
    Example: lists A 30 votes and B 25 votes, 4 seats, d'Hondt: A 2 (30, 15), B 2 (25, 12.5).
    """
    names = [cl.name for cl in lists]
    if len(set(names)) != len(names):
        raise ElectionError("two lists have the same name")
    votes = {cl.name: cl.votes for cl in lists}
    return apportion(votes, seats, method, first_divisor=first_divisor, tie_break=tie_break)


def elect_from_list(
    candidates: Sequence[Candidate],
    seats: int,
    deputies_extra: int = DEFAULT_DEPUTIES_EXTRA,
) -> tuple[tuple[Candidate, ...], tuple[Candidate, ...]]:
    """Elect one list's members and deputies, moving the under-represented gender up the list.

    Rule: a list's `seats` go to its first candidates, but where a gender has fewer of them than
    `domain.gender.minimum_per_gender(seats)`, the lowest-placed elected candidates of the other
    gender give way to the highest-placed candidates of the short gender further down the list,
    as far as the list has them (a list that runs out simply elects what it has); the deputies
    are then taken the same way from the list's remaining candidates, `seats + deputies_extra` of
    them or as many as remain, balanced on their own count; a list without seats gets no
    deputies. Source: kommuneloven § 7-6, as the ministry read the former § 37 no. 3
    (regjeringen.no, "§ 36: Krav til kjønnsmessig sammensetning"): the requirement applies to the
    group each list gets elected, not to the organ as a whole; deputies: § 7-7 as read here,
    `deputies_extra` a bylaw parameter (docs/domain.md, "Election rules").
    Example: list A, B, C, D (men) then E (a woman) with 3 seats elects A, B and E: 3 seats need
    one of each gender, so C, the lowest-placed of the men elected, gives way to E; the deputies
    are C and D (3 + 2 wanted, only 2 remain).

    Members and deputies are returned in list order: the order of the list after moving up, in
    which a candidate who moved up stands below everyone who kept a seat, since she stood below
    all of them on the list. List order keeps the ranking the list's nominators gave within each
    gender (no candidate overtakes one of her own gender who stood above her), and it is the
    deputies' rank.
    """
    if seats < 0:
        raise ElectionError(f"a list's seats cannot be negative, not {seats}")
    if deputies_extra < 0:
        raise ElectionError("the extra deputies per list cannot be negative")
    if seats == 0:
        return (), ()
    members = _balanced(candidates, seats)
    taken = set(members)
    rest = [c for i, c in enumerate(candidates) if i not in taken]
    deputies = _balanced(rest, seats + deputies_extra)
    return tuple(candidates[i] for i in members), tuple(rest[i] for i in deputies)


def _balanced(pool: Sequence[Candidate], size: int) -> list[int]:
    """The positions in `pool` of a group of `size` (or all of `pool`) balanced by § 7-6."""
    chosen = list(range(min(size, len(pool))))
    need = minimum_per_gender(len(chosen))
    for short in Gender:
        have = sum(1 for i in chosen if pool[i].gender == short)
        below = [i for i in range(len(chosen), len(pool)) if pool[i].gender == short]
        moving = below[: max(need - have, 0)]
        if moving:
            others = [i for i in chosen if pool[i].gender != short]
            chosen = sorted(set(chosen) - set(others[-len(moving) :]) | set(moving))
    return chosen


def fill_list_seats(
    lists: Sequence[CandidateList],
    result: Apportionment,
    deputies_extra: int = DEFAULT_DEPUTIES_EXTRA,
) -> ListElectionResult:
    """Elect each list's members and rank its deputies, balancing genders within each list.

    Rule: each list's seats go to its candidates by `elect_from_list`: in list order, with
    candidates of a gender short of the § 7-6 minimum moving up within that list; the deputies
    are its remaining candidates, as many as its seats plus `deputies_extra` (2 by default:
    kommuneloven § 7-7 as read here, a bylaw parameter), balanced the same way on their own
    count; a list without seats gets no deputies. A list that won more seats than it has
    candidates is refused.
    Example: list A (Ada, Bo, Cy, Di, Ed; women Ada and Cy) with 2 seats elects Ada and Bo;
    deputies Cy, Di and Ed.
    """
    if result.tie is not None:
        raise ElectionError("the seats are tied: draw the lot and settle the tie first")
    if deputies_extra < 0:
        raise ElectionError("the extra deputies per list cannot be negative")
    members: dict[str, tuple[Candidate, ...]] = {}
    deputies: dict[str, tuple[Candidate, ...]] = {}
    for cl in lists:
        won = result.seats.get(cl.name, 0)
        if won > len(cl.candidates):
            raise ElectionError(
                f"list {cl.name!r} won {won} seat(s) but has only {len(cl.candidates)} candidate(s)"
            )
        members[cl.name], deputies[cl.name] = elect_from_list(cl.candidates, won, deputies_extra)
    return ListElectionResult(result, members, deputies)


def proportional_election(
    lists: Sequence[CandidateList],
    seats: int,
    method: Method = Method.DHONDT,
    *,
    first_divisor: Fraction = DEFAULT_FIRST_DIVISOR,
    deputies_extra: int = DEFAULT_DEPUTIES_EXTRA,
) -> Apportionment | ListElectionResult:
    """Run a list election: the full result, or the `Apportionment` with its tie if a lot is due.

    Rule: `list_seats`, then `fill_list_seats`, which balances the genders within each list
    (kommuneloven §§ 7-5 to 7-7).
    Example: A (30 votes) and B (25 votes) for 4 seats elect the first two of each list if each
    pair has both genders; a list whose first two are men elects its first man and its first
    woman, if it has one.
    """
    shares = list_seats(lists, seats, method, first_divisor=first_divisor)
    if shares.tie is not None:
        return shares
    return fill_list_seats(lists, shares, deputies_extra)


def agreed_election(
    organ: str,
    members: Sequence[Candidate],
    deputies: Sequence[Candidate],
    votes_against: int,
) -> AgreedResult:
    """Adopt one joint list (avtalevalg) if nobody votes against it, then check gender balance.

    Rule: an agreed election is valid only when no member of the electing body votes against;
    gender balance (§ 7-6) is then checked on the whole body, members and deputies apart
    (kommuneloven § 7-4; docs/domain.md, "Election rules").
    Example: 5 members (3 female, 2 male) and 0 votes against are adopted; 1 vote against is not.
    """
    if type(votes_against) is not int or votes_against < 0:
        raise ElectionError(
            f"votes against must be a whole number of 0 or more, not {votes_against!r}"
        )
    if votes_against:
        raise ElectionError(
            f"{organ}: an agreed election needs no votes against, but {votes_against} "
            "voted against: hold a proportional or majority election instead"
        )
    if not members:
        raise ElectionError(f"{organ}: the joint list names no members")
    check_gender_balance(organ, [c.gender for c in members], "members")
    check_gender_balance(organ, [c.gender for c in deputies], "deputies")
    return AgreedResult(tuple(members), tuple(deputies))


def _check_votes(votes: Mapping[str, int], kind: str) -> int:
    if not votes:
        raise ElectionError(f"there is no {kind} to count votes for")
    for name, count in votes.items():
        if type(count) is not int or count < 0:
            raise ElectionError(
                f"votes for {name!r} must be a whole number of 0 or more, not {count!r}"
            )
    cast = sum(votes.values())
    if cast == 0:
        raise ElectionError("no votes were cast")
    return cast
