"""Audit operations for the CLI (and later an HTTP API): the hash chain and the audit queries.

Thin on purpose: the chain rules live in store.audit and the queries in the modules beside this
one (queries, people, events, histories, crosscheck); this opens the configured database, turns
database failures into one-line `UserError`s, connects to Temporal when a question needs its
histories (and answers from the record store alone, saying so, when Temporal does not answer)
and closes the engine again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from temporalio.client import Client

from client.errors import NotReachableError, UserError
from client.gateway import connect
from config import Settings
from service.accounts import OPERATOR, Actor, authorize
from service.audit import crosscheck as audit_crosscheck
from service.audit import events as audit_timeline
from service.audit import histories as audit_history
from service.audit import people as audit_person
from service.audit import queries as audit_queries
from service.audit.crosscheck import CrossCheck
from service.audit.sources import RETENTION_NOTE, Answer
from service.governance import read_text
from store import coverage
from store.anchor import (
    MAX_CHECKPOINT_BYTES,
    Checkpoint,
    CheckpointError,
    make_checkpoint,
    read_checkpoint,
)
from store.audit import ChainReport, verify_chain
from store.coverage import RecordsReport
from store.db import display_url, make_engine
from store.signing import PublicKey, RecordKeyError, read_record_key

T = TypeVar("T")

# ksgov's workflow ids are business keys: letters, digits and - _ . : / (models/ids.py).
WORKFLOW_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}")


@contextmanager
def record_store(database_url: str) -> Iterator[Engine]:
    """An engine on a migrated record store; database errors become one-line UserErrors."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        if not path.exists():
            raise UserError(f"there is no database file at {path}: run `ksgov db upgrade` first")
    engine = make_engine(database_url)
    opened = False
    try:
        if not inspect(engine).has_table("audit_log"):
            raise UserError(
                f"the database {display_url(database_url)} has no audit log: "
                "run `ksgov db upgrade` first"
            )
        opened = True
        yield engine
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        # Opened but the query failed: say so, or a query's own fault reads as an outage.
        what = "answered, but the query failed" if opened else "cannot be read"
        raise NotReachableError(
            f"the database {display_url(database_url)} {what}: {reason}"
        ) from None
    finally:
        engine.dispose()


def verify(
    database_url: str,
    expected_head: str | None = None,
    public_key: PublicKey | None = None,
    checkpoint: Checkpoint | None = None,
) -> ChainReport:
    """Walk the audit log of the database at `database_url` and report the first broken link;
    with `public_key` every signature is checked, with `checkpoint` (signed by that key) every
    entry it anchored."""
    if checkpoint is not None and public_key is None:
        raise UserError(
            "a checkpoint is checked with the record key's public half: give --public-key"
        )
    if checkpoint is not None and public_key is not None and not checkpoint.signed_by(public_key):
        return ChainReport(
            False, 0, "", None, "the checkpoint is not signed by the record key: it was "
            "altered, or made with another key", True, checkpoint.seq,
        )  # fmt: skip
    with record_store(database_url) as engine:
        return verify_chain(engine, expected_head, public_key, checkpoint)


def verify_records(database_url: str) -> RecordsReport:
    """Every person, seat, election and notification row against the audit log's digests."""
    with record_store(database_url) as engine:
        return coverage.verify_records(engine)


@dataclass(frozen=True)
class Check:
    """The audit chain walked (signatures too, when the record key is on this machine) and
    the record rows compared with the digests the chain recorded."""

    chain: ChainReport
    records: RecordsReport

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.records.ok


def check(settings: Settings, actor: Actor = OPERATOR) -> Check:
    """`ksgov audit verify` without options, for an actor who may read the audit (an auditor,
    the secretariat): the chain and the record rows. It reads every entry: seconds on a
    large store."""
    authorize(actor, "audit.read")
    url = settings.resolved_database_url
    return Check(verify(url, public_key=verifying_key(settings, None)), verify_records(url))


def verifying_key(settings: Settings, public_key_file: Path | None) -> PublicKey | None:
    """The public key to check signatures with: the file given, else the record key's public
    half when the record key is on this machine, else None (signatures not checked)."""
    if public_key_file is not None:
        return PublicKey.from_text(read_text(public_key_file, 10_000), str(public_key_file))
    if not settings.record_key_path.exists():
        return None
    try:
        return read_record_key(settings.record_key_path, create=False).public
    except RecordKeyError as exc:
        raise UserError(str(exc)) from None


def load_checkpoint(path: Path) -> Checkpoint:
    try:
        return read_checkpoint(read_text(path, MAX_CHECKPOINT_BYTES), str(path))
    except CheckpointError as exc:
        raise UserError(str(exc)) from None


def anchor(settings: Settings, out: Path | None) -> tuple[ChainReport, Path | None]:
    """Verify the log with the record key's public half and, if it holds, write a checkpoint
    signed with the key (to `out`, else checkpoints/audit-<entries>.json in the data directory).
    Nothing is written for a broken log."""
    try:
        key = read_record_key(settings.record_key_path, create=False)
    except RecordKeyError as exc:
        raise UserError(f"{exc}: the checkpoint is signed with the record key") from None
    with record_store(settings.resolved_database_url) as engine:
        report = verify_chain(engine, public_key=key.public)
        if not report.ok:
            return report, None
        checkpoint = make_checkpoint(engine, key)
    path = out or settings.data_dir / "checkpoints" / f"audit-{checkpoint.seq}.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(checkpoint.to_json(), encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: {exc.strerror}") from None
    return report, path


def query(
    database_url: str, ask: Callable[[Engine], T], actor: Actor = OPERATOR,
    engine: Engine | None = None,
) -> T:  # fmt: skip
    """Run one record-store query (service.audit.queries and friends) on the configured store,
    for an actor whose role may read the audit (the secretariat, an auditor). A long-running
    caller (the console) passes its own engine on the migrated store, instead of one opened
    and checked for each question."""
    authorize(actor, "audit.read")
    if engine is not None:
        return ask(engine)
    with record_store(database_url) as engine:
        return ask(engine)


def seats(
    database_url: str, organ: str, term: str | None, at: date | None, actor: Actor = OPERATOR,
    engine: Engine | None = None,
) -> Answer:  # fmt: skip
    return query(database_url, lambda e: audit_queries.seats(e, organ, term, at), actor, engine)


def person(
    database_url: str, who: str, actor: Actor = OPERATOR, engine: Engine | None = None,
    most: int | None = None,
) -> Answer:  # fmt: skip
    return query(database_url, lambda e: audit_person.person_record(e, who, most), actor, engine)


def notifications(
    database_url: str, meeting: str | None, person: str | None, term: str | None,
    actor: Actor = OPERATOR, engine: Engine | None = None,
    window: tuple[int, int] | None = None,
) -> Answer:  # fmt: skip
    return query(
        database_url,
        lambda e: audit_queries.notifications(
            e, meeting=meeting, person=person, term=term, window=window
        ),
        actor,
        engine,
    )


def timeline(
    database_url: str, term: str, actor: Actor = OPERATOR, engine: Engine | None = None
) -> Answer:
    return query(database_url, lambda e: audit_timeline.timeline(e, term), actor, engine)


async def _client(settings: Settings, client: Client | None) -> tuple[Client | None, str]:
    """A Temporal client, or None and why: the audit answers from the record store then."""
    if client is not None:
        return client, ""
    try:
        return await connect(settings), ""
    except NotReachableError as exc:
        return None, f"Temporal not reachable ({exc}); answer from the record store only"


async def history(
    settings: Settings, workflow_id: str, raw: Path | None = None, client: Client | None = None,
    actor: Actor = OPERATOR,
) -> Answer:  # fmt: skip
    """One workflow's history in domain words, or the audit log's account when it is gone."""
    authorize(actor, "audit.read")
    if not WORKFLOW_ID.fullmatch(workflow_id):
        raise UserError(
            f"{ascii(workflow_id)[:60]} is not a workflow id such as term-2027 or "
            "county-meeting-2027-46"
        )
    with record_store(settings.resolved_database_url) as engine:
        found, why = await _client(settings, client)
        if found is None:
            answer = audit_history.from_record_store(engine, workflow_id)
            return Answer(answer.rows, (why,), answer.header)
        return await audit_history.history(found, engine, workflow_id, raw)


async def cross_check(
    settings: Settings, term: str | None = None, client: Client | None = None
) -> CrossCheck:
    """Compare the record store with the histories Temporal keeps for `term` (or every term)."""
    with record_store(settings.resolved_database_url) as engine:
        terms = audit_crosscheck.all_terms(engine)
        if term is not None:
            terms = [t for t in terms if t == term or t.startswith(f"{term}-")]
            if not terms:
                raise UserError(f"no term {term!r} in the record store (give e.g. 2027)")
        found, why = await _client(settings, client)
        if found is None:
            return CrossCheck(True, 0, (), (why, RETENTION_NOTE))
        return await audit_crosscheck.cross_check(found, engine, terms)
