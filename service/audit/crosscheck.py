"""Cross-check the record store against the Temporal histories that still exist.

The workflows of a term are found through visibility (`KsTerm = '2027-2031'`); in each history the
completed `record_election` and `record_seats` activities are decoded with the client's data
converter, and what they asked to record is compared with the election and seat rows. A row that
no kept history mentions is reported as unverified (its history may be past retention), not as
a mismatch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client

from models.payloads import ElectionRecord, RecordElectionRequest, RecordSeatsRequest, SeatIn
from models.records import Election, Seat, Term
from service.audit import sources as src
from service.audit.histories import Run, fetch_run
from store.audit import canonical_json, utc

REQUESTS: dict[str, type[RecordElectionRequest] | type[RecordSeatsRequest]] = {
    "record_election": RecordElectionRequest,
    "record_seats": RecordSeatsRequest,
}


@dataclass(frozen=True)
class Recorded:
    """A record activity that completed in a history, with what it was asked to record."""

    request: RecordElectionRequest | RecordSeatsRequest
    source: str


@dataclass(frozen=True)
class Finding:
    """One compared (or uncomparable) fact: ok, mismatch, missing or unverified."""

    status: str
    kind: str
    key: str
    detail: str
    source: str


@dataclass(frozen=True)
class CrossCheck:
    ok: bool
    checked: int
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]


async def recorded_in(client: Client, run: Run) -> list[Recorded]:
    """The completed record_election / record_seats calls of one run, decoded."""
    events = {e.event_id: e for e in run.history.events}
    done = {
        e.activity_task_completed_event_attributes.scheduled_event_id
        for e in run.history.events
        if e.HasField("activity_task_completed_event_attributes")
    }
    found = []
    for event_id in sorted(done):
        attrs = events[event_id].activity_task_scheduled_event_attributes
        kind = REQUESTS.get(attrs.activity_type.name)
        if kind is None:
            continue
        [request] = await client.data_converter.decode(list(attrs.input.payloads), [kind])
        at = events[event_id].event_time.ToDatetime()
        source = src.history(run.history.workflow_id, run.run_id, event_id, at)
        found.append(Recorded(request, source))
    return found


async def cross_check(client: Client, engine: Engine, terms: Sequence[str]) -> CrossCheck:
    """Compare every election and seat of `terms` with the histories Temporal still keeps."""
    findings: list[Finding] = []
    notes: list[str] = []
    for term in terms:
        recorded: list[Recorded] = []
        async for execution in client.list_workflows(f"KsTerm = '{term}'"):
            run = await fetch_run(client, execution.id, execution.run_id)
            recorded += await recorded_in(client, run) if run else []
        if not recorded:
            notes.append(f"{term}: {src.RETENTION_NOTE}")
        findings += compare(engine, term, recorded)
    bad = [f for f in findings if f.status in ("mismatch", "missing")]
    checked = sum(f.status != "unverified" for f in findings)
    return CrossCheck(not bad, checked, tuple(findings), tuple(notes))


def compare(engine: Engine, term: str, recorded: list[Recorded]) -> list[Finding]:
    """Findings for one term: each history fact against its row, then rows no history backs."""
    elections = {
        r.request.election.election_id: r
        for r in recorded
        if isinstance(r.request, RecordElectionRequest)
    }
    seats: dict[tuple[str, str, str, str], tuple[SeatIn, str]] = {}
    for r in recorded:  # in history order: the last request for a seat is what the row holds
        if isinstance(r.request, RecordSeatsRequest):
            seats |= {
                (s.organ, s.term, s.person_id, s.role): (s, r.source) for s in r.request.seats
            }
    with Session(engine) as session:
        e_rows = {
            e.election_id: e
            for e in session.exec(select(Election).where(col(Election.term) == term))
        }
        s_rows = {
            (s.organ, s.term, s.person_id, s.role): s
            for s in session.exec(select(Seat).where(col(Seat.term) == term))
        }
    findings = [_election_finding(k, r, e_rows.get(k)) for k, r in elections.items()]
    findings += [_seat_finding(k, *v, s_rows.get(k)) for k, v in seats.items()]
    findings += [
        _unverified("election", k, src.record("election", k))
        for k in e_rows.keys() - elections.keys()
    ]
    findings += [
        _unverified("seat", "/".join(k), src.record("seat", s_rows[k].id))
        for k in s_rows.keys() - seats.keys()
    ]
    return findings


def _election_values(e: ElectionRecord) -> dict[str, Any]:
    return {
        "term": e.term, "organ": e.organ, "post": e.post, "method": e.method, "round": e.round,
        "inputs": canonical_json(e.inputs), "outcome": canonical_json(e.outcome),
        "decided_at": utc(e.decided_at),
    }  # fmt: skip


def _election_finding(key: str, r: Recorded, row: Election | None) -> Finding:
    assert isinstance(r.request, RecordElectionRequest)
    sources = src.sources(r.source, src.record("election", key))
    if row is None:
        return Finding(
            "missing", "election", key, "in the history but not in the record store", r.source
        )
    wanted = _election_values(r.request.election)
    held = {k: getattr(row, k) for k in wanted} | {"decided_at": utc(row.decided_at)}
    differ = sorted(k for k in wanted if wanted[k] != held[k])
    detail = f"differs in {', '.join(differ)}" if differ else "matches the history"
    return Finding("mismatch" if differ else "ok", "election", key, detail, sources)


def _seat_finding(key: tuple[str, ...], seat: SeatIn, source: str, row: Seat | None) -> Finding:
    name = "/".join(key)
    if row is None:
        return Finding(
            "missing", "seat", name, "in the history but not in the record store", source
        )
    wanted = seat.model_dump()
    differ = sorted(k for k, v in wanted.items() if getattr(row, k) != v)
    detail = f"differs in {', '.join(differ)}" if differ else "matches the history"
    sources = src.sources(source, src.record("seat", row.id))
    return Finding("mismatch" if differ else "ok", "seat", name, detail, sources)


def _unverified(kind: str, key: str, source: str) -> Finding:
    return Finding("unverified", kind, key, src.RETENTION_NOTE, source)


def all_terms(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [t.term for t in session.exec(select(Term).order_by(col(Term.term)))]
