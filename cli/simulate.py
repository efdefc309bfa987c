"""`ksgov simulate`: run a whole simulated term and print its summary.

The harness is imported when the command runs, so `--help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import TERM_HELP, QuietOption, election_year_of, fail, print_json, run, settings
from harness.choices import meeting_scope

MeetingsOption = Annotated[
    str,
    typer.Option(
        metavar="all|national|none",
        help="Whose meetings the simulated term holds: 'all' (Hovedstyret, Landsstyret, the 15 "
        "county boards and the yearly county meetings: about 470 meetings, about 4 minutes on "
        "two cores), 'national' (Hovedstyret and Landsstyret: about 50, about a minute) or "
        "'none'. Default: 'all' for simulate, 'national' for demo.",
    ),
]


def register(app: typer.Typer) -> None:
    """Add `simulate` to `app`."""
    app.command()(simulate)


def simulate(
    term: Annotated[int, typer.Option(parser=election_year_of, help=TERM_HELP)] = 2027,
    scale: Annotated[int, typer.Option(help="Multiply the federation (load tests).")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic people and votes.")] = 1,
    database_url: Annotated[
        str | None,
        typer.Option(help="Record store for the simulation (default: a new SQLite file)."),
    ] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Where the new SQLite file goes.")] = None,
    meetings: MeetingsOption = "all",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON on stdout.")
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Simulate a whole term in minutes: county meetings, Landsting, every organ's meetings,
    hand-over.

    Runs the real workflows and activities on Temporal's time-skipping server; records go to a
    new SQLite file (never to the configured record store), e-mail to an in-process SMTP server.
    Exit code 1 if an invariant does not hold.
    """
    from harness.simulate import SimulationOptions, run_simulation
    from telemetry import configure_logging

    s = settings()
    configure_logging(s.log_format, "WARNING")
    options = SimulationOptions(
        term, scale, seed, database_url, data_dir or s.data_dir, meeting_scope(meetings),
        s.record_key_file,
    )  # fmt: skip
    progress = (lambda _m: None) if quiet else (lambda m: typer.echo(m, err=True))
    summary = run(run_simulation(options, progress))
    if as_json:
        print_json(summary)
    else:
        for line in text_lines(summary):
            typer.echo(line)
    if not summary["invariants_ok"]:
        fail("an invariant does not hold after the simulation (see invariants above)", 1)


def text_lines(summary: dict[str, Any]) -> list[str]:
    """The summary for a terminal: one line a key, the national organs one line each, and the
    county boards (150 of them at scale 10) counted, not listed (`--json` lists them)."""
    lines = []
    for key, value in summary.items():
        if key != "organs":
            lines.append(f"{key:<16}{value}")
            continue
        county = {name: organ for name, organ in value.items() if ":" in name}
        for name, organ in value.items():
            if name not in county:
                lines.append(
                    f"{'organ':<16}{name}: {organ['size']} seats, leader {organ['leader']}, "
                    f"{organ['deputies']} deputies"
                )
        if county:
            sizes = ", ".join(str(s) for s in sorted({o["size"] for o in county.values()}))
            lines.append(f"{'county boards':<16}{len(county)}, of {sizes} seats each")
    return lines
