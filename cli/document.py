"""`ksgov document`: a meeting's minutes and an election's protocol as HTML or PDF, and the
server that publishes them where the minutes notice links (KSGOV_PUBLIC_URL)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import fail, local, refuse_existing, settings, write_out

document_app = typer.Typer(
    help="Minutes and election protocols as documents (HTML, PDF), and their publishing.",
    no_args_is_help=True,
)
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (a PDF needs one); else stdout."),
]
Pdf = Annotated[bool, typer.Option("--pdf", help="PDF (A4) instead of HTML.")]


def register(app: typer.Typer) -> None:
    app.add_typer(document_app, name="document")


@document_app.command("minutes")
def minutes(
    meeting: Annotated[str, typer.Argument(help="The meeting id (see `ksgov meeting list`).")],
    pdf: Pdf = False,
    output: Output = None,
) -> None:
    """A meeting's minutes: attendance, decisions with their votes, the minutes' text; a draft
    is marked as one until the minutes are approved."""
    _write("minutes", meeting, pdf, output)


@document_app.command("protocol")
def protocol(
    election: Annotated[
        str, typer.Argument(help="The election id, e.g. term-2027/landsting/leader/round-1.")
    ],
    pdf: Pdf = False,
    output: Output = None,
) -> None:
    """An election's protocol: the method, the votes per candidate or list, who was elected
    and who are deputies (see `ksgov audit seats` for the election ids)."""
    _write("protocol", election, pdf, output)


@document_app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
) -> None:
    """Publish the published minutes (/protokoller/ID, /protokoller/ID.pdf) and the protocols
    (/valg/ID, .pdf) over HTTP until Ctrl-C; set KSGOV_PUBLIC_URL to the address readers use."""
    from service import documents

    if not host.strip():
        fail("--host is empty: give the address to listen on, e.g. 127.0.0.1")
    local(lambda: documents.serve(settings(), host, port))


def _write(kind: str, key: str, pdf: bool, output: Path | None) -> None:
    from service import documents

    if pdf and output is None:
        fail("a PDF goes to a file: give --output FILE.pdf")
    refuse_existing(output)
    data = local(
        lambda: documents.document(
            settings(), "minutes" if kind == "minutes" else "protocol", key,
            "pdf" if pdf else "html",
        )
    )  # fmt: skip
    if write_out(data, output):
        typer.echo(f"Wrote {output}.")
