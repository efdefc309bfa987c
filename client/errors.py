"""Errors that service functions raise for the user: the message is for a secretary, in one line."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused operation; the CLI prints the message and exits with code 2."""

    exit_code = 2


class NotReachableError(UserError):
    """A server ksgov needs (Temporal, the database, SMTP) does not answer."""

    exit_code = 3
