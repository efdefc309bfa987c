"""Bylaws (vedtekter) as versioned data: the model, the TOML parser and the choice by date.

A term is run under the bylaws in force when it starts (docs/domain.md, "Bylaw parameters": the
2024 county reform changed the counties and the delegate key in the middle of a cycle). The text
is read by the caller; `parse_bylaws` only parses and checks it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from domain.apportionment import DEFAULT_FIRST_DIVISOR, Method, TieBreak
from domain.bylaws_fields import BylawsError, Table

__all__ = [
    "Bracket",
    "Bylaws",
    "BylawsError",
    "CountyMeetingRules",
    "DelegateKey",
    "ElectionMethod",
    "ElectionRules",
    "ExtraMember",
    "LandstingRules",
    "MeetingPlan",
    "Organ",
    "Post",
    "bylaws_in_force",
    "parse_bylaws",
]


class ElectionMethod(StrEnum):
    """How a post is filled: kommuneloven § 7-8 (majority), §§ 7-5/7-6 (proportional), § 7-4."""

    MAJORITY = "majority"
    PROPORTIONAL = "proportional"
    AGREED = "agreed"


@dataclass(frozen=True)
class Post:
    """`count` seats called `name` in an organ, filled by `method`."""

    name: str
    method: ElectionMethod
    count: int


@dataclass(frozen=True)
class MeetingPlan:
    """Meetings a year, notice period and reminders (days before), quorum as a fraction."""

    meetings_per_year: int
    notice_days: int
    reminder_days: tuple[int, ...]
    quorum: Fraction


@dataclass(frozen=True)
class Organ:
    """One organ: its size (None: set by the registry), who elects it, its posts and meetings."""

    key: str
    title: str
    elected_by: str
    members: int | None
    per_county: bool
    posts: tuple[Post, ...]
    meetings: MeetingPlan
    associate_members: int
    ex_officio: tuple[str, ...]
    whole_body_balance: bool = False


@dataclass(frozen=True)
class DelegateKey:
    """How the congress delegates are shared between counties by population."""

    method: Method
    total: int
    minimum_per_county: int
    first_divisor: Fraction


@dataclass(frozen=True)
class Bracket:
    """Municipalities with at most `up_to` inhabitants (None: any number) send `representatives`."""

    up_to: int | None
    representatives: int


@dataclass(frozen=True)
class ExtraMember:
    """A member of a county meeting that the registry does not list as a municipality."""

    number: str
    name: str
    county: str
    representatives: int


@dataclass(frozen=True)
class CountyMeetingRules:
    """County meeting: representation brackets, county-authority delegates, election deadline,
    and the members the bylaws add (Longyearbyen lokalstyre in Troms)."""

    brackets: tuple[Bracket, ...]
    county_authority_delegates: int
    deadline: tuple[int, int]
    extra_members: tuple[ExtraMember, ...] = ()


@dataclass(frozen=True)
class LandstingRules:
    """The congress: notice deadline, associates' delegates, members it elects to the council."""

    notice_deadline: tuple[int, int]
    associate_delegates: int
    council_members_elected: int
    observer_organ: str = ""


@dataclass(frozen=True)
class ElectionRules:
    """Defaults for list elections and vacancies."""

    list_method: Method
    tie_break: TieBreak
    first_divisor: Fraction
    deputies_extra: int
    first_deputy_moves_up: bool


@dataclass(frozen=True)
class Bylaws:
    """One version of the bylaws, in force from `effective_from`."""

    name: str
    title: str
    effective_from: dt.date
    associate_name: str
    associate_companies: int
    organs: dict[str, Organ]
    delegate_key: DelegateKey
    county_meeting: CountyMeetingRules
    landsting: LandstingRules
    elections: ElectionRules

    def organ(self, key: str) -> Organ:
        """The organ called `key`, or a `BylawsError` listing the organs these bylaws define."""
        if key not in self.organs:
            known = ", ".join(self.organs)
            raise BylawsError(f"{self.name}: unknown organ {key!r}: the organs are {known}")
        return self.organs[key]


def parse_bylaws(text: str, source_label: str) -> Bylaws:
    """Parse and check one bylaws TOML text; errors name `source_label`, the key and the problem.

    Rule: every parameter docs/domain.md lists under "Bylaw parameters" is data, read from the file.
    Example: parse_bylaws(Path("data/bylaws/ks-2024.toml").read_text(), "ks-2024.toml").name
    is "ks-2024".
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BylawsError(f"{source_label}: not valid TOML ({exc})") from None
    top = Table(source_label, "", data)
    associates = top.table("associates")
    bylaws = Bylaws(
        name=top.text("name"),
        title=top.text("title"),
        effective_from=top.date("effective_from"),
        associate_name=associates.text("name"),
        associate_companies=associates.integer("companies"),
        organs=_organs(top.table("organs")),
        delegate_key=_delegate_key(top.table("delegate_key")),
        county_meeting=_county_meeting(top.table("county_meeting")),
        landsting=_landsting(top.table("landsting")),
        elections=_elections(top.table("elections")),
    )
    top.refuse_unread()
    return bylaws


def bylaws_in_force(all_bylaws: Iterable[Bylaws], on_date: dt.date) -> Bylaws:
    """The bylaws in force on `on_date`: the latest `effective_from` on or before it.

    Rule: a term runs under the bylaws in force when it starts (docs/domain.md, "Bylaw parameters").
    Example: with versions from 2020-01-01 and 2024-01-01, 2023-11-01 picks the 2020 version.
    """
    candidates = [b for b in all_bylaws if b.effective_from <= on_date]
    if not candidates:
        raise BylawsError(f"no bylaws are in force on {on_date.isoformat()}")
    return max(candidates, key=lambda b: b.effective_from)


def _method(table: Table, name: str) -> Method:
    return Method(table.text(name, choices=tuple(m.value for m in Method)))


def _organs(table: Table) -> dict[str, Organ]:
    if not table.data:
        raise table.fail("", "at least one organ must be defined")
    return {key: _organ(table.table(key), key) for key in table.data}


def _organ(table: Table, key: str) -> Organ:
    members = table.optional_integer("members", minimum=1)
    posts = tuple(_post(t) for t in table.tables("posts", required=False))
    seats = sum(p.count for p in posts)
    if members is not None and seats > members:
        raise table.fail(
            "posts", f"the posts add up to {seats} seats, more than the {members} members"
        )
    return Organ(
        key=key,
        title=table.text("title"),
        elected_by=table.text("elected_by"),
        members=members,
        per_county=table.flag("per_county", False),
        posts=posts,
        meetings=_meetings(table),
        associate_members=table.integer("associate_members", 0),
        ex_officio=table.texts("ex_officio", ()),
        whole_body_balance=table.flag("whole_body_balance", False),
    )


def _post(table: Table) -> Post:
    methods = tuple(m.value for m in ElectionMethod)
    return Post(
        name=table.text("name"),
        method=ElectionMethod(table.text("method", choices=methods)),
        count=table.integer("count", minimum=1),
    )


def _meetings(table: Table) -> MeetingPlan:
    quorum = table.fraction("quorum", "1/2")
    if quorum > 1:
        raise table.fail("quorum", f"must be at most 1 (all members), not {quorum}")
    return MeetingPlan(
        meetings_per_year=table.integer("meetings_per_year"),
        notice_days=table.integer("notice_days"),
        reminder_days=table.integers("reminder_days", ()),
        quorum=quorum,
    )


def _delegate_key(table: Table) -> DelegateKey:
    return DelegateKey(
        method=_method(table, "method"),
        total=table.integer("total", minimum=1),
        minimum_per_county=table.integer("minimum_per_county", 0),
        first_divisor=table.fraction("first_divisor", str(DEFAULT_FIRST_DIVISOR)),
    )


def _county_meeting(table: Table) -> CountyMeetingRules:
    brackets = tuple(
        Bracket(t.optional_integer("up_to"), t.integer("representatives", minimum=1))
        for t in table.tables("brackets")
    )
    limits = [b.up_to for b in brackets]
    if not brackets or limits[-1] is not None:
        raise table.fail("brackets", "the last bracket must have no up_to (it takes the rest)")
    bounded = [limit for limit in limits[:-1] if limit is not None]
    if len(bounded) != len(limits) - 1 or bounded != sorted(set(bounded)):
        raise table.fail("brackets", "up_to must rise from bracket to bracket")
    extra = tuple(
        ExtraMember(
            number=t.text("number"),
            name=t.text("name"),
            county=t.text("county"),
            representatives=t.integer("representatives", minimum=1),
        )
        for t in table.tables("extra_members", required=False)
    )
    return CountyMeetingRules(
        brackets=brackets,
        county_authority_delegates=table.integer("county_authority_delegates"),
        deadline=table.month_day("deadline"),
        extra_members=extra,
    )


def _landsting(table: Table) -> LandstingRules:
    return LandstingRules(
        notice_deadline=table.month_day("notice_deadline"),
        associate_delegates=table.integer("associate_delegates"),
        council_members_elected=table.integer("council_members_elected"),
        observer_organ=table.text("observer_organ") if "observer_organ" in table.data else "",
    )


def _elections(table: Table) -> ElectionRules:
    return ElectionRules(
        list_method=_method(table, "list_method"),
        tie_break=TieBreak(table.text("tie_break", choices=tuple(t.value for t in TieBreak))),
        first_divisor=table.fraction("first_divisor", str(DEFAULT_FIRST_DIVISOR)),
        deputies_extra=table.integer("deputies_extra"),
        first_deputy_moves_up=table.flag("first_deputy_moves_up"),
    )
