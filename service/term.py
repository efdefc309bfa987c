"""Client-side operations of the election cycle: start a term, send input, read status, vacate.

One function per operation, called by cli/term.py now and an HTTP API later. Temporal's
refusals become `UserError`s a secretary can act on: an already started term, a refused update
(the validator's message), a workflow that does not exist.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ValidationError
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from client.errors import UserError
from client.gateway import connect
from config import Settings
from domain.bylaws import Bylaws
from models import ids
from models.election_payloads import (
    REPRESENTATIVES_SHEET_MAX,
    AppointIn,
    CongressDateIn,
    CredentialsIn,
    ForceLandstingIn,
    MeetingDateIn,
    NominationsIn,
    ProcessStatus,
    RepresentativesIn,
    RepresentativesSheetIn,
    SupplementaryIn,
    TermStatus,
    VacateIn,
    VoteIn,
)
from service.governance import load_bylaws, load_registry, read_text
from service.term_inputs import build_term_input
from service.term_start import Started, start_term_workflows
from service.term_start import term_workflow_id as term_id

_M = TypeVar("_M", bound=BaseModel)

COUNTY_UPDATES: dict[str, tuple[str, type[BaseModel]]] = {
    "representatives": ("representatives", RepresentativesIn),
    "meeting-date": ("meeting_date", MeetingDateIn),
    "nominations": ("nominations", NominationsIn),
    "vote": ("vote", VoteIn),
}
LANDSTING_UPDATES: dict[str, tuple[str, type[BaseModel]]] = {
    "date": ("congress_date", CongressDateIn),
    "credentials": ("credentials", CredentialsIn),
    "nominations": ("nominations", NominationsIn),
    "vote": ("vote", VoteIn),
    "appoint": ("appoint", AppointIn),
}


def term_bylaws(year: int, name: str | None = None) -> Bylaws:
    """The bylaws a term runs under: `name`, or those in force on 1 January of the election year."""
    return load_bylaws(name, dt.date(year, 1, 1))


async def start_term(
    settings: Settings, year: int, bylaws_name: str | None = None
) -> tuple[str, Started]:
    """Start TermWorkflow `term-<year>` and its county meetings; returns the bylaws name and
    what was started. Run again after an interrupted start, it starts only what is missing;
    when nothing is missing it is refused."""
    bylaws = term_bylaws(year, bylaws_name)
    client = await connect(settings)
    previous = term_id(year - 4) if await _exists(client, term_id(year - 4)) else ""
    data = build_term_input(
        load_registry(), bylaws, year, previous_term_workflow_id=previous, meetings=True
    )
    started = await start_term_workflows(client, data, settings.task_queue)
    if not started.term_started and not started.counties_started:
        raise UserError(
            f"term {year} is already started (workflow {term_id(year)}): "
            f"see `ksgov term status {year}`"
        )
    return bylaws.name, started


async def _exists(client: Client, workflow_id: str) -> bool:
    try:
        await client.get_workflow_handle(workflow_id).describe()
    except RPCError:
        return False
    return True


async def _query(handle: WorkflowHandle[Any, Any], result_type: type[_M]) -> _M:
    try:
        found: _M = await handle.query("status", result_type=result_type)
    except RPCError as exc:
        raise _not_found(handle.id, exc) from None
    return found


def _not_found(workflow_id: str, exc: RPCError) -> UserError:
    if exc.status == RPCStatusCode.NOT_FOUND:
        return UserError(f"there is no workflow {workflow_id}: has the term been started?")
    return UserError(f"{workflow_id}: {exc.message}")


async def term_status(settings: Settings, year: int) -> dict[str, Any]:
    """Where the term, each county meeting and the Landsting stand (None: not started)."""
    client = await connect(settings)
    term = await _query(client.get_workflow_handle(term_id(year)), TermStatus)
    counties: dict[str, ProcessStatus | None] = {}
    for county in (*term.counties_finished, *term.counties_missing):
        handle = client.get_workflow_handle(ids.county_meeting_id(year, county))
        counties[county] = await _maybe(handle)
    landsting = await _maybe(client.get_workflow_handle(ids.landsting_id(year)))
    return {"term": term, "counties": dict(sorted(counties.items())), "landsting": landsting}


async def _maybe(handle: WorkflowHandle[Any, Any]) -> ProcessStatus | None:
    try:
        found: ProcessStatus = await handle.query("status", result_type=ProcessStatus)
    except RPCError:
        return None
    return found


async def missing_counties(settings: Settings, year: int) -> tuple[str, ...]:
    client = await connect(settings)
    status = await _query(client.get_workflow_handle(term_id(year)), TermStatus)
    return status.counties_missing


async def force_landsting(settings: Settings, year: int, reason: str) -> TermStatus:
    client = await connect(settings)
    handle = client.get_workflow_handle(term_id(year))
    answer: TermStatus = await _update(
        handle, "force_landsting", ForceLandstingIn(reason=reason), TermStatus
    )
    return answer


async def vacate_seat(
    settings: Settings, year: int, organ: str, person: str, reason: str, on: dt.date
) -> TermStatus:
    data = VacateIn(organ=organ, person_id=person, reason=reason, on=on)
    client = await connect(settings)
    handle = client.get_workflow_handle(term_id(year))
    answer: TermStatus = await _update(handle, "vacate", data, TermStatus)
    return answer


async def supplementary_election(settings: Settings, year: int, file: Path) -> TermStatus:
    """Send Landsstyret's supplementary election (one JSON object) to the term workflow."""
    items = load_models(file, SupplementaryIn)
    if len(items) != 1:
        raise UserError(f"{file}: give exactly one supplementary election, not {len(items)}")
    client = await connect(settings)
    handle = client.get_workflow_handle(term_id(year))
    answer: TermStatus = await _update(handle, "supplementary", items[0], TermStatus)
    return answer


async def county_meeting_input(
    settings: Settings, year: int, county: str, kind: str, file: Path
) -> int:
    """Send a JSON file (one object, or a list for bulk input) to a county meeting; returns how
    many inputs were accepted. A representatives file goes as one sheet, accepted or refused
    whole; the other kinds go one by one, in order (a vote may depend on the one before)."""
    name, model = COUNTY_UPDATES[kind]
    items = load_models(file, model)
    client = await connect(settings)
    handle = client.get_workflow_handle(ids.county_meeting_id(year, county))
    if kind == "representatives":
        if len(items) > REPRESENTATIVES_SHEET_MAX:
            raise UserError(
                f"{file}: {len(items)} members' representatives in one file; a county meeting "
                f"has at most {REPRESENTATIVES_SHEET_MAX} members"
            )
        sheet = RepresentativesSheetIn(entries=tuple(cast(list[RepresentativesIn], items)))
        await _update(handle, "representatives_sheet", sheet, None)
        return len(items)
    return await _send_in_order(handle, name, items)


async def landsting_input(settings: Settings, year: int, kind: str, file: Path) -> int:
    """Send a JSON file (one object, or a list) to the Landsting; how many were accepted."""
    name, model = LANDSTING_UPDATES[kind]
    items = load_models(file, model)
    client = await connect(settings)
    return await _send_in_order(client.get_workflow_handle(ids.landsting_id(year)), name, items)


async def _send_in_order(handle: WorkflowHandle[Any, Any], name: str, items: list[_M]) -> int:
    for done, item in enumerate(items):
        try:
            await _update(handle, name, item, None)
        except UserError as exc:
            if done:
                raise UserError(
                    f"{exc}. The first {done} input(s) of the file were accepted before it: "
                    f"send the rest again once it is corrected"
                ) from None
            raise
    return len(items)


def load_models(file: Path, model: type[_M]) -> list[_M]:
    """One model or a list of them from a JSON file, or a one-line `UserError`."""
    try:
        data = json.loads(read_text(file))
    except json.JSONDecodeError as exc:
        raise UserError(f"{file}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    items = data if isinstance(data, list) else [data]
    return [_validate(file, model.model_validate, item) for item in items]


def _validate(file: Path, check: Callable[[Any], _M], item: Any) -> _M:
    try:
        return check(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise UserError(f"{file}: {where}: {first['msg']}") from None


async def _update(
    handle: WorkflowHandle[Any, Any], name: str, arg: BaseModel, result_type: type[_M] | None
) -> Any:
    try:
        return await handle.execute_update(name, arg, result_type=result_type)
    except WorkflowUpdateFailedError as exc:
        raise UserError(f"refused: {exc.cause or exc}") from None
    except RPCError as exc:
        raise _not_found(handle.id, exc) from None
