"""County representation: county-meeting brackets and the Landsting delegate key."""

from __future__ import annotations

import pytest

from domain.bylaws import Bracket, Bylaws
from domain.registry import Registry
from domain.representation import (
    county_meeting_representatives,
    county_meeting_size,
    landsting_delegates,
    representatives_for,
)


@pytest.mark.parametrize(
    ("population", "expected"),
    [(0, 1), (4_000, 1), (5_000, 1), (5_001, 2), (20_000, 3), (99_000, 5), (717_710, 7)],
)
def test_representatives_follow_the_bracket_table(
    ks_bylaws: Bylaws, population: int, expected: int
) -> None:
    assert representatives_for(population, ks_bylaws.county_meeting.brackets) == expected


def test_about_20000_inhabitants_give_3_representatives_as_levanger_did(ks_bylaws: Bylaws) -> None:
    assert representatives_for(20_000, ks_bylaws.county_meeting.brackets) == 3


def test_a_negative_population_or_a_closed_table_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        representatives_for(-1, [Bracket(None, 1)])
    with pytest.raises(ValueError, match="no open last bracket"):
        representatives_for(10, [Bracket(5, 1)])


def test_the_oslo_county_meeting_is_oslo_and_its_county_delegates(
    ks_registry: Registry, ks_bylaws: Bylaws
) -> None:
    rules = ks_bylaws.county_meeting
    assert county_meeting_representatives(ks_registry, "03", rules) == {"0301": 7}
    assert county_meeting_size(ks_registry, "03", rules) == 7 + 3


def test_the_219_delegates_are_shared_by_county_population_with_a_minimum(
    ks_registry: Registry, ks_bylaws: Bylaws
) -> None:
    result = landsting_delegates(ks_registry, ks_bylaws.delegate_key)
    assert sum(result.seats.values()) == 219
    assert result.tie is None
    assert min(result.seats.values()) >= ks_bylaws.delegate_key.minimum_per_county
    assert result.seats["03"] == 28  # Oslo, 717,710 of 5,550,203 by Sainte-Laguë
    assert result.seats["56"] == 3  # Finnmark, the smallest county
