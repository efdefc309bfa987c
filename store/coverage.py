"""The record tables under the audit chain: every write names the digest of each row it left.

The audit log is signed and chained, but a person's e-mail, a seat or an election changed
directly in its table would not touch the log. So each audit entry that writes a person, seat,
election, notification or registry version carries, under `rows`, the digest of each row as
the write left it (SHA-256 of the row's canonical JSON, 32 hex digits; no value in clear), and
`verify_records` compares every row of those tables with the digest the newest entry gave it.
A row changed, added or deleted outside ksgov is named; whether the entry itself is genuine is
the chain's and the signatures' business (`store.audit.verify_chain`). A registry version's row
holds the digest of its entries (addresses included, none in clear), so its entries are covered
through it.

Notifications have two digests: what was sent to whom about what (fixed when queued) and its
state (queued, sent or failed, when, late or not). Their attempt counter and last error are
operational and not covered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from models.records import AuditEntry, Election, Notification, Person, RegistryVersion, Seat
from store.audit import canonical_json, utc

NOTIFICATION_SENT = ("idempotency_key", "purpose", "recipient_id", "subject_key", "deadline",
                     "queued_at")  # fmt: skip
NOTIFICATION_STATE = ("idempotency_key", "status", "sent_at", "late", "message_id")


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc(value).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def digest(values: dict[str, Any]) -> str:
    """The digest of a row's values (dates and times as ISO text, times in UTC)."""
    body = canonical_json({k: _value(v) for k, v in values.items()})
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def _columns(row: SQLModel, names: tuple[str, ...] | None = None) -> dict[str, Any]:
    table = type(row).__table__  # type: ignore[attr-defined]
    wanted = names or tuple(c.name for c in table.columns if c.name != "id")
    return {name: getattr(row, name) for name in wanted}


def row_digests(row: SQLModel) -> dict[str, str]:
    """The keys and digests of one covered row (empty for a table not covered)."""
    if isinstance(row, Person):
        return {f"person/{row.person_id}": digest(_columns(row))}
    if isinstance(row, Seat):
        key = f"seat/{row.organ}/{row.term}/{row.person_id}/{row.role}"
        return {key: digest(_columns(row))}
    if isinstance(row, Election):
        return {f"election/{row.election_id}": digest(_columns(row))}
    if isinstance(row, RegistryVersion):
        return {f"registry/v{row.id}": digest(_columns(row))}
    if isinstance(row, Notification):
        return notification_digests(_columns(row, NOTIFICATION_SENT + NOTIFICATION_STATE[1:]))
    return {}


def notification_digests(values: dict[str, Any], *, state_only: bool = False) -> dict[str, str]:
    """A notification's two digests from its values (only the state's, if `state_only`)."""
    key = values["idempotency_key"]
    digests = {f"notification-state/{key}": digest({k: values[k] for k in NOTIFICATION_STATE})}
    if not state_only:
        digests[f"notification/{key}"] = digest({k: values[k] for k in NOTIFICATION_SENT})
    return digests


@contextmanager
def tracking(session: Session) -> Iterator[dict[int, SQLModel]]:
    """Collect the rows the session inserts or changes while the block runs (by identity)."""
    touched: dict[int, SQLModel] = {}

    def collect(flushing: Session, _context: Any) -> None:
        for row in (*flushing.new, *flushing.dirty):
            if isinstance(row, SQLModel):
                touched[id(row)] = row

    event.listen(session, "after_flush", collect)
    try:
        yield touched
    finally:
        event.remove(session, "after_flush", collect)


def digests_of(rows: dict[int, SQLModel]) -> dict[str, str]:
    """The digests of the covered rows among `rows`, sorted by key."""
    found: dict[str, str] = {}
    for row in rows.values():
        found.update(row_digests(row))
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class RecordsReport:
    """The record tables against the digests of the audit log."""

    ok: bool
    rows: int
    problem: str | None = None


def verify_records(engine: Engine) -> RecordsReport:
    """Every person, seat, election, notification and registry version as the newest audit entry
    about it left it, and no such row without one; every version's entries as the version's
    digest says; the first row that differs is named."""
    # Imported here: store.registry imports store.changes, which imports this module.
    from store.registry import altered_versions

    recorded: dict[str, tuple[str, int]] = {}
    with Session(engine) as session:
        query = select(AuditEntry.seq, AuditEntry.content).order_by(col(AuditEntry.seq))
        for seq, content in session.exec(query):
            if '"rows":' not in content:
                continue
            rows = json.loads(content).get("rows")
            if isinstance(rows, dict):
                recorded.update((key, (str(value), seq)) for key, value in rows.items())
        found: dict[str, str] = {}
        tables: tuple[type[SQLModel], ...] = (Person, Seat, Election, Notification, RegistryVersion)
        for table in tables:
            for row in session.exec(select(table)):
                found.update(row_digests(row))
        altered = altered_versions(session)
    for key in sorted(found):
        if key not in recorded:
            return RecordsReport(False, len(found), f"{key} has no audit entry: it was written "
                                 "outside ksgov")  # fmt: skip
        value, seq = recorded[key]
        if found[key] != value:
            return RecordsReport(False, len(found), f"{key} is not as audit entry {seq} "
                                 "recorded it: it was changed outside ksgov")  # fmt: skip
    if altered:
        return RecordsReport(False, len(found), f"the entries of registry/v{altered[0]} are "
                             "not those it was imported with: changed outside ksgov")  # fmt: skip
    if missing := sorted(set(recorded) - set(found)):
        value, seq = recorded[missing[0]]
        return RecordsReport(False, len(found), f"{missing[0]}, recorded by audit entry {seq}, "
                             "is missing: it was deleted outside ksgov")  # fmt: skip
    return RecordsReport(True, len(found))
