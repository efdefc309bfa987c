"""The in-process SMTP server of simulations: real SMTP on a free loopback port, counting messages.

It keeps, per message, the envelope recipients, Message-ID, raw subject and purpose: enough to
check that each (recipient, purpose, subject) got exactly one message, without keeping bodies.
"""

from __future__ import annotations

import socket
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller

FIELDS = frozenset({b"message-id", b"subject", b"x-ksgov-purpose"})


def header_fields(content: bytes, wanted: frozenset[bytes]) -> dict[bytes, str]:
    """The raw values (unfolded, not decoded) of the `wanted` header fields, by lower-case name:
    a scan of the header block only, far lighter per message than the e-mail parser."""
    end = content.find(b"\r\n\r\n")
    block = content[: end if end >= 0 else len(content)].replace(b"\r\n ", b" ")
    found: dict[bytes, str] = {}
    for line in block.replace(b"\r\n\t", b" ").split(b"\r\n"):
        name, colon, value = line.partition(b":")
        if colon and name.lower() in wanted and name.lower() not in found:
            found[name.lower()] = value.strip().decode(errors="replace")
    return found


@dataclass
class Arrival:
    recipients: tuple[str, ...]
    message_id: str
    subject: str
    purpose: str


@dataclass
class CountingSmtp:
    """aiosmtpd on 127.0.0.1 with a handler that records every accepted message."""

    arrivals: list[Arrival] = field(default_factory=list)
    port: int = 0
    controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        headers = header_fields(envelope.content, FIELDS)
        self.arrivals.append(
            Arrival(
                tuple(envelope.rcpt_tos),
                headers.get(b"message-id", ""),
                headers.get(b"subject", ""),
                headers.get(b"x-ksgov-purpose", ""),
            )
        )
        return "250 OK"

    def start(self, port: int = 0) -> None:
        """Listen on `port` (0: a free one; a drill restarts the server on its old port)."""
        if port:
            self.port = port
        else:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                self.port = int(sock.getsockname()[1])
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def count(self) -> int:
        return len(self.arrivals)

    def per_purpose(self) -> dict[str, int]:
        return dict(Counter(a.purpose for a in self.arrivals))

    def duplicates(self) -> list[str]:
        """Message-IDs that arrived more than once (a re-send after a crash would show here)."""
        seen = Counter(a.message_id for a in self.arrivals)
        return [mid for mid, n in seen.items() if n > 1]
