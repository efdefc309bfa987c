"""The audit's pages and API: seats, a person, the notices with their delivery, the timeline and
a workflow's history, each with the evidence of every fact, 200 rows a page, exported whole as
CSV and as PDF; and the check of the audit chain and the record rows (auditor, secretariat)."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import math
import re
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import ChoiceLoader, FileSystemLoader

from notices.documents import render_pdf
from notices.messages import ENVIRONMENT, TEMPLATES_DIR
from service import accounts
from service import audit as audit_service
from service.accounts import Actor
from service.audit.sources import RETENTION_NOTE, Answer
from web.auth import Who
from web.console import COLUMN_NAMES, HERE, Api, Console, Ctx, Page, as_json, as_table, csv_cell

router = APIRouter()
PAGE_ROWS = 200
# An audit query: the console, the form's values, the actor, and the window of rows a page
# shows (None: the whole answer, for an export); a query that can read a window alone does.
Ask = Callable[[Console, dict[str, str], Actor, "Window | None"], Awaitable[Answer]]
# The fields COLUMN_NAMES does not name, and the answers' headers.
MORE_NAMES = {
    "run_id": "kjøring", "event_id": "hendelse", "at": "tid", "kind": "art", "what": "hva",
    "detail": "detaljer", "subject": "gjelder", "purpose": "formål", "subject_key": "gjelder",
    "recipient_id": "mottaker-id", "recipient_name": "mottaker", "sent_at": "sendt",
    "deadline": "frist", "late": "for sent", "workflow_id": "arbeidsflyt",
    "runs": "kjøringer", "people": "personer", "meeting": "møte",
    "made_at": "laget (UTC; sidene viser et svar inntil ett minutt gammelt)",
}  # fmt: skip
# A person search answers for this many people at most, and says how many more matched.
PEOPLE = 25
PDF_ROWS = 500  # rows a PDF export holds at most
NOTES = (
    ("Temporal not reachable", "Temporal svarer ikke nå: svaret er hentet fra registeret og "
     "revisjonsloggen alene."),
    (RETENTION_NOTE, "Temporal har ikke lenger historikken (lagringstiden er ute): svaret er "
     "hentet fra registeret og revisjonsloggen alene."),
)  # fmt: skip
# The check's problems (store.audit, store.coverage) in bokmål; another is shown as it reads.
PROBLEMS = (
    (r"entry (\d+) was altered", "Oppføring {} er endret etter at den ble skrevet (hashen "
     "stemmer ikke)."),
    (r"entry (\d+) is missing \(next is (\d+)\)", "Oppføring {} mangler (den neste er {}): en "
     "rad er slettet."),
    (r"entry (\d+) appears twice or out of order", "Oppføring {} finnes to ganger eller i feil "
     "rekkefølge: en rad er satt inn."),
    (r"entry (\d+) does not link to entry (\d+)", "Oppføring {} lenker ikke til oppføring {}: "
     "en rad er satt inn eller byttet ut."),
    (r"the log ends at entry (\d+) but the head says (\d+)", "Loggen slutter ved oppføring {}, "
     "men hodet sier {}: rader er slettet fra slutten, eller hodet er endret."),
    (r"entry (\d+) is not signed by the record key", "Oppføring {} er ikke signert med "
     "registernøkkelen: den er skrevet eller skrevet om uten nøkkelen."),
    (r"the head is not signed by the record key", "Hodet er ikke signert med registernøkkelen: "
     "det er flyttet uten nøkkelen."),
    (r"(\S+) has no audit entry", "{} har ingen oppføring i revisjonsloggen: raden er skrevet "
     "utenom ksgov."),
    (r"(\S+) is not as audit entry (\d+) recorded it", "{} er ikke slik oppføring {} i "
     "revisjonsloggen registrerte den: raden er endret utenom ksgov."),
    (r"the entries of registry/v(\d+) are not", "Registerversjon {} er ikke slik den ble "
     "importert: den er endret utenom ksgov."),
    (r"(\S+), recorded by audit entry (\d+), is missing", "{}, registrert av oppføring {}, "
     "mangler: raden er slettet utenom ksgov."),
)  # fmt: skip
# The PDF: the notices' environment (A4 layout, page numbers, bokmål dates) with these templates.
PDF_TEMPLATES = ENVIRONMENT.overlay(
    loader=ChoiceLoader([FileSystemLoader(HERE / "templates"), FileSystemLoader(TEMPLATES_DIR)])
)


def in_thread(ask: Callable[[Console, dict[str, str], Actor, Window | None], Answer]) -> Ask:
    """A record-store query asked on a worker thread, so that the event loop keeps serving."""

    async def asked(
        c: Console, values: dict[str, str], actor: Actor, window: Window | None
    ) -> Answer:
        return await asyncio.to_thread(ask, c, values, actor, window)

    return asked


class Recent:
    """Answers kept for `seconds` by key: a report every page of which would read the whole
    term again (the timeline) is made once a minute at most per process, and says when."""

    def __init__(self, seconds: float, most: int = 16) -> None:
        self.seconds, self.most = seconds, most
        self.kept: dict[str, tuple[float, Answer]] = {}
        self.lock = threading.Lock()

    def get(self, key: str, make: Callable[[], Answer]) -> Answer:
        now = time.monotonic()
        with self.lock:
            found = self.kept.get(key)
            if found is not None and now - found[0] < self.seconds:
                return found[1]
        made = make()
        made = dataclasses.replace(made, header={
            **made.header, "made_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        })  # fmt: skip
        with self.lock:
            self.kept[key] = (now, made)
            while len(self.kept) > self.most:
                del self.kept[min(self.kept, key=lambda k: self.kept[k][0])]
        return made


TIMELINES = Recent(60)


def timeline(c: Console, term: str, actor: Actor, window: Window | None) -> Answer:
    """The term's timeline: a page's from the last minute's answer, an export's made anew."""
    accounts.authorize(actor, "audit.read")

    def made() -> Answer:
        return audit_service.timeline(c.url, term, actor, c.engine)

    return made() if window is None else TIMELINES.get(f"{c.url}|{term}", made)


@dataclasses.dataclass(frozen=True)
class AuditQuery:
    """One audit page: its title, its form's fields (name, label, hint; the first required)
    and the audit operation it asks."""

    title: str
    fields: tuple[tuple[str, str, str], ...]
    ask: Ask


AUDIT_QUERIES = {
    "seter": AuditQuery(
        "Seter", (("organ", "Organ", "For eksempel hovedstyret eller county_board:46."),
                  ("term", "Periode", "For eksempel 2028-2032.")),
        in_thread(lambda c, v, actor, _: audit_service.seats(c.url, v["organ"],
                                                             v["term"] or None, None, actor,
                                                             c.engine)),
    ),
    "person": AuditQuery(
        "Person", (("name", "Navn eller person-id", "Hele eller deler av navnet."),),
        in_thread(lambda c, v, actor, _: audit_service.person(c.url, v["name"], actor,
                                                              c.engine, PEOPLE)),
    ),
    "varsler": AuditQuery(
        "Varsler og levering", (("term", "Periode", "For eksempel 2028-2032 eller 2027."),),
        in_thread(lambda c, v, actor, w: audit_service.notifications(
            c.url, None, None, v["term"], actor, c.engine, (w.offset, w.limit) if w else None)),
    ),
    "tidslinje": AuditQuery(
        "Tidslinje", (("term", "Periode", "For eksempel 2028-2032 eller 2027."),),
        in_thread(lambda c, v, actor, w: timeline(c, v["term"], actor, w)),
    ),
    "historikk": AuditQuery(
        "Historikk", (("workflow", "Arbeidsflyt", "For eksempel term-2027 eller "
                       "county-meeting-2027-46."),),
        lambda c, v, actor, _: audit_service.history(c.settings, v["workflow"], actor=actor),
    ),
}  # fmt: skip


async def ask(
    c: Console, kind: str, values: dict[str, str], who: Who, window: Window | None = None
) -> Any:
    """The audit answer of query `kind` for the form's values (None: nothing asked yet); with
    `window`, at least the rows of that window."""
    query = AUDIT_QUERIES.get(kind)
    if query is None:
        raise HTTPException(status_code=404, detail="Den siden finnes ikke.")
    accounts.authorize(who.actor, "audit.read")
    given = {f: values.get(f, "").strip()[:250] for f, _, _ in query.fields}
    if not given[query.fields[0][0]]:
        return query, given, None
    return query, given, await query.ask(c, given, who.actor, window)


async def asked(c: Console, kind: str, request: Request, who: Who) -> Any:
    """The whole answer an export holds; refused when the form is empty."""
    query, given, answer = await ask(c, kind, dict(request.query_params), who)
    if answer is None:
        raise HTTPException(status_code=400, detail="Fyll ut skjemaet først.")
    return query, given, answer


def name_of(field: str) -> str:
    return COLUMN_NAMES.get(field) or MORE_NAMES.get(field, field)


def note(text: str) -> str:
    if found := re.match(r"(\d+) people match; the first (\d+) ", text):
        return (f"{found[1]} personer passer til søket; de første {found[2]} (etter person-id) "
                "vises: skriv mer av navnet, eller en person-id.")  # fmt: skip
    return next((said for prefix, said in NOTES if text.startswith(prefix)), text)


def problem(text: str | None) -> str | None:
    """A problem the check found, in bokmål (as it reads when it is not one of the known)."""
    if text is None:
        return None
    for pattern, said in PROBLEMS:
        if found := re.match(pattern, text):
            return said.format(*found.groups())
    return text


def shown(answer: Answer) -> dict[str, Any]:
    """What a page or a PDF shows of an answer but its rows: its header and notes, in bokmål."""
    header = [(name_of(k), (", ".join(map(str, v)) or "ingen") if isinstance(v, list) else v)
              for k, v in answer.header.items() if v != ""]  # fmt: skip
    return {"header": header, "notes": [note(n) for n in answer.notes]}


def cells(rows: list[list[Any]]) -> list[list[Any]]:
    return [[("ja" if v else "nei") if isinstance(v, bool) else v for v in row] for row in rows]


@dataclasses.dataclass(frozen=True)
class Window:
    """The rows of an answer that one page or API call gives: at most `limit` from `offset`."""

    offset: int
    limit: int

    def of(self, answer: Answer) -> Answer:
        if answer.total is not None:  # the query read this window alone
            return answer
        return dataclasses.replace(answer, rows=answer.rows[self.offset : self.offset + self.limit])


def api_window(
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> Window:
    return Window(offset, limit)


Rows = Annotated[Window, Depends(api_window)]


def paged(answer: Answer, window: Window) -> dict[str, Any]:
    """An audit answer as the API gives it: the window's rows, the total and the window."""
    found = as_json(window.of(answer))
    found["notes"] = [note(n) for n in answer.notes]
    return {**found, "total": total_of(answer), "offset": window.offset, "limit": window.limit}


def total_of(answer: Answer) -> int:
    """How many rows the whole answer has (a window's answer says; a whole one shows)."""
    return answer.total if answer.total is not None else len(answer.rows)


def paging(kind: str, given: dict[str, str], total: int, side: int) -> dict[str, Any]:
    """Page `side` of `total` rows: the rows it shows and the links to its neighbours."""
    sides = max(1, math.ceil(total / PAGE_ROWS))
    if side > sides:
        raise HTTPException(status_code=400, detail=f"Side {side} finnes ikke: svaret har "
                            f"{sides} {'side' if sides == 1 else 'sider'}.")  # fmt: skip

    def link(n: int) -> str:
        return f"/revisjon/{kind}?{urlencode({**given, 'side': n})}"

    start = (side - 1) * PAGE_ROWS
    return {
        "side": side, "sides": sides, "total": total, "window": Window(start, PAGE_ROWS),
        "first": start + 1 if total else 0, "last": min(total, start + PAGE_ROWS),
        "prev": link(side - 1) if side > 1 else None,
        "next": link(side + 1) if side < sides else None,
    }  # fmt: skip


@router.get("/revisjon/{kind}.csv", include_in_schema=False)
async def audit_csv(request: Request, who: Page, c: Ctx, kind: str) -> Response:
    _, _, answer = await asked(c, kind, request, who)
    columns, rows = as_table(answer)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(columns)
    writer.writerows([[csv_cell(cell) for cell in row] for row in rows])
    return Response(
        "\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{kind}.csv"'},
    )  # fmt: skip


def pdf(query: AuditQuery, given: dict[str, str], answer: Answer) -> bytes:
    """The whole answer as an A4 document: the question, when it was answered, every row."""
    columns, rows = as_table(answer)
    html = PDF_TEMPLATES.get_template("audit_pdf.html.j2").render(
        title=query.title, made_at=datetime.now(UTC), columns=[name_of(n) for n in columns],
        asked=[(label, given[name]) for name, label, _ in query.fields if given[name]],
        rows=cells(rows), **shown(answer),
    )  # fmt: skip
    return render_pdf(html)


@router.get("/revisjon/{kind}.pdf", include_in_schema=False)
async def audit_pdf(request: Request, who: Page, c: Ctx, kind: str) -> Response:
    query, given, answer = await asked(c, kind, request, who)
    if answer is not None and len(answer.rows) > PDF_ROWS:
        # WeasyPrint lays a table out in seconds per few hundred rows: a long answer is the
        # CSV's, not a document's (and a request must not hold a process for minutes).
        raise HTTPException(status_code=400, detail=f"Svaret har {len(answer.rows)} rader; en "
                            f"PDF tar høyst {PDF_ROWS}. Avgrens spørsmålet, eller last ned "
                            "CSV-filen.")  # fmt: skip
    document = await asyncio.to_thread(pdf, query, given, answer)
    disposition = f'attachment; filename="{kind}.pdf"'
    return Response(document, media_type="application/pdf",
                    headers={"Content-Disposition": disposition})  # fmt: skip


def described(found: audit_service.Check) -> dict[str, Any]:
    """The check as the page and the API give it: each problem in bokmål, and as the check
    wrote it (`reason`)."""
    chain, records = found.chain, found.records
    return {
        "ok": found.ok,
        "chain": {
            "ok": chain.ok, "entries": chain.entries, "head": chain.head_hash,
            "first_broken_seq": chain.first_broken_seq, "problem": problem(chain.problem),
            "reason": chain.problem, "signatures_checked": chain.signatures_checked,
        },
        "records": {"ok": records.ok, "rows": records.rows, "problem": problem(records.problem),
                    "reason": records.problem},
    }  # fmt: skip


@router.get("/revisjon/kontroll", response_class=HTMLResponse, include_in_schema=False)
async def check_page(
    request: Request, who: Page, c: Ctx, kjor: Annotated[int, Query(ge=0, le=1)] = 0
) -> HTMLResponse:
    """The button; with `kjor=1`, the check of the chain and the record rows (seconds)."""
    accounts.authorize(who.actor, "audit.read")
    found = await asyncio.to_thread(audit_service.check, c.settings, who.actor) if kjor else None
    return c.page(request, "audit_kontroll.html.j2", kind="kontroll",
                  found=described(found) if found else None)  # fmt: skip


@router.get("/revisjon/{kind}", response_class=HTMLResponse, include_in_schema=False)
async def audit_page(
    request: Request, who: Page, c: Ctx, kind: str,
    side: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:  # fmt: skip
    window = Window((side - 1) * PAGE_ROWS, PAGE_ROWS)
    query, given, answer = await ask(c, kind, dict(request.query_params), who, window)
    page = paging(kind, given, total_of(answer) if answer is not None else 0, side)
    columns, rows = as_table(page["window"].of(answer)) if answer is not None else ([], [])
    exported = urlencode(given)
    return c.page(
        request, "audit.html.j2", kind=kind, query=query, given=given, answer=answer,
        columns=[name_of(col) for col in columns], rows=cells(rows), paging=page,
        csv_url=f"/revisjon/{kind}.csv?{exported}", pdf_url=f"/revisjon/{kind}.pdf?{exported}",
        **(shown(answer) if answer is not None else {}),
    )  # fmt: skip


@router.get("/api/audit/seats", tags=["revisjon"])
def api_seats(
    who: Api, c: Ctx, organ: Annotated[str, Query(max_length=250)], window: Rows,
    term: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:  # fmt: skip
    """Who held the organ's seats in the term, with the evidence of each (auditor,
    secretariat)."""
    return paged(audit_service.seats(c.url, organ, term, None, who.actor, c.engine), window)


@router.get("/api/audit/person", tags=["revisjon"])
def api_person(
    who: Api, c: Ctx, name: Annotated[str, Query(max_length=200)], window: Rows
) -> dict[str, Any]:
    """The nominations, seats, notices and absences of the first 25 people the name matches
    (by person id), with evidence; `matched` says how many it matches in all."""
    return paged(audit_service.person(c.url, name, who.actor, c.engine, PEOPLE), window)


@router.get("/api/audit/notifications", tags=["revisjon"])
def api_notifications(
    who: Api, c: Ctx, window: Rows, term: Annotated[str | None, Query(max_length=20)] = None,
    meeting: Annotated[str | None, Query(max_length=250)] = None,
) -> dict[str, Any]:  # fmt: skip
    """What was sent in a term or about a meeting: when, to whom, delivered or not."""
    found = audit_service.notifications(
        c.url, meeting, None, term, who.actor, c.engine, (window.offset, window.limit)
    )
    return paged(found, window)


@router.get("/api/audit/timeline", tags=["revisjon"])
def api_timeline(
    who: Api, c: Ctx, term: Annotated[str, Query(max_length=20)], window: Rows
) -> dict[str, Any]:
    """The term as dated events, with evidence."""
    return paged(audit_service.timeline(c.url, term, who.actor, c.engine), window)


@router.get("/api/audit/history", tags=["revisjon"])
async def api_history(
    who: Api, c: Ctx, workflow: Annotated[str, Query(max_length=200)], window: Rows
) -> dict[str, Any]:
    """One workflow's history in domain words; from the record store, said in `notes`, when
    Temporal does not answer or no longer keeps it."""
    return paged(await audit_service.history(c.settings, workflow, actor=who.actor), window)


@router.get("/api/audit/verify", tags=["revisjon"])
def api_verify(who: Api, c: Ctx) -> dict[str, Any]:
    """Whether the audit chain holds (its entries, its head, the first problem) and whether
    the record rows are as it recorded them; it reads every entry (seconds)."""
    return described(audit_service.check(c.settings, who.actor))
