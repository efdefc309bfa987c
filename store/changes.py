"""What one record write did, and running it once: the shared shape of every store write.

Write functions return a `Change` instead of appending to the audit log themselves, so that
`write_once` can run them, append the one entry and commit in a single transaction, keyed by the
caller's idempotency key. A write refused for a business reason raises `RefusedError`, whose message
is for the secretariat.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from models.records import Organ, Term
from store import audit, coverage

_Row = TypeVar("_Row", bound=SQLModel)
Upsert = Literal["inserted", "unchanged", "updated"]


class RefusedError(ValueError):
    """A write the record store will not make (unknown person, a decided election changed)."""


@dataclass(frozen=True)
class Change:
    """Rows changed, and the audit entry describing it (ids only, no names or addresses)."""

    changed: int
    action: str
    subject: str
    content: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Written:
    """What `write_once` did: rows changed, the audit entry's number and content, and whether
    the key was already logged (then nothing was written this time)."""

    changed: int
    seq: int
    action: str
    content: dict[str, Any]
    already: bool


def write_once(
    engine: Engine,
    key: str,
    actor: str,
    write: Callable[[Session], Change],
    *,
    counted: bool = True,
) -> Written:
    """Run `write` and append its audit entry in one transaction, unless `key` is logged.

    A repeat returns the first result: the count is kept in the entry's content (`counted`
    False: the entry keeps the caller's content as it is, and the write changed exactly one
    thing, the entry itself).
    """
    with Session(engine) as session, session.begin():
        done = audit.logged(session, key)
        if done is not None:
            content = json.loads(done.content)
            changed = content.get("changed", 0) if counted else 1
            return Written(changed, done.seq, done.action, content, already=True)
        with coverage.tracking(session) as touched:
            change = write(session)
            session.flush()
        content = {**change.content, "changed": change.changed} if counted else change.content
        if rows := coverage.digests_of(touched):
            content = {**content, "rows": rows}
        entry = audit.append(
            session,
            actor=actor,
            action=change.action,
            subject=change.subject,
            content=content,
            idempotency_key=key,
        )
        seq = entry.seq  # read before the commit expires the instance
    return Written(change.changed, seq, change.action, content, already=False)


def refuse(message: str) -> RefusedError:
    """A business refusal: the caller raises it; the message is shown to the secretariat."""
    return RefusedError(message)


def ensure_organ_and_term(session: Session, organ: str, term: str) -> None:
    """Create the organ and term rows on first use, so callers need not register them first."""
    if session.get(Organ, organ) is None:
        session.add(Organ(organ=organ, title=organ))
    ensure_term(session, term)


def ensure_term(session: Session, term: str) -> None:
    """Create the term's row on first use (the term's start records it)."""
    if session.get(Term, term) is None:
        first, last = (int(year) for year in term.split("-"))
        if last <= first:
            raise refuse(f"the term {term} must end after it starts, e.g. 2027-2031")
        session.add(Term(term=term, first_year=first, last_year=last))
    session.flush()


def upsert(session: Session, model: type[_Row], row: _Row | None, values: dict[str, Any]) -> Upsert:
    """Insert `values` as a new `model` row when `row` is None, else update `row` to them; a
    row that already holds them is left alone (a retried write changes nothing)."""
    if row is None:
        session.add(model.model_validate(values))
        session.flush()
        return "inserted"
    if all(getattr(row, key) == value for key, value in values.items()):
        return "unchanged"
    for key, value in values.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return "updated"
