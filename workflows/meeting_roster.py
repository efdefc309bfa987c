"""Who a meeting concerns: recipients by role, the next deputy in rank, the members present.

Pure functions over the roster (the organ's seats with contact details) given in the input.
Deputies stand in for an absent member of their own group (list), first rank first
(kommuneloven § 7-10: deputies are called in from the same group, in their order).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.meeting_payloads import VOTING_ROLES, RosterEntry
    from models.payloads import Recipient


def recipients(entries: Iterable[RosterEntry]) -> tuple[Recipient, ...]:
    """The message recipients for these roster entries (one per person)."""
    seen: dict[str, Recipient] = {}
    for e in entries:
        seen.setdefault(
            e.person_id, Recipient(recipient_id=e.person_id, email=e.email, name=e.name)
        )
    return tuple(seen.values())


def attending(
    roster: Iterable[RosterEntry], absent: Collection[str], called_in: Mapping[str, str]
) -> tuple[RosterEntry, ...]:
    """Who is expected: voting members not absent, called-in deputies and observers."""
    return tuple(
        e
        for e in roster
        if e.person_id not in absent
        and (e.role in VOTING_ROLES or e.role == "observer" or e.person_id in called_in)
    )


def next_deputy(
    roster: Iterable[RosterEntry],
    member: RosterEntry,
    absent: Collection[str],
    called_in: Mapping[str, str],
) -> RosterEntry | None:
    """The first-ranked free deputy of the member's group (any group if the member has none)."""
    free = [
        e
        for e in roster
        if e.role == "deputy"
        and e.person_id not in absent
        and e.person_id not in called_in
        and (not member.group or e.group == member.group)
    ]
    if not free:
        return None
    return min(free, key=lambda e: (e.rank is None, e.rank or 0, e.person_id))


def voting_present(
    roster: Iterable[RosterEntry], present: Collection[str], called_in: Mapping[str, str]
) -> int:
    """Members present with a vote: voting members, and deputies standing in for a member."""
    return sum(
        1
        for e in roster
        if e.person_id in present and (e.role in VOTING_ROLES or e.person_id in called_in)
    )
