"""Gender balance in elected bodies, kommuneloven § 7-6 (docs/domain.md, "Election rules").

Each gender must have at least `minimum_per_gender(n)` of a group of n, judged on the members and,
separately, on the deputies. How it is applied depends on the election:

- List (proportional) election: applied per list, on the group each list gets elected, never on
  the organ pooled and never by refusing the vote: `domain.elections.elect_from_list` moves
  candidates of the short gender up within the list, as far as the list has them.
- Agreed election (avtalevalg): checked on the whole body by `check_gender_balance`, which refuses
  a joint list that breaks it.
- Majority election: elects one person to a post, which has no requirement; nothing is checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from fractions import Fraction


class Gender(StrEnum):
    """The two genders the statute counts."""

    FEMALE = "female"
    MALE = "male"


class GenderBalanceError(ValueError):
    """A body breaks § 7-6; carries the organ, the rule and the counts for the message."""

    def __init__(self, organ: str, what: str, rule: str, counts: dict[Gender, int]) -> None:
        self.organ = organ
        self.what = what
        self.rule = rule
        self.counts = counts
        shown = ", ".join(f"{n} {g.value}" for g, n in counts.items())
        super().__init__(f"{organ}: the {what} break the gender balance rule ({rule}): {shown}")


def minimum_per_gender(size: int) -> int:
    """How many of each gender a body of `size` must have.

    Rule: 2-3 members: both genders; 4-5: at least 2 of each; 6-8: at least 3; 9: at least 4;
    more than 9: at least 40 % of each, rounded up (kommuneloven § 7-6 second paragraph).
    Example: minimum_per_gender(11) is 5 (40 % of 11 is 4.4), minimum_per_gender(7) is 3.
    """
    if size < 2:
        return 0
    if size <= 9:
        return {2: 1, 3: 1, 4: 2, 5: 2, 6: 3, 7: 3, 8: 3, 9: 4}[size]
    share = Fraction(2, 5) * size
    return -(-share.numerator // share.denominator)


def describe_rule(size: int) -> str:
    """The § 7-6 rule for a body of `size`, in words, for messages."""
    need = minimum_per_gender(size)
    return f"kommuneloven § 7-6: with {size} seats each gender needs at least {need}"


def check_gender_balance(organ: str, genders: Sequence[Gender], what: str = "members") -> None:
    """Refuse a body whose genders break § 7-6, naming the organ, the rule and the counts.

    Rule: each gender must hold at least `minimum_per_gender(len(genders))` seats (§ 7-6).
    Example: five members, four female and one male, raise GenderBalanceError (2 of each needed).
    """
    counts = {g: sum(1 for x in genders if x == g) for g in Gender}
    need = minimum_per_gender(len(genders))
    if min(counts.values()) < need:
        raise GenderBalanceError(organ, what, describe_rule(len(genders)), counts)
