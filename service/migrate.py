"""Migrating a record store from a service operation, with a one-line error for the user."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from client.errors import NotReachableError
from store import db


def migrate(url: str, setting: str, revision: str = "head") -> None:
    """Apply the migrations to `url`; a database that does not answer, does not exist or
    refuses is NotReachableError naming `setting` (the option or variable that chose it)."""
    try:
        db.upgrade(url, revision)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise NotReachableError(
            f"the database {db.display_url(url)} cannot be migrated ({setting}): {reason}"
        ) from None
