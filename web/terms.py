"""A term's pages and API: starting it (the dry run first, then the start) and its dashboard
(the term's stage, each county meeting's and the Landsting's)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service import accounts
from service import term as term_service
from web.auth import check_csrf
from web.console import STAGES, Api, Ctx, Page

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


@router.get("/perioder/{year}", response_class=HTMLResponse, include_in_schema=False)
async def term_page(
    request: Request, who: Page, c: Ctx, year: Annotated[int, PathParam(ge=2000, le=2100)]
) -> HTMLResponse:
    """The term's dashboard: its stage and each county meeting's, with what each still
    awaits and by when."""
    status = await term_service.term_status(c.settings, year, who.actor)
    counties = [
        {"county": county, "stage": STAGES.get(s.stage, s.stage) if s else "ikke startet",
         "awaiting": len(s.awaiting) if s else 0,
         "deadline": s.deadline.date().isoformat() if s and s.deadline else ""}
        for county, s in status["counties"].items()
    ]  # fmt: skip
    landsting = status["landsting"]
    return c.page(
        request, "term.html.j2", year=year, term=status["term"], counties=counties,
        landsting=STAGES.get(landsting.stage, landsting.stage) if landsting else "",
        stages=STAGES,
    )  # fmt: skip


@router.get("/api/terms/{year}/status", tags=["periode"])
async def api_term(
    who: Api, c: Ctx, year: Annotated[int, PathParam(ge=2000, le=2100)]
) -> dict[str, Any]:
    """Where the term, each county meeting and the Landsting stand (secretariat, auditor)."""
    status = await term_service.term_status(c.settings, year, who.actor)

    def plain(model: Any) -> Any:
        return model.model_dump(mode="json") if model is not None else None

    return {
        "term": plain(status["term"]),
        "counties": {county: plain(s) for county, s in status["counties"].items()},
        "landsting": plain(status["landsting"]),
    }
