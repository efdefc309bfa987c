"""A county meeting's representatives: each member's council elects its number, a sheet whole.

The shipped bylaws give Oslo's county meeting two members: Oslo kommune (0301) electing 7
representatives and the county authority (03) electing 3.
"""

from __future__ import annotations

import pytest

from domain.bylaws import Bylaws
from domain.gender import Gender
from domain.registry import Registry
from models.election_payloads import MemberSeats, RepresentativesIn, RepresentativesSheetIn
from models.payloads import PersonIn
from service.term_inputs import build_term_input
from workflows.elections.representatives import check_entry, check_sheet, missing_members

MEMBERS = (
    MemberSeats(
        member_number="4601",
        name="Bergen",
        kind="municipality",
        email="postmottak@4601.kommune.invalid",
        representatives=2,
    ),
    MemberSeats(
        member_number="4602",
        name="Kinn",
        kind="municipality",
        email="postmottak@4602.kommune.invalid",
        representatives=1,
    ),
    MemberSeats(
        member_number="46",
        name="Vestland fylkeskommune",
        kind="county",
        email="postmottak@46.fylkeskommune.invalid",
        representatives=3,
    ),
)


def person(pid: str) -> PersonIn:
    return PersonIn(
        person_id=pid, name=f"Person {pid}", gender=Gender.FEMALE, email=f"{pid}@example.invalid"
    )


def entry(member: str, *ids: str) -> RepresentativesIn:
    return RepresentativesIn(member_number=member, people=tuple(person(i) for i in ids))


def sheet(*entries: RepresentativesIn) -> RepresentativesSheetIn:
    return RepresentativesSheetIn(entries=entries)


def test_oslo_is_one_member_of_its_county_meeting_with_one_representation(
    ks_registry: Registry, ks_bylaws: Bylaws
) -> None:
    """Oslo is both municipality and county: one member, one letter (docs/domain.md, "Members")."""
    plan = build_term_input(ks_registry, ks_bylaws, 2027)
    members = next(c for c in plan.counties if c.county == "03").members
    assert [(m.member_number, m.kind, m.representatives) for m in members] == [
        ("0301", "municipality", 7)
    ]
    oslo = entry("0301", *(f"o{i}" for i in range(7)))
    check_sheet(members, sheet(oslo))
    with pytest.raises(ValueError, match="unknown member '03'"):
        check_sheet(members, sheet(oslo.model_copy(update={"member_number": "03"})))


def test_troms_county_meeting_includes_longyearbyen_lokalstyre_and_the_county(
    ks_registry: Registry, ks_bylaws: Bylaws
) -> None:
    """Longyearbyen lokalstyre belongs to Troms' county meeting (the bylaws as changed in 2023)."""
    plan = build_term_input(ks_registry, ks_bylaws, 2027)
    members = next(c for c in plan.counties if c.county == "55").members
    extra = [(m.member_number, m.name, m.representatives) for m in members if m.kind != "county"]
    assert ("2100", "Longyearbyen lokalstyre", 1) in extra
    assert [m.member_number for m in members if m.kind == "county"] == ["55"]


def test_a_sheet_with_some_members_in_any_order_is_accepted() -> None:
    check_sheet(MEMBERS, sheet(entry("46", "c0", "c1", "c2"), entry("4601", "b0", "b1")))
    check_entry(MEMBERS, entry("4602", "k0"))  # and any one entry on its own


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            (entry("4602", "k0"), entry("4601", "b0", "b1"), entry("4602", "k1")),
            "^the sheet lists member 4602 more than once: nothing from it was recorded$",
        ),
        (
            (entry("46", "c0", "c1", "c2"), entry("46", "c0", "c1", "c2"), entry("4602", "k0")),
            "^the sheet lists member 46 more than once",
        ),
        (
            (entry("4601", "b0", "b1"), entry("4699", "x0")),
            "^entry 2 of the sheet: unknown member '4699': the members of this county meeting "
            "are 4601, 4602, 46; nothing from the sheet was recorded$",
        ),
        (
            (entry("4601", "b0"),),
            "^entry 1 of the sheet: Bergen elects 2 representative\\(s\\), not 1;",
        ),
        (
            (entry("4602", "k0"), entry("46", "c0", "c1", "c0")),
            "^entry 2 of the sheet: the representatives and deputies of Vestland fylkeskommune "
            "name someone twice; nothing from the sheet was recorded$",
        ),
    ],
)
def test_a_sheet_with_any_entry_that_does_not_fit_is_refused_whole(
    entries: tuple[RepresentativesIn, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        check_sheet(MEMBERS, sheet(*entries))


def test_two_members_listed_twice_are_named_in_order() -> None:
    twice = (entry("4602", "k0"), entry("4601", "b0", "b1"))
    with pytest.raises(ValueError, match=r"^the sheet lists member 4601, 4602 more than once"):
        check_sheet(MEMBERS, sheet(*twice, *twice))


def test_one_person_representing_two_members_is_refused_whole() -> None:
    # Issue 21, finding 8: the same person for two municipalities was accepted.
    both = (entry("4601", "b0", "x1"), entry("4602", "x1"))
    with pytest.raises(ValueError, match=r"^the sheet names x1 for more than one member"):
        check_sheet(MEMBERS, sheet(*both))


def test_one_entry_is_refused_without_the_sheets_words() -> None:
    with pytest.raises(ValueError, match=r"^Kinn elects 1 representative\(s\), not 2$"):
        check_entry(MEMBERS, entry("4602", "k0", "k1"))


@pytest.mark.parametrize(
    ("received", "missing"),
    [
        ((), ["Bergen", "Kinn", "Vestland fylkeskommune"]),
        (("46",), ["Bergen", "Kinn"]),
        (("46", "4601"), ["Kinn"]),
        (("4602", "4601", "46"), []),
    ],
)
def test_the_members_still_missing_are_named_in_member_order(
    received: tuple[str, ...], missing: list[str]
) -> None:
    representatives = {
        number: RepresentativesIn(member_number=number, people=(person(f"p{number}"),))
        for number in received
    }
    assert missing_members(MEMBERS, representatives) == missing
