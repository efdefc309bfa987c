"""The letters of the county meeting and the Landsting that are not results: the notice of the
elective county meeting to each member's representatives and deputies, and the Landsting's
notice to its delegates' deputies.

Pure: built from the meeting's input and what it has registered. A county organ's letters are
signed by KS in the county (the regional office, "KS Vestland") and answered to the county
secretary when the registry gives one; the Landsting's by the secretariat. Subject keys carry
the meeting date, so a date set again sends the notice again with the new date, and a sheet
sent twice sends it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from domain.meeting_plan import oslo_time
from models.election_payloads import CountyMeetingInput, PostSpec, RepresentativesIn
from models.payloads import NotifyRequest, PersonIn, Recipient

# Where a workflow must name a time itself: the assembly opens at 10:00 Oslo time, place to follow
# (as the Landsting's notice, workflows.elections.composition).
OPENS_AT = 10
PLACE_TO_FOLLOW = "meddeles senere"
# Addresses the registry lacks are synthesized under .invalid (never delivered): no Reply-To.
UNDELIVERABLE = ".invalid"


def county_sender(data: CountyMeetingInput) -> dict[str, Any]:
    """The signature of a county organ's letters: KS in the county."""
    return {"sender": f"KS {data.county_name}"}


def reply_to(data: CountyMeetingInput) -> str | None:
    """The county secretary's address, where replies to a county organ's letters go."""
    address = data.secretary_email
    return None if not address or address.endswith(UNDELIVERABLE) else address


def agenda(posts: Sequence[PostSpec]) -> list[dict[str, Any]]:
    """The elective county meeting's agenda: constitution, then one election per post in the
    order they are held (the delegates first: the board is elected from among them)."""
    items = ["Konstituering: godkjenning av innkalling og saksliste, valg av møteleder og av "
             "to representanter til å underskrive protokollen"]  # fmt: skip
    for post in posts:
        if post.organ.startswith("county_board:"):
            items.append(f"Valg av {post.title} til fylkesstyret")
        else:
            items.append(f"Valg av {post.title}")
    return [{"number": n, "title": title} for n, title in enumerate(items, start=1)]


def county_meeting_notices(
    data: CountyMeetingInput, meeting_date: date, entries: Sequence[RepresentativesIn], key: str
) -> list[NotifyRequest]:
    """The notice to each given member's representatives, and a copy to its deputies."""
    names = {m.member_number: m.name for m in data.members}
    answer_to = reply_to(data)
    shared = {
        "county": data.county_name,
        "term": data.term,
        "starts_at": oslo_time(meeting_date, OPENS_AT).isoformat(),
        "place": PLACE_TO_FOLLOW,
        "agenda": agenda(data.posts),
        "reply_to": answer_to is not None,
        **county_sender(data),
    }
    requests = []
    for entry in entries:
        member = names.get(entry.member_number, entry.member_number)
        for role, people in (("representative", entry.people), ("deputy", entry.deputies)):
            if not people:
                continue
            requests.append(
                NotifyRequest(
                    purpose="county_meeting_notice",
                    subject_key=f"{key}/notice/{meeting_date.isoformat()}/"
                    f"member-{entry.member_number}/{role}",
                    recipients=recipients(people),
                    context={**shared, "member": member, "recipient_role": role},
                    reply_to=answer_to,
                )
            )
    return requests


def recipients(people: Sequence[PersonIn]) -> tuple[Recipient, ...]:
    return tuple(Recipient(recipient_id=p.person_id, email=p.email, name=p.name) for p in people)
