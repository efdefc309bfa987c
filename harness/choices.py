"""The choices of `ksgov simulate` and `ksgov drill`, kept light so that `--help` lists them
without importing the harness."""

from __future__ import annotations

from typing import Literal

from client.errors import UserError

MeetingScope = Literal["all", "national", "none"]
MEETING_SCOPES: tuple[MeetingScope, ...] = ("all", "national", "none")

FAULTS = ("worker", "database", "server", "smtp")
"""The faults a drill injects: the worker killed, the database cut, Temporal restarted, mail."""


def meeting_scope(value: str) -> MeetingScope:
    """`--meetings` checked: all, national or none."""
    for scope in MEETING_SCOPES:
        if value == scope:
            return scope
    raise UserError(f"--meetings must be all, national or none, not {value!r}")
