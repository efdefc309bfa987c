"""Writes for people and elections, run inside a record activity's transaction.

Each function returns a `Change` for the audit log. An election is a decided fact: recording it
again with the same data changes nothing, and with different data is refused, not overwritten.
"""

from __future__ import annotations

from sqlmodel import Session

from models.payloads import RecordElectionRequest, RecordPeopleRequest
from models.records import Election, Person
from store.audit import canonical_json, utc
from store.changes import Change, ensure_organ_and_term, refuse, upsert


def write_people(session: Session, request: RecordPeopleRequest) -> Change:
    """Insert new people and update changed ones; the audit entry lists their ids only."""
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    for person in request.people:
        counts[_upsert_person(session, person.model_dump())] += 1
    ids = sorted({person.person_id for person in request.people})
    return Change(
        changed=counts["inserted"] + counts["updated"],
        action="people_recorded",
        subject=f"people:{len(ids)}",
        content={**counts, "people": ids},
    )


def _upsert_person(session: Session, values: dict[str, object]) -> str:
    return upsert(session, Person, session.get(Person, values["person_id"]), values)


def write_election(session: Session, request: RecordElectionRequest) -> Change:
    """Record one decided election (or round); the same election with other data is refused."""
    e = request.election
    ensure_organ_and_term(session, e.organ, e.term)
    values = {
        "election_id": e.election_id,
        "term": e.term,
        "organ": e.organ,
        "post": e.post,
        "method": e.method,
        "round": e.round,
        "inputs": canonical_json(e.inputs),
        "outcome": canonical_json(e.outcome),
        "decided_at": utc(e.decided_at),
    }
    existing = session.get(Election, e.election_id)
    changed = 1
    if existing is not None:
        if {**existing.model_dump(), "decided_at": utc(existing.decided_at)} != values:
            raise refuse(
                f"the election {e.election_id} is already recorded with another result; "
                "a decided election is not changed: record a new round or a new election"
            )
        changed = 0
    else:
        session.add(Election.model_validate(values))
        session.flush()
    content = {k: v for k, v in values.items() if k not in {"inputs", "outcome", "decided_at"}}
    # The inputs and outcome are ids and counts: chaining them makes a changed result detectable.
    content |= {"inputs": e.inputs, "outcome": e.outcome}
    return Change(changed, "election_recorded", e.election_id, content)
