"""Meeting operations for the CLI (and later an HTTP API): plan, series, updates, status, invites.

Each function connects with the settings, sends one query or update to the meeting's workflow
(or, before a meeting has its own workflow, to its organ's series) and turns Temporal's errors
into UserErrors a secretary can act on. Times are entered as Oslo local date and HH:MM.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from client.errors import UserError
from client.gateway import connect
from config import Settings
from domain.bylaws import BylawsError
from domain.meeting_plan import PlanError
from models import ids
from models.meeting_payloads import (
    IcsRequest,
    MeetingInput,
    MeetingStatus,
    OrganRules,
    PlannedMeeting,
    PlanRequest,
    RosterEntry,
    SeriesInput,
    SeriesMeeting,
    SeriesStatus,
)
from models.records import Person
from notices.calendar import meeting_ics
from notices.planning import plan_series
from service import governance
from service.audit import record_store
from workflows.meeting_notices import meeting_uid

OSLO = ZoneInfo("Europe/Oslo")
MEETING_ID = re.compile(r"^meeting-(?P<organ>.+)-(?P<term>[0-9]{4}-[0-9]{4})-(?P<n>[0-9]+)$")
_T = TypeVar("_T")


def oslo_time(day: str, at: str = "10:00") -> dt.datetime:
    """`day` (YYYY-MM-DD) at `at` (HH:MM) in Oslo, or a UserError saying what is wrong."""
    try:
        return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(at), OSLO)
    except ValueError:
        raise UserError(f"{day} {at} is not a date and time like 2025-03-13 10:00") from None


def parse_day(day: str) -> dt.date:
    """`day` as a date (YYYY-MM-DD), or a UserError saying what is wrong."""
    try:
        return dt.date.fromisoformat(day)
    except ValueError:
        raise UserError(f"{day!r} is not a date like 2025-03-13") from None


def plain_error(exc: ValidationError) -> str:
    """The first problem pydantic found, as `field: message` in one line."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def term_years(term: str) -> tuple[int, int]:
    match = re.fullmatch(r"([0-9]{4})-([0-9]{4})", term)
    if match is None or int(match[2]) <= int(match[1]):
        raise UserError(f"{term!r} is not a term like 2024-2028")
    return int(match[1]), int(match[2])


def plan_request(organ: str, term: str, first: str | None, last: str | None) -> PlanRequest:
    """The plan of an organ for a term: the bylaws' meetings a year, from March to January."""
    first_year, last_year = term_years(term)
    try:
        bylaws = governance.load_bylaws(on_date=dt.date(first_year, 1, 1))
        per_year = bylaws.organ(organ.split(":")[0]).meetings.meetings_per_year
    except BylawsError as exc:
        raise UserError(str(exc)) from None
    return PlanRequest(
        organ=organ,
        meetings_per_year=per_year,
        first_day=parse_day(first) if first else dt.date(first_year, 3, 1),
        last_day=parse_day(last) if last else dt.date(last_year, 1, 31),
    )


def preview_plan(organ: str, term: str, first: str | None = None) -> list[PlannedMeeting]:
    """The planned ordinary meetings (holidays and July avoided), without a server."""
    try:
        return list(plan_series(plan_request(organ, term, first, None)).meetings)
    except (PlanError, ValueError) as exc:
        raise UserError(str(exc)) from None


def load_rules(organ: str, term: str, roster_file: Path, title: str | None) -> OrganRules:
    """The organ's meeting rules from the bylaws and its roster from a JSON file."""
    first_year, _ = term_years(term)
    bylaws = governance.load_bylaws(on_date=dt.date(first_year, 1, 1))
    try:
        body = bylaws.organ(organ.split(":")[0])
        roster = [RosterEntry.model_validate(e) for e in json.loads(roster_file.read_text())]
        return OrganRules(
            organ=organ, organ_title=title or body.title, term=term,
            county=organ.split(":")[1] if ":" in organ else "",
            notice_days=body.meetings.notice_days,
            reminder_days=body.meetings.reminder_days or (7, 1),
            quorum=f"{body.meetings.quorum.numerator}/{body.meetings.quorum.denominator}",
            members=body.members, roster=tuple(roster),
        )  # fmt: skip
    except (OSError, json.JSONDecodeError, ValidationError, BylawsError) as exc:
        raise UserError(f"{roster_file}: {str(exc).splitlines()[0]}") from None


def unregistered(settings: Settings, rules: OrganRules) -> list[str]:
    """The roster's people who are not in the register (the record store's people)."""
    ids = {e.person_id for e in rules.roster}
    with record_store(settings.resolved_database_url) as engine, Session(engine) as session:
        known = set(session.exec(select(Person.person_id).where(col(Person.person_id).in_(ids))))
    return sorted(ids - known)


async def start_series(settings: Settings, rules: OrganRules, first: str | None = None) -> str:
    """Start `meetings-<organ>-<term>` with the planned meetings; refused if it already runs.

    The roster's people must be in the register: a meeting's attendance names them, and the
    record store refuses people it does not know (on the meeting day, too late to fix).
    """
    request = plan_request(rules.organ, rules.term, first, None)
    if missing := unregistered(settings, rules):
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        shown = ", ".join(missing[:5]) + more
        raise UserError(
            f"not in the register, so their attendance could not be recorded: {shown} "
            "(the term records the people it seats)"
        )
    plan = plan_series(request)
    data = SeriesInput(
        rules=rules.model_copy(update={"holidays": plan.holidays}),
        ends_on=request.last_day,
        meetings=plan.meetings,
    )
    client = await connect(settings)
    series_id = ids.series_id(rules.organ, rules.term)
    await _call(client.start_workflow(ids.MEETING_SERIES, data, id=series_id,
                                      task_queue=settings.task_queue))  # fmt: skip
    return series_id


async def _call(awaitable: Awaitable[_T]) -> _T:
    try:
        return await awaitable
    except WorkflowUpdateFailedError as exc:
        raise UserError(f"refused: {_reason(exc)}") from None
    except WorkflowAlreadyStartedError as exc:
        raise UserError(f"{exc.workflow_id} is already running") from None
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise UserError("no such meeting or series is running (check the id)") from None
        if exc.status == RPCStatusCode.ALREADY_EXISTS:
            raise UserError("that workflow has already been started") from None
        raise UserError(f"the Temporal server refused: {exc.message}") from None


def _reason(exc: BaseException) -> str:
    """The innermost failure's message: an activity's refusal, not "Activity task failed"."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return str(getattr(exc, "message", None) or exc)


def split_meeting_id(meeting_id: str) -> tuple[str, str]:
    match = MEETING_ID.fullmatch(meeting_id)
    if match is None:
        raise UserError(f"{meeting_id!r} is not a meeting id like meeting-hovedstyret-2024-2028-03")
    return match["organ"], match["term"]


async def state(client: Client, workflow_id: str) -> str | None:
    """RUNNING, COMPLETED, FAILED, ... of the workflow; None when there is no such workflow."""
    try:
        description = await client.get_workflow_handle(workflow_id).describe()
    except RPCError:
        return None
    return None if description.status is None else description.status.name


async def running(client: Client, workflow_id: str) -> bool:
    return await state(client, workflow_id) == "RUNNING"


async def is_running(settings: Settings, meeting_id: str) -> bool:
    """Whether the meeting has its own running workflow (else its series holds it)."""
    return await running(await connect(settings), meeting_id)


async def update(
    settings: Settings, meeting_id: str, name: str, data: BaseModel, *, series_name: str = ""
) -> Any:
    """Send update `name` to the meeting, or `series_name` to its series before it has started.

    A meeting whose workflow has ended, or that is only in the plan when the update is one only
    the meeting's own workflow takes (an agenda, attendance, ...), is refused with the reason.
    """
    client = await connect(settings)
    found = await state(client, meeting_id)
    if found == "RUNNING":
        handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(meeting_id)
        return await _call(handle.execute_update(name, data, result_type=MeetingStatus))
    if found is not None:
        raise UserError(
            f"{meeting_id} is over (its workflow has {found.lower()}): it can no longer be changed"
        )
    organ, term = split_meeting_id(meeting_id)
    series = client.get_workflow_handle(ids.series_id(organ, term))
    if series_name:
        return await _call(series.execute_update(series_name, data, result_type=SeriesMeeting))
    plan: SeriesStatus = await _call(series.query("status", result_type=SeriesStatus))
    if all(m.meeting_id != meeting_id for m in plan.meetings):
        raise UserError(f"{meeting_id} is not in the plan of {plan.workflow_id} (check the id)")
    raise UserError(
        f"{meeting_id} is only planned so far: it gets a workflow of its own some weeks before "
        "its notice is due; try again then"
    )


async def series_update(
    settings: Settings, organ: str, term: str, name: str, data: BaseModel
) -> Any:
    client = await connect(settings)
    handle = client.get_workflow_handle(ids.series_id(organ, term))
    return await _call(handle.execute_update(name, data, result_type=SeriesMeeting))


async def series_status(settings: Settings, organ: str, term: str) -> SeriesStatus:
    client = await connect(settings)
    handle = client.get_workflow_handle(ids.series_id(organ, term))
    result: SeriesStatus = await _call(handle.query("status", result_type=SeriesStatus))
    return result


async def status(settings: Settings, meeting_id: str) -> MeetingStatus:
    client = await connect(settings)
    handle = client.get_workflow_handle(meeting_id)
    result: MeetingStatus = await _call(handle.query("status", result_type=MeetingStatus))
    return result


async def list_meetings(
    settings: Settings, organ: str | None, from_day: dt.date | None
) -> list[MeetingStatus]:
    """The meetings that have their own workflow, earliest first (needs a visibility store)."""
    client = await connect(settings)
    query = "WorkflowType = 'Meeting'" + (f" AND KsOrgan = '{organ}'" if organ else "")
    found: list[MeetingStatus] = []
    async for execution in client.list_workflows(query):
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        found.append(await _call(handle.query("status", result_type=MeetingStatus)))
    return sorted(
        (m for m in found if from_day is None or m.starts_at.date() >= from_day),
        key=lambda m: m.starts_at,
    )


async def ics(settings: Settings, meeting_id: str) -> str:
    """The meeting's current invite (cancelled meetings: the cancellation) as iCalendar text,
    as the notices carry it: title, place and length from the meeting's input (its history)."""
    client = await connect(settings)
    handle = client.get_workflow_handle(meeting_id)
    current = await _call(handle.query("status", result_type=MeetingStatus))
    history = await _call(handle.fetch_history())
    started = history.events[0].workflow_execution_started_event_attributes
    [first] = await client.data_converter.decode(started.input.payloads, [MeetingInput])
    rules = first.rules
    return meeting_ics(
        IcsRequest(
            uid=meeting_uid(meeting_id), sequence=current.sequence,
            method="CANCEL" if current.stage == "cancelled" else "REQUEST",
            summary=f"{rules.organ_title}: møte {current.number}", starts_at=current.starts_at,
            ends_at=current.starts_at + dt.timedelta(minutes=rules.duration_minutes),
            location=rules.location, stamp=dt.datetime.now(dt.UTC),
        )
    )  # fmt: skip


def read_json(file: Path, what: str) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(f"{file}: cannot read the {what} ({str(exc).splitlines()[0]})") from None


def as_json(value: BaseModel | list[Any]) -> Any:
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value.model_dump(mode="json")
