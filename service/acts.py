"""What a person asked ksgov to do, in the audit log under their account: the console's and the
command line's writes that go to a workflow (a sheet sent, a term started, an absence
reported) are recorded here before they are sent, so that the log names the acting user; the
workflows then record what they accepted under their own ids."""

from __future__ import annotations

import secrets
from typing import Any

from config import Settings
from service.accounts import Actor
from service.audit import record_store
from store.changes import Change, write_once


def record_act(
    settings: Settings, actor: Actor, action: str, subject: str, content: dict[str, Any]
) -> None:
    """One audit entry under the actor's account: what they asked `subject` (a workflow id) to
    do. `content` holds ids and counts, never a name or an address."""
    change = Change(1, action, subject, content)
    key = f"{subject}/{action}/{secrets.token_hex(8)}"
    with record_store(settings.resolved_database_url) as engine:
        write_once(engine, key, actor.account_id, lambda _: change, counted=False)
