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
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import bindparam, insert, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from models.records import AuditEntry, AuditHead
from store import signing

if TYPE_CHECKING:
    from store.anchor import Checkpoint

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
    something new, and moved after the entries are written (a trigger refuses a head that
    points at no entry)."""
    known = by_key(session, AuditEntry, [c.idempotency_key for c in changes])
    if all(c.idempotency_key in known for c in changes):
        return [known[c.idempotency_key] for c in changes]
    head = session.get(AuditHead, 1, with_for_update=True)
    seq, prev = (0, GENESIS) if head is None else (head.seq, head.hash)
    key = signing.signer_for(session.get_bind())
    entries: list[AuditEntry] = []
    for change in changes:
        entry = known.get(change.idempotency_key)
        if entry is None:
            seq += 1
            entry = _entry(seq, prev, change, key)
            prev = entry.hash
            session.add(entry)
            known[change.idempotency_key] = entry
        entries.append(entry)
    session.flush()
    head = head or AuditHead(id=1)
    head.seq, head.hash, head.signature = seq, prev, _head_signature(key, seq, prev)
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
    .values(
        seq=bindparam("new_seq"), hash=bindparam("new_hash"), signature=bindparam("new_signature")
    )
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
    key = signing.signer_for(connection)
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
             "idempotency_key": change.idempotency_key, "prev_hash": prev, "hash": digest,
             "signature": _entry_signature(key, seq, digest)}
        )  # fmt: skip
        prev = digest
    connection.execute(_INSERT, entries)
    moved = {"seq": seq, "hash": prev, "signature": _head_signature(key, seq, prev)}
    if row is None:
        connection.execute(insert(AuditHead), [{"id": 1, **moved}])
    else:
        connection.execute(_MOVE_HEAD, {f"new_{k}": v for k, v in moved.items()})


def _entry_signature(key: signing.RecordKey | None, seq: int, digest: str) -> str:
    return "" if key is None else key.sign(signing.entry_message(seq, digest))


def _head_signature(key: signing.RecordKey | None, seq: int, digest: str) -> str:
    return "" if key is None else key.sign(signing.head_message(seq, digest))


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


def _entry(seq: int, prev: str, change: NewEntry, key: signing.RecordKey | None) -> AuditEntry:
    """Entry `seq` of the chain, after the entry whose hash is `prev`, signed with `key`."""
    entry = AuditEntry(
        seq=seq,
        at=datetime.now(UTC),
        actor=change.actor,
        action=change.action,
        subject=change.subject,
        content=canonical_json(change.content),
        idempotency_key=change.idempotency_key,
        prev_hash=prev,
        hash="",
    )
    entry.hash = entry_hash(prev, entry)
    entry.signature = _entry_signature(key, seq, entry.hash)
    return entry


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the audit chain."""

    ok: bool
    entries: int
    head_hash: str
    first_broken_seq: int | None = None
    problem: str | None = None
    signatures_checked: bool = False
    anchored: int | None = None  # the checkpoint's entry, when one was given


def verify_chain(
    engine: Engine,
    expected_head: str | None = None,
    public_key: signing.PublicKey | None = None,
    checkpoint: Checkpoint | None = None,
) -> ChainReport:
    """Walk the chain in order and report the first broken link, or ok with the head hash.

    With `public_key`, every entry and the head must be signed by the record key; with a
    `checkpoint` (already checked to be signed by that key), every entry it anchors must still
    be the one it anchored."""
    signed = public_key is not None
    anchored = None if checkpoint is None else checkpoint.seq

    def broken(count: int, prev: str, seq: int | None, problem: str) -> ChainReport:
        return ChainReport(False, count, prev, seq, problem, signed, anchored)

    with Session(engine) as session:
        head = session.get(AuditHead, 1) or AuditHead(id=1, seq=0, hash=GENESIS)
        prev, count = GENESIS, 0
        for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))):
            problem = _link_problem(entry, count + 1, prev) or _signature_problem(entry, public_key)
            if problem is None and checkpoint is not None:
                problem = _anchor_problem(entry, checkpoint)
            if problem:
                return broken(count, prev, entry.seq, problem)
            prev, count = entry.hash, count + 1
        if checkpoint is not None and count < checkpoint.seq:
            return broken(
                count, prev, count + 1,
                f"the log ends at entry {count} but the checkpoint anchors {checkpoint.seq} "
                "entries: anchored entries were deleted",
            )  # fmt: skip
        if (head.seq, head.hash) != (count, prev):
            return broken(
                count, prev, count + 1,
                f"the log ends at entry {count} but the head says {head.seq}: rows were deleted "
                "from the end or the head was altered",
            )  # fmt: skip
        if public_key is not None and not public_key.verifies(
            head.signature, signing.head_message(head.seq, head.hash)
        ):
            return broken(
                count, prev, count + 1,
                "the head is not signed by the record key: it was moved without the key "
                "(newest entries deleted, or entries appended without it)",
            )  # fmt: skip
        if expected_head is not None and expected_head != prev:
            return broken(count, prev, None, "the head hash differs from the one given")
    return ChainReport(True, count, prev, None, None, signed, anchored)


def _signature_problem(entry: AuditEntry, key: signing.PublicKey | None) -> str | None:
    if key is None or key.verifies(entry.signature, signing.entry_message(entry.seq, entry.hash)):
        return None
    return (
        f"entry {entry.seq} is not signed by the record key: it was written or rewritten "
        "without the key"
    )


def _anchor_problem(entry: AuditEntry, checkpoint: Checkpoint) -> str | None:
    if entry.seq > checkpoint.seq:
        return None
    if entry.seq == checkpoint.seq:
        same = entry.hash == checkpoint.hash
    else:
        same = bytes.fromhex(entry.hash)[: len(checkpoint.prefix(entry.seq))] == checkpoint.prefix(
            entry.seq
        )
    if same:
        return None
    return (
        f"entry {entry.seq} is not the one the checkpoint of entry {checkpoint.seq} anchored: "
        f"the log was rewritten from entry {entry.seq}"
    )


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
