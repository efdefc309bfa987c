"""`ksgov drill`: a small term on the dev server while the worker, database, mail server and
Temporal server fail and come back; the invariants are checked at the end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import TERM_HELP, QuietOption, election_year_of, fail, print_json, run, settings
from harness.choices import FAULTS


def register(app: typer.Typer) -> None:
    """Add `drill` to `app`."""
    app.command()(drill)


def drill(
    counties: Annotated[
        int, typer.Option(help="How many of the registry's counties take part (first N).")
    ] = 3,
    term: Annotated[int, typer.Option(parser=election_year_of, help=TERM_HELP)] = 2027,
    seed: Annotated[int, typer.Option(help="Seed of the people, votes and fault moments.")] = 1,
    kills: Annotated[int, typer.Option(help="How many times the worker is killed (-9).")] = 3,
    outage_seconds: Annotated[
        float, typer.Option(help="How long the database and the mail server stay down.")
    ] = 15.0,
    fault: Annotated[
        list[str] | None,
        typer.Option(help=f"Only these faults (repeatable): {', '.join(FAULTS)}. Default: all."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="A scratch PostgreSQL database (postgresql+psycopg://...) for the records; "
            "default: a new SQLite file."
        ),
    ] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Where the drill's folder goes.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON on stdout.")
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Reliability drill: a small term while the worker, database, mail and Temporal fail.

    Runs a term of the first N counties on a dev server of its own, kills the worker (-9) at
    random moments, cuts the database, stops the mail server and restarts Temporal, then checks
    that the term completed and every invariant holds. Exit code 1 if one does not.
    """
    from harness.drills import DrillOptions, run_drill
    from telemetry import configure_logging

    s = settings()
    configure_logging(s.log_format, "WARNING")
    options = DrillOptions(
        year=term, counties=counties, seed=seed, database_url=database_url,
        data_dir=data_dir or s.data_dir, kills=kills, outage_seconds=outage_seconds,
        faults=tuple(fault) if fault else FAULTS, record_key_file=s.record_key_file,
    )  # fmt: skip
    progress = (lambda _m: None) if quiet else (lambda m: typer.echo(m, err=True))
    summary = run(run_drill(options, progress))
    if as_json:
        print_json(summary)
    else:
        for key, value in summary.items():
            if key != "faults":
                typer.echo(f"{key:<26}{value}")
    if not summary["invariants_ok"]:
        fail("an invariant does not hold after the drill (see invariants above)", 1)
