"""What every part of the console shares: its settings, record store and templates (`Console`,
kept on the application's state), who a request comes from (`Page`, `Api`), the pages' names
for roles, stages and fields, and the helpers that turn an upload into a file and an audit
answer into a table."""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from sqlalchemy.engine import Engine

from client.errors import UserError
from config import Settings
from service.audit.sources import not_a_formula
from service.sheets import SheetError
from store.db import make_engine
from web.auth import NOT_LOGGED_IN, LoginRequired, Who, csrf_token, from_session, from_token

HERE = Path(__file__).resolve().parent
ROLE_NAMES = {"secretariat": "sekretariatet", "county": "fylkessekretær",
              "auditor": "revisor", "member": "folkevalgt"}  # fmt: skip
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


@dataclass
class Console:
    """The console's settings, record store and page templates."""

    settings: Settings
    engine: Engine  # read-only: the pages' and the API's queries
    writer: Engine  # the logins' writes (counters, the audit entries of a login)
    templates: Jinja2Templates

    @classmethod
    def make(cls, settings: Settings) -> Console:
        url = settings.resolved_database_url
        # Every page escapes what it shows (the templates are .html.j2, which Starlette's
        # default environment would not escape).
        env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
        reader, writer = make_engine(url, read_only=True), make_engine(url)
        return cls(settings, reader, writer, Jinja2Templates(env=env))

    @property
    def url(self) -> str:
        return self.settings.resolved_database_url

    @property
    def uploads(self) -> Path:
        return self.settings.data_dir / "uploads"

    def page(self, request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        who = from_session(request, self.engine)
        context = {"who": who, "roles": ROLE_NAMES, "csrf": csrf_token(request), **values}
        return self.templates.TemplateResponse(request, name, context, status_code=status)


def console(request: Request) -> Console:
    found: Console = request.app.state.console
    return found


def signed_in(request: Request) -> Who:
    """The user of a page's session; without one, the login page."""
    who = from_session(request, console(request).engine)
    if who is None:
        raise LoginRequired
    return who


def api_caller(request: Request) -> Who:
    """The caller of the API: a token, else a session; without either, 401."""
    engine = console(request).engine
    who = from_token(request, engine) or from_session(request, engine)
    if who is None:
        raise HTTPException(status_code=401, detail=NOT_LOGGED_IN)
    return who


Page = Annotated[Who, Depends(signed_in)]
Api = Annotated[Who, Depends(api_caller)]
Ctx = Annotated[Console, Depends(console)]


def stored(file: UploadFile, folder: Path, limit: int) -> Path:
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


def as_json(answer: Any) -> dict[str, Any]:
    """An audit answer as the API gives it: its header, notes and rows."""
    return {**answer.header, "notes": list(answer.notes),
            "rows": [dataclasses.asdict(r) for r in answer.rows]}  # fmt: skip


def as_table(answer: Any) -> tuple[list[str], list[list[Any]]]:
    """An audit answer's columns (its facts' fields) and rows, as the command line's table."""
    if not answer.rows:
        return [], []
    names = [f.name for f in dataclasses.fields(answer.rows[0])]
    return names, [["" if (v := getattr(r, n)) is None else v for n in names] for r in answer.rows]


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet program will not run as a formula (numbers stay numbers)."""
    return not_a_formula(value) if isinstance(value, str) else value


def problems(exc: UserError, upload: Path) -> list[str]:
    """A refusal's problems, one a line: a sheet's each apart, anything else as its line; the
    upload's place on the server (which the readers name) is said as "filen"."""
    lines = list(exc.problems) if isinstance(exc, SheetError) else [str(exc)]
    return [line.replace(str(upload), "filen") for line in lines]
