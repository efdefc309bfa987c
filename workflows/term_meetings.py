"""Pure helpers of the term workflow for starting an organ's meeting series.

A series needs the organ's roster with contact addresses (seats carry ids only) and the bylaw
meeting rules, which the client put in the term's input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from models.election_payloads import OrganMeetings
from models.meeting_payloads import OrganRules, RosterEntry
from models.payloads import PersonIn, SeatIn


def meeting_roster(
    seats: Sequence[SeatIn], people: Mapping[str, PersonIn], organ: str
) -> tuple[RosterEntry, ...]:
    """The organ's seats as a meeting roster; seats of people without a known address are left
    out (they cannot be given notice by e-mail)."""
    return tuple(
        RosterEntry(
            person_id=s.person_id,
            name=people[s.person_id].name,
            email=people[s.person_id].email,
            role=s.role,
            rank=s.rank,
            group=s.group,
        )
        for s in seats
        if s.organ == organ and s.person_id in people
    )


def organ_rules(plan: OrganMeetings, term: str, roster: tuple[RosterEntry, ...]) -> OrganRules:
    """The meeting rules of a series, from the bylaw plan the client sent."""
    return OrganRules(
        organ=plan.organ,
        organ_title=plan.organ_title,
        term=term,
        notice_days=plan.notice_days,
        reminder_days=plan.reminder_days,
        quorum=plan.quorum,
        members=plan.members,
        roster=roster,
    )
