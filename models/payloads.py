"""Frozen pydantic payloads that cross the workflow/activity/client boundary.

Workflows import this module (passed through the sandbox), so it must import only pydantic and
the standard library. Fields may be added with defaults later without breaking saved histories.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Payload(BaseModel):
    """Base of every payload: immutable, and unknown fields are an error rather than ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


MemberKind = Literal["municipality", "county", "company"]


class MemberIn(Payload):
    """A member as the registry lists it."""

    number: str = Field(pattern=r"^[0-9]{2,4}$|^SB-[0-9]+$")
    kind: MemberKind
    name: str = Field(min_length=1, max_length=200)
    county: str = Field(pattern=r"^[0-9]{2}$")
    population: int = Field(ge=0)


class RegistryImportInput(Payload):
    """Input of RegistryImportWorkflow: one registry snapshot and where it came from."""

    source: str = Field(min_length=1, max_length=200, description="file name or SSB table")
    digest: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the snapshot")
    members: tuple[MemberIn, ...] = Field(min_length=1)


class RecordMembersRequest(Payload):
    """Activity input: the members, keyed by a business key so a retry writes nothing twice."""

    idempotency_key: str
    source: str
    members: tuple[MemberIn, ...]


class RecordMembersResult(Payload):
    """What the record store changed, and the audit entry that says so."""

    inserted: int
    updated: int
    unchanged: int
    audit_seq: int


class RegistryImportResult(Payload):
    """Result of RegistryImportWorkflow."""

    source: str
    members: int
    inserted: int
    updated: int
    unchanged: int
    audit_seq: int
