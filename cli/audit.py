"""Audit commands: `ksgov audit verify` checks that nobody has altered the audit log."""

from __future__ import annotations

from typing import Annotated

import typer

from activities.audit import ChainReport
from cli.common import print_json, settings
from service import audit as audit_service

audit_app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON for scripts.")]
ExpectHead = Annotated[
    str | None,
    typer.Option(
        "--expect-head",
        help="The head hash kept elsewhere (e.g. printed last month): a shorter or rewritten "
        "log is detected even if its hashes were recomputed.",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the audit commands to `app`."""
    app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(json: JsonFlag = False, expect_head: ExpectHead = None) -> None:
    """Walk the hash chain of the audit log; exit code 1 at the first broken link."""
    report = audit_service.verify(settings().resolved_database_url, expect_head)
    if json:
        print_json(_as_dict(report))
    else:
        typer.echo(_as_line(report))
    if not report.ok:
        raise typer.Exit(1)


def _as_dict(report: ChainReport) -> dict[str, object]:
    return {
        "ok": report.ok,
        "entries": report.entries,
        "head": report.head_hash,
        "first_broken_seq": report.first_broken_seq,
        "problem": report.problem,
    }


def _as_line(report: ChainReport) -> str:
    if report.ok:
        return f"verified, {report.entries} entries, head {report.head_hash}"
    where = f"entry {report.first_broken_seq}" if report.first_broken_seq else "the head"
    return (
        f"BROKEN at {where}: {report.problem} "
        f"({report.entries} entries verified before it, head {report.head_hash})"
    )
