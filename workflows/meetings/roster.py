"""Who a meeting concerns, and the roster and rules a newly composed organ's series starts with.

Pure functions over the roster (the organ's seats with contact details). Deputies stand in for an
absent member of their own group (list), first rank first (kommuneloven § 7-10: deputies are
called in from the same group, in their order). A series needs the organ's roster with contact
addresses (seats carry ids only) and the bylaw meeting rules, which the client put in the input:
the term's for the national organs, each county meeting's for its county board and its own
yearly meetings.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, timedelta

from models.election_payloads import OrganMeetings, RepresentativesIn
from models.meeting_payloads import VOTING_ROLES, AttendanceRow, OrganRules, RosterEntry
from models.payloads import PersonIn, Recipient, SeatIn, SeatRole

UID_DOMAIN = "ksgov.ks.no"


def meeting_uid(meeting_id: str) -> str:
    """The stable iCalendar UID of a meeting: the same for its whole life, moves included."""
    return f"{meeting_id}@{UID_DOMAIN}"


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


def attendance_rows(
    roster: Iterable[RosterEntry], present: Collection[str], called_in: Mapping[str, str]
) -> tuple[AttendanceRow, ...]:
    """The attendance list: every voting member, called-in deputy and anyone else present."""
    return tuple(
        AttendanceRow(
            person_id=e.person_id,
            present=e.person_id in present,
            as_deputy_for=called_in.get(e.person_id),
        )
        for e in roster
        if e.role in VOTING_ROLES or e.person_id in called_in or e.person_id in present
    )


def voting_present(
    roster: Iterable[RosterEntry], present: Collection[str], called_in: Mapping[str, str]
) -> int:
    """Members present with a vote: voting members, and deputies standing in for a member."""
    return sum(
        1
        for e in roster
        if e.person_id in present and (e.role in VOTING_ROLES or e.person_id in called_in)
    )


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
    representatives: Iterable[RepresentativesIn],
) -> tuple[RosterEntry, ...]:
    """A county meeting's representatives as the roster of its yearly meetings.

    Every representative a council elected is a voting member, grouped by that council
    (`member-<number>`); the council's deputies follow in their order (rank 1, 2, ...), so an
    absent representative's place goes to the first free deputy of the same council
    (kommuneloven § 7-10). Nobody is listed twice.
    """
    seen: dict[str, RosterEntry] = {}
    for entry in representatives:
        group = f"member-{entry.member_number}"
        for p in entry.people:
            seen.setdefault(p.person_id, _entry(p, "member", group, None))
        for rank, p in enumerate(entry.deputies, 1):
            seen.setdefault(p.person_id, _entry(p, "deputy", group, rank))
    return tuple(seen.values())


def _entry(person: PersonIn, role: SeatRole, group: str, rank: int | None) -> RosterEntry:
    return RosterEntry(
        person_id=person.person_id,
        name=person.name,
        email=person.email,
        role=role,
        group=group,
        rank=rank,
    )


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
    rules = rules.model_copy(update={"sender": plan.sender, "public_url": plan.public_url})
    return rules.model_copy(update={"location": plan.location}) if plan.location else rules
