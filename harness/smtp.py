"""The in-process SMTP server of simulations: real SMTP on a free loopback port, counting messages.

It keeps, per message, the envelope recipients, Message-ID, raw subject and purpose: enough to
check that each (recipient, purpose, subject) got exactly one message, without keeping bodies.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiosmtpd.controller import Controller


class Counts(Protocol):
    """What a simulation reads of its SMTP server (`CountingSmtp` or `SmtpProcess`)."""

    port: int

    @property
    def count(self) -> int: ...

    def duplicates(self) -> list[str]: ...

    def per_purpose(self) -> dict[str, int]: ...


FIELDS = frozenset({b"message-id", b"subject", b"x-ksgov-purpose"})


def header_fields(content: bytes, wanted: frozenset[bytes]) -> dict[bytes, str]:
    """The raw values (unfolded, not decoded) of the `wanted` header fields, by lower-case name:
    a scan of the header block only, far lighter per message than the e-mail parser."""
    end = content.find(b"\r\n\r\n")
    block = content[: end if end >= 0 else len(content)]
    unfolded = block.replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ")
    found: dict[bytes, str] = {}
    for line in unfolded.split(b"\r\n"):
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


class SmtpProcess:
    """A `CountingSmtp` in a process of its own, asked for its counts over a pipe.

    A simulation's SMTP server answers tens of thousands of messages; in the simulation's own
    process it took half of that process's time and held its interpreter lock while the
    workflows waited. Same interface as `CountingSmtp` for what the simulation reads.
    """

    def __init__(self) -> None:
        self.port = 0
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "harness.smtp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.port = int(self._ask("port"))

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    @property
    def count(self) -> int:
        return int(self._ask("count"))

    def per_purpose(self) -> dict[str, int]:
        answer: dict[str, int] = json.loads(self._ask("per_purpose"))
        return answer

    def duplicates(self) -> list[str]:
        answer: list[str] = json.loads(self._ask("duplicates"))
        return answer

    def _ask(self, question: str) -> str:
        process = self._process
        if process is None or process.stdin is None or process.stdout is None:
            raise RuntimeError("the SMTP process is not running")
        process.stdin.write(question + "\n")
        answer = process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the SMTP process stopped (exit code {process.poll()})")
        return answer.strip()


def serve() -> None:
    """The SMTP process: a CountingSmtp, answering questions on stdin until it closes."""
    smtp = CountingSmtp()
    smtp.start()
    answers = {
        "port": lambda: str(smtp.port),
        "count": lambda: str(smtp.count),
        "per_purpose": lambda: json.dumps(smtp.per_purpose()),
        "duplicates": lambda: json.dumps(smtp.duplicates()),
    }
    try:
        for line in sys.stdin:
            print(answers[line.strip()](), flush=True)
    finally:
        smtp.stop()


if __name__ == "__main__":
    serve()
