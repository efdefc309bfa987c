"""Registry commands: `ksgov registry show`, `ksgov registry import`, `ksgov registry versions`.

The member registry is data the secretariat keeps: a sheet of members, populations and
addresses, imported as dated versions into the record store (service/registry.py). Thin: each
command calls the service and prints a table, or JSON with `--json`; the service is imported
when a command runs, so `--help` loads neither the record store nor the settings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from cli.common import fail, local, print_json, print_table, settings

if TYPE_CHECKING:
    from service.registry import Diff, ImportPlan

registry_app = typer.Typer(
    help="The member registry: counties, municipalities, populations and addresses.",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON for scripts.")]
# Members named per kind of change in the text diff; --json names them all.
SHOWN = 10
_T = TypeVar("_T")


def register(app: typer.Typer) -> None:
    """Add the registry commands to `app`."""
    app.add_typer(registry_app, name="registry")


def day_of(text: str) -> dt.date:
    """A date as ISO (2027-01-01) or as Norwegian letters print it (01.01.2027); a typer parser."""
    from models.payloads import day_input

    try:
        value = day_input(text.strip())
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date: write 2027-01-01 or 01.01.2027"
        ) from None


@registry_app.command("show")
def show(
    county: Annotated[
        str | None, typer.Option("--county", help="Show the municipalities of this county (NN).")
    ] = None,
    on: Annotated[
        dt.date | None,
        typer.Option(
            "--on",
            parser=day_of,
            metavar="DATE",
            help="The version in force on DATE (default: today).",
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="Show this file instead: a registry sheet (.xlsx, .csv), or municipalities "
            "as CSV or JSON.",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show the member registry in force (today, or --on DATE): counties with population, or
    one county's municipalities; and which registry it is (a version imported, or the shipped
    one)."""
    from service import governance
    from service import registry as service

    if file is not None:
        found = local(lambda: service.registry_from_file(file))
    else:
        day = on or service.today()
        found = local(lambda: service.registry_in_force(settings(), day))
    reg = found.registry
    if county is None:
        rows = [
            [c.number, c.name, len(reg.municipalities_in(c.number)), reg.population_of(c.number)]
            for c in reg.counties
        ]
        headers = ["county", "name", "municipalities", "population"]
    else:
        munis = local(lambda: governance.domain_call(lambda: reg.municipalities_in(county)))
        rows = [[m.number, m.name, m.population] for m in munis]
        headers = ["number", "name", "population"]
    if as_json:
        typer.echo(found.label, err=True)
        print_json([dict(zip(headers, row, strict=True)) for row in rows])
        return
    typer.echo(found.label)
    print_table(headers, rows)


@registry_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="The registry sheet, .xlsx or .csv.")],
    effective_from: Annotated[
        dt.date | None,
        typer.Option(
            "--from",
            parser=day_of,
            metavar="DATE",
            help="The day it takes effect (default: today).",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Where its figures and addresses come from (default: the file's name).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; import nothing.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Import without asking (for scripts).")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Import a registry sheet as a new version: columns nummer, navn, innbyggere, e-post and,
    on county rows, sekretær-e-post (docs/registry.md).

    Shows first what changes against the version in force on its date (members added, removed,
    renamed, populations, which addresses changed); asks before it writes (--yes skips the
    question, --dry-run only shows). A version is never changed afterwards: a correction is a
    new import."""
    from service import registry as service

    day = effective_from or service.today()
    plan = local(lambda: service.plan_import(settings(), file, day, source))
    if as_json and not (dry_run or yes):
        fail("--json prints no question: give --yes to import (or --dry-run to compare)")
    if not as_json:
        _print_plan(plan)
    if dry_run:
        if as_json:
            print_json({**plan.as_dict(), "version": None})
        return
    if not yes:
        if not sys.stdin.isatty():
            fail(
                f"importing {file} writes a new registry version: give --yes to import without "
                "asking (or --dry-run to compare only)"
            )
        typer.confirm(f"Import it as the registry from {day.isoformat()}?", abort=True)
    imported = local(lambda: service.apply_import(settings(), plan))
    if as_json:
        version = {"version": imported.version, "label": imported.label,
                   "audit_seq": imported.audit_seq}  # fmt: skip
        print_json({**plan.as_dict(), "version": version})
        return
    typer.echo(f"Imported as {imported.label} (audit entry {imported.audit_seq}).")


def _print_plan(plan: ImportPlan) -> None:
    counts = plan.counts
    typer.echo(
        f"{plan.file}: {counts['counties']} counties, {counts['municipalities']} "
        f"municipalities, {counts['population']:,} inhabitants; {counts['addresses']} council "
        f"addresses, {counts['secretaries']} county secretaries' addresses."
    )
    typer.echo(f"Compared with the {plan.base.label}:")
    _print_diff(plan.diff)


def _print_diff(diff: Diff) -> None:
    for kind, members in diff.changes.items():
        if not members:
            continue
        named = "; ".join(members[:SHOWN])
        more = f"; and {len(members) - SHOWN} more" if len(members) > SHOWN else ""
        typer.echo(f"  {kind} ({len(members)}): {named}{more}")


@registry_app.command("versions")
def versions(as_json: JsonFlag = False) -> None:
    """List the registry versions imported: the date each takes effect, its source, counts."""
    from service import registry as service

    found = local(lambda: service.list_versions(settings()))
    if as_json:
        print_json([dataclasses.asdict(v) for v in found])
        return
    if not found:
        typer.echo(f"No registry imported: the {service.SHIPPED} is in force.")
        return
    rows = [
        [f"v{v.version}", v.effective_from, v.source, v.counts["counties"],
         v.counts["municipalities"], v.counts["population"], v.counts["addresses"],
         "yes" if v.in_force else ""]
        for v in found
    ]  # fmt: skip
    headers = ["version", "from", "source", "counties", "municipalities", "population"]
    print_table([*headers, "addresses", "in force"], rows)
