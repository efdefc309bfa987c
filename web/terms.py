"""A term's pages and API: starting it (the dry run first, then the start), its dashboard (its
alerts, the term's stage, each county meeting's and what it still owes) and the Landsting's
page (its stage, the credentials, the elections as counted). The alerts and the Landsting's
record come from the record store, so they answer when Temporal does not."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from client.errors import NotReachableError, UserError
from models.election_payloads import ProcessStatus
from service import accounts
from service import alerts as alert_service
from service import term as term_service
from web.auth import Who, check_csrf
from web.console import STAGES, Api, Console, Ctx, Page

router = APIRouter()


@router.get("/perioder/ny", response_class=HTMLResponse, include_in_schema=False)
def start_form(request: Request, who: Page, c: Ctx) -> HTMLResponse:
    """Starting a term: the year first, then who will be written to, then the start."""
    accounts.authorize(who.actor, "term.manage")
    return c.page(request, "start.html.j2")


@router.post("/perioder/ny", response_class=HTMLResponse, include_in_schema=False)
def start_preview(
    request: Request, who: Page, c: Ctx, year: Annotated[int, Form(ge=2000, le=2100)],
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:  # fmt: skip
    """The dry run: how many notices go to each county, the first recipients, and every
    member without an address; nothing is started or sent."""
    check_csrf(request, csrf)
    mail = term_service.mailing(c.settings, year, None, who.actor)
    request.session["start"] = year
    return c.page(request, "start.html.j2", year=year, mail=mail)


@router.post("/perioder/ny/start", response_class=HTMLResponse, include_in_schema=False)
async def start_term(
    request: Request, who: Page, c: Ctx, csrf: Annotated[str, Form()] = ""
) -> HTMLResponse:
    """The start the dry run showed, confirmed: the term and its county meetings."""
    check_csrf(request, csrf)
    accounts.authorize(who.actor, "term.manage")
    year = request.session.pop("start", None)
    if not isinstance(year, int):
        raise HTTPException(status_code=409, detail="Se først hvem som får varsel (prøvekjøring).")
    bylaws, started = await term_service.start_term(c.settings, year, None, who.actor)
    return c.page(request, "start.html.j2", year=year, started=started, bylaws=bylaws)


@router.get("/perioder", include_in_schema=False)
def term_choice(who: Page, year: Annotated[int, Query(ge=2000, le=2100)]) -> Response:
    return RedirectResponse(f"/perioder/{year}", status_code=303)


def _year(year: int) -> int:
    """A year of local elections (2023, 2027, ...), or a 404 in bokmål: no term has another."""
    try:
        alert_service.term_of(year)
    except UserError:
        raise HTTPException(status_code=404, detail=NO_TERM.format(year=year)) from None
    return year


Year = Annotated[int, PathParam(ge=2000, le=2100)]
NO_TERM = (
    "Det finnes ingen periode for {year}: periodene følger kommunevalgene 2023, 2027 og hvert "
    "fjerde år etter."
)
ALERTS_SHOWN = 200  # the newest; the audit's notices page lists every one
UNREADABLE = (
    "Arbeidsflytenes stadier kan ikke leses nå (Temporal svarer ikke); varslene under er "
    "hentet fra databasen."
)
LANDSTING_UNREADABLE = (
    "Landstingets stadium kan ikke leses nå (Temporal svarer ikke); fullmaktene og valgene "
    "under er hentet fra databasen."
)


async def _status(c: Console, year: int, who: Who) -> dict[str, Any] | None:
    """The term's status from Temporal, or None when Temporal does not answer now."""
    try:
        return await term_service.term_status(c.settings, year, who.actor)
    except NotReachableError:
        return None


def _stage(status: Any) -> str:
    return STAGES.get(status.stage, status.stage) if status is not None else ""


@router.get("/perioder/{year}", response_class=HTMLResponse, include_in_schema=False)
async def term_page(request: Request, who: Page, c: Ctx, year: Year) -> HTMLResponse:
    """The term's dashboard: its alerts (from the record store, whether Temporal answers or
    not), its stage and each county meeting's, with what each still owes and by when."""
    accounts.authorize(who.actor, "term.read")
    _year(year)
    status = await _status(c, year, who)
    found = await asyncio.to_thread(
        alert_service.alerts, c.engine, year, who.actor, status and status["counties"]
    )
    counties = [
        {"county": county, "name": alert_service.county_names().get(county, county),
         "stage": _stage(s) or "ikke startet", "owed": alert_service.owed(s.awaiting) if s else [],
         "deadline": s.deadline.date().isoformat() if s and s.deadline else ""}
        for county, s in (status["counties"] if status else {}).items()
    ]  # fmt: skip
    return c.page(
        request, "term.html.j2", year=year, term=status["term"] if status else None,
        term_name=alert_service.term_of(year), counties=counties, alerts=found[:ALERTS_SHOWN],
        alerts_total=len(found),
        landsting=_stage(status["landsting"]) if status else "", stages=STAGES,
        unreadable=UNREADABLE if status is None else "",
        owed=alert_service.owed(status["term"].awaiting) if status else [],
    )  # fmt: skip


@router.get("/perioder/{year}/landsting", response_class=HTMLResponse, include_in_schema=False)
async def landsting_page(request: Request, who: Page, c: Ctx, year: Year) -> HTMLResponse:
    """The Landsting: its stage, the credentials per county, and the elections as counted."""
    found, process, read = await _landsting(c, year, who)
    return c.page(
        request, "landsting.html.j2", year=year, **found, process=process,
        stage=_stage(process), owed=alert_service.owed(process.awaiting) if process else [],
        unreadable="" if read else LANDSTING_UNREADABLE,
    )  # fmt: skip


async def _landsting(
    c: Console, year: int, who: Who
) -> tuple[dict[str, Any], ProcessStatus | None, bool]:
    """The Landsting as recorded, its status (None: not started, or not read) and whether
    Temporal answered."""
    accounts.authorize(who.actor, "term.read")
    _year(year)
    found = await asyncio.to_thread(alert_service.landsting, c.engine, year, who.actor)
    try:
        return found, await term_service.landsting_status(c.settings, year, who.actor), True
    except NotReachableError:
        return found, None, False


@router.get("/api/terms/{year}/status", tags=["periode"])
async def api_term(who: Api, c: Ctx, year: Year) -> dict[str, Any]:
    """Where the term, each county meeting and the Landsting stand (secretariat, auditor)."""
    status = await term_service.term_status(c.settings, year, who.actor)

    def plain(model: Any) -> Any:
        return model.model_dump(mode="json") if model is not None else None

    return {
        "term": plain(status["term"]),
        "counties": {county: plain(s) for county, s in status["counties"].items()},
        "landsting": plain(status["landsting"]),
    }


@router.get("/api/terms/{year}/alerts", tags=["periode"])
async def api_alerts(who: Api, c: Ctx, year: Year) -> dict[str, Any]:
    """The term's alerts: notices failed, overdue or late, and county meetings past their
    deadline, each with the audit page of its evidence; `stages_read` is false when Temporal
    does not answer (the alerts then come from the record store alone)."""
    accounts.authorize(who.actor, "term.read")
    _year(year)
    status = await _status(c, year, who)
    found = await asyncio.to_thread(
        alert_service.alerts, c.engine, year, who.actor, status and status["counties"]
    )
    return {"term": alert_service.term_of(year), "stages_read": status is not None,
            "alerts": [dataclasses.asdict(a) for a in found]}  # fmt: skip


@router.get("/api/terms/{year}/landsting", tags=["periode"])
async def api_landsting(who: Api, c: Ctx, year: Year) -> dict[str, Any]:
    """The Landsting: its stage (null when Temporal does not answer or it has not started),
    the credentials per county and its elections as counted, each with its protocol."""
    found, process, read = await _landsting(c, year, who)
    return {
        **{k: v for k, v in found.items() if k not in ("credentials", "elections")},
        "stage": process.stage if process else None, "stages_read": read,
        "awaiting": list(process.awaiting) if process else [],
        "credentials": [dataclasses.asdict(x) for x in found["credentials"]],
        "elections": [dataclasses.asdict(x) for x in found["elections"]],
    }  # fmt: skip
