"""Audit commands: verify the audit log, and answer an auditor's questions with evidence.

Every question command prints a table by default, `--json` or `--csv` for scripts; each fact
carries its `source` (record store table + key, audit-log seq + hash prefix, or Temporal history
workflow id + run id + event id + time). See service.audit.sources for the format. The
operations are imported when a command runs, so `--help` stays fast.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.common import TERM_HELP, fail, print_json, print_table, settings

if TYPE_CHECKING:
    from service.audit.crosscheck import CrossCheck
    from service.audit.sources import Answer
    from store.audit import ChainReport

audit_app = typer.Typer(
    help="The append-only audit log, and questions answered with evidence.", no_args_is_help=True
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON for scripts.")]
CsvFlag = Annotated[bool, typer.Option("--csv", help="Print the facts as CSV (notes on stderr).")]
TermOption = Annotated[str, typer.Option("--term", help=TERM_HELP)]
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


PublicKeyOption = Annotated[
    Path | None,
    typer.Option(
        "--public-key",
        help="The record key's public half (from `ksgov audit public-key`), kept by the "
        "auditor; default: the record key on this machine, if any.",
    ),
]


@audit_app.command("verify")
def verify(
    json: JsonFlag = False,
    expect_head: ExpectHead = None,
    public_key: PublicKeyOption = None,
    since: Annotated[
        Path | None,
        typer.Option(
            "--since",
            help="A checkpoint from `ksgov audit anchor`: every entry it anchored must be "
            "unchanged (a rewrite is located at its first entry).",
        ),
    ] = None,
    cross_check: Annotated[
        bool,
        typer.Option(
            "--cross-check",
            help="Also compare every seat and election with the Temporal histories still kept.",
        ),
    ] = False,
    term: Annotated[str | None, typer.Option("--term", help="Cross-check one term.")] = None,
    as_csv: CsvFlag = False,
) -> None:
    """Walk the hash chain of the audit log and check every signature; compare every person,
    seat, election and notice with the digest the log recorded for it. Exit code 1 at the first
    broken link, signature or row."""
    from service import audit as audit_service

    s = settings()
    key = audit_service.verifying_key(s, public_key)
    checkpoint = None if since is None else audit_service.load_checkpoint(since)
    report = audit_service.verify(s.resolved_database_url, expect_head, key, checkpoint)
    records = audit_service.verify_records(s.resolved_database_url)
    checked = asyncio.run(audit_service.cross_check(settings(), term)) if cross_check else None
    if json:
        extra = {} if checked is None else {"cross_check": _check_dict(checked)}
        print_json(_as_dict(report) | {"records": dataclasses.asdict(records)} | extra)
    elif as_csv and checked is not None:
        _emit_csv(checked.findings, checked.notes)
    else:
        typer.echo(_as_line(report))
        typer.echo(
            f"records: {records.rows} rows of people, seats, elections, notices and registry "
            "versions as the log recorded them"
            if records.ok
            else f"records BROKEN: {records.problem}"
        )
        if checked is not None:
            _echo_check(checked)
    if not (report.ok and records.ok) or (checked is not None and not checked.ok):
        raise typer.Exit(1)


@audit_app.command("seats")
def seats(
    organ: Annotated[str, typer.Option("--organ", help="e.g. county_board:03, landsstyret.")],
    term: Annotated[str | None, typer.Option("--term", help=TERM_HELP)] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Only seats held on this date (any term, unless --term)."),
    ] = None,
    json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """Who held which seat of an organ, and how they got it (election, method, round, votes)."""
    day = _date(at) if at else None
    from service import audit as audit_service

    _emit(audit_service.seats(settings().resolved_database_url, organ, term, day), json, as_csv)


@audit_app.command("person")
def person(
    who: Annotated[str, typer.Argument(help="Part of the name (any case), or a person id.")],
    json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """A person's nominations, elections, seats, notices received and meetings missed."""
    from service import audit as audit_service

    _emit(audit_service.person(settings().resolved_database_url, who), json, as_csv)


@audit_app.command("notifications")
def notifications(
    meeting: Annotated[str | None, typer.Option("--meeting", help="A meeting id.")] = None,
    person: Annotated[str | None, typer.Option("--person", help="A name or id.")] = None,
    term: Annotated[str | None, typer.Option("--term", help=TERM_HELP)] = None,
    json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """What was sent, when, to whom, and whether it was delivered (in time)."""
    url = settings().resolved_database_url
    from service import audit as audit_service

    _emit(audit_service.notifications(url, meeting, person, term), json, as_csv)


@audit_app.command("timeline")
def timeline(term: TermOption, json: JsonFlag = False, as_csv: CsvFlag = False) -> None:
    """A term as dated events: elections, seats, vacancies, meetings, notices, missed deadlines."""
    from service import audit as audit_service

    _emit(audit_service.timeline(settings().resolved_database_url, term), json, as_csv)


@audit_app.command("history")
def history(
    workflow_id: Annotated[str, typer.Argument(help="e.g. county-meeting-2027-03, term-2027.")],
    json: JsonFlag = False,
    as_csv: CsvFlag = False,
    raw: Annotated[
        Path | None, typer.Option("--raw", help="Also write the full history JSON to this file.")
    ] = None,
) -> None:
    """One workflow's Temporal history in domain words (or the audit log's, once it is gone)."""
    from service import audit as audit_service

    _emit(asyncio.run(audit_service.history(settings(), workflow_id, raw)), json, as_csv)


# ----------------------------------------------------------------------------- output


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _emit(answer: Answer, as_json: bool, as_csv: bool) -> None:
    """The answer as JSON, CSV or a table; notes (e.g. retention) are never dropped."""
    if as_json:
        rows = [dataclasses.asdict(row) for row in answer.rows]
        print_json({**answer.header, "notes": list(answer.notes), "rows": rows})
    elif as_csv:
        _emit_csv(answer.rows, answer.notes)
    else:
        for key, value in answer.header.items():
            typer.echo(f"{key}: {value}")
        _table(answer.rows)
        for note in answer.notes:
            typer.echo(f"note: {note}")


def _table(rows: tuple[Any, ...]) -> None:
    if not rows:
        typer.echo("(nothing recorded)")
        return
    fields = [f.name for f in dataclasses.fields(rows[0])]
    print_table(fields, [[_cell(getattr(r, f)) for f in fields] for r in rows])


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _emit_csv(rows: tuple[Any, ...], notes: tuple[str, ...]) -> None:
    for note in notes:
        typer.echo(f"note: {note}", err=True)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    if rows:
        fields = [f.name for f in dataclasses.fields(rows[0])]
        writer.writerow(fields)
        writer.writerows([csv_cell(getattr(r, f)) for f in fields] for r in rows)


def csv_cell(value: object) -> str:
    """A value as a CSV cell that no spreadsheet runs as a formula."""
    from service.audit.sources import not_a_formula

    return not_a_formula(_cell(value))


def _check_dict(check: CrossCheck) -> dict[str, object]:
    return {
        "ok": check.ok,
        "checked": check.checked,
        "findings": [dataclasses.asdict(f) for f in check.findings if f.status != "ok"],
        "notes": list(check.notes),
    }


def _echo_check(check: CrossCheck) -> None:
    bad = [f for f in check.findings if f.status in ("mismatch", "missing")]
    unverified = sum(f.status == "unverified" for f in check.findings)
    typer.echo(
        f"cross-check {'OK' if check.ok else 'FAILED'}: {check.checked - len(bad)} of "
        f"{check.checked} facts match the histories, {len(bad)} differ, "
        f"{unverified} unverified (no history kept)"
    )
    if bad:
        _table(tuple(bad))
    for note in check.notes:
        typer.echo(f"note: {note}")


@audit_app.command("anchor")
def anchor(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Where to write it (default: checkpoints/audit-N.json in the data dir)."
        ),
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Verify the log and write a checkpoint of it signed with the record key.

    Keep the checkpoint where the database's writers cannot change it (an auditor's folder, a
    published file): `ksgov audit verify --since FILE` then accepts later appends and rejects
    any rewrite before it. Exit code 1, and no checkpoint, if the log does not verify.
    """
    from service import audit as audit_service

    report, path = audit_service.anchor(settings(), out)
    if json:
        print_json(_as_dict(report) | {"checkpoint": None if path is None else str(path)})
    elif path is not None:
        typer.echo(
            f"checkpoint of entry {report.entries} (head {report.head_hash}) written to {path}"
        )
    else:
        typer.echo(_as_line(report))
    if path is None:
        raise typer.Exit(1)


@audit_app.command("public-key")
def public_key() -> None:
    """Print the record key's public half (PEM) for auditors: with it, `ksgov audit verify
    --public-key FILE` checks every signature and checkpoint without the private key."""
    from service import audit as audit_service

    key = audit_service.verifying_key(settings(), None)
    if key is None:
        fail(f"there is no record key at {settings().record_key_path}: the worker makes it")
    typer.echo(key.pem(), nl=False)


def _as_dict(report: ChainReport) -> dict[str, object]:
    return {
        "ok": report.ok,
        "entries": report.entries,
        "head": report.head_hash,
        "first_broken_seq": report.first_broken_seq,
        "problem": report.problem,
        "signatures_checked": report.signatures_checked,
        "anchored": report.anchored,
    }


def _as_line(report: ChainReport) -> str:
    if report.ok:
        signed = (
            "every entry signed by the record key"
            if report.signatures_checked
            else "signatures not checked (no record key here: give --public-key)"
        )
        anchored = (
            ""
            if report.anchored is None
            else f", unchanged since the checkpoint of entry {report.anchored}"
        )
        return f"verified, {report.entries} entries, head {report.head_hash}; {signed}{anchored}"
    where = f"entry {report.first_broken_seq}" if report.first_broken_seq else "the head"
    return (
        f"BROKEN at {where}: {report.problem} "
        f"({report.entries} entries verified before it, head {report.head_hash})"
    )
