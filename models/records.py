"""SQLModel tables of the record store. Only activities/ and service/ import this module.

The audit log is append-only: `AuditEntry` rows form a hash chain (each row's hash covers the
previous row's hash and its own canonical content) and `AuditHead` holds the chain's last position,
so that deleting the newest rows is detected too. Triggers refuse UPDATE and DELETE on audit_log.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class AuditEntry(SQLModel, table=True):
    """One audit-log entry: who did what to which subject, when, with its content and hash."""

    __tablename__ = "audit_log"

    seq: int = Field(primary_key=True, description="position in the chain, from 1, no gaps")
    at: datetime = Field(description="UTC time the entry was written")
    actor: str = Field(max_length=300, description="workflow id + run id, or cli:<user>")
    action: str = Field(
        max_length=100, index=True, description="snake_case verb, e.g. seat_recorded"
    )
    subject: str = Field(max_length=300, index=True, description="business key of what changed")
    content: str = Field(
        description="canonical JSON of the change (ids, no free text about people)"
    )
    idempotency_key: str = Field(
        max_length=300, unique=True, description="business key of the step"
    )
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The single row holding the chain's newest position: the anchor that reveals truncation."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default="0" * 64, max_length=64)


class Member(SQLModel, table=True):
    """A member of the federation: a municipality, a county authority or a company."""

    __tablename__ = "member"

    number: str = Field(
        primary_key=True, max_length=20, description="kommunenummer or fylkesnummer"
    )
    kind: str = Field(max_length=20, description="municipality, county or company")
    name: str = Field(max_length=200)
    county: str = Field(max_length=2, index=True, description="fylkesnummer of the county")
    population: int = Field(ge=0)
