"""A fictional federation (3 provinces, 8 towns): nothing in the rules is hard-wired to KS."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from domain.apportionment import Method
from domain.bylaws import Bylaws, bylaws_in_force
from domain.meetings import has_quorum
from domain.registry import Registry
from domain.representation import county_meeting_size, landsting_delegates


def test_the_fictional_bylaws_define_their_own_organs_and_rules(fictional_bylaws: Bylaws) -> None:
    assert list(fictional_bylaws.organs) == ["assembly", "board"]
    assert fictional_bylaws.elections.first_divisor == Fraction(3, 2)
    assert fictional_bylaws.organ("assembly").meetings.quorum == Fraction(2, 3)
    assert fictional_bylaws.organ("board").meetings.reminder_days == ()
    assert fictional_bylaws.associate_name == "Town Utilities"


def test_the_fictional_registry_has_three_provinces_and_eight_towns(
    fictional_registry: Registry,
) -> None:
    assert len(fictional_registry.counties) == 3
    assert len(fictional_registry.municipalities) == 8
    assert fictional_registry.total_population == 72_000


def test_the_fictional_delegate_key_uses_its_own_method_total_and_minimum(
    fictional_registry: Registry, fictional_bylaws: Bylaws
) -> None:
    result = landsting_delegates(fictional_registry, fictional_bylaws.delegate_key)
    assert result.method is Method.LARGEST_REMAINDER
    # Hare: 30 x 15300/72000 = 6.375, 30 x 34950/72000 = 14.5625, 30 x 21750/72000 = 9.0625.
    assert result.seats == {"71": 6, "72": 15, "73": 9}


def test_the_fictional_county_meeting_uses_its_own_brackets(
    fictional_registry: Registry, fictional_bylaws: Bylaws
) -> None:
    # North: 12000 -> 2, 800 -> 1, 2500 -> 2; plus 1 provincial delegate.
    assert county_meeting_size(fictional_registry, "71", fictional_bylaws.county_meeting) == 6


def test_the_bylaws_in_force_can_be_another_federations(
    ks_bylaws: Bylaws, fictional_bylaws: Bylaws
) -> None:
    chosen = bylaws_in_force([ks_bylaws, fictional_bylaws], dt.date(2031, 1, 1))
    assert chosen.name == "fictional-2030"
    assert not has_quorum(21, 33, chosen.organ("assembly").meetings.quorum)
    assert has_quorum(22, 33, chosen.organ("assembly").meetings.quorum)
