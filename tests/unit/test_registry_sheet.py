"""The registry sheet: members, populations and addresses read from CSV or XLSX, every problem
named by row at once; the rows compared with another registry; their addresses as a term's."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from client.errors import UserError
from domain.bylaws import Bylaws
from domain.registry import Registry
from service.registry import compare
from service.registry_sheet import contacts_of, read_registry_sheet, registry_of, rows_of
from service.term_inputs import build_term_input, member_email
from store.registry import Row, content_digest, counts

HEADER = "nummer,navn,innbyggere,e-post,sekretær-e-post\n"
GOOD = (
    HEADER
    + "46,Vestland,,postmottak@vlfk.example,sekretaer@ks.example\n"
    + "4601,Bergen,291940,postmottak@bergen.example,\n"
    + "4602,Kinn,17349,,\n"
    + "301,Oslo,717710,postmottak@oslo.example,oslo-sekretaer@ks.example\n"
)


def sheet(tmp_path: Path, text: str, name: str = "registry.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(UserError) as refused:
        read_registry_sheet(path)
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_a_good_sheet_gives_counties_then_municipalities_with_oslo_as_both(
    tmp_path: Path,
) -> None:
    rows = read_registry_sheet(sheet(tmp_path, GOOD))
    assert [r.number for r in rows] == ["03", "46", "0301", "4601", "4602"]
    oslo = rows[0]
    assert oslo == Row("03", "county", "Oslo", "03", 717710, "", "oslo-sekretaer@ks.example")
    assert rows[1].population == 291940 + 17349
    assert rows[4].email == ""
    registry = registry_of(rows, "test")
    assert registry.population_of("03") == 717710
    assert registry.county("03").authority_name == "Oslo kommune"
    assert [m.number for m in registry.municipalities_in("46")] == ["4601", "4602"]


def test_a_number_a_spreadsheet_shortened_is_padded_back(tmp_path: Path) -> None:
    rows = read_registry_sheet(sheet(tmp_path, HEADER + "3,Oslo,,,\n301,Oslo,10,,\n"))
    assert [r.number for r in rows] == ["03", "0301"]


def test_oslo_may_have_its_county_row_beside_its_municipality_row(tmp_path: Path) -> None:
    text = HEADER + "03,Oslo,,,s@ks.example\n0301,Oslo,717710,postmottak@oslo.example,\n"
    rows = read_registry_sheet(sheet(tmp_path, text))
    assert contacts_of(rows) == {
        "03": "",
        "0301": "postmottak@oslo.example",
        "secretary-03": "s@ks.example",
    }


def test_every_problem_of_the_sheet_is_named_by_row_and_column_at_once(tmp_path: Path) -> None:
    text = (
        HEADER
        + "46,Vestland,12,ikke-en-adresse,\n"  # population not the sum, bad address
        + "4601,Bergen,mange,,s@ks.example\n"  # population, secretary on a municipality
        + "4601,Bergen,1,,\n"  # twice
        + "5601,Alta,10,,\n"  # county 56 has no row
        + "12345,,5,,\n"  # no such number, no name
        + "11,Rogaland,,,\n"  # a county without municipalities
    )
    message = refusal(sheet(tmp_path, text))
    prefix = f"{tmp_path / 'registry.csv'}: regnearket har 9 feil, og ingenting er importert: "
    assert message.startswith(prefix)
    problems = (
        "rad 2 (medlem 46), kolonne «e-post»: ikke en e-postadresse (som postmottak@kommune.no)",
        "rad 3 (medlem 4601), kolonne «innbyggere»: skriv et helt tall fra 0 til 100 000 000",
        "rad 6 (medlem 12345), kolonne «nummer»: skriv et kommunenummer (4 sifre) eller et "
        "fylkesnummer (2 sifre)",
        "rad 6 (medlem 12345), kolonne «navn»: skriv én linje på 1 til 200 tegn",
        "rad 4 (medlem 4601), kolonne «nummer»: står også i rad 3",
        "rad 3 (medlem 4601), kolonne «sekretær-e-post»: skrives bare på fylkets egen rad (46)",
        "rad 5 (medlem 5601), kolonne «nummer»: fylke 56 har ingen egen rad",
        "rad 7 (medlem 11), kolonne «nummer»: ingen kommune i fylke 11 i regnearket",
        "rad 2 (medlem 46), kolonne «innbyggere»: 12 er ikke summen for fylkets kommuner, som "
        "er 0 (eller la cellen stå tom)",
    )
    assert message == prefix + "; ".join(problems)


def test_a_county_population_that_is_the_sum_is_accepted(tmp_path: Path) -> None:
    text = HEADER + "46,Vestland,30,,\n4601,Bergen,10,,\n4602,Kinn,20 ,,\n"
    assert read_registry_sheet(sheet(tmp_path, text))[0].population == 30


def test_more_than_twenty_problems_are_counted_after_the_first_twenty(tmp_path: Path) -> None:
    text = HEADER + "".join(f"{4600 + n},Kommune {n},x,,\n" for n in range(1, 31))
    message = refusal(sheet(tmp_path, text))
    assert "regnearket har 60 feil" in message  # each row also misses its county
    assert message.count("«innbyggere»") + message.count("«nummer»") == 20
    assert message.endswith("; og 40 til")


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("Berg\nen", "kolonne «navn»: skriv én linje"),
        ("x" * 201, "kolonne «navn»: skriv én linje"),
    ],
)
def test_a_name_is_one_short_line(tmp_path: Path, cell: str, problem: str) -> None:
    text = HEADER + f'46,Vestland,,,\n4601,"{cell}",1,,\n'
    assert problem in refusal(sheet(tmp_path, text))


def test_a_population_past_any_members_is_refused(tmp_path: Path) -> None:
    text = HEADER + "46,Vestland,,,\n4601,Bergen," + "9" * 5000 + ",,\n"
    assert "rad 3 (medlem 4601), kolonne «innbyggere»" in refusal(sheet(tmp_path, text))


def test_a_sheet_without_the_address_column_is_refused_in_one_line(tmp_path: Path) -> None:
    message = refusal(sheet(tmp_path, "nummer,navn,innbyggere\n4601,Bergen,1\n"))
    assert "mangler «e-post»" in message


def test_the_sheet_reads_the_same_from_xlsx_with_numbers_as_numbers(tmp_path: Path) -> None:
    book = Workbook()
    page = book.active
    assert page is not None
    page.append(["Nummer", "Navn", "Innbyggere", "E-post", "Sekretær-e-post"])
    page.append([46, "Vestland", None, "postmottak@vlfk.example", "sekretaer@ks.example"])
    page.append([4601, "Bergen", 291940, "postmottak@bergen.example", None])
    page.append([4602, "Kinn", 17349.0, None, None])
    page.append([301, "Oslo", 717710, "postmottak@oslo.example", "oslo-sekretaer@ks.example"])
    path = tmp_path / "registry.xlsx"
    book.save(path)
    assert read_registry_sheet(path) == read_registry_sheet(sheet(tmp_path, GOOD))


def row(number: str, name: str, population: int = 1, email: str = "", secretary: str = "") -> Row:
    kind = "county" if len(number) == 2 else "municipality"
    return Row(number, kind, name, number[:2], population, email, secretary)


def test_the_diff_names_members_and_says_which_addresses_changed_without_them() -> None:
    old = [
        row("46", "Vestland", secretary="a@ks.example"),
        row("4601", "Bergen", 10, "b@x.no"),
        row("4602", "Kinn", 5),
        row("4603", "Florø", 3, "f@x.no"),
        row("4604", "Gone", 1),
    ]
    new = [
        row("46", "Vestland", secretary="c@ks.example"),
        row("4601", "Bergen", 11),
        row("4602", "Kinn", 5, "k@x.no"),
        row("4603", "Flora", 3, "g@x.no"),
        row("4605", "New", 2),
    ]
    changes = compare(old, new).as_dict()
    assert changes == {
        "added": ["4605 New"],
        "removed": ["4604 Gone"],
        "renamed": ["4603 Florø -> Flora"],
        "population changed": ["4601 Bergen: 10 -> 11"],
        "address added": ["4602 Kinn"],
        "address changed": ["4603 Flora"],
        "address removed": ["4601 Bergen"],
        "secretary address added": [],
        "secretary address changed": ["46 Vestland"],
        "secretary address removed": [],
    }
    assert "@" not in repr(changes)
    assert compare(new, new).empty


def test_the_shipped_registry_as_rows_builds_the_same_registry(ks_registry: Registry) -> None:
    rows = rows_of(ks_registry)
    again = registry_of(rows, "again")
    assert again.counties == ks_registry.counties
    assert again.municipalities == tuple(sorted(ks_registry.municipalities, key=lambda m: m.number))
    assert counts(rows)["population"] == 5_550_203
    assert content_digest(rows) == content_digest(list(reversed(rows)))


def test_a_term_on_a_registry_with_addresses_writes_to_them_and_not_to_a_member_without(
    tmp_path: Path, ks_bylaws: Bylaws
) -> None:
    rows = read_registry_sheet(sheet(tmp_path, GOOD))
    plan = build_term_input(registry_of(rows, "test"), ks_bylaws, 2027, contacts_of(rows))
    vestland = next(c for c in plan.counties if c.county == "46")
    assert {m.member_number: m.email for m in vestland.members} == {
        "4601": "postmottak@bergen.example",
        "4602": "",
        "46": "postmottak@vlfk.example",
    }
    assert vestland.secretary_email == "sekretaer@ks.example"
    oslo = next(c for c in plan.counties if c.county == "03")
    assert [m.member_number for m in oslo.members] == ["0301"]  # one member, one letter
    assert oslo.secretary_email == "oslo-sekretaer@ks.example"


def test_without_contacts_a_council_gets_a_made_up_address_that_is_never_sent() -> None:
    assert member_email("4601", {}) == "postmottak@4601.kommune.invalid"
    assert member_email("46", {}) == "postmottak@46.fylkeskommune.invalid"
    assert member_email("4601", {"4601": ""}) == ""
