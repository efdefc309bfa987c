"""Benchmark: the floor for one notice e-mail, the same guarantee done plainly.

The yardstick `bench/notify.py` is compared with. Per notice: the text and HTML are rendered once
from ksgov's own template and the message is flattened once; per recipient the flattened bytes
are stamped with the recipient's To, Message-ID, Date and name, sent over one SMTP connection to
the simulations' in-process server, and recorded as sent right after the server accepts it, in
the message's own SQLite transaction together with a hash-chained audit entry (WAL,
synchronous=NORMAL, ksgov's schema from its migrations). No ORM, no retries, no error handling:
what is left is the work the guarantee itself needs.

    .venv/bin/python bench/notify_floor.py --messages 1000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import smtplib
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from io import BytesIO
from pathlib import Path

from markupsafe import escape

from harness.smtp import CountingSmtp
from notices.messages import render
from store.audit import canonical_json
from store.db import upgrade

SLOT_NAME = "\ue000name\ue000"
CONTEXT = {"county": "Fylke 99", "term": "2099-2103", "representatives": 3, "member": "Ærlig"}


def template() -> tuple[bytes, str]:
    """The notice flattened once, with slots for the recipient's headers and name."""
    rendered = render("representatives_requested", CONTEXT, SLOT_NAME)
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = "ksgov@ks.invalid"
    message["To"] = "to-slot@ksgov.invalid"
    message["Message-ID"] = "<mid-slot@ksgov>"
    message["Date"] = "date-slot"
    message.set_content(rendered.text, cte="8bit")
    message.add_alternative(rendered.html, subtype="html", cte="8bit")
    out = BytesIO()
    BytesGenerator(out, policy=message.policy.clone(linesep="\r\n")).flatten(message)
    return out.getvalue(), rendered.subject


def run(messages: int) -> dict[str, float]:
    """Send `messages` notices the plain way; wall and CPU milliseconds per message."""
    folder = Path(tempfile.mkdtemp(prefix="ksgov-bench-floor-"))
    path = folder / "records.db"
    upgrade(f"sqlite:///{path}")
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    smtp = CountingSmtp()
    smtp.start()
    cpu, wall = time.process_time(), time.perf_counter()
    body, _ = template()
    slot_name = SLOT_NAME.encode()
    now = datetime.now(UTC)
    rows = []
    for i in range(messages):
        key = hashlib.sha256(f"representatives_requested\n{i}\nfloor/{i}".encode()).hexdigest()
        rows.append((key, "representatives_requested", str(i), f"floor/{i}", "queued", 0, now))
    db.execute("BEGIN IMMEDIATE")
    db.executemany(
        "INSERT INTO notification (idempotency_key, purpose, recipient_id, subject_key, status,"
        " attempts, queued_at, late) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
        rows,
    )
    db.execute("COMMIT")
    connection = smtplib.SMTP("127.0.0.1", smtp.port)
    for i, (key, purpose, recipient, subject, *_) in enumerate(rows):
        name = f"Ærlig kommune {i}"
        address = f"post{i}@kommune.invalid"
        mid = f"<{key}@ksgov>"
        stamped = (
            body.replace(b"to-slot@ksgov.invalid", formataddr((name, address)).encode())
            .replace(b"<mid-slot@ksgov>", mid.encode())
            .replace(b"date-slot", format_datetime(datetime.now(UTC)).encode())
        )
        stamped = stamped.replace(slot_name, name.encode(), 1).replace(
            slot_name, str(escape(name)).encode()
        )
        connection.sendmail("ksgov@ks.invalid", [address], stamped)
        at = datetime.now(UTC)
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "UPDATE notification SET status='sent', sent_at=?, message_id=?, attempts=attempts+1"
            " WHERE idempotency_key=? AND status='queued'",
            (at, mid, key),
        )
        seq, prev = db.execute("SELECT seq, hash FROM audit_head WHERE id=1").fetchone() or (
            0,
            "0" * 64,
        )
        content = canonical_json(
            {"notification": key, "purpose": purpose, "recipient_id": recipient}
        )
        entry = canonical_json(
            {"seq": seq + 1, "at": at.isoformat(timespec="microseconds"), "actor": "floor",
             "action": "notification_sent", "subject": subject, "content": content,
             "idempotency_key": f"notification_sent/{key}"}
        )  # fmt: skip
        digest = hashlib.sha256(f"{prev}\n{entry}".encode()).hexdigest()
        db.execute(
            "INSERT INTO audit_log (seq, at, actor, action, subject, content, idempotency_key,"
            " prev_hash, hash) VALUES (?, ?, 'floor', 'notification_sent', ?, ?, ?, ?, ?)",
            (seq + 1, at, subject, content, f"notification_sent/{key}", prev, digest),
        )
        db.execute(
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET seq=excluded.seq, hash=excluded.hash",
            (seq + 1, digest),
        )
        db.execute("COMMIT")
    connection.quit()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    smtp.stop()
    if smtp.count != messages:
        raise SystemExit(f"the server received {smtp.count} of {messages} messages")
    return {
        "messages": messages,
        "wall_ms_per_message": round(1000 * wall / messages, 3),
        "cpu_ms_per_message": round(1000 * cpu / messages, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    print(json.dumps(run(parser.parse_args().messages), indent=2))


if __name__ == "__main__":
    main()
