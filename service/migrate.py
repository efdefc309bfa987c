"""Migrating a record store from a service operation, with a one-line error for the user."""

from __future__ import annotations

from alembic.util.exc import CommandError
from sqlalchemy.exc import SQLAlchemyError

from client.errors import NotReachableError, UserError
from store import db


def migrate(url: str, setting: str, revision: str = "head") -> None:
    """Apply the migrations to `url`; a database that does not answer, does not exist or
    refuses is NotReachableError naming `setting` (the option or variable that chose it)."""
    if not revision or not (revision == "head" or (revision.isascii() and revision.isdigit())):
        raise UserError(
            f"{ascii(revision)[:40]} is not a revision: give head or a number such as 0007"
        )
    try:
        db.upgrade(url, revision)
    except CommandError:
        raise UserError(f"{ascii(revision)[:40]} is not a revision of ksgov's migrations") from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise NotReachableError(
            f"the database {db.display_url(url)} cannot be migrated ({setting}): {reason}"
        ) from None
