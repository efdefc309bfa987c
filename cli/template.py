"""`ksgov template`: the sheet a county secretary or the secretariat fills in, as XLSX or CSV.

The representatives sheet comes prefilled with the county's members and a row per seat; the
nominations and votes sheets with the meeting's posts. A filled-in sheet goes back through
`ksgov county-meeting KIND` or `ksgov landsting KIND`, which read .xlsx and .csv as they read
JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import TermArgument, local, refuse_existing, write_out
from service.inputs import COUNTY_INPUT_HELP, LANDSTING_INPUT_HELP

template_app = typer.Typer(
    help="Sheets to fill in (XLSX or CSV), prefilled where the registry and bylaws allow.",
    no_args_is_help=True,
)
Output = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o",
        help="Write to this file (.xlsx or .csv); without it, CSV goes to standard output.",
    ),
]  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(template_app, name="template")


@template_app.command("county-meeting")
def county_meeting(
    kind: Annotated[
        str, typer.Argument(help=f"The sheet: {', '.join(COUNTY_INPUT_HELP)}.", show_default=False)
    ],
    year: TermArgument,
    county: Annotated[str, typer.Argument(help="The county number, e.g. 46.")],
    output: Output = None,
) -> None:
    """The template of a county meeting's sheet, e.g. `ksgov template county-meeting
    representatives 2027 46 -o representanter.xlsx`."""
    _write(kind, year, county, output)


@template_app.command("landsting")
def landsting(
    kind: Annotated[
        str,
        typer.Argument(help=f"The sheet: {', '.join(LANDSTING_INPUT_HELP)}.", show_default=False),
    ],
    year: TermArgument,
    output: Output = None,
) -> None:
    """The template of a Landsting sheet, e.g. `ksgov template landsting credentials 2027 -o
    fullmakter.xlsx`."""
    _write(kind, year, None, output)


def _write(kind: str, year: int, county: str | None, output: Path | None) -> None:
    from service.term import sheet_template

    suffix = output.suffix if output is not None else ".csv"
    refuse_existing(output)
    data = local(lambda: sheet_template(year, kind, suffix, county))
    if not write_out(data, output, "utf-8-sig"):
        return
    typer.echo(
        f"Wrote {output}: fill it in and send it with ksgov "
        f"{'county-meeting' if county else 'landsting'} {kind}."
    )
