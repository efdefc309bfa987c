"""What one record write did, for its audit entry: the shared shape of people.py and seats.py.

Write functions return a `Change` instead of appending to the audit log themselves, so that the
activity can run them, append the one entry and commit in a single transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from sqlmodel import Session, SQLModel
from temporalio.exceptions import ApplicationError

from models.records import Organ, Term

_Row = TypeVar("_Row", bound=SQLModel)
Upsert = Literal["inserted", "unchanged", "updated"]


@dataclass(frozen=True)
class Change:
    """Rows changed, and the audit entry describing it (ids only, no names or addresses)."""

    changed: int
    action: str
    subject: str
    content: dict[str, Any] = field(default_factory=dict)


def refuse(message: str) -> ApplicationError:
    """A business refusal: not retried, and the message is shown to the secretariat."""
    return ApplicationError(message, type="BadInput", non_retryable=True)


def ensure_organ_and_term(session: Session, organ: str, term: str) -> None:
    """Create the organ and term rows on first use, so callers need not register them first."""
    if session.get(Organ, organ) is None:
        session.add(Organ(organ=organ, title=organ))
    if session.get(Term, term) is None:
        first, last = (int(year) for year in term.split("-"))
        if last <= first:
            raise refuse(f"the term {term} must end after it starts, e.g. 2027-2031")
        session.add(Term(term=term, first_year=first, last_year=last))
    session.flush()


def upsert(session: Session, model: type[_Row], row: _Row | None, values: dict[str, Any]) -> Upsert:
    """Insert `values` as a new `model` row when `row` is None, else update `row` to them; a
    row that already holds them is left alone (a retried write changes nothing)."""
    if row is None:
        session.add(model.model_validate(values))
        session.flush()
        return "inserted"
    if all(getattr(row, key) == value for key, value in values.items()):
        return "unchanged"
    for key, value in values.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return "updated"
