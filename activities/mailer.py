"""SMTP delivery: the settings handed to the notification activities, and one `send` over smtplib.

`send` opens one connection per message. That costs a handshake per notice, but leaves nothing
half-open between messages, so an outage mid-batch fails exactly the message in flight.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send e-mail; the worker builds it from config.Settings."""

    host: str = "127.0.0.1"
    port: int = 1025
    security: str = "none"  # none, starttls or tls
    username: str = ""
    password: str = ""
    mail_from: str = "ksgov@ks.invalid"
    secretariat_email: str = "sekretariatet@ks.invalid"
    timeout_seconds: float = 30.0


def send(config: SmtpConfig, message: EmailMessage) -> None:
    """Hand `message` to the SMTP server; returns only when the server has accepted it.

    Raises smtplib.SMTPRecipientsRefused / SMTPDataError (with the server's code) when the server
    refuses, and OSError (smtplib.SMTPException included) when it cannot be reached.
    """
    with _connect(config) as server:
        if config.username:
            server.login(config.username, config.password)
        server.send_message(message, from_addr=config.mail_from)


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
