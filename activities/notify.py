"""The `notify` activity: one e-mail per recipient for (purpose, subject), sent at most once;
`notify_many` does the same for several notices in one call.

Per call: render each request's notice once (a missing context key refuses the whole call before
anything is queued), queue the missing outbox rows, then compose and send each message not yet
sent, heartbeating as it goes, and record it right after the server accepts it. A permanent
refusal (5xx for that message) fails the one row; a passing failure (server down, 4xx) is
recorded and raised after the batch, so Temporal retries with backoff and the messages already
accepted are not sent again. A message accepted after its deadline is counted as late and the
secretariat is alerted in the same call.
"""

from __future__ import annotations

import smtplib
import time
from dataclasses import dataclass, field

import structlog
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import contracts
from activities.contracts import implements
from activities.records import actor, bad_input
from models.payloads import (
    SECRETARIAT,
    NotifyMany,
    NotifyRequest,
    NotifyResult,
    Recipient,
)
from notices import mailer
from notices.compose import Headers, Letter, unsafe
from notices.mailer import SmtpConfig
from notices.messages import NoticeError
from store import outbox
from store.clock import Clock, wall_clock
from store.outbox import Slot, State

log = structlog.get_logger(__name__)


@dataclass
class Tally:
    """What happened to the messages of one request in this call."""

    sent: int = 0
    already_sent: int = 0
    failed: int = 0
    late: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    unreachable: bool = False

    def add(self, other: Tally) -> None:
        """Count `other` in; once the mail server did not answer, the rest are not tried."""
        self.sent += other.sent
        self.already_sent += other.already_sent
        self.failed += other.failed
        self.late += other.late
        self.deferred += other.deferred
        self.unreachable = self.unreachable or other.unreachable


class NotificationActivities:
    """The notification activity; it receives the engine and the SMTP settings from the worker."""

    def __init__(self, engine: Engine, smtp: SmtpConfig, clock: Clock = wall_clock) -> None:
        self.engine = engine
        self.smtp = smtp
        self.clock = clock
        self._headers = Headers(smtp.mail_from)

    @implements(contracts.notify)
    def notify(self, request: NotifyRequest) -> NotifyResult:
        """Send one message per recipient for (purpose, subject); sending twice sends once."""
        return self._notify((request,))

    @implements(contracts.notify_many)
    def notify_many(self, batch: NotifyMany) -> NotifyResult:
        """`notify` for several notices in one call; the result counts them together."""
        return self._notify(batch.requests)

    def _notify(self, requests: tuple[NotifyRequest, ...]) -> NotifyResult:
        # Each request's notice is rendered before anything is queued: one missing context key
        # refuses the whole call and nothing is sent. A notice that reads the same to all its
        # recipients but for the greeting's name is rendered and flattened once and stamped
        # per recipient; one that depends on its reader is rendered per recipient as it is
        # sent. Either way messages are composed as they are sent (a notice to 500 delegates
        # composed up front can outlast the heartbeat timeout on a busy worker, which then
        # cancels it and starts it over), and a retry composes none of those already sent.
        plans = [(r, _unique(r.recipients)) for r in requests]
        try:
            letters = [Letter(r, recipients[0], self._headers) for r, recipients in plans]
        except NoticeError as exc:
            raise bad_input(str(exc)) from None
        who = actor()
        slots = [_slot(r, to) for r, recipients in plans for to in recipients]
        states = outbox.ensure_queued(self.engine, slots, who, self.clock)
        total = Tally()
        done = 0
        beat = _Beat()
        with mailer.Connection(self.smtp) as connection:
            for letter, (request, recipients) in zip(letters, plans, strict=True):
                tally = Tally(unreachable=total.unreachable)
                for recipient in recipients:
                    slot = _slot(request, recipient)
                    self._deliver(letter, recipient, slot, states[slot.key], tally, who,
                                  connection)  # fmt: skip
                    done += 1
                    beat(done)
                if tally.late and request.purpose != "delivery_alert":
                    self._alert_late(request, tally.late)
                log.info("notify_done", purpose=request.purpose, subject_key=request.subject_key,
                         sent=tally.sent, already_sent=tally.already_sent, failed=tally.failed,
                         late=len(tally.late), deferred=len(tally.deferred))  # fmt: skip
                total.add(tally)
        if total.deferred:
            raise ApplicationError(
                f"{len(total.deferred)} of {done} messages could not be delivered yet "
                f"(first: {total.deferred[0]}); they are retried",
                type="DeliveryDeferred",
            )
        return NotifyResult(
            sent=total.sent,
            already_sent=total.already_sent,
            failed=total.failed,
            late=len(total.late),
        )

    def _deliver(
        self,
        letter: Letter,
        recipient: Recipient,
        slot: Slot,
        state: State,
        tally: Tally,
        who: str,
        connection: mailer.Connection,
    ) -> None:
        if state.status == "sent":
            tally.already_sent += 1
            if state.late:
                tally.late.append(slot.recipient_id)
            return
        if state.status == "failed":
            tally.failed += 1
            return
        if tally.unreachable:
            tally.deferred.append("not tried: the mail server did not answer")
            return
        address = recipient.email
        if not address and recipient.recipient_id == SECRETARIAT:
            address = self.smtp.secretariat_email
        if not address:
            outbox.mark_failed(self.engine, slot, who, None, "no e-mail address on record")
            tally.failed += 1
            return
        if unsafe(recipient.name) or unsafe(address):
            # A line break in a name or address would write headers of its own (`Bcc: ...`):
            # refused for good, not retried, and the secretariat sees it as a failed notice.
            reason = "the name or address on record holds a line break or control character"
            outbox.mark_failed(self.engine, slot, who, None, reason)
            tally.failed += 1
            log.warning("notification_failed", notification=slot.key[:16], reason="unsafe")
            return
        data = letter.message(recipient.name, address, outbox.message_id(slot.key), self.clock())
        self._send(slot, address, data, tally, who, connection)

    def _send(
        self,
        slot: Slot,
        address: str,
        data: bytes,
        tally: Tally,
        who: str,
        connection: mailer.Connection,
    ) -> None:
        ids = {"notification": slot.key[:16], "purpose": slot.purpose,
               "recipient_id": slot.recipient_id}  # fmt: skip
        try:
            connection.send(address, data)
        except OSError as exc:  # smtplib.SMTPException is an OSError
            code, reason = _reply(exc, address)
            if code is not None and code >= 500 and _per_message(exc):
                outbox.mark_failed(self.engine, slot, who, code, reason)
                tally.failed += 1
                log.warning("notification_failed", code=code, **ids)
                return
            outbox.mark_error(self.engine, slot, reason)
            tally.deferred.append(reason)
            tally.unreachable = not _per_message(exc)
            log.warning("notification_deferred", code=code, error=type(exc).__name__, **ids)
            return
        if outbox.mark_sent(self.engine, slot, who, self.clock):
            tally.late.append(slot.recipient_id)
        tally.sent += 1
        log.debug("notification_sent", **ids)

    def _alert_late(self, request: NotifyRequest, late: list[str]) -> None:
        """Tell the secretariat which recipients got the notice after its deadline."""
        alert = NotifyRequest(
            purpose="delivery_alert",
            subject_key=f"late/{request.purpose}/{request.subject_key}"[:250],
            recipients=(Recipient(recipient_id=SECRETARIAT),),
            context={"purpose": request.purpose, "subject": request.subject_key,
                     "recipients": sorted(late), "late": True},
        )  # fmt: skip
        log.warning("notification_late", purpose=request.purpose,
                    subject_key=request.subject_key, late=len(late))  # fmt: skip
        self.notify(alert)


# Seconds between two heartbeats of one call, well inside the heartbeat timeout
# (workflows/calls.py). Each heartbeat wakes the worker's event loop from the activity's
# thread: once per message it cost a seventh of the activity process's time in a simulation.
HEARTBEAT_EVERY = 1.0


class _Beat:
    """Tells Temporal the batch is alive, at most once every HEARTBEAT_EVERY seconds: a worker
    killed in the middle of a long batch is noticed after the heartbeat timeout instead of the
    whole start-to-close."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last >= HEARTBEAT_EVERY and activity.in_activity():
            self.last = now
            activity.heartbeat(done)


def _slot(request: NotifyRequest, recipient: Recipient) -> Slot:
    """The outbox slot of one recipient's notice: its key is the hash of the business keys."""
    key = outbox.outbox_key(request.purpose, recipient.recipient_id, request.subject_key)
    return Slot(key, request.purpose, recipient.recipient_id, request.subject_key,
                request.deadline)  # fmt: skip


def _unique(recipients: tuple[Recipient, ...]) -> list[Recipient]:
    """The recipients without repeats: one message per recipient id."""
    return list({r.recipient_id: r for r in reversed(recipients)}.values())[::-1]


def _per_message(exc: OSError) -> bool:
    """Whether the server answered about this message (else it could not be reached at all)."""
    return isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError)


def _reply(exc: OSError, address: str) -> tuple[int | None, str]:
    """The server's code and a reason to store, with the recipient's address taken out."""
    code: int | None = None
    raw: bytes | str
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, raw = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, raw = exc.smtp_code, exc.smtp_error
    else:
        raw = f"{type(exc).__name__}: {exc}"
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
    for part in {address, address.rpartition("<")[2].rstrip(">")} - {""}:
        text = text.replace(part, "<recipient>")
    return code, f"{code} {text}" if code is not None else text
