"""The member registry: the shipped 2024 figures and every refusal of bad registry text."""

from __future__ import annotations

import pytest

from domain.registry import (
    County,
    Municipality,
    Registry,
    RegistryError,
    authority_of,
    council_of,
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


# The municipalities whose shipped `name` is the Sami form alone, with the Norwegian form that a
# Norwegian letter uses (SSB, "Flerspråklige fylkes- og kommunenavn"; data/registry/SOURCES.md).
SAMI_NAMED = {
    "1826": "Hattfjelldal",
    "1875": "Hamarøy",
    "5025": "Røros",
    "5041": "Snåsa",
    "5043": "Røyrvik",
    "5512": "Tjeldsund",
    "5518": "Lavangen",
    "5540": "Kåfjord",
    "5610": "Karasjok",
    "5612": "Kautokeino",
    "5628": "Tana",
    "5636": "Nesseby",
}


def test_the_shipped_registry_names_every_municipality_in_norwegian(
    ks_registry: Registry,
) -> None:
    names = {m.number: m.name for m in ks_registry.municipalities}
    assert {number: names[number] for number in SAMI_NAMED} == SAMI_NAMED
    assert names["5622"] == "Porsanger"
    assert names["4601"] == "Bergen"
    municipality = next(m for m in ks_registry.municipalities if m.number == "5612")
    assert municipality.authority_name == "Kautokeino kommune"
    assert municipality.council_name == "kommunestyret i Kautokeino kommune"


def test_a_json_row_without_a_norwegian_name_keeps_its_name() -> None:
    rows = (
        '[{"id": "0301", "name": "Oslo", "population": 1},'
        ' {"id": "1103", "name": "Stavanger", "name_no": "Stavanger", "population": 1},'
        ' {"id": "1108", "name": "Sámi", "name_no": "Sandnes", "population": 1}]'
    )
    registry = parse_registry_json(rows, COUNTIES, "x")
    assert [m.name for m in registry.municipalities] == ["Oslo", "Stavanger", "Sandnes"]
    with pytest.raises(RegistryError, match="item 0: 'name_no' is missing or empty"):
        parse_registry_json('[{"id": "0301", "name": "Oslo", "name_no": "", "population": 1}]',
                            COUNTIES, "x")  # fmt: skip


def test_the_names_a_letter_uses_for_the_county_authorities(ks_registry: Registry) -> None:
    vestland = ks_registry.county("46")
    assert vestland.authority_name == "Vestland fylkeskommune"
    assert vestland.council_name == "fylkestinget i Vestland fylkeskommune"
    assert vestland.ks_name == "KS Vestland"
    assert vestland.organ_title("Fylkesstyret") == "Fylkesstyret i KS Vestland"
    assert ks_registry.county("15").authority_name == "Møre og Romsdal fylkeskommune"
    oslo = ks_registry.county("03")
    assert oslo.authority_name == "Oslo kommune"
    assert oslo.council_name == "bystyret i Oslo kommune"
    assert scaled(ks_registry, 2).county("03-2").authority_name == "Oslo kommune"


def test_the_names_a_letter_uses_for_the_municipalities() -> None:
    bergen = Municipality("4601", "Bergen", 1)
    assert bergen.authority_name == "Bergen kommune"
    assert bergen.council_name == "kommunestyret i Bergen kommune"
    oslo = Municipality("0301", "Oslo", 1)
    assert oslo.authority_name == "Oslo kommune"
    assert oslo.council_name == "bystyret i Oslo kommune"


@pytest.mark.parametrize(
    ("member", "county", "authority", "council"),
    [
        ("Bergen", "Vestland", "Bergen kommune", "kommunestyret i Bergen kommune"),
        ("Bergen", "", "Bergen kommune", "kommunestyret i Bergen kommune"),
        ("Bergen kommune", "", "Bergen kommune", "kommunestyret i Bergen kommune"),
        ("Vestland", "Vestland", "Vestland fylkeskommune", "fylkestinget i Vestland fylkeskommune"),
        ("Vestland fylkeskommune", "", "Vestland fylkeskommune",
         "fylkestinget i Vestland fylkeskommune"),
        ("Oslo", "Oslo", "Oslo kommune", "bystyret i Oslo kommune"),
        ("Oslo kommune", "", "Oslo kommune", "bystyret i Oslo kommune"),
        ("Longyearbyen lokalstyre", "Troms", "Longyearbyen lokalstyre", "Longyearbyen lokalstyre"),
    ],
)  # fmt: skip
def test_a_members_authority_and_council_from_its_name(
    member: str, county: str, authority: str, council: str
) -> None:
    assert authority_of(member, county) == authority
    assert council_of(member, county) == council


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
