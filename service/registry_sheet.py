"""The registry sheet the secretariat keeps: members, populations and addresses, as CSV or XLSX.

One row per member: `nummer` (a kommunenummer, 4 digits, or a county's fylkesnummer, 2 digits),
`navn`, `innbyggere`, `e-post` (the council's post address; empty: no notice can go to it) and,
on county rows only, `sekretær-e-post` (the KS county secretary's). A number a spreadsheet read
as a number comes back padded (301 is 0301, 3 is 03). Every municipality's county has a row of
its own, except Oslo, municipality and county in one (0301 and 03, domain/registry.py), which
may be its municipality row alone. Every problem of the sheet is reported at once, each with its
row, column and number, and nothing is imported while one remains.

Rows (store.registry.Row) are also what the record store keeps: `registry_of` and `contacts_of`
turn them into the domain's `Registry` and the addresses a term's letters go to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from client.errors import UserError
from domain.registry import OSLO_COUNTY, County, Municipality, Registry, build_registry
from models.payloads import NOT_IN_A_LINE
from service.governance import domain_call
from service.tables import Columns, read_table
from store.registry import Row

COLUMNS = Columns(
    fields={
        "nummer": "number",
        "navn": "name",
        "innbyggere": "population",
        "e-post": "email",
        "sekretær-e-post": "secretary_email",
    },
    optional=frozenset({"sekretær-e-post"}),
)
SHOWN_PROBLEMS = 20
# As a person's address is checked (models.payloads.PersonIn).
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_EMAIL = 254
MAX_NAME = 200
# Far above any member's population (Oslo has 717,710), far below what the store's column holds.
MAX_POPULATION = 100_000_000
# Thousands separators a Norwegian spreadsheet writes into a number saved as text.
_SPACES = str.maketrans("", "", " \u00a0\u202f")


@dataclass(frozen=True)
class _Parsed:
    """One row as read, before the checks across rows."""

    line: int
    number: str
    name: str
    population: int | None
    email: str
    secretary_email: str

    @property
    def county(self) -> str:
        return self.number[:2]

    @property
    def is_county(self) -> bool:
        return len(self.number) == 2


def read_registry_sheet(file: Path) -> list[Row]:
    """The members of a registry sheet as rows (counties first, each in number order), or one
    `UserError` line naming every problem (at most SHOWN_PROBLEMS of them, then a count)."""
    problems: list[str] = []
    parsed = [_parse(line, record, problems) for line, record in read_table(file, COLUMNS)]
    rows = _checked(parsed, problems)
    if problems:
        shown = problems[:SHOWN_PROBLEMS]
        more = f"; and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        raise UserError(
            f"{file}: {len(problems)} problem(s), nothing imported: {'; '.join(shown)}{more}"
        )
    return rows


def _parse(line: int, record: dict[str, str], problems: list[str]) -> _Parsed:
    given = record["number"]
    number = _number(given)
    where = f"row {line} ({number or given or 'no number'})"
    if not number:
        problems.append(
            f"{where}, nummer: write a kommunenummer (4 digits) or a fylkesnummer (2 digits)"
        )
    name = record["name"]
    if not name or len(name) > MAX_NAME or NOT_IN_A_LINE.search(name):
        problems.append(f"{where}, navn: one line of at most {MAX_NAME} characters")
    population = _population(record["population"])
    if population is None and (record["population"] or len(number) != 2):
        problems.append(f"{where}, innbyggere: a whole number from 0 to {MAX_POPULATION:,}")
    email = _email(record["email"], f"{where}, e-post", problems)
    secretary = _email(record.get("secretary_email", ""), f"{where}, sekretær-e-post", problems)
    return _Parsed(line, number, name, population, email, secretary)


def _number(text: str) -> str:
    """The member number with the leading zero a spreadsheet dropped, or "" if it is none."""
    if not text.isascii() or not text.isdigit() or len(text) not in (1, 2, 3, 4):
        return ""
    return text.zfill(2 if len(text) <= 2 else 4)


def _population(text: str) -> int | None:
    bare = text.translate(_SPACES)
    if not bare.isascii() or not bare.isdigit() or len(bare) > 9 or int(bare) > MAX_POPULATION:
        return None
    return int(bare)


def _email(text: str, where: str, problems: list[str]) -> str:
    if text and (len(text) > MAX_EMAIL or not EMAIL.fullmatch(text) or NOT_IN_A_LINE.search(text)):
        problems.append(f"{where}: not an e-mail address (like postmottak@kommune.no)")
    return text


def _checked(parsed: Sequence[_Parsed], problems: list[str]) -> list[Row]:
    """The checks across rows: every number once, every municipality in a county of the sheet,
    every county with municipalities, a county's population theirs; then the rows."""
    seen: dict[str, int] = {}
    for p in parsed:
        if p.number in seen:
            problems.append(f"row {p.line} ({p.number}), nummer: also in row {seen[p.number]}")
        seen.setdefault(p.number, p.line)
    counties = {p.number: p for p in parsed if p.is_county and seen[p.number] == p.line}
    towns = [p for p in parsed if p.number and not p.is_county and seen[p.number] == p.line]
    for p in towns:
        alone = p.county == OSLO_COUNTY and p.county not in counties  # Oslo: 0301 is 03 too
        if p.county not in counties and not alone:
            problems.append(
                f"row {p.line} ({p.number}), nummer: its county {p.county} has no row of its own"
            )
        if p.secretary_email and not alone:
            problems.append(
                f"row {p.line} ({p.number}), sekretær-e-post: only on its county's row ({p.county})"
            )
    rows = [_county_row(c, [t for t in towns if t.county == c.number], problems)
            for c in sorted(counties.values(), key=lambda c: c.number)]  # fmt: skip
    if OSLO_COUNTY not in counties and (oslo := [t for t in towns if t.county == OSLO_COUNTY]):
        first = oslo[0]
        rows.append(
            Row(OSLO_COUNTY, "county", first.name, OSLO_COUNTY,
                sum(t.population or 0 for t in oslo), "", first.secretary_email)
        )  # fmt: skip
    rows.sort(key=lambda r: r.number)
    rows += [
        Row(t.number, "municipality", t.name, t.county, t.population or 0, t.email)
        for t in sorted(towns, key=lambda t: t.number)
    ]
    return rows


def _county_row(county: _Parsed, towns: list[_Parsed], problems: list[str]) -> Row:
    where = f"row {county.line} ({county.number})"
    if not towns:
        problems.append(f"{where}, nummer: no municipality of county {county.number} in the sheet")
    total = sum(t.population or 0 for t in towns)
    if county.population is not None and towns and county.population != total:
        problems.append(
            f"{where}, innbyggere: {county.population} is not the sum of its municipalities, "
            f"{total} (or leave it empty)"
        )
    return Row(county.number, "county", county.name, county.number, total, county.email,
               county.secretary_email)  # fmt: skip


def registry_of(rows: Sequence[Row], label: str) -> Registry:
    """The domain's registry of `rows` (counties and municipalities in number order)."""
    ordered = sorted(rows, key=lambda r: r.number)
    counties = [County(r.number, r.name) for r in ordered if r.kind == "county"]
    towns = [
        Municipality(r.number, r.name, r.population) for r in ordered if r.kind == "municipality"
    ]
    return domain_call(lambda: build_registry(counties, towns, label))


def contacts_of(rows: Sequence[Row]) -> dict[str, str]:
    """The addresses a term's letters go to: each member's council by its number, each county's
    secretary as `secretary-NN`; an empty address means none (nothing is sent to it)."""
    contacts = {r.number: r.email for r in rows}
    counties = (r for r in rows if r.kind == "county")
    contacts.update((f"secretary-{r.number}", r.secretary_email) for r in counties)
    return contacts


def rows_of(registry: Registry) -> list[Row]:
    """The rows of a registry without addresses (the shipped one): to compare an import with."""
    counties = [
        Row(c.number, "county", c.name, c.number, registry.population_of(c.number))
        for c in registry.counties
    ]
    towns = [
        Row(m.number, "municipality", m.name, m.county, m.population)
        for m in registry.municipalities
    ]
    return counties + towns
