"""Terms as KS names them: the Landsting period, with the election year as an alias.

Rule: KS names a term by its Landsting period ("landstingsperioden 2028–2032"): the councils
elected at the local elections of 2027 send representatives to the county meetings of November
2027, whose delegates meet at the Landsting of February 2028, which composes the national organs
until the Landsting of 2032 (docs/domain.md, "The four-year cycle"). ksgov writes a term
`2028-2032` in data and output, and accepts the election year (`2027`) and an en dash
(`2028–2032`) wherever a term is named.
"""

from __future__ import annotations

import re

TERM = re.compile(r"^([0-9]{4})[-–]([0-9]{4})$")
TERM_YEARS = 4
# A year of Norwegian local elections; they are held every fourth year (docs/domain.md).
LOCAL_ELECTION_YEAR = 2023


class TermError(ValueError):
    """Text that names no term; the message shows the two accepted forms."""


def term_of_election(year: int) -> str:
    """The term whose organs the local elections of `year` lead to.

    Example: term_of_election(2027) is "2028-2032".
    """
    return f"{year + 1}-{year + 1 + TERM_YEARS}"


def election_year(term: str) -> int:
    """The local-election year that leads to `term` (in its canonical form).

    Example: election_year("2028-2032") is 2027.
    """
    first, _ = term_years(term)
    return first - 1


def term_years(term: str) -> tuple[int, int]:
    """The first and last year of a canonical term, or a TermError.

    Example: term_years("2028-2032") is (2028, 2032); "2028-2031" is refused (four years).
    """
    match = TERM.match(term)
    if match is None or int(match[2]) - int(match[1]) != TERM_YEARS:
        raise TermError(
            f"{term!r} is not a term: write the Landsting period, e.g. 2028-2032, "
            "or the year of the local elections, e.g. 2027"
        )
    return int(match[1]), int(match[2])


def parse_term(text: str) -> str:
    """A term as the user wrote it: the period (hyphen or en dash) or the election year.

    Rule: a term runs from a Landsting to the next, and the Landsting follows the local
    elections, held every fourth year (2023, 2027, ...); any other four years are no KS term.
    Example: parse_term("2027") and parse_term("2028–2032") are both "2028-2032"; "2027-2031"
    and "2026" are refused.
    """
    text = text.strip()
    if not text.replace("\u2013", "-").isascii():  # an en dash is how the period is printed
        raise TermError(
            f"{ascii(text)[:40]} is not a term: write it in plain digits, e.g. 2028-2032"
        )
    if text.isdigit() and len(text) == 4:
        term = term_of_election(int(text))
    else:
        first, last = term_years(text)
        term = f"{first}-{last}"
    if election_year(term) % TERM_YEARS != LOCAL_ELECTION_YEAR % TERM_YEARS:
        raise TermError(
            f"{text!r} is not a KS term: the terms follow the local elections of "
            f"{LOCAL_ELECTION_YEAR}, {LOCAL_ELECTION_YEAR + TERM_YEARS} and every fourth year "
            f"after, so the periods are {term_of_election(LOCAL_ELECTION_YEAR)}, "
            f"{term_of_election(LOCAL_ELECTION_YEAR + TERM_YEARS)} and so on"
        )
    return term


def display(term: str) -> str:
    """The term as a Norwegian text writes it, with an en dash: "2028–2032"."""
    first, last = term_years(term)
    return f"{first}–{last}"
