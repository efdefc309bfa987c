"""`ksgov meeting ...`: the secretariat's meeting commands (plan, series, changes, minutes, .ics).

Thin: parses the arguments, calls service/meeting.py and prints a table or JSON. Dates are Oslo
local dates (YYYY-MM-DD) and times HH:MM.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from cli.common import print_json, print_table, settings, user_errors_as_exit
from client.errors import UserError
from models.meeting_payloads import (
    AbsenceIn,
    AddMeetingIn,
    AgendaIn,
    AgendaItemIn,
    ApproveMinutesIn,
    AttendanceIn,
    CancelIn,
    CancelMeetingIn,
    MeetingStatus,
    MinutesIn,
    MoveIn,
    MoveMeetingIn,
)
from service import meeting as svc

meeting_app = typer.Typer(help="Meetings: plan, notices, changes, attendance, minutes.",
                          no_args_is_help=True)  # fmt: skip
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON for scripts.")]
MeetingId = Annotated[str, typer.Argument(help="e.g. meeting-hovedstyret-2024-2028-03")]
At = Annotated[str, typer.Option("--at", help="Start time HH:MM (Oslo).")]
Urgent = Annotated[
    bool, typer.Option("--urgent", help="Short notice allowed (kommuneloven § 11-8).")
]
_T = TypeVar("_T")
_M = TypeVar("_M", bound=BaseModel)


def register(app: typer.Typer) -> None:
    """Add `ksgov meeting` to `app`."""
    app.add_typer(meeting_app, name="meeting")


def _run(work: Coroutine[Any, Any, _T]) -> _T:
    try:
        return asyncio.run(work)
    except UserError as exc:
        user_errors_as_exit(exc)


def _payload(model: type[_M], **fields: Any) -> _M:
    """The update's input, or a one-line error naming the field (no traceback)."""
    try:
        return model(**fields)
    except ValidationError as exc:
        user_errors_as_exit(UserError(svc.plain_error(exc)))


def _show(result: MeetingStatus | Any, as_json: bool = False) -> None:
    if as_json or not isinstance(result, MeetingStatus):
        print_json(svc.as_json(result))
        return
    print_table(
        ["meeting", "starts_at", "stage", "sequence", "urgent"],
        [[result.meeting_id, result.starts_at.isoformat(), result.stage, result.sequence,
          result.urgent]],
    )  # fmt: skip


@meeting_app.command("plan")
def plan(
    organ: str, term: str, first: Annotated[str | None, typer.Option("--from")] = None,
    as_json: JsonFlag = False,
) -> None:  # fmt: skip
    """Preview an organ's meeting plan for a term (public holidays and July avoided)."""
    try:
        meetings = svc.preview_plan(organ, term, first)
    except UserError as exc:
        user_errors_as_exit(exc)
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
    try:
        rules = svc.load_rules(organ, term, roster, None)
    except UserError as exc:
        user_errors_as_exit(exc)
    typer.echo(_run(svc.start_series(settings(), rules, first)))


@meeting_app.command("list")
def list_(
    organ: Annotated[str | None, typer.Option("--organ")] = None,
    first: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List meetings that have their own workflow, earliest first."""
    day = svc.parse_day(first) if first else None
    found = _run(svc.list_meetings(settings(), organ, day))
    if as_json:
        print_json(svc.as_json(found))
        return
    print_table(["meeting", "starts_at", "stage"],
                [[m.meeting_id, m.starts_at.isoformat(), m.stage] for m in found])  # fmt: skip


@meeting_app.command("add")
def add(organ: str, term: str, day: str, at: At = "10:00", urgent: Urgent = False) -> None:
    """Add an extra meeting to the plan (e.g. during wage bargaining)."""
    data = _payload(AddMeetingIn, starts_at=svc.oslo_time(day, at), urgent=urgent)
    print_json(svc.as_json(_run(svc.series_update(settings(), organ, term, "add", data))))


@meeting_app.command("move")
def move(meeting_id: MeetingId, day: str, at: At = "10:00", urgent: Urgent = False) -> None:
    """Move a meeting: a new notice goes out (SEQUENCE+1) and the reminders follow the date."""
    when = svc.oslo_time(day, at)
    data: Any = _payload(MoveIn, starts_at=when, urgent=urgent)
    if not _run(svc.is_running(settings(), meeting_id)):
        data = _payload(MoveMeetingIn, meeting_id=meeting_id, starts_at=when, urgent=urgent)
    _show(_run(svc.update(settings(), meeting_id, "move", data, series_name="move")))


@meeting_app.command("cancel")
def cancel(meeting_id: MeetingId, reason: Annotated[str, typer.Option("--reason")]) -> None:
    """Cancel a meeting: everyone gets the cancellation (METHOD:CANCEL)."""
    data: Any = _payload(CancelIn, reason=reason)
    if not _run(svc.is_running(settings(), meeting_id)):
        data = _payload(CancelMeetingIn, meeting_id=meeting_id, reason=reason)
    _show(_run(svc.update(settings(), meeting_id, "cancel", data, series_name="cancel")))


@meeting_app.command("agenda")
def agenda(meeting_id: MeetingId, items: list[str]) -> None:
    """Set the agenda (saksliste), one title per argument, before the notice goes out."""
    agenda_items = tuple(_payload(AgendaItemIn, number=n, title=t) for n, t in enumerate(items, 1))
    data = _payload(AgendaIn, items=agenda_items)
    _show(_run(svc.update(settings(), meeting_id, "agenda", data)))


@meeting_app.command("absence")
def absence(meeting_id: MeetingId, person_id: str, reason: str = "") -> None:
    """Report a member's absence (forfall): the next deputy in rank is called in."""
    data = _payload(AbsenceIn, person_id=person_id, reason=reason)
    _show(_run(svc.update(settings(), meeting_id, "absence", data)), True)


@meeting_app.command("attendance")
def attendance(meeting_id: MeetingId, present: list[str]) -> None:
    """Record who is present (person ids); the quorum is checked."""
    data = _payload(AttendanceIn, present=tuple(present))
    _show(_run(svc.update(settings(), meeting_id, "attendance", data)), True)


@meeting_app.command("minutes")
def minutes(
    meeting_id: MeetingId,
    file: Annotated[Path, typer.Option("--file", help='JSON {"decisions": [...], "text": ""}')],
) -> None:
    """Record the decisions and minutes of a held meeting."""
    try:
        data = MinutesIn.model_validate(svc.read_json(file, "minutes"))
    except UserError as exc:
        user_errors_as_exit(exc)
    except ValidationError as exc:
        user_errors_as_exit(UserError(f"{file}: {svc.plain_error(exc)}"))
    _show(_run(svc.update(settings(), meeting_id, "minutes", data)))


@meeting_app.command("approve")
def approve(meeting_id: MeetingId, previous: str) -> None:
    """At MEETING_ID, approve the minutes of the organ's previous meeting; they are published."""
    data = _payload(ApproveMinutesIn, meeting_id=previous)
    _show(_run(svc.update(settings(), meeting_id, "approve_previous_minutes", data)))


@meeting_app.command("ics")
def ics(
    meeting_id: MeetingId,
    out: Annotated[Path | None, typer.Option("--out", help="Write the .ics file here.")] = None,
) -> None:
    """Write the meeting's calendar invite (.ics) to a file or stdout."""
    text = _run(svc.ics(settings(), meeting_id))
    if out is None:
        typer.echo(text)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}")
