"""The notification outbox: one row per (purpose, recipient, subject), and its status changes.

Every status change is its own small transaction together with its audit entry (ids only), so a
crash loses at most the knowledge that the one message in flight was accepted by the server.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from activities import audit
from activities.audit import _utc
from activities.clock import Clock, wall_clock
from models.records import Notification


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
    """Queue the messages that are not in the outbox yet; return every message's state."""
    states: dict[str, State] = {}
    with Session(engine) as session, session.begin():
        for slot in slots:
            row = _row(session, slot.key)
            if row is None:
                row = _queue(session, slot, actor, clock())
            states[slot.key] = State(row.status, row.late)
    return states


def _queue(session: Session, slot: Slot, actor: str, now: datetime) -> Notification:
    deadline = None if slot.deadline is None else _utc(slot.deadline)
    row = Notification(
        idempotency_key=slot.key,
        purpose=slot.purpose,
        recipient_id=slot.recipient_id,
        subject_key=slot.subject_key,
        status="queued",
        queued_at=now,
        deadline=deadline,
    )
    session.add(row)
    session.flush()
    _audit(session, "notification_queued", slot, actor, {})
    return row


def mark_sent(engine: Engine, slot: Slot, actor: str, clock: Clock = wall_clock) -> bool:
    """Record that the server accepted the message; returns whether it was late."""
    now = clock()
    late = slot.deadline is not None and now > _utc(slot.deadline)
    with Session(engine) as session, session.begin():
        row = _locked(session, slot.key)
        row.status, row.sent_at, row.late = "sent", now, late
        row.message_id, row.last_error = message_id(slot.key), None
        row.attempts += 1
        session.add(row)
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
        raise RuntimeError(f"notification {key} is not in the outbox: ensure_queued runs first")
    return row


def _row(session: Session, key: str, *, lock: bool = False) -> Notification | None:
    query = select(Notification).where(Notification.idempotency_key == key)
    return session.exec(query.with_for_update() if lock else query).first()


def _audit(session: Session, action: str, slot: Slot, actor: str, extra: dict[str, object]) -> None:
    content = {"notification": slot.key, "purpose": slot.purpose, "recipient_id": slot.recipient_id}
    audit.append(
        session,
        actor=actor,
        action=action,
        subject=slot.subject_key,
        content={**content, **extra},
        idempotency_key=f"{action}/{slot.key}",
    )
