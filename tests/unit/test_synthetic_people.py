"""Synthetic people are deterministic for a seed, realistic in mix, and never reach a real inbox."""

from __future__ import annotations

from harness.synthetic import PeopleFactory


def test_the_same_seed_gives_the_same_people() -> None:
    first = [PeopleFactory(7).person("0301") for _ in range(1)]
    again = [PeopleFactory(7).person("0301") for _ in range(1)]
    assert first == again
    assert PeopleFactory(7).person("0301") != PeopleFactory(8).person("0301")


def test_ids_are_unique_and_addresses_are_reserved_invalid_domains() -> None:
    factory = PeopleFactory(1)
    people = [factory.person("4601") for _ in range(500)]
    assert len({p.person_id for p in people}) == 500
    assert all(p.email.endswith(".kommune.invalid") for p in people)


def test_the_gender_mix_is_near_the_councils() -> None:
    factory = PeopleFactory(3)
    women = sum(factory.person("1101").gender == "female" for _ in range(2000))
    assert 700 < women < 950  # about 41 %


def test_balanced_groups_alternate_genders() -> None:
    people = list(PeopleFactory(5).balanced("0301", 9))
    women = sum(p.gender == "female" for p in people)
    assert women in (4, 5)
