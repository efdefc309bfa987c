"""SMTP delivery: the settings handed to the notification activities, and sending over smtplib.

A notify call sends its messages over one `Connection`, opened at its first message: one
handshake (and login) per batch, not per notice. Any failure closes it, so a message is never
sent over a connection in an unknown state, and an outage mid-batch fails exactly the message in
flight; the next message opens a new connection.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send e-mail; the worker builds it from config.Settings."""

    host: str = "127.0.0.1"
    port: int = 1025
    security: str = "none"  # none, starttls or tls
    username: str = ""
    password: str = field(default="", repr=False)
    plaintext_login: bool = False  # a login without TLS only when the settings allow it
    mail_from: str = "ksgov@ks.invalid"
    secretariat_email: str = "sekretariatet@ks.invalid"
    timeout_seconds: float = 30.0


class Connection:
    """One SMTP session for several messages, opened at the first; use it as a context manager."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._server: smtplib.SMTP | None = None

    def send(self, address: str, data: bytes) -> None:
        """Hand one message, `data` as flattened with CRLF line ends, for `address` to the SMTP
        server; returns only when the server has accepted it.

        Raises smtplib.SMTPRecipientsRefused / SMTPDataError (with the server's code) when the
        server refuses, and OSError (smtplib.SMTPException included) when it cannot be reached.
        Either way the connection is closed and the next message opens a new one.
        """
        options = [] if address.isascii() else ["SMTPUTF8", "BODY=8BITMIME"]
        try:
            if self._server is None:
                self._server = _connect(self.config)
                if self.config.username:
                    _login(self._server, self.config)
            self._server.sendmail(self.config.mail_from, [address], data, options)
        except BaseException:
            self._drop()
            raise

    def close(self) -> None:
        """Say goodbye (QUIT) if a session is open; a server already gone is no error."""
        server, self._server = self._server, None
        if server is not None:
            try:
                server.quit()
            except OSError:
                server.close()

    def _drop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _login(server: smtplib.SMTP, config: SmtpConfig) -> None:
    """Log in; never over plaintext unless the settings allow it (a server on this machine)."""
    if config.security == "none" and not config.plaintext_login:
        raise ValueError(
            "refusing to send the SMTP password without TLS: set KSGOV_SMTP_SECURITY to "
            "starttls or tls, or KSGOV_SMTP_PLAINTEXT_LOGIN=true for a server on this machine"
        )
    server.login(config.username, config.password)


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    if config.security == "tls":
        return smtplib.SMTP_SSL(
            config.host,
            config.port,
            timeout=config.timeout_seconds,
            context=ssl.create_default_context(),
        )
    server = smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds)
    if config.security == "starttls":
        try:
            server.starttls(context=ssl.create_default_context())
        except BaseException:
            server.close()
            raise
    elif config.security != "none":
        server.close()
        raise ValueError(f"unknown SMTP security {config.security!r}: none, starttls or tls")
    return server
