"""Every activity of ksgov, bound to its dependencies: the one list the worker registers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine

from activities.mailer import SmtpConfig
from activities.records import RecordActivities


def build_activities(engine: Engine, smtp: SmtpConfig) -> list[Callable[..., Any]]:
    """The activities, sharing one engine and one SMTP configuration."""
    records = RecordActivities(engine)
    del smtp  # the notification activities take it
    return [records.record_members]
