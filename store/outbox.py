"""The notification outbox: one row per (purpose, recipient, subject), and its status changes.

Every status change is its own small transaction together with its audit entry (ids only), so a
crash loses at most the knowledge that the one message in flight was accepted by the server.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import update
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import Session, col, select

from models.records import Notification
from store import audit
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


def ensure_queued(
    engine: Engine, slots: list[Slot], actor: str, clock: Clock = wall_clock
) -> dict[str, State]:
    """Queue the messages that are not in the outbox yet; return every message's state.

    One transaction for the batch: one query finds the rows already queued (a retry finds
    them all), and the new rows and their audit entries go in together."""
    with Session(engine) as session, session.begin():
        rows = audit.by_key(session, Notification, [slot.key for slot in slots])
        now = clock()
        new: list[Slot] = []
        for slot in slots:
            if slot.key not in rows:
                rows[slot.key] = _queued_row(slot, now)
                new.append(slot)
        session.add_all(rows[slot.key] for slot in new)
        session.flush()
        audit.append_all(session, [_change("notification_queued", s, actor, {}) for s in new])
        return {slot.key: State(rows[slot.key].status, rows[slot.key].late) for slot in slots}


def _queued_row(slot: Slot, now: datetime) -> Notification:
    return Notification(
        idempotency_key=slot.key,
        purpose=slot.purpose,
        recipient_id=slot.recipient_id,
        subject_key=slot.subject_key,
        status="queued",
        queued_at=now,
        deadline=None if slot.deadline is None else utc(slot.deadline),
    )


def mark_sent(engine: Engine, slot: Slot, actor: str, clock: Clock = wall_clock) -> bool:
    """Record that the server accepted the message; returns whether it was late."""
    now = clock()
    late = slot.deadline is not None and now > utc(slot.deadline)
    sent = (
        update(Notification)
        .where(col(Notification.idempotency_key) == slot.key)
        .values(status="sent", sent_at=now, late=late, message_id=message_id(slot.key),
                last_error=None, attempts=col(Notification.attempts) + 1)
    )  # fmt: skip
    with Session(engine) as session, session.begin():
        # One statement instead of loading the row (the hot path: once per message sent).
        if cast(CursorResult[Any], session.execute(sent)).rowcount != 1:
            raise _not_queued(slot.key)
        _audit(session, "notification_sent", slot, actor, {"late": late})
    return late


def mark_failed(engine: Engine, slot: Slot, actor: str, code: int | None, reason: str) -> None:
    """Record a permanent refusal: the message is not tried again."""
    with Session(engine) as session, session.begin():
        row = _locked(session, slot.key)
        row.status, row.last_error = "failed", reason[:500]
        row.attempts += 1
        session.add(row)
        _audit(session, "notification_failed", slot, actor, {"code": code})


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
