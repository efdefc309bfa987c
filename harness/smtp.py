"""The in-process SMTP server of simulations: real SMTP on a free loopback port, counting messages.

It keeps, per message, the envelope recipients, Message-ID and subject: enough to check that each
(recipient, purpose, subject) got exactly one message, without keeping bodies in memory.
"""

from __future__ import annotations

import socket
from collections import Counter
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from typing import Any

from aiosmtpd.controller import Controller


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
        headers = BytesHeaderParser().parsebytes(envelope.content)
        self.arrivals.append(
            Arrival(
                tuple(envelope.rcpt_tos),
                str(headers.get("Message-ID", "")),
                str(headers.get("Subject", "")),
                str(headers.get("X-Ksgov-Purpose", "")),
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
