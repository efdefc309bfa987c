"""The member registry: counties and municipalities with their populations.

Parsing takes text that the caller has already read (no file I/O here). Sources: docs/domain.md,
"Members"; data/registry/SOURCES.md (SSB populations on 1 January 2024, 357 municipalities and
15 counties, Oslo being both a municipality and a county).

Names: a member's `name` is the Norwegian form of its official name, the one a Norwegian letter
uses in running text ("Kautokeino", not the Sami form "Guovdageaidnu" alone; SSB, "Flerspråklige
fylkes- og kommunenavn", data/registry/SOURCES.md). `authority_name` and `council_name` give the
forms a letter to the member uses: "Bergen kommune", "kommunestyret i Bergen kommune",
"Vestland fylkeskommune", "fylkestinget i Vestland fylkeskommune", and for Oslo, municipality
and county in one, "Oslo kommune" and "bystyret i Oslo kommune".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any


class RegistryError(ValueError):
    """The registry text is wrong or a county is unknown; the message names source and row."""


# Oslo is a municipality and a county in one (kommunenummer 0301, fylkesnummer 03): it has no
# county authority, its council is the bystyre and its letters go to "Oslo kommune".
OSLO_COUNTY = "03"
OSLO_AUTHORITY = "Oslo kommune"
OSLO_COUNCIL = "bystyret i Oslo kommune"
# Suffixes of a name that already names the authority (a member the bylaws add, such as
# "Longyearbyen lokalstyre", or a name already written as "Bergen kommune").
_MUNICIPAL_SUFFIX = " kommune"
_COUNTY_SUFFIX = " fylkeskommune"
_LOCAL_BOARD_SUFFIX = " lokalstyre"


def _base_number(number: str) -> str:
    """The number without a scaled copy's suffix: "0301-2" gives "0301"."""
    return number.split("-")[0]


@dataclass(frozen=True)
class County:
    """A county authority (fylkeskommune), a member in its own right."""

    number: str
    name: str

    @property
    def authority_name(self) -> str:
        """The county authority as a letter names it: "Vestland fylkeskommune"; "Oslo kommune".

        Rule: the county authority is "<county> fylkeskommune"; Oslo is a municipality and a
        county in one and has no fylkeskommune (docs/domain.md, "Members").
        Example: County("46", "Vestland").authority_name is "Vestland fylkeskommune".
        """
        if _base_number(self.number) == OSLO_COUNTY:
            return OSLO_AUTHORITY
        return f"{self.name}{_COUNTY_SUFFIX}"

    @property
    def council_name(self) -> str:
        """The county authority's council, for "Til ...": "fylkestinget i Vestland fylkeskommune".

        Example: County("03", "Oslo").council_name is "bystyret i Oslo kommune".
        """
        return council_of(self.authority_name)

    @property
    def ks_name(self) -> str:
        """KS in the county, as its county organs are named: "KS Vestland"."""
        return f"KS {self.name}"

    def organ_title(self, title: str) -> str:
        """A county organ's title with its county: "Fylkesstyret i KS Vestland".

        Example: County("46", "Vestland").organ_title("Fylkesmøtet") is "Fylkesmøtet i KS Vestland".
        """
        return f"{title} i {self.ks_name}"


@dataclass(frozen=True)
class Municipality:
    """A municipality (kommune) with its population on the registry's reference date."""

    number: str
    name: str
    population: int

    @property
    def county(self) -> str:
        """The county number: the first two digits of the kommunenummer (plus a copy's suffix).

        Rule: a kommunenummer starts with its fylkesnummer (docs/domain.md, "Members"); in a scaled
        registry (`scaled`) copy k of "0301" is "0301-k", in county "03-k".
        Example: Municipality("0301", "Oslo", 717710).county is "03"; "0301-2" gives "03-2".
        """
        return self.number[:2] + self.number[4:]

    @property
    def authority_name(self) -> str:
        """The municipality as a letter names it: "Bergen kommune", "Kautokeino kommune".

        Example: Municipality("4601", "Bergen", 1).authority_name is "Bergen kommune".
        """
        return authority_of(self.name)

    @property
    def council_name(self) -> str:
        """The municipal council, for "Til ...": "kommunestyret i Bergen kommune".

        Rule: a municipality's highest organ is its kommunestyre (kommuneloven § 5-1); Oslo's is
        named the bystyre.
        Example: Municipality("0301", "Oslo", 1).council_name is "bystyret i Oslo kommune".
        """
        return council_of(self.name)


def authority_of(member: str, county: str = "") -> str:
    """The authority a member's name stands for, as a letter names it.

    `member` is a registry name ("Bergen", "Vestland") or already an authority name ("Bergen
    kommune", "Vestland fylkeskommune", "Longyearbyen lokalstyre", kept as they are). A registry
    name is the county authority when it is the name of the member's `county`, else a
    municipality; Oslo, municipality and county in one, is "Oslo kommune".
    Examples: authority_of("Bergen") is "Bergen kommune"; authority_of("Vestland", "Vestland")
    is "Vestland fylkeskommune"; authority_of("Oslo", "Oslo") is "Oslo kommune".
    """
    name = member.strip()
    if name in ("Oslo", OSLO_AUTHORITY):
        return OSLO_AUTHORITY
    if name.endswith((_MUNICIPAL_SUFFIX, _COUNTY_SUFFIX, _LOCAL_BOARD_SUFFIX)):
        return name
    if county and name == county.strip():
        return f"{name}{_COUNTY_SUFFIX}"
    return f"{name}{_MUNICIPAL_SUFFIX}"


def council_of(member: str, county: str = "") -> str:
    """The council that acts for a member (the addressee of a letter to it), from its name.

    Rule: a municipality acts through its kommunestyre (Oslo's is named the bystyre), a county
    authority through its fylkesting (kommuneloven § 5-1); a member that is neither
    ("Longyearbyen lokalstyre") is addressed by its own name. `member` and `county` as for
    `authority_of`.
    Examples: council_of("Bergen") is "kommunestyret i Bergen kommune";
    council_of("Vestland", "Vestland") and council_of("Vestland fylkeskommune") are
    "fylkestinget i Vestland fylkeskommune"; council_of("Oslo") is "bystyret i Oslo kommune".
    """
    authority = authority_of(member, county)
    if authority == OSLO_AUTHORITY:
        return OSLO_COUNCIL
    if authority.endswith(_COUNTY_SUFFIX):
        return f"fylkestinget i {authority}"
    if authority.endswith(_LOCAL_BOARD_SUFFIX):
        return authority
    return f"kommunestyret i {authority}"


@dataclass(frozen=True)
class Registry:
    """All members: counties and municipalities, each municipality in a known county."""

    counties: tuple[County, ...]
    municipalities: tuple[Municipality, ...]
    source: str = ""

    @cached_property
    def _counties_by_number(self) -> dict[str, County]:
        return {c.number: c for c in self.counties}

    @cached_property
    def _municipalities_by_county(self) -> dict[str, tuple[Municipality, ...]]:
        """Each county's municipalities, found once (1,500 counties in a load test)."""
        groups: dict[str, list[Municipality]] = {c.number: [] for c in self.counties}
        for m in self.municipalities:
            groups.setdefault(m.county, []).append(m)
        return {number: tuple(found) for number, found in groups.items()}

    def county(self, number: str) -> County:
        """The county with `number`, or a `RegistryError` naming the unknown number."""
        found = self._counties_by_number.get(number)
        if found is None:
            known = ", ".join(c.number for c in self.counties)
            raise RegistryError(f"unknown county {number!r}: the counties are {known}")
        return found

    def municipalities_in(self, county: str) -> tuple[Municipality, ...]:
        """The municipalities of `county`, in registry order (unknown county: `RegistryError`)."""
        self.county(county)
        return self._municipalities_by_county[county]

    def population_of(self, county: str) -> int:
        """The population of `county`: the sum over its municipalities.

        Rule: a county's population is that of its municipalities (SSB; docs/domain.md, "Members").
        Example: in the shipped registry, population_of("03") is Oslo's 717,710.
        """
        return sum(m.population for m in self.municipalities_in(county))

    def county_populations(self) -> dict[str, int]:
        """Population per county number, in county order: the input of the delegate key."""
        return {c.number: self.population_of(c.number) for c in self.counties}

    @property
    def total_population(self) -> int:
        """The population of all municipalities together (5,550,203 in the shipped registry)."""
        return sum(m.population for m in self.municipalities)


def scaled(registry: Registry, factor: int) -> Registry:
    """`factor` copies of the federation side by side, for load tests (same rules, N times).

    Rule: copy 1 is the registry itself; copy k (k >= 2) numbers every member with suffix "-k".
    Example: scaled(registry, 2) of the shipped registry has 30 counties, "03" and "03-2".
    """
    if factor < 1:
        raise RegistryError(f"a scale must be 1 or more, not {factor}")
    suffixes = [""] + [f"-{k}" for k in range(2, factor + 1)]
    counties = [County(c.number + x, c.name) for x in suffixes for c in registry.counties]
    municipalities = [
        Municipality(m.number + x, m.name, m.population)
        for x in suffixes
        for m in registry.municipalities
    ]
    label = registry.source if factor == 1 else f"{registry.source} x{factor}"
    return Registry(tuple(counties), tuple(municipalities), label)


def build_registry(
    counties: Iterable[County], municipalities: Iterable[Municipality], source_label: str
) -> Registry:
    """A checked `Registry`: unique numbers, and every municipality in a listed county."""
    county_list = tuple(counties)
    municipality_list = tuple(municipalities)
    _unique(source_label, "county", [c.number for c in county_list])
    _unique(source_label, "municipality", [m.number for m in municipality_list])
    numbers = {c.number for c in county_list}
    for m in municipality_list:
        if m.county not in numbers:
            raise RegistryError(
                f"{source_label}: municipality {m.number} ({m.name}) is in county {m.county}, "
                "which is not in the county list"
            )
    return Registry(county_list, municipality_list, source_label)


def parse_registry_json(
    municipalities_text: str, counties_text: str, source_label: str
) -> Registry:
    """Parse the shipped JSON files: lists of objects with id, name (and population).

    A municipality's name is its `name_no` where the row has one, else its `name`: the shipped
    file's `name` is the Sami form alone for twelve municipalities ("Guovdageaidnu"), while
    `name_no` is the Norwegian form a Norwegian letter uses ("Kautokeino"; SOURCES.md).
    Example: '[{"id": "0301", "name": "Oslo", "population": 717710}]' with
    '[{"id": "03", "name": "Oslo"}]' gives one county and one municipality.
    """
    counties = [
        County(_text(row, "id", where, 2), _text(row, "name", where, 0))
        for where, row in _json_rows(counties_text, f"{source_label} (counties)")
    ]
    municipalities = [
        Municipality(_text(row, "id", where, 4), _letter_name(row, where), _population(row, where))
        for where, row in _json_rows(municipalities_text, f"{source_label} (municipalities)")
    ]
    return build_registry(counties, municipalities, source_label)


def parse_registry_csv(text: str, counties: Iterable[County], source_label: str) -> Registry:
    """Parse a CSV with the columns kommunenummer,name,population (one municipality a line).

    Example: "kommunenummer,name,population\\n0301,Oslo,717710\\n" gives Oslo in county 03.
    """
    reader = csv.DictReader(io.StringIO(text))
    needed = ["kommunenummer", "name", "population"]
    if reader.fieldnames is None or any(c not in reader.fieldnames for c in needed):
        raise RegistryError(
            f"{source_label}: the first line must name the columns {','.join(needed)}"
        )
    municipalities = []
    for line, row in enumerate(reader, start=2):
        where = f"{source_label}, line {line}"
        municipalities.append(
            Municipality(
                _text(row, "kommunenummer", where, 4),
                _text(row, "name", where, 0),
                _population({"population": _int_text(row["population"])}, where),
            )
        )
    return build_registry(counties, municipalities, source_label)


def _json_rows(text: str, label: str) -> list[tuple[str, Mapping[str, Any]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegistryError(f"{label}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, list):
        raise RegistryError(f"{label}: expected a list of objects")
    rows: list[tuple[str, Mapping[str, Any]]] = []
    for index, row in enumerate(data):
        if not isinstance(row, dict):
            raise RegistryError(f"{label}, item {index}: expected an object")
        rows.append((f"{label}, item {index}", row))
    return rows


def _text(row: Mapping[str, Any], key: str, where: str, digits: int) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RegistryError(f"{where}: {key!r} is missing or empty")
    if digits and (len(value) != digits or not value.isdigit()):
        raise RegistryError(f"{where}: {key!r} must be {digits} digits, not {value!r}")
    return value.strip()


def _letter_name(row: Mapping[str, Any], where: str) -> str:
    """The Norwegian name (`name_no`) if the row gives one, else `name`."""
    return _text(row, "name_no" if "name_no" in row else "name", where, 0)


def _int_text(text: str | None) -> object:
    stripped = (text or "").strip()
    return int(stripped) if stripped.isdigit() else stripped


def _population(row: Mapping[str, Any], where: str) -> int:
    value = row.get("population")
    if type(value) is not int or value < 0:
        raise RegistryError(
            f"{where}: 'population' must be a whole number of 0 or more, not {value!r}"
        )
    return value


def _unique(source_label: str, kind: str, numbers: list[str]) -> None:
    seen: set[str] = set()
    for number in numbers:
        if number in seen:
            raise RegistryError(f"{source_label}: {kind} {number} is listed twice")
        seen.add(number)
