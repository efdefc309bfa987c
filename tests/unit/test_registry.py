"""The member registry: the shipped 2024 figures and every refusal of bad registry text."""

from __future__ import annotations

import pytest

from domain.registry import (
    County,
    Municipality,
    Registry,
    RegistryError,
    parse_registry_csv,
    parse_registry_json,
    scaled,
)

COUNTIES = '[{"id": "03", "name": "Oslo"}, {"id": "11", "name": "Rogaland"}]'


def test_the_shipped_registry_has_357_municipalities_15_counties_and_ssb_total(
    ks_registry: Registry,
) -> None:
    assert len(ks_registry.municipalities) == 357
    assert len(ks_registry.counties) == 15
    assert ks_registry.total_population == 5_550_203
    assert sum(ks_registry.county_populations().values()) == 5_550_203


def test_oslo_is_both_a_municipality_and_a_county(ks_registry: Registry) -> None:
    assert ks_registry.county("03") == County("03", "Oslo")
    assert [m.name for m in ks_registry.municipalities_in("03")] == ["Oslo"]
    assert ks_registry.population_of("03") == 717_710


def test_a_municipality_belongs_to_the_county_of_its_first_two_digits() -> None:
    assert Municipality("1103", "Stavanger", 1).county == "11"


def test_an_unknown_county_is_refused_with_the_known_numbers(ks_registry: Registry) -> None:
    with pytest.raises(RegistryError, match=r"unknown county '99'.*03, 11"):
        ks_registry.municipalities_in("99")


def test_a_csv_registry_is_read_with_its_counties() -> None:
    counties = parse_registry_json("[]", COUNTIES, "c").counties
    text = "kommunenummer,name,population\n0301,Oslo,717710\n1103,Stavanger,149048\n"
    registry = parse_registry_csv(text, counties, "members.csv")
    assert registry.population_of("11") == 149_048
    assert registry.source == "members.csv"


@pytest.mark.parametrize(
    ("municipalities", "counties", "message"),
    [
        ("[", COUNTIES, r"x \(municipalities\): not valid JSON"),
        ("{}", COUNTIES, "expected a list of objects"),
        ("[1]", COUNTIES, "item 0: expected an object"),
        ('[{"name": "Oslo", "population": 1}]', COUNTIES, "item 0: 'id' is missing"),
        ('[{"id": "301", "name": "Oslo", "population": 1}]', COUNTIES, "'id' must be 4 digits"),
        ('[{"id": "0301", "name": " ", "population": 1}]', COUNTIES, "'name' is missing"),
        ('[{"id": "0301", "name": "Oslo", "population": -1}]', COUNTIES, "'population' must"),
        ('[{"id": "0301", "name": "Oslo", "population": "9"}]', COUNTIES, "'population' must"),
        (
            '[{"id": "0301", "name": "Oslo", "population": 1}]',
            '[{"id": "3", "name": "O"}]',
            "2 digits",
        ),
        ('[{"id": "5001", "name": "Trondheim", "population": 1}]', COUNTIES, "county 50, which"),
        (
            "[]",
            '[{"id": "03", "name": "O"}, {"id": "03", "name": "O"}]',
            "county 03 is listed twice",
        ),
        (
            '[{"id": "0301", "name": "A", "population": 1},'
            ' {"id": "0301", "name": "B", "population": 1}]',
            COUNTIES,
            "municipality 0301 is listed twice",
        ),
    ],
)
def test_bad_registry_json_is_refused_naming_source_row_and_problem(
    municipalities: str, counties: str, message: str
) -> None:
    with pytest.raises(RegistryError, match=message):
        parse_registry_json(municipalities, counties, "x")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "must name the columns"),
        ("number,name,population\n0301,Oslo,1\n", "must name the columns"),
        ("kommunenummer,name,population\n0301,Oslo,many\n", "line 2: 'population' must"),
        ("kommunenummer,name,population\n0301,Oslo\n", "line 2: 'population' must"),
        ("kommunenummer,name,population\n03x1,Oslo,1\n", "line 2: 'kommunenummer' must be 4"),
    ],
)
def test_bad_registry_csv_is_refused_naming_the_line(text: str, message: str) -> None:
    counties = parse_registry_json("[]", COUNTIES, "c").counties
    with pytest.raises(RegistryError, match=message):
        parse_registry_csv(text, counties, "members.csv")


def test_a_scaled_registry_holds_copies_with_suffixed_numbers(ks_registry: Registry) -> None:
    big = scaled(ks_registry, 3)
    assert len(big.counties) == 45
    assert len(big.municipalities) == 3 * 357
    assert big.total_population == 3 * ks_registry.total_population
    assert big.population_of("03-3") == ks_registry.population_of("03")
    assert {m.county for m in big.municipalities_in("46-2")} == {"46-2"}
    assert scaled(ks_registry, 1) == ks_registry


def test_a_scale_below_one_is_refused(ks_registry: Registry) -> None:
    with pytest.raises(RegistryError, match="1 or more"):
        scaled(ks_registry, 0)
