"""A county's pages and API: where its county meeting stands, and its input as a sheet or JSON
(upload, a preview naming every problem by row, then the confirmation that sends it)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse

from client.errors import UserError
from service import accounts
from service import term as term_service
from service.accounts import ForbiddenError
from service.alerts import owed
from service.sheets import post_label
from web.auth import check_csrf
from web.console import STAGES, Api, Ctx, Page, problems, stored

router = APIRouter()
KIND_NAMES = {
    "representatives": "Representanter og vararepresentanter",
    "meeting-date": "Møtedato",
    "nominations": "Innstilling (kandidater og lister)",
    "vote": "Stemmer",
    "associate-member": "Medlem oppnevnt av Samfunnsbedriftene",
}


@router.get("/fylker/{county}/innsending", response_class=HTMLResponse, include_in_schema=False)
async def input_form(request: Request, who: Page, c: Ctx, county: str) -> HTMLResponse:
    accounts.authorize(who.actor, "county.input", county)
    return c.page(request, "input.html.j2", county=county, kinds=KIND_NAMES)


@router.post("/fylker/{county}/innsending", response_class=HTMLResponse, include_in_schema=False)
def input_preview(
    request: Request, who: Page, c: Ctx, county: str, kind: Annotated[str, Form(max_length=40)],
    year: Annotated[int, Form(ge=2000, le=2100)], file: Annotated[UploadFile, File()],
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:  # fmt: skip
    """The preview: how many inputs the file holds, or every problem in it; nothing is sent."""
    check_csrf(request, csrf)
    accounts.authorize(who.actor, "county.input", county)
    path = stored(file, c.uploads, c.settings.web_upload_limit)
    try:
        items = term_service.county_input_items(county, kind, path, who.actor)  # type: ignore[arg-type]
    except ForbiddenError:
        path.unlink(missing_ok=True)
        raise
    except UserError as exc:
        path.unlink(missing_ok=True)
        return c.page(request, "input.html.j2", 422, county=county, kinds=KIND_NAMES,
                      problems=problems(exc, path), kind=kind, year=year)  # fmt: skip
    request.session["upload"] = {"path": path.name, "county": county, "kind": kind, "year": year}
    return c.page(request, "input.html.j2", county=county, kinds=KIND_NAMES, kind=kind,
                  year=year, items=len(items), ready=True)  # fmt: skip


@router.post("/fylker/{county}/innsending/send", response_class=HTMLResponse,
             include_in_schema=False)  # fmt: skip
async def input_send(
    request: Request, who: Page, c: Ctx, county: str, csrf: Annotated[str, Form()] = ""
) -> HTMLResponse:
    """The previewed file, confirmed: sent to the county meeting."""
    check_csrf(request, csrf)
    accounts.authorize(who.actor, "county.input", county)
    upload = request.session.get("upload")
    if not isinstance(upload, dict) or upload.get("county") != county:
        raise HTTPException(status_code=409, detail="Det er ingen forhåndsvist fil å sende.")
    del request.session["upload"]
    path = c.uploads / str(upload["path"])
    try:
        answers = await term_service.county_meeting_input(
            c.settings, int(upload["year"]), county, upload["kind"], path, who.actor
        )
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)
    lines = [term_describe(a) for a in answers]
    return c.page(request, "input.html.j2", county=county, kinds=KIND_NAMES, sent=lines)


@router.get("/fylker/{county}", response_class=HTMLResponse, include_in_schema=False)
async def county_page(
    request: Request, who: Page, c: Ctx, county: str,
    year: Annotated[int, Query(ge=2000, le=2100)] = 0,
) -> HTMLResponse:  # fmt: skip
    """Where the county's meeting stands and what it still awaits."""
    accounts.authorize(who.actor, "county.read", county)
    status = await term_service.county_status(c.settings, year, county, who.actor) if year else None
    # Each awaited thing in bokmål, one a line (the dashboard joins the members' into one).
    awaiting = [owed([item])[0] for item in status.awaiting] if status else []
    return c.page(request, "county.html.j2", county=county, year=year or "", process=status,
                  stages=STAGES, awaiting=awaiting)  # fmt: skip


@router.get("/api/terms/{year}/counties/{county}", tags=["fylke"])
async def api_county(
    who: Api, c: Ctx, year: Annotated[int, PathParam(ge=2000, le=2100)], county: str
) -> dict[str, Any]:
    """Where a county meeting stands (its county's user, the secretariat, an auditor)."""
    status = await term_service.county_status(c.settings, year, county, who.actor)
    return status.model_dump(mode="json")


@router.post("/api/counties/{county}/inputs/{kind}/preview", tags=["fylke"])
def api_preview(
    who: Api, c: Ctx, county: str, kind: str, file: Annotated[UploadFile, File()]
) -> dict[str, Any]:
    """Check a county meeting's input file (a sheet or JSON) as the county meeting would,
    without sending it: how many inputs it holds, or every problem (county user of that
    county, secretariat)."""
    accounts.authorize(who.actor, "county.input", county)
    path = stored(file, c.uploads, c.settings.web_upload_limit)
    try:
        items = term_service.county_input_items(county, kind, path, who.actor)  # type: ignore[arg-type]
    except ForbiddenError:
        raise
    except UserError as exc:
        raise HTTPException(status_code=422, detail="; ".join(problems(exc, path))) from None
    finally:
        path.unlink(missing_ok=True)
    return {"county": county, "kind": kind, "inputs": len(items)}


def term_describe(answer: Any) -> str:
    """What the county meeting answered to one input, in plain bokmål: that it took it, and
    where the meeting (a ProcessStatus) or the post voted on (a PostStatus) now stands."""
    took = "Fylkesmøtet tok imot innsendingen."
    if hasattr(answer, "post"):
        post = post_label(answer.post)
        if answer.status == "decided":
            return f"{took} Valget av {post} er avgjort: {len(answer.elected)} valgt."
        if answer.status == "open":
            return f"{took} Valget av {post} pågår, i runde {answer.round}."
        return f"{took} Valget av {post} venter på innstilling."
    stage = STAGES.get(answer.stage, answer.stage)
    count = len(answer.awaiting)
    left = f"Det venter fortsatt på {count} ting." if count else "Det venter ikke på noe mer."
    return f"{took} Status nå: {stage}. {left}"
