"""Audit operations for the CLI (and later an HTTP API): verify the hash chain of the audit log.

Thin on purpose: the chain rules live in activities.audit; this opens the configured database,
turns database failures into one-line `UserError`s and closes the engine again.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from activities.audit import ChainReport, verify_chain
from activities.db import display_url, make_engine
from service.errors import NotReachableError, UserError


def verify(database_url: str, expected_head: str | None = None) -> ChainReport:
    """Walk the audit log of the database at `database_url` and report the first broken link."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        if not path.exists():
            raise UserError(f"there is no database file at {path}: run `ksgov db upgrade` first")
    engine = make_engine(database_url)
    try:
        if not inspect(engine).has_table("audit_log"):
            raise UserError(
                f"the database {display_url(database_url)} has no audit log: "
                "run `ksgov db upgrade` first"
            )
        return verify_chain(engine, expected_head)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise NotReachableError(
            f"the database {display_url(database_url)} cannot be read: {reason}"
        ) from None
    finally:
        engine.dispose()
