"""Writes for people and elections, run inside a record activity's transaction.

Each function returns a `Change` for the audit log. An election is a decided fact: recording it
again with the same data changes nothing, and with different data is refused, not overwritten.
"""

from __future__ import annotations

import hashlib
import re

from sqlmodel import Session, col, select

from models.payloads import RecordElectionRequest, RecordPeopleRequest
from models.records import Election, ElectionPerson, Person
from store.audit import canonical_json, utc
from store.changes import Change, ensure_organ_and_term, refuse, upsert


def write_people(session: Session, request: RecordPeopleRequest) -> Change:
    """Insert new people and update changed ones; a county may change only the people its own
    county registered (the secretariat's national scope may change anyone). The audit entry
    lists the ids, and for each changed person the fields that changed with a fingerprint of
    the old and the new value (personal data stays out of the log, the change does not)."""
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    changes: dict[str, dict[str, list[str | None]]] = {}
    for person in request.people:
        row = session.get(Person, person.person_id)
        values = person.model_dump()
        if row is not None:
            changed = {k: v for k, v in values.items() if getattr(row, k) != v}
            if changed and not _may_change(request.scope, row.scope):
                raise refuse(
                    f"{person.person_id} is registered by {_scope_words(row.scope)}: input from "
                    f"{_scope_words(request.scope)} cannot change them (the secretariat can)"
                )
            if changed:
                changes[person.person_id] = {
                    k: [fingerprint(getattr(row, k)), fingerprint(v)] for k, v in changed.items()
                }
        else:
            values["scope"] = request.scope
        counts[upsert(session, Person, row, values)] += 1
    ids = sorted({person.person_id for person in request.people})
    return Change(
        changed=counts["inserted"] + counts["updated"],
        action="people_recorded",
        subject=f"people:{len(ids)}",
        content={**counts, "people": ids, "changes": changes},
    )


def _may_change(writer: str, owner: str | None) -> bool:
    return writer == "national" or owner is None or owner == writer


def _scope_words(scope: str | None) -> str:
    if scope is None or scope == "national":
        return "the secretariat"
    return f"county {scope.removeprefix('county:')}"


def fingerprint(value: object) -> str | None:
    """A value's fingerprint for the audit log: the first 16 hex digits of its SHA-256, so an
    auditor holding a value can tell whether it was the old or the new one."""
    if value is None:
        return None
    return hashlib.sha256(str(value).encode()).hexdigest()[:16]


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
        named = named_people(session, canonical_json(e.inputs), canonical_json(e.outcome))
        for person_id in named:
            session.add(ElectionPerson(election_id=e.election_id, person_id=person_id))
    content = {k: v for k, v in values.items() if k not in {"inputs", "outcome", "decided_at"}}
    # The inputs and outcome are ids and counts: chaining them makes a changed result detectable.
    content |= {"inputs": e.inputs, "outcome": e.outcome}
    return Change(changed, "election_recorded", e.election_id, content)


QUOTED = re.compile(r'"([^"\\]+)"')


def named_people(session: Session, *texts: str) -> list[str]:
    """The recorded people an election's canonical JSON names: every quoted string that is a
    person's id (a candidate, a list's candidate, one voted for, one elected)."""
    quoted = sorted({q for text in texts for q in QUOTED.findall(text)})
    if not quoted:
        return []
    found = session.exec(select(Person.person_id).where(col(Person.person_id).in_(quoted)))
    return sorted(found)
