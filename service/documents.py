"""A meeting's minutes and an election's protocol as documents (HTML, PDF), and the small web
server that publishes them where the minutes notice links (KSGOV_PUBLIC_URL).

The documents are made from the record store, not from a workflow: the minutes from the
meeting, its agenda, attendance, decisions and minutes rows; the protocol from the election's
row (its inputs and outcome as recorded) with the people's names. The server publishes only
what is public: minutes once published (approved at the next meeting), and the protocols of
decided elections; a draft is rendered for the secretariat by `ksgov document` only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import unquote

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from client.errors import UserError
from config import Settings
from domain.terms import display
from models import ids
from models.records import AgendaItem, Attendance, Decision, Election, Meeting, Minutes, Person
from notices.documents import DocumentKind, render_html, render_pdf
from notices.messages import NoticeError
from service import governance
from service.audit import record_store
from store.audit import utc
from store.db import make_engine

Format = Literal["html", "pdf"]
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9:/_.@-]{0,249}")
METHODS = {"majority": "flertallsvalg", "proportional": "forholdsvalg", "agreed": "avtalevalg"}
VOTES = (("for", "For"), ("against", "Mot"), ("blank", "Blanke"))


@dataclass(frozen=True)
class Document:
    kind: DocumentKind
    key: str
    html: str
    public: bool

    def content(self, fmt: Format) -> bytes:
        return render_pdf(self.html) if fmt == "pdf" else self.html.encode("utf-8")


def organ_title(organ: str, on: dt.date) -> str:
    """An organ's Norwegian title from the bylaws in force `on` (before the first bylaws
    shipped, from the first), with its county for a county organ: "Hovedstyret",
    "Fylkesstyret i KS Vestland"."""
    kind, _, county = organ.partition(":")
    shipped = governance.all_bylaws()
    earlier = [b for b in shipped if b.effective_from <= on]
    bylaws = (
        max(earlier, key=lambda b: b.effective_from)
        if earlier
        else min(shipped, key=lambda b: b.effective_from)
    )
    found = bylaws.organs.get(kind)
    title = found.title if found is not None else organ
    if not county:
        return title
    registry = governance.load_registry()
    if county not in {c.number for c in registry.counties}:
        return title
    return registry.county(county).organ_title(title)


def _names(session: Session, person_ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(person_ids))
    rows = session.exec(select(Person).where(col(Person.person_id).in_(wanted))).all()
    return {p.person_id: p.name for p in rows}


def _key(text: str, what: str) -> str:
    if not KEY.fullmatch(text):
        raise UserError(f"{ascii(text)[:60]} is not {what}")
    return text


def minutes_document(engine: Engine, meeting_id: str, now: dt.datetime) -> Document:
    """The minutes of `meeting_id` as recorded (a draft until approved)."""
    _key(meeting_id, "a meeting id, such as meeting-hovedstyret-2028-2032-01")
    with Session(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise UserError(f"no meeting {meeting_id} in the record store")
        agenda = session.exec(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(col(AgendaItem.number))
        ).all()
        decisions = {
            d.item_number: d
            for d in session.exec(select(Decision).where(Decision.meeting_id == meeting_id))
        }
        attendance = session.exec(
            select(Attendance)
            .where(Attendance.meeting_id == meeting_id)
            .order_by(col(Attendance.person_id))
        ).all()
        minutes = session.get(Minutes, meeting_id)
        people = [a.person_id for a in attendance]
        names = _names(session, [*people, *(a.as_deputy_for or "" for a in attendance)])
    parsed = ids.parse_meeting_id(meeting_id)
    starts = utc(meeting.starts_at)
    context = {
        "organ_title": organ_title(meeting.organ, starts.date()),
        "number": parsed[2] if parsed else 1,
        "term": meeting.term,
        "starts_at": starts.isoformat(),
        "place": "",
        "approved_at": _moment(minutes.approved_at if minutes else None),
        "published_at": _moment(minutes.published_at if minutes else None),
        "present": [
            {
                "name": names.get(a.person_id, a.person_id),
                "deputy_for": names.get(a.as_deputy_for, a.as_deputy_for)
                if a.as_deputy_for
                else "",
            }
            for a in attendance
            if a.present
        ],
        "absent": [names.get(a.person_id, a.person_id) for a in attendance if not a.present],
        "items": [_item(item, decisions.get(item.number)) for item in agenda],
        "text": minutes.text if minutes else "",
        "made_at": now.isoformat(),
        "source": "protokollførte opplysninger",
    }
    public = bool(minutes and minutes.published_at)
    return Document("minutes", meeting_id, _html("minutes", context), public)


def _moment(moment: dt.datetime | None) -> str:
    return utc(moment).isoformat() if moment is not None else ""


def _item(item: AgendaItem, decision: Decision | None) -> dict[str, Any]:
    votes = json.loads(decision.votes) if decision is not None else {}
    return {
        "number": item.number,
        "title": item.title,
        "decision": decision.text if decision is not None else "",
        "votes": [(label, votes[key]) for key, label in VOTES if key in votes],
    }


def protocol_document(engine: Engine, election_id: str, now: dt.datetime) -> Document:
    """The protocol of one decided election (or round) as recorded."""
    _key(election_id, "an election id, such as term-2027/landsting/leader/round-1")
    with Session(engine) as session:
        election = session.get(Election, election_id)
        if election is None:
            raise UserError(f"no election {election_id} in the record store")
        inputs: dict[str, Any] = json.loads(election.inputs)
        outcome: dict[str, Any] = json.loads(election.outcome)
        mentioned = [
            *inputs.get("candidates", ()),
            *inputs.get("list", ()),
            *(p for names in inputs.get("lists", {}).values() for p in names),
            *(p for key in ("elected", "deputies", "drawn_by_lot", "lot_needed")
              for p in outcome.get(key, ())),
        ]  # fmt: skip
        names = _names(session, mentioned)

    def named(people: Iterable[str]) -> list[str]:
        return [names.get(p, p) for p in people]

    votes: dict[str, int] = inputs.get("votes", {})
    context = {
        "organ_title": organ_title(election.organ, utc(election.decided_at).date()),
        "post": election.post,
        "term": display(election.term),
        "method_name": METHODS.get(election.method, election.method),
        "round": election.round,
        "decided_at": _moment(election.decided_at),
        "lists": [
            {"name": name, "votes": votes.get(name, 0), "candidates": named(people)}
            for name, people in inputs.get("lists", {}).items()
        ],
        "candidates": [
            {"name": names.get(p, p), "votes": votes.get(p, 0)}
            for p in inputs.get("candidates", ())
        ],
        "joint": named(inputs.get("list", ())),
        "votes_against": inputs.get("votes_against", 0),
        "elected": named(outcome.get("elected", ())),
        "deputies": named(outcome.get("deputies", ())),
        "drawn_by_lot": named(outcome.get("drawn_by_lot", ())),
        "lot_needed": named(outcome.get("lot_needed", ())),
        "rejected": bool(outcome.get("rejected")),
        "second_round": bool(outcome.get("second_round")),
        "made_at": now.isoformat(),
        "source": "protokollførte opplysninger",
    }
    return Document("protocol", election_id, _html("protocol", context), public=True)


def _html(kind: DocumentKind, context: dict[str, Any]) -> str:
    try:
        return render_html(kind, context)
    except NoticeError as exc:  # a record the template cannot read: a fault, said in one line
        raise UserError(str(exc)) from None


def document(settings: Settings, kind: DocumentKind, key: str, fmt: Format) -> bytes:
    """`ksgov document minutes|protocol KEY`: the document as HTML or PDF bytes."""
    with record_store(settings.resolved_database_url) as engine:
        now = dt.datetime.now(dt.UTC)
        found = (minutes_document if kind == "minutes" else protocol_document)(engine, key, now)
    return found.content(fmt)


# ----------------------------------------------------------------------------- publishing


def published(engine: Engine, path: str) -> tuple[bytes, str] | None:
    """The published document at `path` (/protokoller/<meeting id>[.pdf], /valg/<election
    id>[.pdf]) with its content type, or None: unknown, not public yet, or not a document."""
    path = unquote(path.split("?", 1)[0])
    fmt: Format = "pdf" if path.endswith(".pdf") else "html"
    key = path.removesuffix(".pdf")
    kind: DocumentKind
    if key.startswith(ids.MINUTES_PATH):
        kind, key = "minutes", key.removeprefix(ids.MINUTES_PATH)
    elif key.startswith(ids.PROTOCOL_PATH):
        kind, key = "protocol", key.removeprefix(ids.PROTOCOL_PATH)
    else:
        return None
    now = dt.datetime.now(dt.UTC)
    try:
        made = (minutes_document if kind == "minutes" else protocol_document)(engine, key, now)
    except UserError:
        return None
    if not made.public:
        return None
    content_type = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    return made.content(fmt), content_type


NOT_FOUND = (
    "<!DOCTYPE html><html lang='nb'><head><meta charset='utf-8'><title>Fant ikke dokumentet"
    "</title></head><body><main><h1>Fant ikke dokumentet</h1><p>Dokumentet finnes ikke, eller "
    "det er ikke publisert ennå.</p></main></body></html>"
)


def serve(settings: Settings, host: str, port: int) -> None:
    """Publish the documents at http://host:port until interrupted (Ctrl-C)."""
    with record_store(settings.resolved_database_url):
        pass  # a store that is not there or not migrated is refused before listening
    engine = make_engine(settings.resolved_database_url)
    server = publishing_server(engine, host, port)
    print(f"Publishing minutes and protocols at http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        engine.dispose()


def publishing_server(engine: Engine, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server (not yet serving) that answers GET with `published` documents."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "ksgov"
        sys_version = ""

        def do_GET(self) -> None:
            found = published(engine, self.path)
            if found is None:
                self._answer(HTTPStatus.NOT_FOUND, NOT_FOUND.encode(), "text/html; charset=utf-8")
                return
            self._answer(HTTPStatus.OK, *found)

        def _answer(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header(
                "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"
            )
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write(
                f"{self.command} {self.path[:200]} {args[1] if len(args) > 1 else ''}\n"
            )

    try:
        return ThreadingHTTPServer((host, port), Handler)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port} ({exc.strerror})") from None
