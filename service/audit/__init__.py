"""Audit operations for the CLI (and later an HTTP API): the hash chain and the audit queries.

Thin on purpose: the chain rules live in store.audit and the queries in the modules beside this
one (queries, people, events, histories, crosscheck); this opens the configured database, turns
database failures into one-line `UserError`s, connects to Temporal when a question needs its
histories (and answers from the record store alone, saying so, when Temporal does not answer)
and closes the engine again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
from service.audit import crosscheck as audit_crosscheck
from service.audit import events as audit_timeline
from service.audit import histories as audit_history
from service.audit import people as audit_person
from service.audit import queries as audit_queries
from service.audit.crosscheck import CrossCheck
from service.audit.sources import RETENTION_NOTE, Answer
from store.audit import ChainReport, verify_chain
from store.db import display_url, make_engine

T = TypeVar("T")


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


def verify(database_url: str, expected_head: str | None = None) -> ChainReport:
    """Walk the audit log of the database at `database_url` and report the first broken link."""
    with record_store(database_url) as engine:
        return verify_chain(engine, expected_head)


def query(database_url: str, ask: Callable[[Engine], T]) -> T:
    """Run one record-store query (service.audit.queries and friends) on the configured store."""
    with record_store(database_url) as engine:
        return ask(engine)


def seats(database_url: str, organ: str, term: str | None, at: date | None) -> Answer:
    return query(database_url, lambda e: audit_queries.seats(e, organ, term, at))


def person(database_url: str, who: str) -> Answer:
    return query(database_url, lambda e: audit_person.person_record(e, who))


def notifications(
    database_url: str, meeting: str | None, person: str | None, term: str | None
) -> Answer:
    return query(
        database_url,
        lambda e: audit_queries.notifications(e, meeting=meeting, person=person, term=term),
    )


def timeline(database_url: str, term: str) -> Answer:
    return query(database_url, lambda e: audit_timeline.timeline(e, term))


async def _client(settings: Settings, client: Client | None) -> tuple[Client | None, str]:
    """A Temporal client, or None and why: the audit answers from the record store then."""
    if client is not None:
        return client, ""
    try:
        return await connect(settings), ""
    except NotReachableError as exc:
        return None, f"Temporal not reachable ({exc}); answer from the record store only"


async def history(
    settings: Settings, workflow_id: str, raw: Path | None = None, client: Client | None = None
) -> Answer:
    """One workflow's history in domain words, or the audit log's account when it is gone."""
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
