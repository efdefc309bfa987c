"""Versions of the member registry: written once with their audit entry, read by date.

A version is appended, never changed (the tables' triggers refuse it): the registry a term
started on stays readable as it was. Its audit entry (`registry_imported`, subject
`registry:v<N>`) holds the effective date, the source, the counts and the digest of the entries,
never an address or a name: the entries hold those, and `digest` lets anyone check that they are
still what was imported (`store.coverage.verify_records`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, col, func, select

from models.records import RegistryEntry, RegistryVersion
from store.audit import canonical_json
from store.changes import Change, refuse

IMPORTED = "registry_imported"


@dataclass(frozen=True)
class Row:
    """One member of a registry version, as written and read."""

    number: str
    kind: str  # municipality or county
    name: str
    county: str
    population: int
    email: str = ""
    secretary_email: str = ""


def content_digest(rows: Sequence[Row]) -> str:
    """The SHA-256 of the rows' canonical JSON, in number order: equal registries, equal digest."""
    body = canonical_json([asdict(r) for r in sorted(rows, key=lambda r: r.number)])
    return hashlib.sha256(body.encode()).hexdigest()


def counts(rows: Sequence[Row]) -> dict[str, int]:
    """What a version holds, counted: members by kind, people, and addresses."""
    municipalities = [r for r in rows if r.kind == "municipality"]
    return {
        "counties": sum(r.kind == "county" for r in rows),
        "municipalities": len(municipalities),
        "population": sum(r.population for r in municipalities),
        "addresses": sum(bool(r.email) for r in rows),
        "secretaries": sum(bool(r.secretary_email) for r in rows),
    }


def subject(version: int) -> str:
    """The audit subject of a version: `registry:v3`."""
    return f"registry:v{version}"


def next_version(session: Session) -> int:
    """The number the next version gets."""
    return int(session.exec(select(func.coalesce(func.max(RegistryVersion.id), 0))).one()) + 1


def write_version(
    session: Session, version: int, effective_from: date, source: str, rows: Sequence[Row]
) -> Change:
    """Append version `version` with its rows; refused when another import took the number."""
    if next_version(session) != version:
        raise refuse(
            f"registry v{version} was written by another import meanwhile: look at "
            "`ksgov registry versions` and import again"
        )
    digest = content_digest(rows)
    counted = counts(rows)
    session.add(
        RegistryVersion(
            id=version,
            effective_from=effective_from,
            source=source,
            imported_at=datetime.now(UTC),
            digest=digest,
            **counted,
        )
    )
    session.flush()  # the version before its entries (their foreign key)
    session.add_all(RegistryEntry(version=version, **asdict(r)) for r in rows)
    content = {
        "version": version,
        "effective_from": effective_from.isoformat(),
        "source": source,
        "digest": digest,
        **counted,
    }
    return Change(len(rows) + 1, IMPORTED, subject(version), content)


def versions(session: Session) -> list[RegistryVersion]:
    """Every version, oldest first."""
    return list(session.exec(select(RegistryVersion).order_by(col(RegistryVersion.id))))


def in_force(session: Session, on: date) -> RegistryVersion | None:
    """The version in force on `on`: the latest effective on or before it (of two with the same
    date, the later import)."""
    query = (
        select(RegistryVersion)
        .where(col(RegistryVersion.effective_from) <= on)
        .order_by(col(RegistryVersion.effective_from).desc(), col(RegistryVersion.id).desc())
    )
    return session.exec(query).first()


def rows_of(session: Session, version: int) -> list[Row]:
    """The rows of `version`, in number order."""
    query = (
        select(RegistryEntry)
        .where(col(RegistryEntry.version) == version)
        .order_by(col(RegistryEntry.number))
    )
    return [
        Row(e.number, e.kind, e.name, e.county, e.population, e.email, e.secretary_email)
        for e in session.exec(query)
    ]


def altered_versions(session: Session) -> list[int]:
    """The versions whose entries no longer have the digest they were written with."""
    return [v.id for v in versions(session) if content_digest(rows_of(session, v.id)) != v.digest]
