"""The append-only audit log: appending inside a record's transaction, and verifying the chain.

hash(n) = sha256(hash(n-1) + "\\n" + canonical JSON of entry n's fields), with hash(0) = 64 zeros.
`verify_chain` finds the first altered, inserted or deleted row; the head row (`audit_head`) reveals
a deletion of the newest rows. Someone who can rewrite both tables and recompute every hash can
still forge a shorter history: compare the head with one kept elsewhere (`expected_head`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import bindparam, insert, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from models.records import AuditEntry, AuditHead

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same bytes for equal data. Only JSON's own types
    are accepted (TypeError otherwise): with a fallback to `str`, a date and the string of that
    date would hash alike, so callers write dates as ISO strings themselves."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    """The hash of `entry` chained to `prev_hash`."""
    return _hash(prev_hash, entry.seq, entry.at, entry.actor, entry.action, entry.subject,
                 entry.content, entry.idempotency_key)  # fmt: skip


def _hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    content: str,
    idempotency_key: str,
) -> str:
    body = canonical_json(
        {
            "seq": seq,
            "at": utc(at).isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "subject": subject,
            "content": content,
            "idempotency_key": idempotency_key,
        }
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def utc(moment: datetime) -> datetime:
    """The same instant in UTC; SQLite hands back naive datetimes, which are stored as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class NewEntry:
    """One entry to append: who did what to which subject, under which business key."""

    actor: str
    action: str
    subject: str
    content: dict[str, Any]
    idempotency_key: str


# Keys looked up per query: well below SQLite's smallest limit on bound parameters (999).
KEYS_PER_QUERY = 500


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str,
    content: dict[str, Any],
    idempotency_key: str,
) -> AuditEntry:
    """Append one entry in the caller's transaction; a key already logged returns its entry."""
    return append_all(session, [NewEntry(actor, action, subject, content, idempotency_key)])[0]


def append_all(session: Session, changes: Sequence[NewEntry]) -> list[AuditEntry]:
    """Append entries in order in the caller's transaction, chained one after the other; a key
    already logged (or repeated) gives the entry it has. The head is locked only when there is
    something new."""
    known = by_key(session, AuditEntry, [c.idempotency_key for c in changes])
    if all(c.idempotency_key in known for c in changes):
        return [known[c.idempotency_key] for c in changes]
    head = session.get(AuditHead, 1, with_for_update=True)
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    entries: list[AuditEntry] = []
    for change in changes:
        entry = known.get(change.idempotency_key)
        if entry is None:
            entry = _chained(head, change)
            session.add(entry)
            known[change.idempotency_key] = entry
        entries.append(entry)
    session.add(head)
    session.flush()
    return entries


_HEAD = (
    select(col(AuditHead.seq), col(AuditHead.hash)).where(col(AuditHead.id) == 1).with_for_update()
)
_INSERT = insert(AuditEntry)
_MOVE_HEAD = (
    update(AuditHead)
    .where(col(AuditHead.id) == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


def append_new(connection: Connection, changes: Sequence[NewEntry]) -> None:
    """Append entries whose keys the caller knows were never logged, in order, in the caller's
    transaction, with prepared statements and no ORM session: one read of the head, one insert
    of the entries, one move of the head. The hot path of the outbox; `append_all` is the
    general form."""
    if not changes:
        return
    row = connection.execute(_HEAD).first()
    seq, prev = (0, GENESIS) if row is None else (int(row.seq), str(row.hash))
    entries = []
    for change in changes:
        seq += 1
        at = datetime.now(UTC)
        content = canonical_json(change.content)
        digest = _hash(prev, seq, at, change.actor, change.action, change.subject, content,
                       change.idempotency_key)  # fmt: skip
        entries.append(
            {"seq": seq, "at": at, "actor": change.actor, "action": change.action,
             "subject": change.subject, "content": content,
             "idempotency_key": change.idempotency_key, "prev_hash": prev, "hash": digest}
        )  # fmt: skip
        prev = digest
    connection.execute(_INSERT, entries)
    if row is None:
        connection.execute(insert(AuditHead), [{"id": 1, "seq": seq, "hash": prev}])
    else:
        connection.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": prev})


def logged(session: Session, key: str) -> AuditEntry | None:
    """The entry appended under idempotency key `key`, if any."""
    return session.exec(select(AuditEntry).where(AuditEntry.idempotency_key == key)).first()


class Keyed(Protocol):
    """A table whose rows are found by a unique idempotency key."""

    idempotency_key: str


RowT = TypeVar("RowT", bound=Keyed)


def by_key(session: Session, table: type[RowT], keys: Sequence[str]) -> dict[str, RowT]:
    """The rows of `table` with these keys, by key, in queries of at most KEYS_PER_QUERY keys."""
    found: dict[str, RowT] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), KEYS_PER_QUERY):
        chunk = unique[start : start + KEYS_PER_QUERY]
        query = select(table).where(col(table.idempotency_key).in_(chunk))
        found.update((row.idempotency_key, row) for row in session.exec(query))
    return found


def _chained(head: AuditHead, change: NewEntry) -> AuditEntry:
    """The next entry after `head`, which moves on to it."""
    entry = AuditEntry(
        seq=head.seq + 1,
        at=datetime.now(UTC),
        actor=change.actor,
        action=change.action,
        subject=change.subject,
        content=canonical_json(change.content),
        idempotency_key=change.idempotency_key,
        prev_hash=head.hash,
        hash="",
    )
    entry.hash = entry_hash(head.hash, entry)
    head.seq, head.hash = entry.seq, entry.hash
    return entry


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the audit chain."""

    ok: bool
    entries: int
    head_hash: str
    first_broken_seq: int | None = None
    problem: str | None = None


def verify_chain(engine: Engine, expected_head: str | None = None) -> ChainReport:
    """Walk the chain in order and report the first broken link, or ok with the head hash."""
    with Session(engine) as session:
        head = session.get(AuditHead, 1) or AuditHead(id=1, seq=0, hash=GENESIS)
        prev, count = GENESIS, 0
        for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))):
            problem = _link_problem(entry, count + 1, prev)
            if problem:
                return ChainReport(False, count, prev, entry.seq, problem)
            prev, count = entry.hash, count + 1
        if (head.seq, head.hash) != (count, prev):
            return ChainReport(
                False,
                count,
                prev,
                count + 1,
                f"the log ends at entry {count} but the head says {head.seq}: rows were deleted "
                "from the end or the head was altered",
            )
        if expected_head is not None and expected_head != prev:
            return ChainReport(False, count, prev, None, "the head hash differs from the one given")
    return ChainReport(True, count, prev)


def _link_problem(entry: AuditEntry, expected_seq: int, prev: str) -> str | None:
    if entry.seq != expected_seq:
        return (
            f"entry {expected_seq} is missing (next is {entry.seq}): a row was deleted"
            if entry.seq > expected_seq
            else f"entry {entry.seq} appears twice or out of order: a row was inserted"
        )
    if entry.prev_hash != prev:
        return (
            f"entry {entry.seq} does not link to entry {entry.seq - 1}: "
            "a row was inserted or replaced"
        )
    if entry_hash(prev, entry) != entry.hash:
        return f"entry {entry.seq} was altered after it was written (its hash does not match)"
    return None
