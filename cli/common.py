"""Helpers shared by the CLI modules: settings, output as table or JSON, one-line errors.

Light on purpose: every command module imports it, and `ksgov --help` must not load Temporal,
pydantic-settings or the record store.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from client.errors import UserError

if TYPE_CHECKING:
    from config import Settings

_T = TypeVar("_T")

QuietOption = Annotated[
    bool, typer.Option("--quiet", help="No progress lines on stderr (the result still prints).")
]
TERM_HELP = "The term: its Landsting period, 2028-2032, or its election year, 2027."


def election_year_of(text: str | int) -> int:
    """The election year of a term as the user writes it (2028-2032, 2028–2032 or 2027).

    A typer parser: a text that names no term is a usage error, one line and exit code 2.
    """
    from domain.terms import TermError, election_year, parse_term

    try:
        return election_year(parse_term(str(text)))
    except TermError as exc:
        raise typer.BadParameter(str(exc)) from None


TermArgument = Annotated[
    int, typer.Argument(parser=election_year_of, metavar="TERM", help=TERM_HELP)
]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line error to stderr and exit with `code`."""
    typer.echo(f"ksgov: error: {message}", err=True)
    raise typer.Exit(code)


def settings() -> Settings:
    """The settings, or a one-line error naming the bad variable."""
    from config import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as exc:
        fail(str(exc))


def run(call: Coroutine[Any, Any, _T]) -> _T:
    """Run an operation; a UserError becomes one line on stderr and its exit code."""
    try:
        return asyncio.run(call)
    except UserError as exc:
        user_errors_as_exit(exc)


def local(call: Callable[[], _T]) -> _T:
    """Run an operation that needs no server; a UserError becomes one line and its exit code
    (the counterpart of `run` for what is not a coroutine)."""
    try:
        return call()
    except UserError as exc:
        user_errors_as_exit(exc)


def print_json(value: Any) -> None:
    """Write `value` as indented JSON to stdout (dates and paths as strings)."""
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write a plain aligned text table: readable on a terminal and in a pipe."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        line = "  ".join(
            c.rjust(w) if _numeric(c) and n else c.ljust(w)
            for c, w in zip(row, widths, strict=True)
        )
        typer.echo(line.rstrip())
        if n == 0:
            typer.echo("  ".join("-" * w for w in widths))


def _numeric(text: str) -> bool:
    return text.replace(".", "", 1).replace("-", "", 1).isdigit()


def refuse_existing(output: Path | None) -> None:
    """One line and exit 2 if `output` exists: a command writes a new file, never over one."""
    if output is not None and output.exists():
        fail(f"{output} exists: choose another name, or remove it first")


def write_out(data: bytes, output: Path | None, encoding: str = "utf-8") -> bool:
    """`data` to `output`, made new (one line and exit 2 if it cannot be), or as text to
    standard output; whether a file was written."""
    if output is None:
        sys.stdout.write(data.decode(encoding))
        return False
    try:
        with output.open("xb") as out:
            out.write(data)
    except OSError as exc:
        fail(f"{output}: cannot be written ({exc.strerror})")
    return True


def user_errors_as_exit(exc: UserError) -> NoReturn:
    fail(str(exc), exc.exit_code)
