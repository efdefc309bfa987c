"""`ksgov`: the console command. Each area registers its commands from its own module."""

from __future__ import annotations

import typer

from cli import audit, meeting, ops, preview, simulate, term
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


def main() -> None:
    """Entry point of the console script: user errors become one line and an exit code."""
    try:
        app()
    except UserError as exc:
        typer.echo(f"ksgov: error: {exc}", err=True)
        raise SystemExit(exc.exit_code) from None


if __name__ == "__main__":
    main()
