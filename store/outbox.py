"""The notification outbox: one row per (purpose, recipient, subject), and its status changes.

Every status change is its own small transaction together with its audit entry (ids only), so a
crash loses at most the knowledge that the one message in flight was accepted by the server.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import bindparam, insert, update
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import Session, col, select

from models.records import Notification
from store import audit, coverage
from store.audit import utc
from store.clock import Clock, wall_clock


def outbox_key(purpose: str, recipient_id: str, subject_key: str) -> str:
    """The idempotency key of one message: sha256 of its business keys, unique in the outbox."""
    return hashlib.sha256(f"{purpose}\n{recipient_id}\n{subject_key}".encode()).hexdigest()


def message_id(key: str) -> str:
    """The Message-ID header: the same for every attempt, so receivers can drop a re-send."""
    return f"<{key}@ksgov>"


@dataclass(frozen=True)
class Slot:
    """One message of a request: its key and who it is for."""

    key: str
    purpose: str
    recipient_id: str
    subject_key: str
    deadline: datetime | None


@dataclass(frozen=True)
class State:
    """What the outbox knows of a message before this attempt."""

    status: str
    late: bool


_QUEUED = select(
    col(Notification.idempotency_key), col(Notification.status), col(Notification.late)
).where(col(Notification.idempotency_key).in_(bindparam("keys", expanding=True)))
_QUEUE = insert(Notification)


def ensure_queued(
    engine: Engine, slots: list[Slot], actor: str, clock: Clock = wall_clock
) -> dict[str, State]:
    """Queue the messages that are not in the outbox yet; return every message's state.

    One transaction for the batch: one query per 500 keys finds the rows already queued (a retry
    finds them all), and the new rows and their audit entries go in together."""
    keys = list(dict.fromkeys(slot.key for slot in slots))
    with engine.begin() as connection:
        states: dict[str, State] = {}
        for start in range(0, len(keys), audit.KEYS_PER_QUERY):
            chunk = keys[start : start + audit.KEYS_PER_QUERY]
            for row in connection.execute(_QUEUED, {"keys": chunk}):
                states[row.idempotency_key] = State(row.status, bool(row.late))
        now = clock()
        new = [slot for slot in {s.key: s for s in slots}.values() if slot.key not in states]
        if new:
            rows = [_queued_row(slot, now) for slot in new]
            connection.execute(_QUEUE, rows)
            audit.append_new(
                connection,
                [
                    _change("notification_queued", s, actor, {"rows": _digests(row)})
                    for s, row in zip(new, rows, strict=True)
                ],
            )
        for slot in new:
            states[slot.key] = State("queued", False)
        return {slot.key: states[slot.key] for slot in slots}


def _queued_row(slot: Slot, now: datetime) -> dict[str, Any]:
    return {
        "idempotency_key": slot.key,
        "purpose": slot.purpose,
        "recipient_id": slot.recipient_id,
        "subject_key": slot.subject_key,
        "status": "queued",
        "attempts": 0,
        "queued_at": now,
        "deadline": None if slot.deadline is None else utc(slot.deadline),
        "late": False,
        "sent_at": None,
        "message_id": None,
    }


def _digests(values: dict[str, Any], *, state_only: bool = False) -> dict[str, str]:
    return coverage.notification_digests(values, state_only=state_only)


_SENT = (
    update(Notification)
    .where(col(Notification.idempotency_key) == bindparam("key"))
    .where(col(Notification.status) != "sent")
    .values(status="sent", sent_at=bindparam("now"), late=bindparam("late"),
            message_id=bindparam("mid"), last_error=None,
            attempts=col(Notification.attempts) + 1)
)  # fmt: skip
_STATUS = select(col(Notification.status), col(Notification.late)).where(
    col(Notification.idempotency_key) == bindparam("key")
)


def mark_sent(engine: Engine, slot: Slot, actor: str, clock: Clock = wall_clock) -> bool:
    """Record that the server accepted the message; returns whether it was late.

    The hot path, once per message sent: one transaction of four prepared statements (the row,
    then the audit entry and the head it moves), no ORM session. Recorded twice, it records once.
    """
    now = clock()
    late = slot.deadline is not None and now > utc(slot.deadline)
    with engine.begin() as connection:
        params = {"key": slot.key, "now": now, "late": late, "mid": message_id(slot.key)}
        if cast(CursorResult[Any], connection.execute(_SENT, params)).rowcount != 1:
            row = connection.execute(_STATUS, {"key": slot.key}).first()
            if row is None:
                raise _not_queued(slot.key)
            return bool(row.late)
        state = {"idempotency_key": slot.key, "status": "sent", "sent_at": now, "late": late,
                 "message_id": params["mid"]}  # fmt: skip
        rows = _digests(state, state_only=True)
        extra = {"late": late, "rows": rows}
        audit.append_new(connection, [_change("notification_sent", slot, actor, extra)])
    return late


def mark_failed(engine: Engine, slot: Slot, actor: str, code: int | None, reason: str) -> None:
    """Record a permanent refusal: the message is not tried again."""
    with Session(engine) as session, session.begin():
        row = _locked(session, slot.key)
        row.status, row.last_error = "failed", reason[:500]
        row.attempts += 1
        session.add(row)
        session.flush()
        rows = coverage.row_digests(row)
        _audit(session, "notification_failed", slot, actor, {"code": code, "rows": rows})


def mark_error(engine: Engine, slot: Slot, reason: str) -> None:
    """Record a passing failure (server down, 4xx): the message stays queued for the retry."""
    with Session(engine) as session, session.begin():
        row = _locked(session, slot.key)
        row.last_error = reason[:500]
        row.attempts += 1
        session.add(row)


def _locked(session: Session, key: str) -> Notification:
    row = _row(session, key, lock=True)
    if row is None:
        raise _not_queued(key)
    return row


def _not_queued(key: str) -> RuntimeError:
    return RuntimeError(f"notification {key} is not in the outbox: ensure_queued runs first")


def _row(session: Session, key: str, *, lock: bool = False) -> Notification | None:
    query = select(Notification).where(Notification.idempotency_key == key)
    return session.exec(query.with_for_update() if lock else query).first()


def _change(action: str, slot: Slot, actor: str, extra: dict[str, object]) -> audit.NewEntry:
    content = {"notification": slot.key, "purpose": slot.purpose, "recipient_id": slot.recipient_id}
    return audit.NewEntry(
        actor=actor,
        action=action,
        subject=slot.subject_key,
        content={**content, **extra},
        idempotency_key=f"{action}/{slot.key}",
    )


def _audit(session: Session, action: str, slot: Slot, actor: str, extra: dict[str, object]) -> None:
    audit.append_all(session, [_change(action, slot, actor, extra)])
