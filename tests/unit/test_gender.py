"""Gender balance, kommuneloven § 7-6: the table of minimums and the refusal."""

from __future__ import annotations

import pytest

from domain.gender import Gender, GenderBalanceError, check_gender_balance, minimum_per_gender

F, M = Gender.FEMALE, Gender.MALE


@pytest.mark.parametrize(
    ("size", "minimum"),
    [
        (0, 0),
        (1, 0),
        (2, 1),
        (3, 1),
        (4, 2),
        (5, 2),
        (6, 3),
        (8, 3),
        (9, 4),
        (10, 4),
        (11, 5),
        (15, 6),
        (54, 22),
    ],
)
def test_each_gender_needs_the_minimum_of_section_7_6(size: int, minimum: int) -> None:
    assert minimum_per_gender(size) == minimum


def test_a_balanced_body_passes() -> None:
    check_gender_balance("Fylkesstyret", [F, M, F, M, F])


def test_an_unbalanced_body_is_refused_naming_organ_rule_and_counts() -> None:
    with pytest.raises(GenderBalanceError) as caught:
        check_gender_balance("Fylkesstyret", [F, F, F, F, M], "deputies")
    error = caught.value
    assert error.organ == "Fylkesstyret"
    assert error.counts == {F: 4, M: 1}
    assert str(error) == (
        "Fylkesstyret: the deputies break the gender balance rule (kommuneloven § 7-6: with 5 "
        "seats each gender needs at least 2): 4 female, 1 male"
    )
