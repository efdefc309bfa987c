"""Pure helpers for starting an organ's meeting series once it is composed.

A series needs the organ's roster with contact addresses (seats carry ids only) and the bylaw
meeting rules, which the client put in the input: the term's for the national organs, each
county meeting's for its county board and its own yearly meetings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from models.election_payloads import OrganMeetings
from models.meeting_payloads import OrganRules, RosterEntry
from models.payloads import PersonIn, SeatIn

FIRST_MEETING_AFTER = timedelta(days=14)


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


def representatives_roster(
    representatives: Iterable[tuple[str, Sequence[PersonIn]]],
) -> tuple[RosterEntry, ...]:
    """A county meeting's representatives as the roster of its yearly meetings.

    Every representative a council elected is a voting member, grouped by that council
    (`member-<number>`); nobody is listed twice. The councils elect no deputies to the county
    meeting, so an absent representative is not replaced.
    """
    seen: dict[str, RosterEntry] = {}
    for member_number, people in representatives:
        for p in people:
            seen.setdefault(
                p.person_id,
                RosterEntry(
                    person_id=p.person_id,
                    name=p.name,
                    email=p.email,
                    role="member",
                    group=f"member-{member_number}",
                ),
            )
    return tuple(seen.values())


def first_meeting_day(composed_on: date, notice_days: int) -> date:
    """The first day a newly composed organ's series may hold a meeting: two weeks after it was
    composed, and late enough for the bylaw notice to go out in time."""
    return composed_on + max(FIRST_MEETING_AFTER, timedelta(days=notice_days + 1))


def organ_rules(
    plan: OrganMeetings, term: str, roster: tuple[RosterEntry, ...], county: str = ""
) -> OrganRules:
    """The meeting rules of a series, from the bylaw plan the client sent."""
    rules = OrganRules(
        organ=plan.organ,
        organ_title=plan.organ_title,
        term=term,
        county=county,
        notice_days=plan.notice_days,
        reminder_days=plan.reminder_days,
        quorum=plan.quorum,
        members=plan.members,
        roster=roster,
    )
    return rules.model_copy(update={"location": plan.location}) if plan.location else rules
