"""The organs' pages and API: the organs and who held their seats on a day, the meetings of a
month and one meeting in full, and a member's own page (service.organs holds the role checks:
a county user reads its own county's organs, a member their own and their organs' meetings)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service import meeting as meeting_service
from service import organs
from service.organs import MeetingDetail, Mine, NotFoundError
from web.auth import check_csrf
from web.console import Api, Ctx, Page

router = APIRouter()
T = TypeVar("T")

DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MONTH = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})")
YEARS = range(2000, 2101)
BAD_DATE = "Datoen må skrives ÅÅÅÅ-MM-DD, for eksempel 2028-03-01, og ligge i årene 2000-2100."
BAD_MONTH = "Måneden må skrives ÅÅÅÅ-MM, for eksempel 2028-03, og ligge i årene 2000-2100."
BAD_ORGAN = "Organet er ikke gyldig: skriv for eksempel hovedstyret eller county_board:46."
BAD_MEETING = "Møte-id-en er ikke gyldig: den ser ut som meeting-hovedstyret-2028-2032-01."
NOT_FOUND = "Det finnes ikke i registeret."
MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
          "oktober", "november", "desember")  # fmt: skip
# The records' codes as the pages name them.
ROLES = {"leader": "leder", "deputy_leader": "nestleder", "member": "medlem",
         "deputy": "varamedlem", "observer": "observatør"}  # fmt: skip
STATUSES = {"planned": "planlagt", "held": "holdt", "cancelled": "avlyst",
            "not_constituted": "ikke vedtaksført"}  # fmt: skip
DELIVERY = {"queued": "ikke sendt ennå", "sent": "levert", "failed": "ikke levert"}
PURPOSES = {
    "representatives_requested": "be om representanter", "county_meeting_notice":
    "innkalling til fylkesmøtet", "meeting_notice": "møteinnkalling", "reminder": "påminnelse",
    "meeting_changed": "endret møte", "meeting_cancelled": "avlyst møte",
    "deputy_called_in": "innkalling av vara", "result_announced": "valgresultat",
    "minutes_published": "protokollen er publisert", "deadline_passed": "fristen er ute",
    "delivery_alert": "varsel om levering",
}  # fmt: skip
NAMES: dict[str, Any] = {
    "roles_of": ROLES,
    "statuses": STATUSES,
    "delivery": DELIVERY,
    "purposes": PURPOSES,
}


def day_of(text: str | None) -> dt.date:
    """The date `text` (YYYY-MM-DD), today in Oslo when empty, or a 422 in bokmål."""
    if not text:
        return organs.today()
    try:
        found = dt.date.fromisoformat(text) if DATE.fullmatch(text) else None
    except ValueError:
        found = None
    if found is None or found.year not in YEARS:
        raise HTTPException(status_code=422, detail=BAD_DATE)
    return found


def month_of(text: str | None) -> tuple[int, int]:
    """The month `text` (YYYY-MM) as (year, month), this month in Oslo when empty."""
    if not text:
        return organs.today().year, organs.today().month
    match = MONTH.fullmatch(text)
    year, month = (int(match["year"]), int(match["month"])) if match else (0, 0)
    if year not in YEARS or not 1 <= month <= 12:
        raise HTTPException(status_code=422, detail=BAD_MONTH)
    return year, month


def organ_of(text: str | None) -> str | None:
    if text and not organs.is_organ_key(text):
        raise HTTPException(status_code=422, detail=BAD_ORGAN)
    return text or None


def meeting_of(text: str) -> str:
    if not organs.is_meeting_id(text):
        raise HTTPException(status_code=422, detail=BAD_MEETING)
    return text


def found(ask: Callable[[], T]) -> T:
    """`ask()`, with nothing recorded under the key as a 404 in bokmål."""
    try:
        return ask()
    except NotFoundError:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None


def around(year: int, month: int) -> tuple[str, str]:
    """The months before and after, as YYYY-MM."""
    before = (year - 1, 12) if month == 1 else (year, month - 1)
    after = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{before[0]:04d}-{before[1]:02d}", f"{after[0]:04d}-{after[1]:02d}"


# ----------------------------------------------------------------------------- pages

Text = Annotated[str | None, Query(max_length=100)]


@router.get("/organer", response_class=HTMLResponse, include_in_schema=False)
def organs_page(request: Request, who: Page, c: Ctx) -> HTMLResponse:
    return c.page(request, "organs.html.j2", organs=organs.organs(c.engine, who.actor))


@router.get("/organer/{organ}", response_class=HTMLResponse, include_in_schema=False)
def organ_page(request: Request, who: Page, c: Ctx, organ: str, dato: Text = None) -> HTMLResponse:
    key, on = organ_of(organ) or "", day_of(dato)
    title, seats = found(lambda: organs.seats_on(c.engine, key, on, who.actor))
    return c.page(request, "organ.html.j2", organ=key, title=title, on=on, seats=seats, **NAMES)


@router.get("/moter", response_class=HTMLResponse, include_in_schema=False)
def meetings_page(
    request: Request, who: Page, c: Ctx, organ: Text = None, maned: Text = None
) -> HTMLResponse:
    key, (year, month) = organ_of(organ), month_of(maned)
    found_ = organs.meetings(c.engine, key, year, month, who.actor)
    before, after = around(year, month)
    return c.page(
        request, "meetings.html.j2", organ=key or "", month=f"{year:04d}-{month:02d}",
        month_name=f"{MONTHS[month - 1]} {year}", meetings=found_, before=before, after=after,
        **NAMES,
    )  # fmt: skip


@router.get("/moter/{meeting_id}", response_class=HTMLResponse, include_in_schema=False)
def meeting_page(request: Request, who: Page, c: Ctx, meeting_id: str) -> HTMLResponse:
    key = meeting_of(meeting_id)
    detail = found(lambda: organs.meeting(c.engine, key, who.actor))
    reported = request.session.pop("reported", None) == key
    return c.page(request, "meeting.html.j2", d=detail, m=detail.meeting, reported=reported,
                  **NAMES)  # fmt: skip


@router.post("/moter/{meeting_id}/forfall", response_class=HTMLResponse,
             include_in_schema=False)  # fmt: skip
async def absence(
    request: Request, who: Page, c: Ctx, meeting_id: str,
    reason: Annotated[str, Form(min_length=1, max_length=300)], csrf: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """A member reports their own absence from a planned meeting: the meeting's workflow calls
    in the next deputy (service.meeting checks that it is the member's own, the workflow that
    they are on the meeting's roster), and the meeting's page says so."""
    check_csrf(request, csrf)
    key = meeting_of(meeting_id)
    person = who.actor.person_id
    if who.actor.role != "member" or person is None:
        raise HTTPException(status_code=403, detail="Bare en folkevalgt melder sitt eget forfall.")
    await meeting_service.report_absence(c.settings, key, person, reason.strip(), who.actor)
    request.session["reported"] = key
    return RedirectResponse(f"/moter/{key}", status_code=303)


@router.get("/mine", response_class=HTMLResponse, include_in_schema=False)
def mine_page(request: Request, who: Page, c: Ctx) -> HTMLResponse:
    return c.page(request, "mine.html.j2", mine=organs.mine(c.engine, who.actor), **NAMES)


# ----------------------------------------------------------------------------- API


@router.get("/api/organs", tags=["organer"])
def api_organs(who: Api, c: Ctx) -> dict[str, Any]:
    """The organs recorded, with their terms (a county user: its own county's)."""
    return {"organs": [dataclasses.asdict(o) for o in organs.organs(c.engine, who.actor)]}


@router.get("/api/organs/{organ}/seats", tags=["organer"])
def api_seats(who: Api, c: Ctx, organ: str, date: Text = None) -> dict[str, Any]:
    """Who held each seat of the organ on `date` (YYYY-MM-DD, default today), with how they
    got it and where the election's protocol is published (a county user: its own county's
    organs only)."""
    key, on = organ_of(organ) or "", day_of(date)
    title, seats = found(lambda: organs.seats_on(c.engine, key, on, who.actor))
    return {"organ": key, "title": title, "date": on,
            "seats": [dataclasses.asdict(s) for s in seats]}  # fmt: skip


@router.get("/api/meetings", tags=["møter"])
def api_meetings(who: Api, c: Ctx, organ: Text = None, month: Text = None) -> dict[str, Any]:
    """The meetings of `month` (YYYY-MM in Oslo, default this month), of `organ` or of every
    organ the caller may read, earliest first."""
    key, (year, number) = organ_of(organ), month_of(month)
    found_ = organs.meetings(c.engine, key, year, number, who.actor)
    return {"organ": key, "month": f"{year:04d}-{number:02d}",
            "meetings": [dataclasses.asdict(m) for m in found_]}  # fmt: skip


@router.get("/api/meetings/{meeting_id}", tags=["møter"])
def api_meeting(who: Api, c: Ctx, meeting_id: str) -> dict[str, Any]:
    """One meeting: notices, agenda with decisions, absences with the deputies called,
    attendance, and its minutes (approved, published, where)."""
    key = meeting_of(meeting_id)
    return detail_json(found(lambda: organs.meeting(c.engine, key, who.actor)))


@router.get("/api/me/meetings", tags=["møter"])
def api_mine(who: Api, c: Ctx) -> dict[str, Any]:
    """A member's own: seats held today, meetings, and the notices sent to them."""
    mine: Mine = organs.mine(c.engine, who.actor)
    return dataclasses.asdict(mine)


def detail_json(d: MeetingDetail) -> dict[str, Any]:
    return {
        **dataclasses.asdict(d.meeting),
        "notices": [dataclasses.asdict(n) for n in d.notices],
        "agenda": [{"number": n, "title": t, "decision": x} for n, t, x in d.agenda],
        "absences": [{"member": m, "deputy_called": x} for m, x in d.absences],
        "present": [{"name": n, "deputy_for": x} for n, x in d.present],
        "minutes": {"recorded": d.minutes_recorded, "approved_at": d.approved_at,
                    "published_at": d.published_at, "url": d.meeting.minutes},
    }  # fmt: skip
