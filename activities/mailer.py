"""SMTP delivery settings handed to the notification activities by the worker."""

from __future__ import annotations

from dataclasses import dataclass


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
