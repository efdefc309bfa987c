"""The election cycle's operations: start a term, send input, read status, vacate a seat.

One function per operation, called by cli/term.py. Each input kind maps to the workflow's own
update handler (`COUNTY_INPUTS`, `LANDSTING_INPUTS`), so the update's name and result type come
from the workflow definition. Temporal's refusals become `UserError`s through the gateway: an
already started term, a refused update (the validator's message), a workflow that does not exist.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio.client import Client

from client import gateway
from client.errors import UserError, validated
from config import Settings
from domain.bylaws import Bylaws
from models import ids
from models.election_payloads import (
    REPRESENTATIVES_SHEET_MAX,
    AppointIn,
    AssociateDelegatesIn,
    AssociateMemberIn,
    CongressDateIn,
    CredentialsIn,
    ForceLandstingIn,
    MeetingDateIn,
    NominationsIn,
    ObserverIn,
    PostStatus,
    ProcessStatus,
    RepresentativesIn,
    RepresentativesSheetIn,
    SupplementaryIn,
    TermStatus,
    VacateIn,
    VoteIn,
)
from service import sheets
from service.accounts import OPERATOR, Actor, authorize
from service.acts import record_act
from service.governance import (
    known_county,
    load_bylaws,
    load_registry,
    parse_json,
    person_key,
    read_text,
)
from service.inputs import CountyInput, LandstingInput
from service.registry import registry_in_force, today
from service.term_inputs import build_term_input
from service.term_start import Started, start_term_workflows
from workflows.elections.ballots import ElectionMeeting
from workflows.elections.county_meeting import CountyMeetingWorkflow
from workflows.elections.landsting import LandstingWorkflow
from workflows.term.term import TermWorkflow

_M = TypeVar("_M", bound=BaseModel)
Answer = ProcessStatus | PostStatus

NOT_STARTED = "there is no workflow {id}: has the term been started?"

COUNTY_INPUTS: dict[CountyInput, tuple[type[BaseModel], Any]] = {
    "representatives": (RepresentativesIn, CountyMeetingWorkflow.representatives_sheet),
    "meeting-date": (MeetingDateIn, CountyMeetingWorkflow.meeting_date),
    "nominations": (NominationsIn, CountyMeetingWorkflow.nominations),
    "vote": (VoteIn, CountyMeetingWorkflow.vote),
    "associate-member": (AssociateMemberIn, CountyMeetingWorkflow.associate_member),
}
# Inputs of which a meeting takes one: a file with more is refused before anything is sent.
SINGLE_INPUTS = frozenset({"meeting-date", "associate-member", "date", "credentials", "appoint",
                           "observer", "associate-delegates"})  # fmt: skip
# Nominations and votes of one file: far more than any meeting needs (a county meeting has a
# dozen posts, each voted at most twice), far fewer than the updates a workflow run takes.
ITEMS_PER_FILE_MAX = 200

LANDSTING_INPUTS: dict[LandstingInput, tuple[type[BaseModel], Any]] = {
    "date": (CongressDateIn, LandstingWorkflow.congress_date),
    "associate-delegates": (AssociateDelegatesIn, LandstingWorkflow.associate_delegates),
    "credentials": (CredentialsIn, LandstingWorkflow.credentials),
    "nominations": (NominationsIn, LandstingWorkflow.nominations),
    "vote": (VoteIn, LandstingWorkflow.vote),
    "appoint": (AppointIn, LandstingWorkflow.appoint),
    "observer": (ObserverIn, LandstingWorkflow.observer),
}


def term_bylaws(year: int, name: str | None = None) -> Bylaws:
    """The bylaws a term runs under: `name`, or those in force on 1 January of the election year."""
    return load_bylaws(name, dt.date(year, 1, 1))


async def start_term(
    settings: Settings, year: int, bylaws_name: str | None = None, actor: Actor = OPERATOR
) -> tuple[str, Started]:
    """Start TermWorkflow `term-<year>` and its county meetings on the registry in force today
    (with its addresses); returns the bylaws name and what was started, on which registry. Run
    again after an interrupted start, it starts only what is missing; when nothing is missing
    it is refused."""
    authorize(actor, "term.manage")
    bylaws = term_bylaws(year, bylaws_name)
    members = registry_in_force(settings, today())
    client = await gateway.connect(settings)
    before = ids.term_id(year - 4)
    previous = before if await gateway.status_name(client, before) is not None else ""
    plan = build_term_input(
        members.registry, bylaws, year, members.contacts, previous_term_workflow_id=previous,
        meetings=True, registry_key=members.key, public_url=settings.public_url,
    )  # fmt: skip
    # Who started it, before it starts (the workflows record the rest).
    content = {"year": year, "bylaws": bylaws.name, "registry": members.label}
    record_act(settings, actor, "term_start_requested", ids.term_id(year), content)
    started = await start_term_workflows(client, plan, settings.task_queue)
    if not started.term_started and not started.counties_started:
        raise UserError(
            f"term {year} is already started (workflow {ids.term_id(year)}): "
            f"see `ksgov term status {year}`"
        )
    return bylaws.name, dataclasses.replace(started, registry=members.label)


@dataclass(frozen=True)
class Mailing:
    """What starting a term sends at once: per county, the notice asking each member's council
    for its representatives (one message each), and who has no address to send it to; on
    which registry."""

    term: str
    bylaws: str
    per_county: tuple[dict[str, Any], ...]
    registry: str = ""

    @property
    def messages(self) -> int:
        return sum(c["messages"] for c in self.per_county)

    @property
    def without_address(self) -> list[str]:
        return [m for c in self.per_county for m in c["without_address"]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "bylaws": self.bylaws,
            "registry": self.registry,
            "messages": self.messages,
            "without_address": self.without_address,
            "counties": list(self.per_county),
        }


def mailing(
    settings: Settings, year: int, bylaws_name: str | None = None, actor: Actor = OPERATOR
) -> Mailing:
    """Who starting term `year` today would write to, on the registry in force today (nothing
    is started or sent): `term start --dry-run`, and what `term start` asks about first."""
    authorize(actor, "term.manage")
    bylaws = term_bylaws(year, bylaws_name)
    members = registry_in_force(settings, today())
    plan = build_term_input(members.registry, bylaws, year, members.contacts, meetings=True)
    counties = []
    for county in plan.counties:
        with_address = [m for m in county.members if m.email]
        counties.append(
            {
                "county": county.county,
                "name": county.county_name,
                "messages": len(with_address),
                "deadline": county.deadline.date().isoformat(),
                "first_recipients": [f"{m.name} <{m.email}>" for m in with_address[:3]],
                "without_address": [m.name for m in county.members if not m.email],
            }
        )
    return Mailing(plan.term, bylaws.name, tuple(counties), members.label)


def sheet_template(
    year: int, kind: str, suffix: str, county: str | None = None, bylaws_name: str | None = None
) -> bytes:
    """The template of a county meeting's sheet (`county` given) or of the Landsting's, as
    .xlsx or .csv bytes: the representatives sheet prefilled with the county's members and
    their seats, the nominations and votes with the meeting's posts."""
    found: Mapping[str, sheets.Sheet] = {
        str(name): sheet
        for name, sheet in (
            sheets.COUNTY_SHEETS if county is not None else sheets.LANDSTING_SHEETS
        ).items()
    }
    sheet = found.get(kind)
    if sheet is None:
        raise UserError(f"no sheet {ascii(kind)[:40]}: choose one of {', '.join(found)}")
    plan = build_term_input(load_registry(), term_bylaws(year, bylaws_name), year)
    if county is None:
        context = sheets.Context(posts=plan.input.landsting.posts)
    else:
        known_county(county)
        meeting = next(c for c in plan.counties if c.county == county)
        members = [(m.member_number, m.name, m.representatives) for m in meeting.members]
        context = sheets.Context(members=members, posts=meeting.posts)
    return sheet.template(context, suffix.lower())


def _term(client: Client, year: int) -> gateway.Handle:
    return client.get_workflow_handle(ids.term_id(year))


async def term_status(settings: Settings, year: int, actor: Actor = OPERATOR) -> dict[str, Any]:
    """Where the term, each county meeting and the Landsting stand (None: not started)."""
    authorize(actor, "term.read")
    client = await gateway.connect(settings)
    term_id = ids.term_id(year)
    term = await gateway.query(
        _term(client, year), TermWorkflow.status, NOT_STARTED.format(id=term_id)
    )
    counties: dict[str, ProcessStatus | None] = {}
    for county in (*term.counties_finished, *term.counties_missing):
        handle = client.get_workflow_handle(ids.county_meeting_id(year, county))
        counties[county] = await gateway.query_or_none(handle, CountyMeetingWorkflow.status)
    landsting_handle = client.get_workflow_handle(ids.landsting_id(year))
    landsting = await gateway.query_or_none(landsting_handle, LandstingWorkflow.status)
    return {"term": term, "counties": dict(sorted(counties.items())), "landsting": landsting}


async def landsting_status(
    settings: Settings, year: int, actor: Actor = OPERATOR
) -> ProcessStatus | None:
    """Where the Landsting of the term elected in `year` stands (None: not started yet)."""
    authorize(actor, "term.read")
    client = await gateway.connect(settings)
    handle = client.get_workflow_handle(ids.landsting_id(year))
    return await gateway.query_or_none(handle, LandstingWorkflow.status)


async def county_status(
    settings: Settings, year: int, county: str, actor: Actor = OPERATOR
) -> ProcessStatus:
    """Where one county meeting stands, for those who may read that county's input."""
    known_county(county)
    authorize(actor, "county.read", county)
    client = await gateway.connect(settings)
    workflow_id = ids.county_meeting_id(year, county)
    missing = f"there is no county meeting {county} in term {year} ({workflow_id})"
    status: ProcessStatus = await gateway.query(
        client.get_workflow_handle(workflow_id), CountyMeetingWorkflow.status, missing
    )
    return status


async def missing_counties(settings: Settings, year: int) -> tuple[str, ...]:
    client = await gateway.connect(settings)
    missing = NOT_STARTED.format(id=ids.term_id(year))
    status = await gateway.query(_term(client, year), TermWorkflow.status, missing)
    return status.counties_missing


async def _term_update(
    settings: Settings, year: int, handler: Any, data: BaseModel, actor: Actor = OPERATOR
) -> TermStatus:
    authorize(actor, "term.manage")
    client = await gateway.connect(settings)
    missing = NOT_STARTED.format(id=ids.term_id(year))
    answer: TermStatus = await gateway.update(_term(client, year), handler, data, missing)
    return answer


def forcing(reason: str) -> ForceLandstingIn:
    """The reason for starting the Landsting early, or a UserError (one line)."""
    return validated("--reason", lambda: ForceLandstingIn(reason=reason))


async def force_landsting(settings: Settings, year: int, why: ForceLandstingIn) -> TermStatus:
    return await _term_update(settings, year, TermWorkflow.force_landsting, why)


async def vacate_seat(
    settings: Settings, year: int, organ: str, person: str, reason: str, on: dt.date
) -> TermStatus:
    data = validated(
        "the vacancy",
        lambda: VacateIn(organ=seat_organ(organ), person_id=person_key(person), reason=reason,
                         on=on),
    )  # fmt: skip
    return await _term_update(settings, year, TermWorkflow.vacate, data)


async def supplementary_election(settings: Settings, year: int, file: Path) -> TermStatus:
    """Send Landsstyret's supplementary election (one JSON object) to the term workflow."""
    items = load_models(file, SupplementaryIn)
    if len(items) != 1:
        raise UserError(f"{file}: give exactly one supplementary election, not {len(items)}")
    return await _term_update(settings, year, TermWorkflow.supplementary, items[0])


def county_input_items(
    county: str, kind: CountyInput, file: Path, actor: Actor = OPERATOR
) -> list[Any]:
    """The inputs a county meeting's file holds (a sheet or JSON), checked as the county meeting
    takes them, for an actor who may send that county's input; nothing is sent. The console's
    preview, and the first step of `county_meeting_input`."""
    known_county(county)
    authorize(actor, "county.input", county)
    if kind not in COUNTY_INPUTS:
        raise UserError(f"no input {ascii(kind)[:40]}: choose one of {', '.join(COUNTY_INPUTS)}")
    model, _ = COUNTY_INPUTS[kind]
    if sheets.is_table(file):
        return _counted(file, kind, sheets.read_sheet(sheets.COUNTY_SHEETS[kind], file))
    return _counted(file, kind, load_models(file, model))


async def county_meeting_input(
    settings: Settings, year: int, county: str, kind: CountyInput, file: Path,
    actor: Actor = OPERATOR,
) -> list[Answer]:  # fmt: skip
    """Send a JSON file (one object, or a list for bulk input) to a county meeting; what each
    accepted input answered. A representatives file goes as one sheet, accepted or refused
    whole; the other kinds go one by one, in order (a vote may depend on the one before). A
    county user sends only their own county's input."""
    items = county_input_items(county, kind, file, actor)
    _, handler = COUNTY_INPUTS[kind]
    client = await gateway.connect(settings)
    workflow_id = ids.county_meeting_id(year, county)
    record_submitted(settings, actor, workflow_id, kind, file, len(items))
    handle = client.get_workflow_handle(workflow_id)
    missing = f"there is no county meeting {county} in term {year} ({workflow_id})"
    if kind == "representatives":
        entries = tuple(i for i in items if isinstance(i, RepresentativesIn))
        sheet = RepresentativesSheetIn(entries=entries)
        return [await _keyed_update(handle, handler, sheet, missing)]
    return await _send_in_order(handle, handler, items, missing)


async def landsting_input(
    settings: Settings, year: int, kind: LandstingInput, file: Path, actor: Actor = OPERATOR
) -> list[Answer]:
    """Send a JSON file (one object, or a list) to the Landsting; what each input answered."""
    authorize(actor, "landsting.input")
    model, handler = LANDSTING_INPUTS[kind]
    if sheets.is_table(file):
        items: list[Any] = _counted(
            file, kind, sheets.read_sheet(sheets.LANDSTING_SHEETS[kind], file)
        )
    else:
        items = _counted(file, kind, load_models(file, model))
    client = await gateway.connect(settings)
    workflow_id = ids.landsting_id(year)
    record_submitted(settings, actor, workflow_id, kind, file, len(items))
    missing = f"the Landsting of term {year} has not started ({workflow_id})"
    return await _send_in_order(client.get_workflow_handle(workflow_id), handler, items, missing)


def record_submitted(
    settings: Settings, actor: Actor, workflow_id: str, kind: str, file: Path, inputs: int
) -> None:
    """Who sent which file to which workflow, in the audit log before it is sent: the actor's
    account, the kind, how many inputs and the file's SHA-256 (its content stays out of the
    log; the workflow records what it accepts). A refused input leaves this entry too: the
    log tells who tried what."""
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    content = {"kind": kind, "inputs": inputs, "file_sha256": digest,
               "format": file.suffix.lower().lstrip(".") or "json"}  # fmt: skip
    record_act(settings, actor, "input_submitted", workflow_id, content)


async def _send_in_order(
    handle: gateway.Handle, handler: Any, items: Sequence[BaseModel], missing: str
) -> list[Answer]:
    answers: list[Answer] = []
    for item in items:
        try:
            answers.append(await _keyed_update(handle, handler, item, missing))
        except UserError as exc:
            if answers:
                raise UserError(
                    f"{exc}. The first {len(answers)} input(s) of the file were accepted before "
                    "it: send the rest again once it is corrected"
                ) from None
            raise
    return answers


# The organs whose seats a vacancy can open: the national ones and the county boards.
SEAT_ORGAN = re.compile(r"(hovedstyret|landsstyret|landsting|county_board:[0-9]{2})")


def seat_organ(organ: str) -> str:
    """An organ with seats (hovedstyret, landsstyret, landsting, county_board:NN of a county in
    the registry), or a UserError."""
    if not SEAT_ORGAN.fullmatch(organ):
        raise UserError(
            "the organ must be hovedstyret, landsstyret, landsting or county_board:NN, not "
            f"{ascii(organ)[:60]}"
        )
    if organ.startswith("county_board:"):
        known_county(organ.partition(":")[2])
    return organ


def _counted(file: Path, kind: str, items: list[_M]) -> list[_M]:
    """`items`, or a UserError when a file holds more of them than a meeting takes (a
    representatives sheet: one entry per member, as many as a county meeting may have)."""
    most = 1 if kind in SINGLE_INPUTS else ITEMS_PER_FILE_MAX
    if kind == "representatives":
        most = REPRESENTATIVES_SHEET_MAX
    if len(items) > most:
        raise UserError(
            f"{file}: {len(items)} inputs in one file; a meeting takes at most {most} {kind} "
            "input(s) from one file"
        )
    return items


async def _keyed_update(handle: gateway.Handle, handler: Any, item: BaseModel, missing: str) -> Any:
    """Send one input under an update id made of the update's name, the meeting's version (the
    inputs it has accepted) and the input's digest: the same input sent again before anything
    else changed (a retry, a second terminal) is answered once, not applied twice."""
    status = await gateway.query(handle, ElectionMeeting.status, missing)
    digest = hashlib.sha256(item.model_dump_json().encode()).hexdigest()[:24]
    name = getattr(handler, "__name__", "update")
    return await gateway.update(
        handle, handler, item, missing, update_id=f"{name}-v{status.version}-{digest}"
    )


def load_models(file: Path, model: type[_M]) -> list[_M]:
    """One model or a list of them from a JSON file, or a one-line `UserError`."""
    data = parse_json(read_text(file), str(file))
    items = data if isinstance(data, list) else [data]
    if not items:
        raise UserError(f"{file}: the list is empty: nothing to send")
    return [validated(str(file), functools.partial(model.model_validate, item)) for item in items]
