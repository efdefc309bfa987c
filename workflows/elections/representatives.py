"""Pure checks of a county meeting's representatives: each member's council elects its number.

The county meeting's members are the municipalities and the county authority of the county; each
council elects the number of representatives the bylaws give it by population (see
`domain.representation`). A sheet is accepted whole or refused whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from models.election_payloads import MemberSeats, RepresentativesIn, RepresentativesSheetIn


def check_sheet(members: Sequence[MemberSeats], sheet: RepresentativesSheetIn) -> None:
    """Refuse a sheet that names a member twice or has any entry that does not fit."""
    numbers = [entry.member_number for entry in sheet.entries]
    twice = sorted({n for n in numbers if numbers.count(n) > 1})
    if twice:
        raise ValueError(
            f"the sheet lists member {', '.join(twice)} more than once: "
            "nothing from it was recorded"
        )
    # A person in the entries of two members (a repeat within one entry is that entry's fault).
    named = Counter(
        pid for e in sheet.entries for pid in {p.person_id for p in (*e.people, *e.deputies)}
    )
    if again := sorted(pid for pid, n in named.items() if n > 1):
        raise ValueError(
            f"the sheet names {', '.join(again)} for more than one member (one person represents "
            "one member): nothing from it was recorded"
        )
    for i, entry in enumerate(sheet.entries, 1):
        try:
            check_entry(members, entry)
        except ValueError as exc:
            raise ValueError(
                f"entry {i} of the sheet: {exc}; nothing from the sheet was recorded"
            ) from None


def check_entry(members: Sequence[MemberSeats], entry: RepresentativesIn) -> None:
    """Refuse one member's representatives: an unknown member, the wrong number, a repeat."""
    by_number = {m.member_number: m for m in members}
    member = by_number.get(entry.member_number)
    if member is None:
        raise ValueError(
            f"unknown member {entry.member_number!r}: the members of this county meeting "
            f"are {', '.join(by_number)}"
        )
    if len(entry.people) != member.representatives:
        raise ValueError(
            f"{member.name} elects {member.representatives} representative(s), "
            f"not {len(entry.people)}"
        )
    named = [p.person_id for p in (*entry.people, *entry.deputies)]
    if len(set(named)) != len(named):
        raise ValueError(f"the representatives and deputies of {member.name} name someone twice")


def missing_members(
    members: Sequence[MemberSeats], representatives: Mapping[str, RepresentativesIn]
) -> list[str]:
    """The names of the members whose representatives have not come in, in member order."""
    return [m.name for m in members if m.member_number not in representatives]
