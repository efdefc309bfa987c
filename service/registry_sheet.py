"""The registry sheet the secretariat keeps: members, populations and addresses, as CSV or XLSX.

One row per member: `nummer` (a kommunenummer, 4 digits, or a county's fylkesnummer, 2 digits),
`navn`, `innbyggere`, `e-post` (the council's post address; empty: no notice can go to it) and,
on county rows only, `sekretær-e-post` (the KS county secretary's). A number a spreadsheet read
as a number comes back padded (301 is 0301, 3 is 03). Every municipality's county has a row of
its own, except Oslo, municipality and county in one (0301 and 03, domain/registry.py), which
may be its municipality row alone. Every problem of the sheet is reported at once, in bokmål, each
with its row, its member's number and its column (`rad 3 (medlem 4601), kolonne «innbyggere»: ...`),
and nothing is imported while one remains.

Rows (store.registry.Row) are also what the record store keeps: `registry_of` and `contacts_of`
turn them into the domain's `Registry` and the addresses a term's letters go to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from domain.registry import OSLO_COUNTY, County, Municipality, Registry, build_registry
from models.payloads import NOT_IN_A_LINE
from service.governance import domain_call
from service.tables import Columns, member_about, problem, read_table, refusal
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
# As a person's address is checked (models.payloads.PersonIn).
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_EMAIL = 254
MAX_NAME = 200
# Far above any member's population (Oslo has 717,710), far below what the store's column holds.
MAX_POPULATION = 100_000_000
WRITE_A_NUMBER = "skriv et kommunenummer (4 sifre) eller et fylkesnummer (2 sifre)"
NOT_AN_EMAIL = "ikke en e-postadresse (som postmottak@kommune.no)"
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

    def problem(self, column: str, message: str) -> str:
        return problem(self.line, f"medlem {self.number}", column, message)


def read_registry_sheet(file: Path) -> list[Row]:
    """The members of a registry sheet as rows (counties first, each in number order), or one
    `SheetError` line naming every problem (tables.SHOWN_PROBLEMS of them, then a count)."""
    problems: list[str] = []
    parsed = [_parse(line, record, problems) for line, record in read_table(file, COLUMNS)]
    rows = _checked(parsed, problems)
    if problems:
        raise refusal(file, problems, "importert")
    return rows


def _parse(line: int, record: dict[str, str], problems: list[str]) -> _Parsed:
    given = record["number"]
    number = _number(given)
    about = member_about(number or given, "nummer")

    def add(column: str, message: str) -> None:
        problems.append(problem(line, about, column, message))

    if not number:
        add("nummer", WRITE_A_NUMBER)
    name = record["name"]
    if not name or len(name) > MAX_NAME or NOT_IN_A_LINE.search(name):
        add("navn", f"skriv én linje på 1 til {MAX_NAME} tegn")
    population = _population(record["population"])
    if population is None and (record["population"] or len(number) != 2):
        add("innbyggere", f"skriv et helt tall fra 0 til {MAX_POPULATION:,}".replace(",", " "))
    email, secretary = record["email"], record.get("secretary_email", "")
    if not _is_email(email):
        add("e-post", NOT_AN_EMAIL)
    if not _is_email(secretary):
        add("sekretær-e-post", NOT_AN_EMAIL)
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


def _is_email(text: str) -> bool:
    """Whether `text` is empty (no address) or an address."""
    return not text or (
        len(text) <= MAX_EMAIL and bool(EMAIL.fullmatch(text)) and not NOT_IN_A_LINE.search(text)
    )


def _checked(parsed: Sequence[_Parsed], problems: list[str]) -> list[Row]:
    """The checks across rows: every number once, every municipality in a county of the sheet,
    every county with municipalities, a county's population theirs; then the rows."""
    seen: dict[str, int] = {}
    for p in parsed:
        if p.number and p.number in seen:  # a row without a number is named once
            problems.append(p.problem("nummer", f"står også i rad {seen[p.number]}"))
        seen.setdefault(p.number, p.line)
    counties = {p.number: p for p in parsed if p.is_county and seen[p.number] == p.line}
    towns = [p for p in parsed if p.number and not p.is_county and seen[p.number] == p.line]
    for p in towns:
        alone = p.county == OSLO_COUNTY and p.county not in counties  # Oslo: 0301 is 03 too
        if p.county not in counties and not alone:
            problems.append(p.problem("nummer", f"fylke {p.county} har ingen egen rad"))
        if p.secretary_email and not alone:
            problems.append(
                p.problem("sekretær-e-post", f"skrives bare på fylkets egen rad ({p.county})")
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
    if not towns:
        problems.append(
            county.problem("nummer", f"ingen kommune i fylke {county.number} i regnearket")
        )
    total = sum(t.population or 0 for t in towns)
    if county.population is not None and towns and county.population != total:
        problems.append(
            county.problem(
                "innbyggere",
                f"{county.population} er ikke summen for fylkets kommuner, som er {total} "
                "(eller la cellen stå tom)",
            )
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
