"""The letter that announces a decided election (`result_announced`): its context and request.

Pure: built from the ballot's post (its Norwegian title and organ, given in the post's spec by
the client), the seats the election filled and the people the meeting knows. The subject key is
the election's key, so a retried step sends each letter once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from domain.terms import display
from models.payloads import NotifyRequest, PersonIn, Recipient, SeatIn
from workflows.elections.ballot import Ballot


def result_context(
    ballot: Ballot, seats: Sequence[SeatIn], people: Mapping[str, PersonIn], term: str
) -> dict[str, Any]:
    """What the letter says: the post and organ in Norwegian, the period, who was elected and
    who are deputies, in the order the election placed them."""
    spec = ballot.spec
    return {
        "post": spec.title or spec.post,
        "organ_title": spec.organ_title or spec.organ,
        "term": display(term),
        "elected": [people[s.person_id].name for s in seats if s.role != "deputy"],
        "deputies": [people[s.person_id].name for s in seats if s.role == "deputy"],
        "recipient_role": "elected",
    }


def result_request(key: str, elected: Sequence[PersonIn], context: dict[str, Any]) -> NotifyRequest:
    """The letter to each person the election placed (members and deputies)."""
    return NotifyRequest(
        purpose="result_announced",
        subject_key=key,
        recipients=tuple(
            Recipient(recipient_id=p.person_id, email=p.email, name=p.name) for p in elected
        ),
        context=context,
    )
