"""Errors that operations raise for the user: the message is for a secretary, in one line."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import ValidationError


class UserError(Exception):
    """Bad input or a refused operation; the CLI prints the message and exits with code 2."""

    exit_code = 2


class NotReachableError(UserError):
    """A server ksgov needs (Temporal, the database, SMTP) does not answer."""

    exit_code = 3


_M = TypeVar("_M")


def validated(what: str, build: Callable[[], _M]) -> _M:
    """`build()` (a payload's constructor), or a UserError naming the first field refused."""
    try:
        return build()
    except ValidationError as exc:
        raise UserError(f"{what}: {first_problem(exc)}" if what else first_problem(exc)) from None


def first_problem(exc: ValidationError) -> str:
    """The first problem pydantic found, as `field: message` in one line."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])
