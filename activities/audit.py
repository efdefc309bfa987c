"""The append-only audit log: appending inside a record's transaction, and verifying the chain.

hash(n) = sha256(hash(n-1) + "\\n" + canonical JSON of entry n's fields), with hash(0) = 64 zeros.
`verify_chain` finds the first altered, inserted or deleted row; the head row (`audit_head`) reveals
a deletion of the newest rows. Someone who can rewrite both tables and recompute every hash can
still forge a shorter history: compare the head with one kept elsewhere (`expected_head`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.records import AuditEntry, AuditHead

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no spaces and dates as ISO strings: the same bytes for equal data."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    """The hash of `entry` chained to `prev_hash`."""
    body = canonical_json(
        {
            "seq": entry.seq,
            "at": _utc(entry.at).isoformat(timespec="microseconds"),
            "actor": entry.actor,
            "action": entry.action,
            "subject": entry.subject,
            "content": entry.content,
            "idempotency_key": entry.idempotency_key,
        }
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def _utc(moment: datetime) -> datetime:
    """The same instant in UTC; SQLite hands back naive datetimes, which are stored as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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
    existing = session.exec(
        select(AuditEntry).where(AuditEntry.idempotency_key == idempotency_key)
    ).first()
    if existing is not None:
        return existing
    head = session.get(AuditHead, 1, with_for_update=True)
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    entry = AuditEntry(
        seq=head.seq + 1,
        at=datetime.now(UTC),
        actor=actor,
        action=action,
        subject=subject,
        content=canonical_json(content),
        idempotency_key=idempotency_key,
        prev_hash=head.hash,
        hash="",
    )
    entry.hash = entry_hash(head.hash, entry)
    head.seq, head.hash = entry.seq, entry.hash
    session.add(entry)
    session.add(head)
    session.flush()
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
