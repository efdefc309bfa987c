"""The console: web pages in bokmål and an HTTP API under /api/, on the operations the command
line uses (service/), with the same rules and the same role checks; no rule lives here.

`create_app(settings)` builds the FastAPI application: the login (session cookie, CSRF on every
form), the overview, the published minutes and protocols (no login: they are public), and the
parts in their own modules: a county's pages (`web.county`), a term's (`web.terms`), the
audit's (`web.audit`) and the login with OpenID Connect (`web.oidc`). The API answers 401
without a session or a token, 403 where the role may not.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from client.errors import NotReachableError, UserError
from config import Settings, load_settings
from service import accounts, documents
from service import audit as audit_service
from service.accounts import ForbiddenError
from web import audit, codec, county, oidc, organs, terms
from web.auth import LoginRequired, check_csrf
from web.codec import CodecCors
from web.console import HERE, Api, Console, Ctx, Page

LOGIN_REFUSED = (
    "Feil brukernavn eller passord, eller kontoen er sperret etter for mange forsøk eller "
    "deaktivert. Prøv igjen senere, eller spør sekretariatet."
)


def create_app(settings: Settings) -> FastAPI:
    """The console for `settings` (its record store, Temporal, data directory); a store that
    is missing or not migrated is refused here, in one line, before anything listens."""
    with audit_service.record_store(settings.resolved_database_url):
        pass
    app = FastAPI(
        title="ksgov", openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
        description="KS' valg- og møtesystem: konsollets API.",
    )  # fmt: skip
    app.add_middleware(
        SessionMiddleware, secret_key=settings.web_key(), session_cookie="ksgov_session",
        max_age=8 * 3600, same_site="strict",
        https_only=settings.public_url.startswith("https://"),
    )  # fmt: skip
    if origins := [o.strip() for o in settings.web_codec_origins.split(",") if o.strip()]:
        # Temporal's web UI calls the codec endpoint from its own origin, with the session
        # cookie or a token; nothing else is offered across origins.
        app.add_middleware(
            CodecCors, allow_origins=origins, allow_credentials=True,
            allow_methods=["POST"], allow_headers=["Content-Type", "Authorization", "X-Namespace"],
        )  # fmt: skip
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.state.console = Console.make(settings)
    handle_errors(app, app.state.console)
    for part in (county, terms, audit, codec, oidc, organs):
        app.include_router(part.router)
    app.include_router(_router())
    return app


def handle_errors(app: FastAPI, c: Console) -> None:
    """Every refusal as one line in bokmål: a page for a page, JSON for the API."""

    def error(request: Request, status: int, message: str, detail: str = "") -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message, "reason": detail}, status_code=status)
        return c.page(request, "error.html.j2", status, message=message, detail=detail)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
        return error(request, 422, "Forespørselen er ikke gyldig: sjekk feltene og prøv igjen.",
                     f"fields: {', '.join(fields)}" if fields else "")  # fmt: skip

    @app.exception_handler(ForbiddenError)
    async def forbidden(request: Request, exc: ForbiddenError) -> Response:
        return error(request, 403, "Du har ikke tilgang til dette.", str(exc))

    @app.exception_handler(NotReachableError)
    async def unreachable(request: Request, exc: NotReachableError) -> Response:
        return error(request, 503, "En tjeneste konsollet trenger svarer ikke nå.", str(exc))

    @app.exception_handler(UserError)
    async def refused(request: Request, exc: UserError) -> Response:
        return error(request, 400, "Det du sendte ble ikke tatt imot.", str(exc))


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/login", response_class=HTMLResponse, include_in_schema=False)
    async def login_form(request: Request, c: Ctx) -> HTMLResponse:
        return c.page(request, "login.html.j2", oidc_name=oidc.button(c.settings))

    @router.post("/login", include_in_schema=False)
    def login(
        request: Request, c: Ctx, username: Annotated[str, Form(max_length=200)],
        password: Annotated[str, Form(max_length=1000)], csrf: Annotated[str, Form()] = "",
    ) -> Response:  # fmt: skip
        check_csrf(request, csrf)
        try:
            actor = accounts.login(c.writer, username, password)
        except UserError:
            return c.page(request, "login.html.j2", 401, error=LOGIN_REFUSED,
                          oidc_name=oidc.button(c.settings),
                          username=username[:100])  # fmt: skip
        request.session.clear()
        request.session["account"] = actor.account_id
        request.session["csrf"] = secrets.token_urlsafe(24)  # a new session, a new token
        return RedirectResponse("/", status_code=303)

    @router.post("/logout", include_in_schema=False)
    async def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def overview(request: Request, who: Page, c: Ctx) -> HTMLResponse:
        return c.page(request, "overview.html.j2")

    @router.get("/protokoller/{key:path}", include_in_schema=False)
    @router.get("/valg/{key:path}", include_in_schema=False)
    def published(request: Request, c: Ctx, key: str) -> Response:
        found = documents.published(c.engine, request.url.path)
        if found is None:
            raise HTTPException(status_code=404, detail="Dokumentet finnes ikke, eller det er "
                                "ikke publisert ennå.")  # fmt: skip
        return Response(found[0], media_type=found[1])

    @router.get("/api/health", tags=["drift"])
    async def health() -> dict[str, bool]:
        """Whether the console answers (no login)."""
        return {"ok": True}

    @router.get("/api/me", tags=["konto"])
    async def me(who: Api) -> dict[str, str | None]:
        """Who the request comes from: the role and what it is bound to."""
        actor = who.actor
        return {"role": actor.role, "county": actor.county, "person_id": actor.person_id}

    return router


def from_environment() -> FastAPI:
    """The console on the settings of the environment: what each of `ksgov web --workers N`'s
    processes serves (uvicorn starts them by this name)."""
    return create_app(load_settings())
