"""The audit's pages and API: seats, a person, the notices with their delivery, and the
timeline, each with the evidence of every fact and a CSV export (auditor, secretariat)."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from service import accounts
from service import audit as audit_service
from web.auth import Who
from web.console import COLUMN_NAMES, Api, Console, Ctx, Page, as_json, as_table, csv_cell

router = APIRouter()


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


def ask(c: Console, kind: str, values: dict[str, str], who: Who) -> Any:
    """The audit answer of query `kind` for the form's values (None: nothing asked yet)."""
    query = AUDIT_QUERIES.get(kind)
    if query is None:
        raise HTTPException(status_code=404, detail="Den siden finnes ikke.")
    accounts.authorize(who.actor, "audit.read")
    given = {f: values.get(f, "").strip()[:250] for f, _, _ in query.fields}
    if not given[query.fields[0][0]]:
        return query, given, None
    return query, given, query.ask(c.url, given, who.actor, c.engine)


@router.get("/revisjon/{kind}.csv", include_in_schema=False)
def audit_csv(request: Request, who: Page, c: Ctx, kind: str) -> Response:
    _, _, answer = ask(c, kind, dict(request.query_params), who)
    if answer is None:
        raise HTTPException(status_code=400, detail="Fyll ut skjemaet først.")
    columns, rows = as_table(answer)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(columns)
    writer.writerows([[csv_cell(cell) for cell in row] for row in rows])
    return Response(
        "\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{kind}.csv"'},
    )  # fmt: skip


@router.get("/revisjon/{kind}", response_class=HTMLResponse, include_in_schema=False)
def audit_page(request: Request, who: Page, c: Ctx, kind: str) -> HTMLResponse:
    query, given, answer = ask(c, kind, dict(request.query_params), who)
    columns, rows = as_table(answer) if answer is not None else ([], [])
    return c.page(
        request, "audit.html.j2", kind=kind, query=query, given=given, answer=answer,
        columns=[COLUMN_NAMES.get(col, col) for col in columns], rows=rows,
        csv_url=f"/revisjon/{kind}.csv?{request.url.query}",
    )  # fmt: skip


@router.get("/api/audit/seats", tags=["revisjon"])
def api_seats(
    who: Api, c: Ctx, organ: Annotated[str, Query(max_length=250)],
    term: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:  # fmt: skip
    """Who held the organ's seats in the term, with the evidence of each (auditor,
    secretariat)."""
    return as_json(audit_service.seats(c.url, organ, term, None, who.actor, c.engine))


@router.get("/api/audit/person", tags=["revisjon"])
def api_person(who: Api, c: Ctx, name: Annotated[str, Query(max_length=200)]) -> dict[str, Any]:
    """A person's nominations, seats, notices and absences, with evidence."""
    return as_json(audit_service.person(c.url, name, who.actor, c.engine))


@router.get("/api/audit/notifications", tags=["revisjon"])
def api_notifications(
    who: Api, c: Ctx, term: Annotated[str | None, Query(max_length=20)] = None,
    meeting: Annotated[str | None, Query(max_length=250)] = None,
) -> dict[str, Any]:  # fmt: skip
    """What was sent in a term or about a meeting: when, to whom, delivered or not."""
    return as_json(audit_service.notifications(c.url, meeting, None, term, who.actor, c.engine))


@router.get("/api/audit/timeline", tags=["revisjon"])
def api_timeline(who: Api, c: Ctx, term: Annotated[str, Query(max_length=20)]) -> dict[str, Any]:
    """The term as dated events, with evidence."""
    return as_json(audit_service.timeline(c.url, term, who.actor, c.engine))
