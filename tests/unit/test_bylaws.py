"""Bylaws as data: the shipped KS version, the choice by date and every refusal of a bad file."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from fractions import Fraction

import pytest

from domain.apportionment import Method, TieBreak
from domain.bylaws import (
    Bylaws,
    BylawsError,
    ElectionMethod,
    bylaws_in_force,
    parse_bylaws,
)
from domain.bylaws_fields import Table


def test_the_ks_2024_bylaws_hold_the_facts_of_the_domain(ks_bylaws: Bylaws) -> None:
    assert ks_bylaws.name == "ks-2024"
    assert ks_bylaws.effective_from == dt.date(2024, 1, 1)
    assert ks_bylaws.delegate_key.total == 219
    assert ks_bylaws.landsting.associate_delegates == 20
    assert ks_bylaws.landsting.council_members_elected == 24  # 15 + 15 + 24 = 54
    assert ks_bylaws.organ("hovedstyret").members == 15
    assert ks_bylaws.organ("hovedstyret").meetings.meetings_per_year == 10
    assert ks_bylaws.organ("hovedstyret").meetings.reminder_days == (7, 1)
    assert ks_bylaws.organ("landsstyret").meetings.meetings_per_year == 2
    assert ks_bylaws.organ("county_meeting").members is None
    assert ks_bylaws.organ("county_board").posts[0].method is ElectionMethod.MAJORITY
    assert ks_bylaws.organ("landsstyret").ex_officio == ("county_board.leader", "hovedstyret")
    assert ks_bylaws.county_meeting.deadline == (11, 30)
    assert ks_bylaws.landsting.notice_deadline == (12, 15)
    assert ks_bylaws.elections.list_method is Method.DHONDT
    assert ks_bylaws.elections.tie_break is TieBreak.MORE_VOTES
    assert ks_bylaws.elections.first_deputy_moves_up is True
    assert {o.meetings.quorum for o in ks_bylaws.organs.values()} == {Fraction(1, 2)}


def test_an_unknown_organ_is_refused_with_the_known_ones(ks_bylaws: Bylaws) -> None:
    with pytest.raises(BylawsError, match=r"unknown organ 'senate'.*hovedstyret"):
        ks_bylaws.organ("senate")


def test_the_bylaws_in_force_are_the_latest_that_took_effect(ks_bylaws: Bylaws) -> None:
    old = replace(ks_bylaws, name="ks-2020", effective_from=dt.date(2020, 1, 1))
    assert bylaws_in_force([ks_bylaws, old], dt.date(2023, 11, 1)).name == "ks-2020"
    assert bylaws_in_force([old, ks_bylaws], dt.date(2024, 1, 1)).name == "ks-2024"


def test_no_bylaws_in_force_before_the_first_version_is_refused(ks_bylaws: Bylaws) -> None:
    with pytest.raises(BylawsError, match="no bylaws are in force on 2019-12-31"):
        bylaws_in_force([ks_bylaws], dt.date(2019, 12, 31))


BRACKET_LAST = "[[county_meeting.brackets]]\nrepresentatives = 7"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('name = "ks-2024"', "name = ", "not valid TOML"),
        ('title = "KS vedtekter, gjeldende fra 1. januar 2024"', "", "title: is missing"),
        ('name = "ks-2024"', "name = 5", "name: must be a non-empty text"),
        (
            "effective_from = 2024-01-01",
            'effective_from = "2024"',
            "effective_from: must be a date",
        ),
        ("effective_from = 2024-01-01", "effective_from = 2024-01-01T10:00:00", "must be a date"),
        ("companies = 550", 'companies = "many"', "associates.companies: must be a whole number"),
        ('list_method = "dhondt"', 'list_method = "hare"', "elections.list_method: must be one of"),
        ("total = 219", "total = 0", "delegate_key.total: must be a whole number of at least 1"),
        ("first_deputy_moves_up = true", 'first_deputy_moves_up = "yes"', "true or false"),
        ('deadline = "11-30"', 'deadline = "11-31"', "county_meeting.deadline: must be a day"),
        ('deadline = "11-30"', 'deadline = "late"', "must be a day written"),
        (
            'first_divisor = "7/5"',
            'first_divisor = "x"',
            "elections.first_divisor: must be a positive",
        ),
        ('first_divisor = "7/5"', 'first_divisor = "1/0"', "must be a positive fraction"),
        ('first_divisor = "7/5"', "first_divisor = 1.4", "must be a positive fraction"),
        ('first_divisor = "7/5"', "first_divisor = true", "must be a positive fraction"),
        ('first_divisor = "7/5"', 'first_divisor = "0"', "must be a positive fraction"),
        ("members = 9 ", "members = 2 ", "organs.county_board.posts: the posts add up to 9"),
        ("members = 9 ", "members = 0 ", "organs.county_board.members: must be a whole number"),
        (
            "reminder_days = [7, 1]           # DEFAULT\nquorum",
            "reminder_days = [-1]\nquorum",
            "reminder_days",
        ),
        (
            'ex_officio = ["county_board.leader", "hovedstyret"]',
            "ex_officio = [1]",
            "ex_officio: must be a list",
        ),
        (
            'method = "majority"              # kommuneloven § 7-8',
            'method = "vote"',
            r"county_board.posts\[0\].method: must be one of",
        ),
        ("count = 7", "count = 0", r"organs.county_board.posts\[2\].count"),
        ("up_to = 10000", "up_to = 3000", "up_to must rise"),
        ("up_to = 10000\n", "", "up_to must rise"),
        (BRACKET_LAST, BRACKET_LAST + "\nup_to = 900000", "the last bracket must have no up_to"),
        ("[associates]", "associates = 5\n[x]", "associates: must be a table"),
        (
            'quorum = "1/2"\n\n[[organs.county_board',
            'quorum = "3/2"\n\n[[organs.county_board',
            "at most 1",
        ),
    ],
)
def test_a_bad_bylaws_file_is_refused_naming_file_key_and_problem(
    ks_bylaws_text: str, old: str, new: str, message: str
) -> None:
    assert old in ks_bylaws_text
    with pytest.raises(BylawsError, match=message) as caught:
        parse_bylaws(ks_bylaws_text.replace(old, new, 1), "ks-2024.toml")
    assert str(caught.value).startswith("ks-2024.toml: ")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('name = "ks-2024"', 'name = "ks-2024"\ncolour = "red"', r"colour: is not a bylaws"),
        ("members = 9 ", "deputies = 9\nmembers = 9 ", r"organs\.county_board\.deputies: is not"),
        ("count = 7", "count = 7\nweight = 1", r"organs\.county_board\.posts\[2\]\.weight: is not"),
    ],
)
def test_a_key_the_parser_does_not_know_is_refused_not_ignored(
    ks_bylaws_text: str, old: str, new: str, message: str
) -> None:
    assert old in ks_bylaws_text
    with pytest.raises(BylawsError, match=message):
        parse_bylaws(ks_bylaws_text.replace(old, new, 1), "ks-2024.toml")


def test_bylaws_without_organs_are_refused(ks_bylaws_text: str) -> None:
    head = ks_bylaws_text.split(
        "# ----------------------------------------------------------------"
    )[0]
    with pytest.raises(BylawsError, match="organs: at least one organ"):
        parse_bylaws(head + "[organs]\n", "short.toml")


def test_a_county_meeting_without_brackets_is_refused(fictional_text: str) -> None:
    start = fictional_text.index("[[county_meeting.brackets]]")
    end = fictional_text.index("[landsting]")
    text = fictional_text[:start] + fictional_text[end:]
    text = text.replace('deadline = "10-15"', 'deadline = "10-15"\nbrackets = []')
    with pytest.raises(BylawsError, match="the last bracket must have no up_to"):
        parse_bylaws(text, "fictional.toml")


def test_a_list_of_tables_must_be_tables() -> None:
    with pytest.raises(BylawsError, match=r"f: organs\.posts: must be a list of tables"):
        Table("f", "organs", {"posts": [1]}).tables("posts")
