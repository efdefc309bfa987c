"""Writes for the member registry: one row per municipality, county or company."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from models.payloads import RecordMembersRequest
from models.records import Member
from store.changes import Change


def write_members(session: Session, request: RecordMembersRequest) -> Change:
    """Insert or update the members of a registry snapshot; the entry counts what changed."""
    counts = upsert_members(session, [member.model_dump() for member in request.members])
    return Change(
        changed=counts["inserted"] + counts["updated"],
        action="members_recorded",
        subject=f"registry:{request.source}",
        content=counts,
    )


def upsert_members(session: Session, members: Iterable[dict[str, object]]) -> dict[str, int]:
    """Insert or update members (number, kind, name, county, population); counted by outcome."""
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    for values in members:
        counts[_upsert_member(session, values)] += 1
    return counts


def _upsert_member(session: Session, values: dict[str, object]) -> str:
    row = session.get(Member, values["number"])
    if row is None:
        session.add(Member.model_validate(values))
        return "inserted"
    if row.model_dump() == values:
        return "unchanged"
    for key, value in values.items():
        setattr(row, key, value)
    session.add(row)
    return "updated"
