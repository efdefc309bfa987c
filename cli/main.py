"""`ksgov`: the console command. Each area registers its commands from its own module."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Sequence

import typer

from client.errors import UserError

# The CLI module that registers each top-level command, in the order `--help` lists them. Only
# the module of the command given is imported; each imports what its commands need only when
# one runs, so any `--help` starts without Temporal, the record store or the settings
# (tests/unit/test_cli_startup.py checks both, and this table against the modules).
COMMANDS = {
    "server": "ops", "worker": "ops", "demo": "ops", "db": "ops", "keys": "ops",
    "registry": "registry",
    "apportion": "preview", "count": "preview", "bylaws": "preview",
    "audit": "audit",
    "term": "term", "county-meeting": "term", "landsting": "term", "seat": "term",
    "simulate": "simulate",
    "meeting": "meeting",
    "template": "template",
    "document": "document",
    "user": "user",
    "web": "web",
    "drill": "drill",
}  # fmt: skip
MODULES = tuple(dict.fromkeys(COMMANDS.values()))


def build_app(modules: Sequence[str] = MODULES) -> typer.Typer:
    """The `ksgov` command with the commands of `modules` (cli.<name>) registered."""
    built = typer.Typer(
        name="ksgov",
        help="KS governance engine: election cycle, meetings, notices and audit on Temporal.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    built.callback()(_group)  # a group even with a single command, which would else be the root
    for name in modules:
        importlib.import_module(f"cli.{name}").register(built)
    return built


def _group() -> None:
    """KS governance engine: election cycle, meetings, notices and audit on Temporal."""


def modules_for(argv: Sequence[str]) -> tuple[str, ...]:
    """The module of the command in `argv`; every module for --help or an unknown command."""
    wanted = COMMANDS.get(argv[1]) if len(argv) > 1 else None
    return (wanted,) if wanted else MODULES


def __getattr__(name: str) -> typer.Typer:
    """`cli.main.app`: the whole command (tests use it with typer's CliRunner), built when asked
    for, so that importing this module for `main` stays cheap."""
    if name == "app":
        return build_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Entry point of the console script: `run` the command line, then end the process.

    The process ends with os._exit once its output is flushed: a short-lived Temporal client
    can otherwise abort at interpreter exit (SIGABRT, "PyGILState_Release"; see
    docs/temporal.md, "Client shutdown"), turning a finished command into a failed one.
    """
    code = run(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run(argv: Sequence[str]) -> int:
    """Run the command line `argv` (program name first); its exit code. User errors become
    one line and exit code 2 (3 when a server does not answer).

    Usage errors (a bad option, a missing argument, an unknown command) are one line too, with
    exit code 2, instead of the framed box typer draws.
    """
    code = 0
    try:
        returned = build_app(modules_for(argv))(
            args=list(argv[1:]), prog_name="ksgov", standalone_mode=False
        )
        code = returned if isinstance(returned, int) else 0  # typer.Exit(n) returns n here
    except typer.TyperException as exc:  # a usage error, as one line (empty: help was shown)
        if message := exc.format_message():
            typer.echo(f"ksgov: error: {message} (see --help)", err=True)
        code = getattr(exc, "exit_code", 2)
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        code = 1
    except UserError as exc:
        typer.echo(f"ksgov: error: {exc}", err=True)
        code = exc.exit_code
    except KeyboardInterrupt:  # Ctrl-C before a command could take it: nothing to undo
        typer.echo("Interrupted.", err=True)
        code = 130
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    return code


if __name__ == "__main__":
    main()
