"""The member registry as data the secretariat keeps: versions in the record store, by date.

`ksgov registry import` reads a registry sheet (service/registry_sheet.py), compares it with the
version in force on its effective date and, once confirmed, appends it as a new version with its
audit entry, in one transaction (store/registry.py). A term starts on `registry_in_force` on its
day: the newest version effective by then, with its addresses, else the shipped registry, whose
councils have made-up addresses that are never sent to (service/term_inputs.member_email).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from client.errors import NotReachableError, UserError
from config import Settings
from domain.registry import Registry
from models.payloads import NOT_IN_A_LINE
from service import registry_sheet
from service.accounts import OPERATOR, Actor, authorize
from service.governance import load_registry, read_text
from service.tables import is_table
from service.term_inputs import OSLO
from store import registry as versions_store
from store.changes import Change, RefusedError, refuse, write_once
from store.db import display_url, make_engine
from store.members import upsert_members
from store.registry import Row
from store.signing import RecordKeyError, read_record_key, sign_with

SHIPPED = "shipped registry (SSB 2024)"
ACTOR = "cli"  # no login name: the audit log holds no names of people
MAX_SOURCE = 300


def today() -> dt.date:
    """Today in Norway: the day a registry version or a term starts on."""
    return dt.datetime.now(OSLO).date()


@dataclass(frozen=True)
class InForce:
    """A registry and its addresses, with what it is: a version of the record store, or not."""

    registry: Registry
    contacts: dict[str, str]
    label: str
    rows: tuple[Row, ...]
    version: int | None = None

    @property
    def key(self) -> str:
        """What a term's start records: the version's audit subject, or `shipped`."""
        return "shipped" if self.version is None else versions_store.subject(self.version)


def shipped() -> InForce:
    """The shipped registry, without addresses (every council gets a made-up one)."""
    registry = load_registry()
    return InForce(registry, {}, SHIPPED, tuple(registry_sheet.rows_of(registry)))


def registry_in_force(settings: Settings, on: dt.date) -> InForce:
    """The version of the record store in force on `on`, else the shipped registry."""
    with _store(settings.resolved_database_url, writing=False) as engine:
        if engine is None:
            return shipped()
        with Session(engine) as session:
            version = versions_store.in_force(session, on)
            if version is None:
                return shipped()
            rows = versions_store.rows_of(session, version.id)
    return _in_force(version.id, version.effective_from, version.source, rows)


def _in_force(version: int, effective_from: dt.date, source: str, rows: Sequence[Row]) -> InForce:
    label = f"registry v{version} of {effective_from.isoformat()} from {source}"
    registry = registry_sheet.registry_of(rows, label)
    return InForce(registry, registry_sheet.contacts_of(rows), label, tuple(rows), version)


def registry_from_file(file: Path) -> InForce:
    """A registry file shown as it is (nothing is imported): a registry sheet (.xlsx, or .csv
    whose first row names `nummer`), else the municipalities of a .csv or .json file."""
    if file.suffix.lower() == ".xlsx" or (is_table(file) and _names_nummer(file)):
        rows = registry_sheet.read_registry_sheet(file)
        label = f"file {file.name}"
        return InForce(
            registry_sheet.registry_of(rows, label), registry_sheet.contacts_of(rows), label,
            tuple(rows),
        )  # fmt: skip
    registry = load_registry(file)
    return InForce(registry, {}, f"file {file.name}", tuple(registry_sheet.rows_of(registry)))


def _names_nummer(file: Path) -> bool:
    first = read_text(file).partition("\n")[0].replace(";", ",").lower()
    return "nummer" in [cell.strip() for cell in first.split(",")]


# ----------------------------------------------------------------------------- the diff


@dataclass(frozen=True)
class Diff:
    """What an import changes, member by member ("4601 Bergen"); addresses only as changed,
    never as text, so that the diff may go into a log."""

    changes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.changes.values())

    def as_dict(self) -> dict[str, Any]:
        return {kind: list(members) for kind, members in self.changes.items()}


DIFF_KINDS = ("added", "removed", "renamed", "population changed", "address added",
              "address changed", "address removed", "secretary address added",
              "secretary address changed", "secretary address removed")  # fmt: skip


def compare(old: Sequence[Row], new: Sequence[Row]) -> Diff:
    """The members added, removed, renamed, with another population, and whose council's or
    county secretary's address was added, changed or removed, from `old` to `new`."""
    before = {r.number: r for r in old}
    after = {r.number: r for r in new}
    found: dict[str, list[str]] = {kind: [] for kind in DIFF_KINDS}
    found["added"] = [_label(r) for n, r in after.items() if n not in before]
    found["removed"] = [_label(r) for n, r in before.items() if n not in after]
    for number, row in after.items():
        was = before.get(number)
        if was is None:
            continue
        if was.name != row.name:
            found["renamed"].append(f"{number} {was.name} -> {row.name}")
        if row.kind == "municipality" and was.population != row.population:
            found["population changed"].append(
                f"{_label(row)}: {was.population:,} -> {row.population:,}"
            )
        for kind, old_address, new_address in (
            ("address", was.email, row.email),
            ("secretary address", was.secretary_email, row.secretary_email),
        ):
            if old_address != new_address:
                found[f"{kind} {_how(old_address, new_address)}"].append(_label(row))
    return Diff({kind: tuple(found[kind]) for kind in DIFF_KINDS})


def _label(row: Row) -> str:
    return f"{row.number} {row.name}"


def _how(old: str, new: str) -> str:
    """How an address that differs changed: added, removed or changed."""
    return "added" if not old else "removed" if not new else "changed"


# ----------------------------------------------------------------------------- importing


@dataclass(frozen=True)
class ImportPlan:
    """A checked registry sheet, and what importing it would change."""

    file: Path
    rows: tuple[Row, ...]
    effective_from: dt.date
    source: str
    base: InForce
    diff: Diff

    @property
    def counts(self) -> dict[str, int]:
        return versions_store.counts(self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "effective_from": self.effective_from.isoformat(),
            "source": self.source,
            "compared_with": self.base.label,
            "counts": self.counts,
            "diff": self.diff.as_dict(),
        }


def plan_import(
    settings: Settings, file: Path, effective_from: dt.date, source: str | None
) -> ImportPlan:
    """Read and check `file` and compare it with the registry in force on `effective_from`;
    nothing is written. An import that changes nothing is refused."""
    text = file.name if source is None else source.strip()
    if not text or len(text) > MAX_SOURCE or NOT_IN_A_LINE.search(text):
        raise UserError(f"--source: one line of 1 to {MAX_SOURCE} characters")
    if not is_table(file):
        raise UserError(f"{file}: a registry sheet is a .csv or .xlsx file")
    rows = registry_sheet.read_registry_sheet(file)
    registry_sheet.registry_of(rows, file.name)  # the domain's checks too
    base = registry_in_force(settings, effective_from)
    plan = ImportPlan(file, tuple(rows), effective_from, text, base, compare(base.rows, rows))
    if plan.diff.empty:
        raise UserError(
            f"nothing changed: {file} is the {base.label} in force on "
            f"{effective_from.isoformat()}; nothing imported"
        )
    return plan


@dataclass(frozen=True)
class Imported:
    """The version an import wrote, and its audit entry."""

    version: int
    label: str
    audit_seq: int


def apply_import(settings: Settings, plan: ImportPlan, actor: Actor = OPERATOR) -> Imported:
    """Append `plan` as the next version with its audit entry, signed with the record key, in
    one transaction; refused if the registry in force on its date changed since the plan."""
    authorize(actor, "registry.manage")
    try:
        key = read_record_key(settings.record_key_path, create=True)
    except RecordKeyError as exc:
        raise UserError(str(exc)) from None
    with _store(settings.resolved_database_url, writing=True) as engine:
        assert engine is not None  # writing: a missing store is refused
        sign_with(engine, key)
        with Session(engine) as session:
            version = versions_store.next_version(session)

        def write(session: Session) -> Change:
            now = versions_store.in_force(session, plan.effective_from)
            if (None if now is None else now.id) != plan.base.version:
                raise refuse(
                    f"the registry in force on {plan.effective_from.isoformat()} changed since "
                    "the comparison (another import): run the import again"
                )
            change = versions_store.write_version(
                session, version, plan.effective_from, plan.source, plan.rows
            )
            if plan.effective_from <= today():  # the members' current names and populations
                upsert_members(session, [_member(r) for r in plan.rows])
            return change

        try:
            written = write_once(engine, f"registry/v{version}", ACTOR, write)
        except RefusedError as exc:
            raise UserError(str(exc)) from None
    if written.already:
        raise UserError(
            f"registry v{version} was written by another import meanwhile: look at "
            "`ksgov registry versions` and import again"
        )
    label = f"registry v{version} of {plan.effective_from.isoformat()} from {plan.source}"
    return Imported(version, label, written.seq)


def _member(row: Row) -> dict[str, object]:
    return {"number": row.number, "kind": row.kind, "name": row.name, "county": row.county,
            "population": row.population}  # fmt: skip


@dataclass(frozen=True)
class Version:
    """One version as `ksgov registry versions` lists it."""

    version: int
    effective_from: str
    source: str
    imported_at: str
    counts: dict[str, int]
    in_force: bool


def list_versions(settings: Settings) -> list[Version]:
    """Every version of the record store, oldest first, marking the one in force today."""
    with _store(settings.resolved_database_url, writing=False) as engine:
        if engine is None:
            return []
        with Session(engine) as session:
            found = versions_store.versions(session)
            current = versions_store.in_force(session, today())
    return [
        Version(
            v.id, v.effective_from.isoformat(), v.source,
            v.imported_at.isoformat(timespec="seconds"),
            {k: getattr(v, k) for k in ("counties", "municipalities", "population", "addresses",
                                        "secretaries")},
            current is not None and v.id == current.id,
        )
        for v in found
    ]  # fmt: skip


@contextmanager
def _store(database_url: str, *, writing: bool) -> Iterator[Engine | None]:
    """An engine on the record store (None when there is none, or it predates registry
    versions, and only reading: nothing was imported then); database errors in one line."""
    upgrade = f"the record store {display_url(database_url)} has no registry versions: run "
    upgrade += "`ksgov db upgrade` first"
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        if not path.exists():
            if writing:
                raise UserError(upgrade)
            yield None
            return
    engine = make_engine(database_url)
    try:
        if not inspect(engine).has_table("registry_version"):
            if writing:
                raise UserError(upgrade)
            yield None
            return
        yield engine
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise NotReachableError(
            f"the record store {display_url(database_url)} cannot be read: {reason}"
        ) from None
    finally:
        engine.dispose()
