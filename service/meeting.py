"""Meeting operations: plan, series, changes, attendance, minutes, status and invites.

One function per operation. Each validates its input, connects with the settings and sends one
update or query to the meeting's workflow, or, before a meeting has its own workflow, to its
organ's series; Temporal's errors become UserErrors through the gateway. Times are entered as
Oslo local date and HH:MM.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select
from temporalio.client import Client

from client import gateway
from client.errors import UserError, validated
from config import Settings
from domain.bylaws import BylawsError
from domain.meeting_plan import PlanError
from domain.terms import TermError, parse_term
from domain.terms import term_years as domain_term_years
from models import ids
from models.meeting_payloads import (
    AbsenceIn,
    AddMeetingIn,
    AgendaIn,
    AgendaItemIn,
    ApproveMinutesIn,
    AttendanceIn,
    CancelIn,
    CancelMeetingIn,
    IcsRequest,
    MeetingInput,
    MeetingStatus,
    MinutesIn,
    MoveIn,
    MoveMeetingIn,
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
from service.accounts import OPERATOR, Actor, authorize
from service.acts import record_act
from service.audit import record_store
from service.governance import person_key
from workflows.meetings.meeting import MeetingWorkflow
from workflows.meetings.roster import meeting_uid
from workflows.meetings.series import MeetingSeriesWorkflow

OSLO = ZoneInfo("Europe/Oslo")


DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CLOCK = re.compile(r"[0-2][0-9]:[0-5][0-9]")


def oslo_time(day: str, at: str = "10:00") -> dt.datetime:
    """`day` (YYYY-MM-DD) at `at` (HH:MM) in Oslo, or a UserError saying what is wrong."""
    try:
        if not (DAY.fullmatch(day) and CLOCK.fullmatch(at)):
            raise ValueError("not YYYY-MM-DD HH:MM")
        return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(at), OSLO)
    except ValueError:
        raise UserError(f"{day} {at} is not a date and time like 2025-03-13 10:00") from None


def parse_day(day: str) -> dt.date:
    """`day` as a date (YYYY-MM-DD), or a UserError saying what is wrong."""
    try:
        if not DAY.fullmatch(day):
            raise ValueError("not YYYY-MM-DD")
        return dt.date.fromisoformat(day)
    except ValueError:
        raise UserError(f"{day!r} is not a date like 2025-03-13") from None


def canonical_term(text: str) -> str:
    """The term the user named (`2028-2032`, `2028–2032` or the election year `2027`), or a
    UserError showing the forms."""
    try:
        return parse_term(text)
    except TermError as exc:
        raise UserError(str(exc)) from None


def term_years(term: str) -> tuple[int, int]:
    """The first and last year of the term the user named, or a UserError."""
    return domain_term_years(canonical_term(term))


def plan_request(organ: str, term: str, first: str | None, last: str | None) -> PlanRequest:
    """The plan of an organ for a term: the bylaws' meetings a year, from March to January."""
    organ = meeting_organ(organ)
    first_year, last_year = term_years(term)
    try:
        bylaws = governance.load_bylaws(on_date=dt.date(first_year, 1, 1))
        per_year = bylaws.organ(organ.split(":")[0]).meetings.meetings_per_year
    except BylawsError as exc:
        raise UserError(str(exc)) from None
    return PlanRequest(
        organ=organ,
        meetings_per_year=per_year,
        first_day=parse_day(first) if first is not None else dt.date(first_year, 3, 1),
        last_day=parse_day(last) if last is not None else dt.date(last_year, 1, 31),
    )


def preview_plan(organ: str, term: str, first: str | None = None) -> list[PlannedMeeting]:
    """The planned ordinary meetings (holidays and July avoided), without a server."""
    try:
        return list(plan_series(plan_request(organ, term, first, None)).meetings)
    except (PlanError, ValueError) as exc:
        raise UserError(str(exc)) from None


def _sender(organ: str) -> str:
    """Who signs a county organ's letters: KS in the county; the secretariat for the rest."""
    county = organ.partition(":")[2]
    return f"KS {governance.load_registry().county(county).name}" if county else ""


def load_rules(organ: str, term: str, roster_file: Path, title: str | None) -> OrganRules:
    """The organ's meeting rules from the bylaws and its roster from a JSON file."""
    first_year, _ = term_years(term)
    bylaws = governance.load_bylaws(on_date=dt.date(first_year, 1, 1))
    try:
        body = bylaws.organ(organ.split(":")[0])
        entries = read_json(roster_file, "roster")
        if not isinstance(entries, list) or not entries:
            raise UserError(f"{roster_file}: the roster must be a JSON list of seats")
        roster = [RosterEntry.model_validate(e) for e in entries]
        return OrganRules(
            organ=organ, organ_title=title or body.title, term=canonical_term(term),
            county=organ.split(":")[1] if ":" in organ else "",
            notice_days=body.meetings.notice_days,
            reminder_days=body.meetings.reminder_days or (7, 1),
            quorum=f"{body.meetings.quorum.numerator}/{body.meetings.quorum.denominator}",
            members=body.members, roster=tuple(roster), sender=_sender(organ),
        )  # fmt: skip
    except (OSError, json.JSONDecodeError, ValidationError, BylawsError) as exc:
        raise UserError(f"{roster_file}: {str(exc).splitlines()[0]}") from None


def unregistered(settings: Settings, rules: OrganRules) -> list[str]:
    """The roster's people who are not in the register (the record store's people)."""
    ids = {e.person_id for e in rules.roster}
    with record_store(settings.resolved_database_url) as engine, Session(engine) as session:
        known = set(session.exec(select(Person.person_id).where(col(Person.person_id).in_(ids))))
    return sorted(ids - known)


async def start_series(
    settings: Settings, rules: OrganRules, first: str | None = None, actor: Actor = OPERATOR
) -> str:
    """Start `meetings-<organ>-<term>` with the planned meetings; refused if it already runs.

    The roster's people must be in the register: a meeting's attendance names them, and the
    record store refuses people it does not know (on the meeting day, too late to fix).
    """
    authorize(actor, "meeting.manage")
    rules = rules.model_copy(update={"public_url": settings.public_url})
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
    client = await gateway.connect(settings)
    series_id = ids.series_id(rules.organ, rules.term)
    started = await gateway.start(
        client, MeetingSeriesWorkflow.run, data, series_id, settings.task_queue
    )
    if not started:
        raise UserError(f"{series_id} is already running")
    return series_id


def split_meeting_id(meeting_id: str) -> tuple[str, str]:
    """(organ, term) of a meeting id, or a UserError."""
    parsed = ids.parse_meeting_id(meeting_id)
    if parsed is None:
        raise UserError(f"{meeting_id!r} is not a meeting id like meeting-hovedstyret-2024-2028-03")
    return parsed[0], parsed[1]


def _series(client: Client, organ: str, term: str) -> gateway.Handle:
    return client.get_workflow_handle(ids.series_id(organ, term))


NO_SERIES = "no meeting series {id} is running (check the organ and the term)"
NO_MEETING = "no such meeting or series is running (check the id)"


async def _meeting_handle(client: Client, meeting_id: str) -> gateway.Handle | None:
    """The meeting's own running workflow; None while only its series holds it; a UserError
    when the meeting is over or not in any plan."""
    found = await gateway.status_name(client, meeting_id)
    if found == "RUNNING":
        return client.get_workflow_handle(meeting_id)
    if found is not None:
        raise UserError(
            f"{meeting_id} is over (its workflow has {found.lower()}): it can no longer be changed"
        )
    return None


async def _only_planned(client: Client, meeting_id: str) -> UserError:
    """Why an update that only a meeting's own workflow takes cannot go to its series yet."""
    organ, term = split_meeting_id(meeting_id)
    series = _series(client, organ, term)
    plan = await gateway.query(series, MeetingSeriesWorkflow.status, NO_MEETING)
    if all(m.meeting_id != meeting_id for m in plan.meetings):
        return UserError(f"{meeting_id} is not in the plan of {plan.workflow_id} (check the id)")
    return UserError(
        f"{meeting_id} is only planned so far: it gets a workflow of its own some weeks before "
        "its notice is due; try again then"
    )


async def _meeting_update(
    settings: Settings, meeting_id: str, handler: Any, data: BaseModel,
    found: Callable[[], None] | None = None,
) -> MeetingStatus:  # fmt: skip
    """Send an update only the meeting's own workflow takes (agenda, absence, attendance...);
    `found` runs once the workflow is found, before the update is sent."""
    client = await gateway.connect(settings)
    handle = await _meeting_handle(client, meeting_id)
    if handle is None:
        raise await _only_planned(client, meeting_id)
    if found is not None:
        found()
    result: MeetingStatus = await gateway.update(handle, handler, data, NO_MEETING)
    return result


async def add_meeting(
    settings: Settings,
    organ: str,
    term: str,
    day: str,
    at: str,
    urgent: bool,
    actor: Actor = OPERATOR,
) -> SeriesMeeting:
    """Add an extra meeting to an organ's plan (e.g. during wage bargaining)."""
    authorize(actor, "meeting.manage")
    organ = meeting_organ(organ)
    data = validated("", lambda: AddMeetingIn(starts_at=oslo_time(day, at), urgent=urgent))
    term = canonical_term(term)
    client = await gateway.connect(settings)
    missing = NO_SERIES.format(id=ids.series_id(organ, term))
    return await gateway.update(
        _series(client, organ, term), MeetingSeriesWorkflow.add, data, missing
    )


async def move_meeting(
    settings: Settings, meeting_id: str, day: str, at: str, urgent: bool, actor: Actor = OPERATOR
) -> MeetingStatus | SeriesMeeting:
    """Move a meeting: its own workflow re-notices it; before that its series moves the plan."""
    authorize(actor, "meeting.manage")
    meeting_id = meeting_key(meeting_id)
    when = oslo_time(day, at)
    client = await gateway.connect(settings)
    handle = await _meeting_handle(client, meeting_id)
    if handle is not None:
        data = validated("", lambda: MoveIn(starts_at=when, urgent=urgent))
        return await gateway.update(handle, MeetingWorkflow.move, data, NO_MEETING)
    organ, term = split_meeting_id(meeting_id)
    planned = validated(
        "", lambda: MoveMeetingIn(meeting_id=meeting_id, starts_at=when, urgent=urgent)
    )
    series = _series(client, organ, term)
    return await gateway.update(series, MeetingSeriesWorkflow.move, planned, NO_MEETING)


async def cancel_meeting(
    settings: Settings, meeting_id: str, reason: str, actor: Actor = OPERATOR
) -> MeetingStatus | SeriesMeeting:
    """Cancel a meeting: everyone gets the cancellation (its own workflow, or its series)."""
    authorize(actor, "meeting.manage")
    meeting_id = meeting_key(meeting_id)
    data = validated("", lambda: CancelIn(reason=reason))
    client = await gateway.connect(settings)
    handle = await _meeting_handle(client, meeting_id)
    if handle is not None:
        return await gateway.update(handle, MeetingWorkflow.cancel, data, NO_MEETING)
    organ, term = split_meeting_id(meeting_id)
    planned = validated("", lambda: CancelMeetingIn(meeting_id=meeting_id, reason=reason))
    series = _series(client, organ, term)
    return await gateway.update(series, MeetingSeriesWorkflow.cancel, planned, NO_MEETING)


async def set_agenda(
    settings: Settings, meeting_id: str, titles: list[str], actor: Actor = OPERATOR
) -> MeetingStatus:
    """Set the agenda (saksliste), one title per item, before the notice goes out."""
    authorize(actor, "meeting.manage")
    meeting_id = meeting_key(meeting_id)
    items = tuple(
        validated("", lambda n=n, t=t: AgendaItemIn(number=n, title=t))  # type: ignore[misc]
        for n, t in enumerate(titles, 1)
    )
    data = validated("", lambda: AgendaIn(items=items))
    return await _meeting_update(settings, meeting_id, MeetingWorkflow.agenda, data)


async def report_absence(
    settings: Settings, meeting_id: str, person_id: str, reason: str, actor: Actor = OPERATOR
) -> MeetingStatus:
    """A member's absence (forfall): the next deputy in rank is called in. A member reports
    their own; whoever manages meetings, anyone's."""
    meeting_id = meeting_key(meeting_id)
    person = person_key(person_id)
    if not (actor.role == "member" and actor.person_id == person):
        authorize(actor, "meeting.manage")
    data = validated("", lambda: AbsenceIn(person_id=person, reason=reason))

    def recorded() -> None:  # who reported it, once the meeting is found, before it is sent
        record_act(settings, actor, "absence_reported", meeting_id, {"person_id": person})

    return await _meeting_update(settings, meeting_id, MeetingWorkflow.absence, data, recorded)


async def record_attendance(
    settings: Settings, meeting_id: str, present: list[str], actor: Actor = OPERATOR
) -> MeetingStatus:
    """Who is present (person ids); the quorum is checked."""
    authorize(actor, "meeting.manage")
    meeting_id = meeting_key(meeting_id)
    data = validated("", lambda: AttendanceIn(present=tuple(map(person_key, present))))
    return await _meeting_update(settings, meeting_id, MeetingWorkflow.attendance, data)


async def record_minutes(
    settings: Settings, meeting_id: str, file: Path, actor: Actor = OPERATOR
) -> MeetingStatus:
    """The decisions and minutes of a held meeting, from a JSON file."""
    authorize(actor, "meeting.manage")
    meeting_id = meeting_key(meeting_id)
    raw = read_json(file, "minutes")
    data = validated(str(file), lambda: MinutesIn.model_validate(raw))
    return await _meeting_update(settings, meeting_id, MeetingWorkflow.minutes, data)


async def approve_minutes(
    settings: Settings, meeting_id: str, previous: str, actor: Actor = OPERATOR
) -> MeetingStatus:
    """At `meeting_id`, approve the minutes of the organ's previous meeting (then published)."""
    authorize(actor, "meeting.manage")
    meeting_id = meeting_key(meeting_id)
    data = validated("", lambda: ApproveMinutesIn(meeting_id=meeting_key(previous)))
    handler = MeetingWorkflow.approve_previous_minutes
    return await _meeting_update(settings, meeting_id, handler, data)


async def series_status(settings: Settings, organ: str, term: str) -> SeriesStatus:
    organ = meeting_organ(organ)
    term = canonical_term(term)
    client = await gateway.connect(settings)
    missing = NO_SERIES.format(id=ids.series_id(organ, term))
    return await gateway.query(_series(client, organ, term), MeetingSeriesWorkflow.status, missing)


async def status(settings: Settings, meeting_id: str) -> MeetingStatus:
    meeting_id = meeting_key(meeting_id)
    client = await gateway.connect(settings)
    handle = client.get_workflow_handle(meeting_id)
    return await gateway.query(handle, MeetingWorkflow.status, NO_MEETING)


MEETING_ORGAN = re.compile(r"(hovedstyret|landsstyret|(county_board|county_meeting):[0-9]{2})")


def meeting_organ(organ: str) -> str:
    """An organ that holds meetings, by its key, of a county in the registry; anything else is
    a UserError."""
    if not MEETING_ORGAN.fullmatch(organ):
        raise UserError(
            "the organ must be hovedstyret, landsstyret, county_board:NN or county_meeting:NN "
            f"(NN a county number such as 46), not {ascii(organ)[:60]}"
        )
    if ":" in organ:
        governance.known_county(organ.partition(":")[2])
    return organ


def meeting_key(meeting_id: str) -> str:
    """A meeting id such as meeting-hovedstyret-2024-2028-03 of a meeting organ; anything else
    is a UserError (checked before anything is asked of Temporal)."""
    parsed = ids.parse_meeting_id(meeting_id) if len(meeting_id) <= 100 else None
    if parsed is None:
        raise UserError(
            f"{ascii(meeting_id)[:60]} is not a meeting id like meeting-hovedstyret-2024-2028-03"
        )
    meeting_organ(parsed[0])
    return meeting_id


async def list_meetings(
    settings: Settings, organ: str | None, from_day: dt.date | None
) -> list[MeetingStatus]:
    """The meetings that have their own workflow, earliest first (needs a visibility store).

    The visibility query is built from checked values only: an organ key has no quote in it."""
    organ = None if organ is None else meeting_organ(organ)
    client = await gateway.connect(settings)
    query = f"WorkflowType = '{ids.MEETING}'" + (f" AND KsOrgan = '{organ}'" if organ else "")
    found: list[MeetingStatus] = []
    with gateway.temporal_errors("the meeting list"):
        async for execution in client.list_workflows(query):
            handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
            found.append(await gateway.query(handle, MeetingWorkflow.status, NO_MEETING))
    return sorted(
        (m for m in found if from_day is None or m.starts_at.date() >= from_day),
        key=lambda m: m.starts_at,
    )


async def ics(settings: Settings, meeting_id: str) -> str:
    """The meeting's current invite (cancelled meetings: the cancellation) as iCalendar text,
    as the notices carry it: title, place and length from the meeting's input (its history)."""
    meeting_id = meeting_key(meeting_id)
    client = await gateway.connect(settings)
    handle = client.get_workflow_handle(meeting_id)
    current = await gateway.query(handle, MeetingWorkflow.status, NO_MEETING)
    with gateway.temporal_errors(meeting_id, NO_MEETING):
        history = await handle.fetch_history()
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
    """The JSON in `file`, or a UserError naming the file and the problem."""
    try:
        return governance.parse_json(governance.read_text(file), str(file))
    except UserError as exc:
        raise UserError(f"{exc} (the {what})") from None


def as_json(value: BaseModel | list[Any]) -> Any:
    """A payload, or a list of them, as plain JSON values."""
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value.model_dump(mode="json")
