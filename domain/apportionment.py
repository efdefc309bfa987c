"""Seat apportionment: d'Hondt, Sainte-Laguë (pure and modified) and largest remainder.

Exact arithmetic only (`int`, `Fraction`). A tie that decides the last seat(s) is returned as a
`Tie` value for the caller to settle (by lot in a workflow, then `settle_tie`); it is never broken
silently. Sources: kommuneloven §§ 7-5 and 7-6 (d'Hondt, equal quotients to the list with more
votes, then lot); valgloven § 11-4 (modified Sainte-Laguë, first divisor 1.4); docs/domain.md,
"Election rules".
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction

DEFAULT_FIRST_DIVISOR = Fraction(7, 5)


class Method(StrEnum):
    """An apportionment method, by its command-line and bylaw name."""

    DHONDT = "dhondt"
    SAINTE_LAGUE = "sainte-lague"
    MODIFIED_SAINTE_LAGUE = "modified-sainte-lague"
    LARGEST_REMAINDER = "largest-remainder"


class TieBreak(StrEnum):
    """How equal quotients at the cut are handled: left open, or to the list with more votes."""

    NONE = "none"
    MORE_VOTES = "more_votes"


class ApportionmentError(ValueError):
    """The input cannot be apportioned; the message says why in plain words."""


@dataclass(frozen=True)
class Tie:
    """`seats` seats remain to be given, one each, to `seats` of the `lists` (by lot)."""

    lists: tuple[str, ...]
    seats: int


@dataclass(frozen=True)
class Apportionment:
    """Seats that are certain per list or district, and the tie over the rest if there is one."""

    method: Method
    total: int
    seats: dict[str, int]
    tie: Tie | None = None


def parse_method(name: str) -> Method:
    """The `Method` called `name`, or an `ApportionmentError` listing the known names."""
    try:
        return Method(name)
    except ValueError:
        known = ", ".join(m.value for m in Method)
        raise ApportionmentError(f"unknown method {name!r}: use one of {known}") from None


def divisor(
    method: Method, seats_held: int, first_divisor: Fraction = DEFAULT_FIRST_DIVISOR
) -> Fraction:
    """The divisor for a list that already holds `seats_held` seats.

    Rule: d'Hondt divides by 1, 2, 3, ...; Sainte-Laguë by 1, 3, 5, ...; modified Sainte-Laguë by
    `first_divisor` (1.4 by default), 3, 5, ... (kommuneloven § 7-6; valgloven § 11-4).
    Example: `divisor(Method.MODIFIED_SAINTE_LAGUE, 0)` is `Fraction(7, 5)`; for 2 seats held, 5.
    """
    if method is Method.DHONDT:
        return Fraction(seats_held + 1)
    if method is Method.MODIFIED_SAINTE_LAGUE and seats_held == 0:
        return first_divisor
    return Fraction(2 * seats_held + 1)


def apportion(
    votes: Mapping[str, int],
    total: int,
    method: Method | str = Method.DHONDT,
    *,
    minimum: int | Mapping[str, int] = 0,
    first_divisor: Fraction = DEFAULT_FIRST_DIVISOR,
    tie_break: TieBreak | str = TieBreak.NONE,
) -> Apportionment:
    """Share `total` seats between lists (or districts) in proportion to `votes`.

    Rule: seats go one by one to the highest quotient votes/divisor (divisor methods), or by whole
    Hare quotas then largest remainders; each list first gets its `minimum`; equal quotients at the
    cut are a `Tie`, or with `tie_break="more_votes"` go to the list with more votes, then a tie
    (kommuneloven § 7-6; docs/domain.md, "Election rules").
    Example: d'Hondt, 8 seats, A 100000, B 80000, C 30000, D 20000 gives A 4, B 3, C 1, D 0.
    """
    chosen = parse_method(method) if isinstance(method, str) else method
    mins = _minimums(votes, total, minimum)
    _check_first_divisor(chosen, first_divisor)
    if total > sum(mins.values()) and sum(votes.values()) == 0:
        raise ApportionmentError("no votes were cast, so the seats cannot be shared")
    if chosen is Method.LARGEST_REMAINDER:
        seats, tie = _largest_remainder(votes, total, mins)
    else:
        seats, tie = _highest_averages(votes, total, mins, chosen, first_divisor)
    if tie is not None and TieBreak(tie_break) is TieBreak.MORE_VOTES:
        seats, tie = _more_votes_first(votes, seats, tie)
    return Apportionment(chosen, total, seats, tie)


def settle_tie(result: Apportionment, winners: Sequence[str]) -> Apportionment:
    """Give the tied seats to `winners` (drawn by lot by the caller) and return a settled result.

    Rule: the lot decides among the tied lists, one seat each (kommuneloven § 7-6).
    Example: tie `Tie(("A", "B"), 1)` settled with `["B"]` adds one seat to B and clears the tie.
    """
    tie = result.tie
    if tie is None:
        raise ApportionmentError("there is no tie to settle")
    if (
        len(winners) != tie.seats
        or len(set(winners)) != len(winners)
        or not set(winners) <= set(tie.lists)
    ):
        raise ApportionmentError(
            f"choose {tie.seats} different list(s) among {', '.join(tie.lists)}"
        )
    seats = {name: n + (name in winners) for name, n in result.seats.items()}
    return replace(result, seats=seats, tie=None)


def _minimums(
    votes: Mapping[str, int], total: int, minimum: int | Mapping[str, int]
) -> dict[str, int]:
    if not votes:
        raise ApportionmentError("there are no lists to share seats between")
    if type(total) is not int or total < 1:
        raise ApportionmentError(
            f"the number of seats must be a whole number of at least 1, not {total!r}"
        )
    for name, count in votes.items():
        if type(count) is not int or count < 0:
            raise ApportionmentError(
                f"votes for {name!r} must be a whole number of 0 or more, not {count!r}"
            )
    if isinstance(minimum, int):
        mins = dict.fromkeys(votes, minimum)
    else:
        unknown = sorted(set(minimum) - set(votes))
        if unknown:
            raise ApportionmentError(
                f"minimum seats given for unknown list(s): {', '.join(unknown)}"
            )
        mins = {name: minimum.get(name, 0) for name in votes}
    if any(m < 0 for m in mins.values()) or sum(mins.values()) > total:
        raise ApportionmentError(
            f"the minimum seats ({sum(mins.values())}) do not fit in {total} seats"
        )
    return mins


def _check_first_divisor(method: Method, first_divisor: Fraction) -> None:
    # Above 3 the divisors would no longer grow, and a first seat would cost more than a second.
    if method is Method.MODIFIED_SAINTE_LAGUE and not 0 < first_divisor < 3:
        raise ApportionmentError(
            f"the first divisor must be above 0 and below 3, not {first_divisor}"
        )


def _highest_averages(
    votes: Mapping[str, int],
    total: int,
    mins: dict[str, int],
    method: Method,
    first_divisor: Fraction,
) -> tuple[dict[str, int], Tie | None]:
    """The best quotients, drawn lazily: each list's next quotient joins a heap only once its
    previous one is taken, so 1,500 lists and 22,000 seats (a load test) stay fast and small."""
    free = total - sum(mins.values())
    if free == 0:
        return dict(mins), None

    def entry(order: int, name: str, held: int) -> tuple[Fraction, int, str, int]:
        return (-Fraction(votes[name], divisor(method, held, first_divisor)), order, name, held)

    heap = [entry(order, name, mins[name]) for order, name in enumerate(votes)]
    heapq.heapify(heap)
    ranked: list[tuple[Fraction, str]] = []
    # Take free + 1 entries, and every further one equal to the cut (they make the tie).
    while heap and (len(ranked) <= free or -heap[0][0] == ranked[free - 1][0]):
        value, order, name, held = heapq.heappop(heap)
        ranked.append((-value, name))
        if held < mins[name] + free:
            heapq.heappush(heap, entry(order, name, held + 1))
    return _cut(dict(mins), ranked, free)


def _cut(
    seats: dict[str, int], ranked: list[tuple[Fraction, str]], free: int
) -> tuple[dict[str, int], Tie | None]:
    """Award the `free` best-ranked entries; equal values straddling the cut make a tie."""
    if free == 0:
        return seats, None
    # `ranked` always holds more than `free` entries: each list offers free + 1 quotients, and
    # under Hare fewer seats are left over than there are lists.
    cutoff = ranked[free - 1][0]
    tied = ranked[free][0] == cutoff
    given = 0
    for value, name in ranked[:free]:
        if value > cutoff or not tied:
            seats[name] += 1
            given += 1
    if not tied:
        return seats, None
    tied_lists = tuple(sorted({name for value, name in ranked if value == cutoff}))
    return seats, Tie(tied_lists, free - given)


def _largest_remainder(
    votes: Mapping[str, int], total: int, mins: dict[str, int]
) -> tuple[dict[str, int], Tie | None]:
    """Hare quota; lists whose share falls below their minimum get it and leave the count."""
    fixed: dict[str, int] = {}
    while True:
        rest = {name: count for name, count in votes.items() if name not in fixed}
        seats, tie = _hare(rest, total - sum(fixed.values()))
        below = {name: mins[name] for name in rest if seats[name] < mins[name]}
        if not below:
            return {name: fixed.get(name, seats.get(name, 0)) for name in votes}, tie
        fixed.update(below)


def _hare(votes: Mapping[str, int], free: int) -> tuple[dict[str, int], Tie | None]:
    cast = sum(votes.values())
    shares = {name: Fraction(count * free, cast) for name, count in votes.items()}
    seats = {name: share.numerator // share.denominator for name, share in shares.items()}
    ranked = sorted(
        ((shares[name] - seats[name], name) for name in votes), key=lambda p: p[0], reverse=True
    )
    return _cut(seats, ranked, free - sum(seats.values()))


def _more_votes_first(
    votes: Mapping[str, int], seats: dict[str, int], tie: Tie
) -> tuple[dict[str, int], Tie | None]:
    """Equal quotients go to the list with more votes; only equal votes remain a tie."""
    ordered = sorted(tie.lists, key=lambda name: votes[name], reverse=True)
    threshold = votes[ordered[tie.seats - 1]]
    sure = [name for name in ordered if votes[name] > threshold]
    equal = tuple(name for name in tie.lists if votes[name] == threshold)
    left = tie.seats - len(sure)
    if left == len(equal):
        sure.extend(equal)
    result = {name: n + (name in sure) for name, n in seats.items()}
    return result, None if left == len(equal) else Tie(equal, left)
