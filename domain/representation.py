"""County representation: county-meeting representatives and Landsting delegates per county.

Sources: docs/domain.md, "Organs and who elects whom" (representatives by population on 1 January
of the election year; 219 delegates split between counties by a population key) and the bylaws
(`CountyMeetingRules`, `DelegateKey`).
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.apportionment import Apportionment, apportion
from domain.bylaws import Bracket, CountyMeetingRules, DelegateKey
from domain.registry import Registry


def representatives_for(population: int, brackets: Sequence[Bracket]) -> int:
    """The number of county-meeting representatives of a municipality of `population`.

    Rule: the first bracket whose `up_to` is at least the population gives the number; the last
    bracket has no limit (bylaw table; docs/domain.md, "Organs and who elects whom": about 20,000
    inhabitants gave 3).
    Example: with the ks-2024 table, 20,000 inhabitants give 3 and 4,000 give 1.
    """
    if population < 0:
        raise ValueError(f"a population cannot be negative ({population})")
    for bracket in brackets:
        if bracket.up_to is None or population <= bracket.up_to:
            return bracket.representatives
    raise ValueError("the bracket table has no open last bracket")


def county_meeting_representatives(
    registry: Registry, county: str, rules: CountyMeetingRules
) -> dict[str, int]:
    """Representatives per municipality (by kommunenummer) in the county meeting of `county`.

    Rule: each municipality sends `representatives_for(population)` (bylaws, county_meeting).
    Example: a county of two municipalities of 3,000 and 20,000 gives {"..01": 1, "..02": 3}.
    """
    return {
        m.number: representatives_for(m.population, rules.brackets)
        for m in registry.municipalities_in(county)
    }


def county_meeting_size(registry: Registry, county: str, rules: CountyMeetingRules) -> int:
    """Seats in the county meeting: the municipalities' representatives plus the county's own.

    Rule: the county meeting is the municipalities' representatives and the county authority's
    delegates (docs/domain.md, "Organs and who elects whom"; the number of county delegates is a
    bylaw parameter).
    Example: municipalities sending 1 + 3 and 3 county delegates give 7.
    """
    reps = county_meeting_representatives(registry, county, rules)
    return sum(reps.values()) + rules.county_authority_delegates


def landsting_delegates(registry: Registry, key: DelegateKey) -> Apportionment:
    """Landsting delegates per county: the delegate total shared by county population.

    Rule: `key.total` delegates are apportioned between counties by population with the key's
    divisor method, each county getting at least `key.minimum_per_county` (docs/domain.md,
    "Organs and who elects whom": 219 in 2024).
    Example: the shipped registry and ks-2024 give Oslo 28 and Finnmark 3 of 219.
    """
    return apportion(
        registry.county_populations(),
        key.total,
        key.method,
        minimum=key.minimum_per_county,
        first_divisor=key.first_divisor,
    )
