"""Terms as KS names them: the Landsting period, with the election year as an alias.

KS names a term by its Landsting ("landstingsperioden 2024–2028"): the local elections of 2027
lead to the Landsting of February 2028, whose organs serve until the Landsting of 2032.
"""

from __future__ import annotations

import pytest

from domain.terms import (
    TermError,
    display,
    election_year,
    parse_term,
    term_of_election,
    term_years,
)


def test_the_local_elections_of_2027_lead_to_the_landsting_period_2028_2032() -> None:
    assert term_of_election(2027) == "2028-2032"
    assert term_of_election(2023) == "2024-2028"
    assert election_year("2028-2032") == 2027


@pytest.mark.parametrize("text", ["2027", "2028-2032", "2028–2032", " 2028-2032 "])
def test_a_term_is_named_by_its_period_or_its_election_year(text: str) -> None:
    assert parse_term(text) == "2028-2032"


@pytest.mark.parametrize("text", ["", "27", "2028-2031", "2028/2032", "term-2027", "2032-2028"])
def test_anything_else_is_refused_showing_both_forms(text: str) -> None:
    with pytest.raises(TermError, match=r"e\.g\. 2028-2032, or the year of the local elections"):
        parse_term(text)


@pytest.mark.parametrize("text", ["2027-2031", "2026", "2029-2033"])
def test_four_years_out_of_step_with_the_local_elections_are_no_term(text: str) -> None:
    with pytest.raises(TermError, match=r"is not a KS term: .* 2024-2028, 2028-2032 and so on$"):
        parse_term(text)
    assert parse_term("2031") == "2032-2036"
    assert parse_term("2024–2028") == "2024-2028"


def test_a_norwegian_text_writes_the_period_with_an_en_dash() -> None:
    assert display("2028-2032") == "2028–2032"
    assert term_years("2024-2028") == (2024, 2028)


def test_a_term_in_other_digits_than_ascii_is_refused() -> None:
    with pytest.raises(TermError, match="write it in plain digits"):
        parse_term("\uff12\uff10\uff12\uff17")  # 2027 in full-width digits
