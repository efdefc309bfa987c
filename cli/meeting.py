"""`ksgov meeting ...`: the secretariat's meeting commands (plan, series, changes, minutes, .ics).

Thin: parses the arguments, calls one function of service/meeting.py and prints a table or JSON.
Dates are Oslo local dates (YYYY-MM-DD) and times HH:MM. The service is imported when a command
runs, so `--help` does not load Temporal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import fail, print_json, print_table, run, settings

meeting_app = typer.Typer(help="Meetings: plan, notices, changes, attendance, minutes.",
                          no_args_is_help=True)  # fmt: skip
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON for scripts.")]
MeetingId = Annotated[str, typer.Argument(help="e.g. meeting-hovedstyret-2028-2032-03")]
At = Annotated[str, typer.Option("--at", help="Start time HH:MM (Oslo).")]
Urgent = Annotated[
    bool, typer.Option("--urgent", help="Short notice allowed (kommuneloven § 11-8).")
]


def register(app: typer.Typer) -> None:
    """Add `ksgov meeting` to `app`."""
    app.add_typer(meeting_app, name="meeting")


def _show(result: Any, as_json: bool = False) -> None:
    """What the meeting (or its series, for a meeting only planned) answered: one table row,
    or JSON with --json."""
    from service import meeting as svc

    if as_json:
        print_json(svc.as_json(result))
        return
    stage = getattr(result, "stage", None) or getattr(result, "status", "")
    print_table(
        ["meeting", "starts_at", "stage", "sequence", "urgent"],
        [[result.meeting_id, result.starts_at.isoformat(), stage,
          getattr(result, "sequence", "-"), result.urgent]],
    )  # fmt: skip


def _local(call: Any) -> Any:
    """Run an operation that needs no server; a UserError becomes one line and exit 2."""
    from client.errors import UserError

    try:
        return call()
    except UserError as exc:
        fail(str(exc), exc.exit_code)


@meeting_app.command("plan")
def plan(
    organ: str, term: str, first: Annotated[str | None, typer.Option("--from")] = None,
    as_json: JsonFlag = False,
) -> None:  # fmt: skip
    """Preview an organ's meeting plan for a term (public holidays and July avoided)."""
    from service import meeting as svc

    meetings = _local(lambda: svc.preview_plan(organ, term, first))
    if as_json:
        print_json(svc.as_json(meetings))
        return
    rows = [[m.number, m.starts_at.date().isoformat(), m.starts_at.strftime("%A %H:%M")]
            for m in meetings]  # fmt: skip
    print_table(["number", "date", "day"], rows)


@meeting_app.command("start-series")
def start_series(
    organ: str, term: str,
    roster: Annotated[Path, typer.Option("--roster", help="JSON list of seats with e-mail.")],
    first: Annotated[str | None, typer.Option("--from")] = None,
) -> None:  # fmt: skip
    """Start the organ's meeting series for the term (normally the term workflow does this)."""
    from service import meeting as svc

    rules = _local(lambda: svc.load_rules(organ, term, roster, None))
    typer.echo(run(svc.start_series(settings(), rules, first)))


@meeting_app.command("list")
def list_(
    organ: Annotated[str | None, typer.Option("--organ")] = None,
    first: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List meetings that have their own workflow, earliest first."""
    from service import meeting as svc

    day = _local(lambda: svc.parse_day(first)) if first is not None else None
    found = run(svc.list_meetings(settings(), organ, day))
    if as_json:
        print_json(svc.as_json(found))
        return
    print_table(["meeting", "starts_at", "stage"],
                [[m.meeting_id, m.starts_at.isoformat(), m.stage] for m in found])  # fmt: skip


@meeting_app.command("add")
def add(
    organ: str,
    term: str,
    day: str,
    at: At = "10:00",
    urgent: Urgent = False,
    as_json: JsonFlag = False,
) -> None:
    """Add an extra meeting to the plan (e.g. during wage bargaining)."""
    from service import meeting as svc

    added = run(svc.add_meeting(settings(), organ, term, day, at, urgent))
    if as_json:
        print_json(svc.as_json(added))
        return
    typer.echo(f"Added {added.meeting_id} on {added.starts_at.isoformat()} to the plan.")


@meeting_app.command("move")
def move(
    meeting_id: MeetingId,
    day: str,
    at: At = "10:00",
    urgent: Urgent = False,
    as_json: JsonFlag = False,
) -> None:
    """Move a meeting: a new notice goes out (SEQUENCE+1) and the reminders follow the date."""
    from service import meeting as svc

    _show(run(svc.move_meeting(settings(), meeting_id, day, at, urgent)), as_json)


@meeting_app.command("cancel")
def cancel(
    meeting_id: MeetingId,
    reason: Annotated[str, typer.Option("--reason")],
    as_json: JsonFlag = False,
) -> None:
    """Cancel a meeting: everyone gets the cancellation (METHOD:CANCEL)."""
    from service import meeting as svc

    _show(run(svc.cancel_meeting(settings(), meeting_id, reason)), as_json)


@meeting_app.command("agenda")
def agenda(meeting_id: MeetingId, items: list[str], as_json: JsonFlag = False) -> None:
    """Set the agenda (saksliste), one title per argument, before the notice goes out."""
    from service import meeting as svc

    _show(run(svc.set_agenda(settings(), meeting_id, items)), as_json)


@meeting_app.command("absence")
def absence(
    meeting_id: MeetingId, person_id: str, reason: str = "", as_json: JsonFlag = False
) -> None:
    """Report a member's absence (forfall): the next deputy in rank is called in."""
    from service import meeting as svc

    _show(run(svc.report_absence(settings(), meeting_id, person_id, reason)), as_json)


@meeting_app.command("attendance")
def attendance(meeting_id: MeetingId, present: list[str], as_json: JsonFlag = False) -> None:
    """Record who is present (person ids); the quorum is checked."""
    from service import meeting as svc

    _show(run(svc.record_attendance(settings(), meeting_id, present)), as_json)


@meeting_app.command("minutes")
def minutes(
    meeting_id: MeetingId,
    file: Annotated[Path, typer.Option("--file", help='JSON {"decisions": [...], "text": ""}')],
    as_json: JsonFlag = False,
) -> None:
    """Record the decisions and minutes of a held meeting."""
    from service import meeting as svc

    _show(run(svc.record_minutes(settings(), meeting_id, file)), as_json)


@meeting_app.command("approve")
def approve(meeting_id: MeetingId, previous: str, as_json: JsonFlag = False) -> None:
    """At MEETING_ID, approve the minutes of the organ's previous meeting; they are published."""
    from service import meeting as svc

    _show(run(svc.approve_minutes(settings(), meeting_id, previous)), as_json)


@meeting_app.command("ics")
def ics(
    meeting_id: MeetingId,
    out: Annotated[Path | None, typer.Option("--out", help="Write the .ics file here.")] = None,
) -> None:
    """Write the meeting's calendar invite (.ics) to a file or stdout."""
    from service import meeting as svc

    text = run(svc.ics(settings(), meeting_id))
    if out is None:
        typer.echo(text)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}")
