"""Signed checkpoints of the audit log: the past pinned down outside the database.

A checkpoint names the newest entry (its position and chain hash), carries the first 8 bytes of
every earlier entry's hash (so that a rewrite is located at its first entry, not only noticed at
the end), and is signed with the record key. Kept somewhere the database's writers cannot reach
(an auditor's folder, a published file), it lets `verify --since` tell legitimate appends, which
leave every anchored entry as it was, from any rewrite, insertion or deletion before it, even by
someone who holds the record key. Appends after the checkpoint are guarded by their signatures.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.records import AuditEntry
from store.audit import canonical_json
from store.signing import PublicKey, RecordKey

FORMAT = "ksgov-audit-checkpoint/1"
PREFIX_BYTES = 8  # of each entry's hash: enough to locate a rewrite; the last hash is whole
MAX_CHECKPOINT_BYTES = 50_000_000


class CheckpointError(ValueError):
    """A checkpoint file that is not one, or not signed by the key given (one line)."""


@dataclass(frozen=True)
class Checkpoint:
    """The audit log up to entry `seq`, signed."""

    seq: int
    hash: str
    at: str
    prefixes: bytes
    public_key: str
    signature: str = ""

    def body(self) -> dict[str, Any]:
        """Everything the signature covers."""
        return {
            "format": FORMAT,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "prefixes": base64.b64encode(self.prefixes).decode(),
            "public_key": self.public_key,
        }

    def to_json(self) -> str:
        return json.dumps(self.body() | {"signature": self.signature}, indent=1) + "\n"

    def prefix(self, seq: int) -> bytes:
        """The anchored hash prefix of entry `seq` (1-based)."""
        return self.prefixes[(seq - 1) * PREFIX_BYTES : seq * PREFIX_BYTES]

    def signed_by(self, key: PublicKey) -> bool:
        return self.public_key == key.raw and key.verifies(
            self.signature, canonical_json(self.body()).encode()
        )


def make_checkpoint(engine: Engine, key: RecordKey) -> Checkpoint:
    """A signed checkpoint of the log as it is now (the caller verifies the log first)."""
    with Session(engine) as session:
        hashes = session.exec(select(AuditEntry.hash).order_by(col(AuditEntry.seq))).all()
    prefixes = b"".join(bytes.fromhex(h)[:PREFIX_BYTES] for h in hashes)
    unsigned = Checkpoint(
        seq=len(hashes),
        hash=hashes[-1] if hashes else "0" * 64,
        at=datetime.now(UTC).isoformat(timespec="seconds"),
        prefixes=prefixes,
        public_key=key.public.raw,
    )
    signature = key.sign(canonical_json(unsigned.body()).encode())
    return Checkpoint(**{**unsigned.__dict__, "signature": signature})


def read_checkpoint(text: str, source: str) -> Checkpoint:
    """A checkpoint from its JSON; anything else is a one-line CheckpointError."""
    bad = CheckpointError(f"{source}: not a ksgov audit checkpoint")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise bad from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise bad
    try:
        checkpoint = Checkpoint(
            seq=_int(data["seq"]),
            hash=_text(data["hash"]),
            at=_text(data["at"]),
            prefixes=base64.b64decode(_text(data["prefixes"]), validate=True),
            public_key=_text(data["public_key"]),
            signature=_text(data["signature"]),
        )
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise bad from None
    if len(checkpoint.prefixes) != checkpoint.seq * PREFIX_BYTES or len(checkpoint.hash) != 64:
        raise bad
    return checkpoint


def _int(value: object) -> int:
    if type(value) is not int or value < 0:
        raise TypeError("not a count")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value
