"""Evidence for audit answers: where each fact comes from, and the shared query helpers.

Every fact an audit query returns carries a `source` string naming its evidence, in one of three
forms (several are joined with "; "):
- the record store: `record:<table>#<key>` (e.g. `record:seat#12`, `record:election#term-2027/...`)
- the audit log: `audit:seq <n> hash <first 12 hex digits>`
- a Temporal history: `history:<workflow id> run <run id> event <event id> at <UTC time>`
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from client.errors import UserError
from domain.terms import TermError, election_year, parse_term
from models import ids
from models.records import Term

RETENTION_NOTE = "history no longer in Temporal (retention); answer from the record store only"
HASH_PREFIX = 12


@dataclass(frozen=True)
class Answer:
    """The facts answering one audit question, and notes on what could not be consulted."""

    rows: tuple[Any, ...]
    notes: tuple[str, ...] = ()
    header: dict[str, Any] = field(default_factory=dict)
    # Set when `rows` are a window of the answer (a page): how many rows it has in all.
    total: int | None = None


def record(table: str, key: object) -> str:
    return f"record:{table}#{key}"


def audit(seq: int | None, hash_: str | None) -> str:
    """The audit-log evidence, or an empty string when there is no entry."""
    return "" if seq is None or hash_ is None else f"audit:seq {seq} hash {hash_[:HASH_PREFIX]}"


def history(workflow_id: str, run_id: str, event_id: int, at: datetime | None) -> str:
    when = "?" if at is None else iso(at)
    return f"history:{workflow_id} run {run_id} event {event_id} at {when}"


def sources(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def iso(moment: date | datetime | None) -> str:
    """A date as YYYY-MM-DD, a time as UTC ISO (SQLite hands back naive UTC), None as ''."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        return aware.isoformat(timespec="seconds").replace("+00:00", "Z")
    return moment.isoformat()


def starts_with(column: Any, prefix: str, dialect: str) -> ColumnElement[bool]:
    """`column` begins with `prefix`, written so that an index serves it.

    SQLite compares text bytewise, so a range is exact and uses the plain index; PostgreSQL uses
    LIKE with the varchar_pattern_ops indexes of migration 0003.
    """
    if dialect == "sqlite":
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return and_(col(column) >= prefix, col(column) < upper)
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return col(column).like(f"{escaped}%", escape="\\")


def business_prefixes(term: Term) -> tuple[str, ...]:
    """The key prefixes the term's workflows use (election ids, audit subjects, outbox keys)."""
    return (f"{ids.term_id(election_year(term.term))}/",)


def resolve_term(session: Session, text: str) -> Term:
    """The term named `text` (its Landsting period, `2028-2032`, or its election year, `2027`),
    as recorded in the term table."""
    try:
        name = parse_term(text)
    except TermError as exc:
        raise UserError(str(exc)) from None
    found = session.get(Term, name)
    if found is None:
        known = ", ".join(t.term for t in session.exec(select(Term).order_by(col(Term.term))))
        raise UserError(
            f"no term {name} in the record store (the terms recorded: {known or 'none'})"
        )
    return found


def name_matches(column: Any, needle: str) -> ColumnElement[bool]:
    """Case-insensitive substring match (a scan of the person table: names are not indexed)."""
    escaped = needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


@contextmanager
def session_for(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


# A cell a spreadsheet would read as a formula (=HYPERLINK(...), +, -, @, or a tab or carriage
# return before them) is written with a leading apostrophe, which spreadsheets show as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def not_a_formula(text: str) -> str:
    """`text` as a CSV cell that no spreadsheet runs as a formula (the command line's export
    and the console's)."""
    return f"'{text}" if text.startswith(FORMULA_START) else text
