"""The console: web pages in bokmål and an HTTP API under /api/, on the operations the command
line uses (service/), with the same rules and the same role checks; no rule lives here.

`create_app(settings)` builds the FastAPI application: the login (session cookie, CSRF on every
form), the overview, a county's input as a sheet (upload, preview with every problem by row,
confirm), the audit's seats with CSV export, and the published minutes and protocols (no login:
they are public). The API answers 401 without a session or a token, 403 where the role may not.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import (
    Depends,
    FastAPI,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    UploadFile,
)
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.middleware.sessions import SessionMiddleware

from client.errors import NotReachableError, UserError
from config import Settings
from service import accounts, documents
from service import audit as audit_service
from service import term as term_service
from service.accounts import ForbiddenError
from service.sheets import SheetError
from store.db import make_engine
from web.auth import (
    NOT_LOGGED_IN,
    LoginRequired,
    Who,
    check_csrf,
    csrf_token,
    from_session,
    from_token,
)

HERE = Path(__file__).resolve().parent
ROLE_NAMES = {"secretariat": "sekretariatet", "county": "fylkessekretær",
              "auditor": "revisor", "member": "folkevalgt"}  # fmt: skip
KIND_NAMES = {
    "representatives": "Representanter og vararepresentanter",
    "meeting-date": "Møtedato",
    "nominations": "Innstilling (kandidater og lister)",
    "vote": "Stemmer",
    "associate-member": "Medlem oppnevnt av Samfunnsbedriftene",
}
LOGIN_REFUSED = (
    "Feil brukernavn eller passord, eller kontoen er sperret etter for mange forsøk eller "
    "deaktivert. Prøv igjen senere, eller spør sekretariatet."
)
UPLOAD_SUFFIXES = (".xlsx", ".csv", ".json")
# The workflows' stages as the pages name them.
STAGES = {
    "county_meetings": "fylkesmøtene", "landsting": "landstinget", "in_office": "i funksjon",
    "ended": "avsluttet", "awaiting_representatives": "venter på representanter",
    "awaiting_nominations": "venter på innstilling", "voting": "valg pågår", "done": "ferdig",
    "awaiting_date": "venter på dato", "awaiting_credentials": "venter på fullmakter",
    "electing": "valg pågår", "composing": "setter sammen organene",
}  # fmt: skip
# The audit facts' fields as the pages name them; a field not here keeps its name.
COLUMN_NAMES = {
    "organ": "organ", "term": "periode", "person_id": "person-id", "name": "navn",
    "role": "rolle", "rank": "rang", "group": "gruppe", "from_date": "fra", "to_date": "til",
    "ended_on": "fratrådt", "obtained_by": "valgt ved", "election_id": "valg",
    "method": "valgform", "round": "runde", "votes": "stemmer", "source": "kilde",
}  # fmt: skip


def signed_in(request: Request) -> Who:
    """The user of a page's session; without one, the login page."""
    who = from_session(request, request.app.state.engine)
    if who is None:
        raise LoginRequired
    return who


def api_caller(request: Request) -> Who:
    """The caller of the API: a token, else a session; without either, 401."""
    engine = request.app.state.engine
    who = from_token(request, engine) or from_session(request, engine)
    if who is None:
        raise HTTPException(status_code=401, detail=NOT_LOGGED_IN)
    return who


Page = Annotated[Who, Depends(signed_in)]
Api = Annotated[Who, Depends(api_caller)]


def create_app(settings: Settings) -> FastAPI:
    """The console for `settings` (its record store, Temporal, data directory); a store that
    is missing or not migrated is refused here, in one line, before anything listens."""
    with audit_service.record_store(settings.resolved_database_url):
        pass
    engine = make_engine(settings.resolved_database_url)
    app = FastAPI(
        title="ksgov", openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
        description="KS' valg- og møtesystem: konsollets API.",
    )  # fmt: skip
    app.add_middleware(
        SessionMiddleware, secret_key=settings.web_key(), session_cookie="ksgov_session",
        max_age=8 * 3600, same_site="strict",
        https_only=settings.public_url.startswith("https://"),
    )  # fmt: skip
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.state.engine = engine
    # Every page escapes what it shows (the templates are .html.j2, which Starlette's default
    # environment would not escape).
    pages = Jinja2Templates(
        env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    )
    uploads = settings.data_dir / "uploads"

    def page(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        who = from_session(request, engine)
        context = {"who": who, "roles": ROLE_NAMES, "csrf": csrf_token(request), **values}
        return pages.TemplateResponse(request, name, context, status_code=status)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
        return _error(request, 422, "Forespørselen er ikke gyldig: sjekk feltene og prøv igjen.",
                      f"fields: {', '.join(fields)}" if fields else "")  # fmt: skip

    @app.exception_handler(ForbiddenError)
    async def forbidden(request: Request, exc: ForbiddenError) -> Response:
        return _error(request, 403, "Du har ikke tilgang til dette.", str(exc))

    @app.exception_handler(NotReachableError)
    async def unreachable(request: Request, exc: NotReachableError) -> Response:
        return _error(request, 503, "En tjeneste konsollet trenger svarer ikke nå.", str(exc))

    @app.exception_handler(UserError)
    async def refused(request: Request, exc: UserError) -> Response:
        return _error(request, 400, "Det du sendte ble ikke tatt imot.", str(exc))

    def _error(request: Request, status: int, message: str, detail: str = "") -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message, "reason": detail}, status_code=status)
        return page(request, "error.html.j2", status, message=message, detail=detail)

    # ------------------------------------------------------------------ login

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    async def login_form(request: Request) -> HTMLResponse:
        return page(request, "login.html.j2")

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request, username: Annotated[str, Form(max_length=200)],
        password: Annotated[str, Form(max_length=1000)], csrf: Annotated[str, Form()] = "",
    ) -> Response:  # fmt: skip
        check_csrf(request, csrf)
        try:
            actor = accounts.login(engine, username, password)
        except UserError:
            return page(request, "login.html.j2", 401, error=LOGIN_REFUSED, username=username[:100])
        request.session.clear()
        request.session["account"] = actor.account_id
        request.session["csrf"] = secrets.token_urlsafe(24)  # a new session, a new token
        return RedirectResponse("/", status_code=303)

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # ------------------------------------------------------------------ pages

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def overview(request: Request, who: Page) -> HTMLResponse:
        return page(request, "overview.html.j2")

    @app.get("/fylker/{county}/innsending", response_class=HTMLResponse, include_in_schema=False)
    async def input_form(request: Request, who: Page, county: str) -> HTMLResponse:
        accounts.authorize(who.actor, "county.input", county)
        return page(request, "input.html.j2", county=county, kinds=KIND_NAMES)

    @app.post("/fylker/{county}/innsending", response_class=HTMLResponse, include_in_schema=False)
    def input_preview(
        request: Request, who: Page, county: str, kind: Annotated[str, Form(max_length=40)],
        year: Annotated[int, Form(ge=2000, le=2100)], file: Annotated[UploadFile, File()],
        csrf: Annotated[str, Form()] = "",
    ) -> HTMLResponse:  # fmt: skip
        check_csrf(request, csrf)
        accounts.authorize(who.actor, "county.input", county)
        path = _stored(file, uploads, settings.web_upload_limit)
        try:
            items = term_service.county_input_items(county, kind, path, who.actor)  # type: ignore[arg-type]
        except ForbiddenError:
            path.unlink(missing_ok=True)
            raise
        except UserError as exc:
            path.unlink(missing_ok=True)
            problems = _problems(exc)
            return page(request, "input.html.j2", 422, county=county, kinds=KIND_NAMES,
                        problems=problems, kind=kind, year=year)  # fmt: skip
        request.session["upload"] = {"path": path.name, "county": county, "kind": kind,
                                     "year": year}  # fmt: skip
        return page(request, "input.html.j2", county=county, kinds=KIND_NAMES, kind=kind,
                    year=year, items=len(items), ready=True)  # fmt: skip

    @app.post("/fylker/{county}/innsending/send", response_class=HTMLResponse,
              include_in_schema=False)  # fmt: skip
    async def input_send(
        request: Request, who: Page, county: str, csrf: Annotated[str, Form()] = ""
    ) -> HTMLResponse:
        check_csrf(request, csrf)
        accounts.authorize(who.actor, "county.input", county)
        upload = request.session.get("upload")
        if not isinstance(upload, dict) or upload.get("county") != county:
            raise HTTPException(status_code=409, detail="Det er ingen forhåndsvist fil å sende.")
        del request.session["upload"]
        path = uploads / str(upload["path"])
        try:
            answers = await term_service.county_meeting_input(
                settings, int(upload["year"]), county, upload["kind"], path, who.actor
            )
        finally:
            await asyncio.to_thread(path.unlink, missing_ok=True)
        lines = [term_describe(a) for a in answers]
        return page(request, "input.html.j2", county=county, kinds=KIND_NAMES, sent=lines)

    def ask(kind: str, values: dict[str, str], who: Who) -> Any:
        """The audit answer of query `kind` for the form's values (None: nothing asked yet)."""
        query = AUDIT_QUERIES.get(kind)
        if query is None:
            raise HTTPException(status_code=404, detail="Den siden finnes ikke.")
        accounts.authorize(who.actor, "audit.read")
        given = {f: values.get(f, "").strip()[:250] for f, _, _ in query.fields}
        if not given[query.fields[0][0]]:
            return query, given, None
        return query, given, query.ask(settings.resolved_database_url, given, who.actor, engine)

    @app.get("/perioder/ny", response_class=HTMLResponse, include_in_schema=False)
    def start_form(request: Request, who: Page) -> HTMLResponse:
        """Starting a term: the year first, then who will be written to, then the start."""
        accounts.authorize(who.actor, "term.manage")
        return page(request, "start.html.j2")

    @app.post("/perioder/ny", response_class=HTMLResponse, include_in_schema=False)
    def start_preview(
        request: Request, who: Page, year: Annotated[int, Form(ge=2000, le=2100)],
        csrf: Annotated[str, Form()] = "",
    ) -> HTMLResponse:  # fmt: skip
        """The dry run: how many notices go to each county, the first recipients, and every
        member without an address; nothing is started or sent."""
        check_csrf(request, csrf)
        mail = term_service.mailing(settings, year, None, who.actor)
        request.session["start"] = year
        return page(request, "start.html.j2", year=year, mail=mail)

    @app.post("/perioder/ny/start", response_class=HTMLResponse, include_in_schema=False)
    async def start_term(
        request: Request, who: Page, csrf: Annotated[str, Form()] = ""
    ) -> HTMLResponse:
        """The start the dry run showed, confirmed: the term and its county meetings."""
        check_csrf(request, csrf)
        accounts.authorize(who.actor, "term.manage")
        year = request.session.pop("start", None)
        if not isinstance(year, int):
            raise HTTPException(
                status_code=409, detail="Se først hvem som får varsel (prøvekjøring)."
            )
        bylaws, started = await term_service.start_term(settings, year, None, who.actor)
        return page(request, "start.html.j2", year=year, started=started, bylaws=bylaws)

    @app.get("/perioder", include_in_schema=False)
    def term_choice(who: Page, year: Annotated[int, Query(ge=2000, le=2100)]) -> Response:
        return RedirectResponse(f"/perioder/{year}", status_code=303)

    @app.get("/perioder/{year}", response_class=HTMLResponse, include_in_schema=False)
    async def term_page(
        request: Request, who: Page, year: Annotated[int, PathParam(ge=2000, le=2100)]
    ) -> HTMLResponse:
        """The term's dashboard: its stage and each county meeting's, with what each still
        awaits and by when."""
        status = await term_service.term_status(settings, year, who.actor)
        counties = [
            {"county": county, "stage": STAGES.get(s.stage, s.stage) if s else "ikke startet",
             "awaiting": len(s.awaiting) if s else 0,
             "deadline": s.deadline.date().isoformat() if s and s.deadline else ""}
            for county, s in status["counties"].items()
        ]  # fmt: skip
        landsting = status["landsting"]
        return page(
            request, "term.html.j2", year=year, term=status["term"], counties=counties,
            landsting=STAGES.get(landsting.stage, landsting.stage) if landsting else "",
            stages=STAGES,
        )  # fmt: skip

    @app.get("/fylker/{county}", response_class=HTMLResponse, include_in_schema=False)
    async def county_page(
        request: Request, who: Page, county: str,
        year: Annotated[int, Query(ge=2000, le=2100)] = 0,
    ) -> HTMLResponse:  # fmt: skip
        """Where the county's meeting stands and what it still awaits."""
        accounts.authorize(who.actor, "county.read", county)
        status = (
            await term_service.county_status(settings, year, county, who.actor) if year else None
        )
        return page(request, "county.html.j2", county=county, year=year or "", process=status,
                    stages=STAGES)  # fmt: skip

    @app.get("/revisjon/{kind}.csv", include_in_schema=False)
    def audit_csv(request: Request, who: Page, kind: str) -> Response:
        _, _, answer = ask(kind, dict(request.query_params), who)
        if answer is None:
            raise HTTPException(status_code=400, detail="Fyll ut skjemaet først.")
        columns, rows = _table(answer)
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(columns)
        writer.writerows([[_cell(c) for c in row] for row in rows])
        return Response(
            "\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{kind}.csv"'},
        )  # fmt: skip

    @app.get("/revisjon/{kind}", response_class=HTMLResponse, include_in_schema=False)
    def audit_page(request: Request, who: Page, kind: str) -> HTMLResponse:
        query, given, answer = ask(kind, dict(request.query_params), who)
        columns, rows = _table(answer) if answer is not None else ([], [])
        return page(
            request, "audit.html.j2", kind=kind, query=query, given=given, answer=answer,
            columns=[COLUMN_NAMES.get(c, c) for c in columns], rows=rows,
            csv_url=f"/revisjon/{kind}.csv?{request.url.query}",
        )  # fmt: skip

    @app.get("/protokoller/{key:path}", include_in_schema=False)
    @app.get("/valg/{key:path}", include_in_schema=False)
    def published(request: Request, key: str) -> Response:
        found = documents.published(engine, request.url.path)
        if found is None:
            raise HTTPException(status_code=404, detail="Dokumentet finnes ikke, eller det er "
                                "ikke publisert ennå.")  # fmt: skip
        return Response(found[0], media_type=found[1])

    # ------------------------------------------------------------------ API

    @app.get("/api/health", tags=["drift"])
    async def health() -> dict[str, bool]:
        """Whether the console answers (no login)."""
        return {"ok": True}

    @app.get("/api/me", tags=["konto"])
    async def me(who: Api) -> dict[str, Any]:
        """Who the request comes from: the role and what it is bound to."""
        actor = who.actor
        return {"role": actor.role, "county": actor.county, "person_id": actor.person_id}

    @app.get("/api/terms/{year}/status", tags=["periode"])
    async def api_term(
        who: Api, year: Annotated[int, PathParam(ge=2000, le=2100)]
    ) -> dict[str, Any]:
        """Where the term, each county meeting and the Landsting stand (secretariat, auditor)."""
        status = await term_service.term_status(settings, year, who.actor)

        def plain(model: Any) -> Any:
            return model.model_dump(mode="json") if model is not None else None

        return {
            "term": plain(status["term"]),
            "counties": {c: plain(s) for c, s in status["counties"].items()},
            "landsting": plain(status["landsting"]),
        }

    @app.get("/api/terms/{year}/counties/{county}", tags=["fylke"])
    async def api_county(
        who: Api, year: Annotated[int, PathParam(ge=2000, le=2100)], county: str
    ) -> dict[str, Any]:
        """Where a county meeting stands (its county's user, the secretariat, an auditor)."""
        status = await term_service.county_status(settings, year, county, who.actor)
        return status.model_dump(mode="json")

    @app.get("/api/audit/seats", tags=["revisjon"])
    def api_seats(
        who: Api, organ: Annotated[str, Query(max_length=250)],
        term: Annotated[str | None, Query(max_length=20)] = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Who held the organ's seats in the term, with the evidence of each (auditor,
        secretariat)."""
        return _json(audit_service.seats(settings.resolved_database_url, organ, term, None,
                                         who.actor, engine))  # fmt: skip

    @app.get("/api/audit/person", tags=["revisjon"])
    def api_person(who: Api, name: Annotated[str, Query(max_length=200)]) -> dict[str, Any]:
        """A person's nominations, seats, notices and absences, with evidence."""
        return _json(audit_service.person(settings.resolved_database_url, name, who.actor, engine))

    @app.get("/api/audit/notifications", tags=["revisjon"])
    def api_notifications(
        who: Api, term: Annotated[str | None, Query(max_length=20)] = None,
        meeting: Annotated[str | None, Query(max_length=250)] = None,
    ) -> dict[str, Any]:  # fmt: skip
        """What was sent in a term or about a meeting: when, to whom, delivered or not."""
        return _json(audit_service.notifications(settings.resolved_database_url, meeting, None,
                                                 term, who.actor, engine))  # fmt: skip

    @app.get("/api/audit/timeline", tags=["revisjon"])
    def api_timeline(who: Api, term: Annotated[str, Query(max_length=20)]) -> dict[str, Any]:
        """The term as dated events, with evidence."""
        return _json(
            audit_service.timeline(settings.resolved_database_url, term, who.actor, engine)
        )

    @app.post("/api/counties/{county}/inputs/{kind}/preview", tags=["fylke"])
    def api_preview(
        who: Api, county: str, kind: str, file: Annotated[UploadFile, File()]
    ) -> dict[str, Any]:
        """Check a county meeting's input file (a sheet or JSON) as the county meeting would,
        without sending it: how many inputs it holds, or every problem (county user of that
        county, secretariat)."""
        accounts.authorize(who.actor, "county.input", county)
        path = _stored(file, uploads, settings.web_upload_limit)
        try:
            items = term_service.county_input_items(county, kind, path, who.actor)  # type: ignore[arg-type]
        except ForbiddenError:
            raise
        except UserError as exc:
            raise HTTPException(status_code=422, detail="; ".join(_problems(exc))) from None
        finally:
            path.unlink(missing_ok=True)
        return {"county": county, "kind": kind, "inputs": len(items)}

    return app


def term_describe(answer: Any) -> str:
    """What the county meeting answered to one input, in bokmål."""
    stage = getattr(answer, "stage", "")
    awaiting = len(getattr(answer, "awaiting", ()))
    return f"Tatt imot. Fylkesmøtets status: {stage}; det venter på {awaiting} ting til."


def _stored(file: UploadFile, folder: Path, limit: int) -> Path:
    """The upload in a file of its own (the readers take paths), refused past `limit` bytes."""
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise HTTPException(
            status_code=415, detail="Send et regneark (.xlsx eller .csv) eller en JSON-fil."
        )
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(
            status_code=413, detail=f"Filen er større enn grensen på {limit / 1e6:g} MB."
        )
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{secrets.token_hex(12)}{suffix}"
    path.write_bytes(data)
    return path


@dataclasses.dataclass(frozen=True)
class AuditQuery:
    """One audit page: its title, its form's fields (name, label, hint; the first required)
    and the audit operation it asks."""

    title: str
    fields: tuple[tuple[str, str, str], ...]
    ask: Callable[[str, dict[str, str], Any, Any], Any]


AUDIT_QUERIES = {
    "seter": AuditQuery(
        "Seter", (("organ", "Organ", "For eksempel hovedstyret eller county_board:46."),
                  ("term", "Periode", "For eksempel 2028-2032.")),
        lambda url, v, actor, e: audit_service.seats(url, v["organ"], v["term"] or None, None,
                                                  actor, e),
    ),
    "person": AuditQuery(
        "Person", (("name", "Navn eller person-id", "Hele eller deler av navnet."),),
        lambda url, v, actor, e: audit_service.person(url, v["name"], actor, e),
    ),
    "varsler": AuditQuery(
        "Varsler og levering", (("term", "Periode", "For eksempel 2028-2032 eller 2027."),),
        lambda url, v, actor, e: audit_service.notifications(url, None, None, v["term"],
                                                          actor, e),
    ),
    "tidslinje": AuditQuery(
        "Tidslinje", (("term", "Periode", "For eksempel 2028-2032 eller 2027."),),
        lambda url, v, actor, e: audit_service.timeline(url, v["term"], actor, e),
    ),
}  # fmt: skip


def _json(answer: Any) -> dict[str, Any]:
    return {**answer.header, "notes": list(answer.notes),
            "rows": [dataclasses.asdict(r) for r in answer.rows]}  # fmt: skip


def _table(answer: Any) -> tuple[list[str], list[list[Any]]]:
    """An audit answer's columns (its facts' fields) and rows, as the command line's table."""
    if not answer.rows:
        return [], []
    names = [f.name for f in dataclasses.fields(answer.rows[0])]
    return names, [["" if (v := getattr(r, n)) is None else v for n in names] for r in answer.rows]


def _cell(value: Any) -> Any:
    """A CSV cell a spreadsheet program will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _problems(exc: UserError) -> list[str]:
    """A refusal's problems, one a line: a sheet's each apart, anything else as its line."""
    return list(exc.problems) if isinstance(exc, SheetError) else [str(exc)]
