"""`ksgov`: the console command. Each area registers its commands from its own module."""

from __future__ import annotations

import os
import sys
import traceback

import typer

from cli import audit, drill, meeting, ops, preview, simulate, term
from service.errors import UserError

app = typer.Typer(
    name="ksgov",
    help="KS governance engine: election cycle, meetings, notices and audit on Temporal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
ops.register(app)
preview.register(app)
audit.register(app)
term.register(app)
simulate.register(app)
meeting.register(app)
drill.register(app)


def main() -> None:
    """Entry point of the console script: user errors become one line and an exit code.

    The process ends with os._exit once its output is flushed: a short-lived Temporal client
    can otherwise abort at interpreter exit (SIGABRT, "PyGILState_Release"; sdk-python#300),
    turning a finished command into a failed one.
    """
    code = 0
    try:
        app()
    except UserError as exc:
        typer.echo(f"ksgov: error: {exc}", err=True)
        code = exc.exit_code
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
