"""The sheets a secretary fills in: every input as CSV or XLSX, read as its JSON is read, every
problem of a sheet named at once, and whatever a spreadsheet holds that a table may not (merged
cells, formulas, a file that is no workbook, a zip bomb) refused with one line, all in bokmål."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from cli.main import run
from client.errors import UserError
from models.election_payloads import (
    AppointIn,
    AssociateDelegatesIn,
    CongressDateIn,
    CredentialsIn,
    MeetingDateIn,
    NominationsIn,
    ObserverIn,
    RepresentativesIn,
    VoteIn,
)
from service import sheets
from service import term as term_service
from service.tables import MAX_UNPACKED_BYTES, Choice, Columns, read_table, write_template

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
COUNTY, LANDSTING = sheets.COUNTY_SHEETS, sheets.LANDSTING_SHEETS
HEADER = "medlemsnummer,rolle,person-id,navn,kjønn,e-post,parti\n"


def xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def csv_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- examples


@pytest.mark.parametrize(
    ("kind", "sheet", "model"),
    [
        ("county-meeting-representatives", COUNTY["representatives"], RepresentativesIn),
        ("county-meeting-nominations", COUNTY["nominations"], NominationsIn),
        ("county-meeting-vote", COUNTY["vote"], VoteIn),
        ("landsting-credentials", LANDSTING["credentials"], CredentialsIn),
        ("landsting-vote", LANDSTING["vote"], VoteIn),
    ],
)
def test_each_example_sheet_reads_as_its_json_example(
    kind: str, sheet: sheets.Sheet, model: type[VoteIn]
) -> None:
    from_sheet = sheets.read_sheet(sheet, EXAMPLES / f"{kind}.csv")
    assert from_sheet == term_service.load_models(EXAMPLES / f"{kind}.json", model)
    assert f"examples/{kind}.csv" in (EXAMPLES.parent / "inputs.md").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- templates


def test_the_representatives_template_filled_in_reads_back_by_member(tmp_path: Path) -> None:
    data = term_service.sheet_template(2027, "representatives", ".xlsx", county="46")
    path = tmp_path / "representanter.xlsx"
    path.write_bytes(data)
    book = load_workbook(path)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("medlemsnummer", "medlem", "rolle", "person-id", "navn", "kjønn",
                       "e-post", "parti")  # fmt: skip
    bergen = [r for r in rows[1:] if r[0] == "4601"]
    assert {r[1] for r in bergen} == {"Bergen kommune"}
    seats = sum(1 for r in bergen if r[2] == "representant")
    assert seats > 1
    assert sum(1 for r in bergen if r[2] == "vara") == seats
    # Fill Bergen's first two seats and one deputy; leave the rest of the template as it came.
    filled = 0
    for row in book.worksheets[0].iter_rows(min_row=2):
        if row[0].value == "4601" and filled < 3:
            filled += 1
            row[3].value, row[4].value = f"p-4601-{filled}", f"Person {filled}"
            row[5].value, row[6].value = ("kvinne", "mann", "kvinne")[filled - 1], f"p{filled}@x.no"
            if filled == 3:
                row[2].value = "vara"
    book.save(path)
    [entry] = sheets.read_sheet(COUNTY["representatives"], path)
    assert isinstance(entry, RepresentativesIn)
    assert entry.member_number == "4601"
    assert [p.person_id for p in entry.people] == ["p-4601-1", "p-4601-2"]
    assert [p.person_id for p in entry.deputies] == ["p-4601-3"]
    assert all(p.member_number == "4601" for p in entry.people)


def test_the_vote_and_nominations_templates_name_the_meetings_posts() -> None:
    vote = term_service.sheet_template(2027, "vote", ".csv", county="46").decode("utf-8-sig")
    assert vote.splitlines() == ["verv;runde;kandidat eller liste;stemmer", "delegater;1;;",
                                 "leder;1;;", "nestleder;1;;", "styremedlemmer;1;;"]  # fmt: skip
    national = term_service.sheet_template(2027, "nominations", ".csv").decode("utf-8-sig")
    assert "hovedstyrets medlemmer;;;;;;" in national.splitlines()


@pytest.mark.parametrize("kind", [*COUNTY, *LANDSTING])
def test_every_template_is_a_workbook_whose_header_its_reader_takes(
    tmp_path: Path, kind: str
) -> None:
    county = "03" if kind in COUNTY else None
    found = COUNTY if county else LANDSTING
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(term_service.sheet_template(2027, kind, ".xlsx", county=county))
    header = next(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert list(header) == found[kind].columns.header()  # type: ignore[index]
    with pytest.raises(UserError, match=r"ingen rad er fylt ut|ingen utfylte rader"):
        sheets.read_sheet(found[kind], path)  # type: ignore[index]


def test_a_template_of_no_sheet_or_no_format_is_refused() -> None:
    with pytest.raises(UserError, match="no sheet 'ballots': choose one of representatives"):
        term_service.sheet_template(2027, "ballots", ".xlsx", county="46")
    with pytest.raises(UserError, match=r"\.csv or \.xlsx, not \.ods"):
        term_service.sheet_template(2027, "vote", ".ods", county="46")
    with pytest.raises(UserError, match="county"):
        term_service.sheet_template(2027, "vote", ".csv", county="99")


def test_the_template_command_writes_a_file_once_and_csv_to_standard_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "stemmer.xlsx"
    assert (
        run(["ksgov", "template", "county-meeting", "vote", "2028-2032", "46", "-o", str(out)]) == 0
    )
    assert load_workbook(out).worksheets[0]["A2"].value == "delegater"
    again = ["ksgov", "template", "county-meeting", "vote", "2027", "46", "-o", str(out)]
    assert run(again) == 2
    assert "exists" in capsys.readouterr().err
    assert run(["ksgov", "template", "landsting", "credentials", "2027"]) == 0
    assert capsys.readouterr().out == "person-id;navn\r\n"
    assert run(["ksgov", "template", "landsting", "ballots", "2027"]) == 2
    assert "no sheet 'ballots'" in capsys.readouterr().err


# ----------------------------------------------------------------------------- every input


def test_a_sheet_with_three_errors_is_refused_whole_with_each_named_by_row(tmp_path: Path) -> None:
    sheet = csv_file(
        tmp_path / "sheet.csv",
        HEADER
        + "4601,representant,p-1,Kari Nordmann,kvinne,kari@kommune.example,Sp\n"
        + "4601,representant,p-2,Ola Nordmann,ukjent,ola@kommune.example,H\n"
        + ",,,,,,\n"
        + "4602,styreleder,p-3,Per Olsen,mann,per@kommune.example,Ap\n"
        + "4602,representant,p-4,Anne Berg,kvinne,ikke-en-adresse,Ap\n",
    )
    with pytest.raises(sheets.SheetError) as refused:
        sheets.read_sheet(COUNTY["representatives"], sheet)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{sheet}: regnearket har 3 feil, og ingenting er sendt: ")
    assert (
        "rad 3 (medlem 4601), kolonne «kjønn»: ikke et kjønn (skriv kvinne eller mann)" in message
    )
    assert "rad 5 (medlem 4602), kolonne «rolle»: skriv representant eller vara" in message
    assert "rad 6 (medlem 4602), kolonne «e-post»: ikke en e-postadresse" in message
    assert "ukjent" not in message  # a person's cell is not repeated
    assert refused.value.problems == tuple(message.split(": ", 2)[2].split("; "))


def test_an_xlsx_sheet_with_three_errors_names_each_by_row(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "stemmer.xlsx", [
        ["verv", "runde", "kandidat eller liste", "stemmer"],
        ["leder", 1, "p-1", 17],
        ["leder", 3, "p-2", 13],
        ["nestleder", 1, "p-3", "mange"],
        ["leder", 1, "p-4", 2],
    ])  # fmt: skip
    with pytest.raises(UserError) as refused:
        sheets.read_sheet(COUNTY["vote"], path)
    message = str(refused.value)
    assert "regnearket har 3 feil" in message
    assert "rad 3 (verv leder, runde 3), kolonne «runde»: skriv 1 eller 2" in message
    assert "rad 4 (verv nestleder, runde 1), kolonne «stemmer»: skriv antall stemmer" in message
    assert (
        "rad 5 (verv leder, runde 1), kolonne «verv»: radene til én avstemning skal stå" in message
    )


def test_votes_group_their_rows_with_blank_ballots_and_votes_against(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "stemmer.xlsx", [
        ["Verv", "Runde", "Kandidat eller liste", "Stemmer"],
        ["delegater", None, "Liste A", 18],
        ["delegater", None, "Liste B", 11],
        ["delegater", None, "blanke", 1],
        ["leder", 2, "p-1", 17.0],
        ["leder", 2, "p-2", 13],
        [None, None, None, None],
        ["hovedstyrets medlemmer", 1, "mot", 3],
        ["hovedstyrets medlemmer", 1, "Blanke", 2],
        ["styremedlemmer", 1, None, None],
    ])  # fmt: skip
    votes = sheets.read_sheet(COUNTY["vote"], path)
    assert votes == [
        VoteIn(post="delegates", votes={"Liste A": 18, "Liste B": 11}, blank=1),
        VoteIn(post="leader", round=2, votes={"p-1": 17, "p-2": 13}),
        VoteIn(post="hovedstyret_members", votes_against=3, blank=2),
    ]


@pytest.mark.parametrize("count", ["²", "١٢", "9" * 5000, "-1", "1.5"])
def test_a_count_that_is_no_plain_whole_number_is_a_problem_not_a_crash(
    tmp_path: Path, count: str
) -> None:
    path = csv_file(tmp_path / "v.csv", f"verv;kandidat eller liste;stemmer\nleder;p-1;{count}\n")
    with pytest.raises(sheets.SheetError) as refused:
        sheets.read_sheet(COUNTY["vote"], path)
    assert refused.value.problems == (
        "rad 2 (verv leder, runde 1), kolonne «stemmer»: skriv antall stemmer som et helt tall, "
        "0 eller mer",
    )


def test_what_pydantic_finds_is_said_in_bokmal_without_the_persons_value(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "r.xlsx", [
        ["medlemsnummer", "rolle", "person-id", "navn", "kjønn", "e-post", "parti"],
        ["4601", "representant", "", "Kari\nNordmann", "kvinne", "kari@x.no", "P" * 101],
        ["4601", "representant", "p-2", "", "ikke-binær", "o" * 250 + "@x.no", ""],
        ["Per Olsen", "representant", "p-3", "Per", "mann", "per", ""],
    ])  # fmt: skip
    with pytest.raises(sheets.SheetError) as refused:
        sheets.read_sheet(COUNTY["representatives"], path)
    assert refused.value.problems == (
        "rad 2 (medlem 4601), kolonne «person-id»: tom",
        "rad 2 (medlem 4601), kolonne «navn»: har et kontrolltegn (U+000A), skriv én linje "
        "vanlig tekst",
        "rad 2 (medlem 4601), kolonne «parti»: for lang (høyst 100 tegn)",
        "rad 3 (medlem 4601), kolonne «navn»: tom",
        "rad 3 (medlem 4601), kolonne «kjønn»: ikke et kjønn (skriv kvinne eller mann)",
        "rad 3 (medlem 4601), kolonne «e-post»: for lang (høyst 254 tegn)",
        "rad 4 (ugyldig medlemsnummer), kolonne «e-post»: ikke en e-postadresse",
    )
    for private in ("binær", "Nordmann", "Olsen"):
        assert private not in str(refused.value)
    day = xlsx(tmp_path / "d.xlsx", [["møtedato"], [dt.datetime(2027, 10, 1, 18, 30)]])
    with pytest.raises(sheets.SheetError, match="«møtedato»: har klokkeslett"):
        sheets.read_sheet(COUNTY["meeting-date"], day)


def test_a_choice_twice_in_one_vote_is_refused(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "v.csv", "verv;kandidat eller liste;stemmer\nleder;p-1;3\n"
                    "leder;p-1;4\nleder;;\n")  # fmt: skip
    with pytest.raises(
        UserError,
        match=r"rad 3 \(verv leder, runde 1\), kolonne «kandidat eller liste»: to ganger i samme",
    ):
        sheets.read_sheet(COUNTY["vote"], path)
    path = csv_file(tmp_path / "w.csv", "verv;kandidat eller liste;stemmer\n;p-1;3\n")
    with pytest.raises(UserError, match=r"rad 2 \(uten verv, runde 1\), kolonne «verv»: tom"):
        sheets.read_sheet(COUNTY["vote"], path)
    path = csv_file(tmp_path / "x.csv", "verv;kandidat eller liste;stemmer\nleder;;3\n")
    with pytest.raises(UserError, match="kolonne «kandidat eller liste»: tom"):
        sheets.read_sheet(COUNTY["vote"], path)


def test_nominations_take_candidates_lists_and_people_not_yet_known(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "innstilling.xlsx", [
        ["verv", "liste", "kandidat", "navn", "kjønn", "e-post", "parti"],
        ["leder", None, "p-1", None, None, None, None],
        ["leder", None, "p-9", "Nina Ny", "kvinne", "nina@x.no", "V"],
        ["delegater", "Liste A", "p-2", None, None, None, None],
        ["delegater", "Liste A", "p-3", None, None, None, None],
        ["delegater", "Liste B", "p-4", None, None, None, None],
        ["nestleder", None, None, None, None, None, None],
    ])  # fmt: skip
    [nominations] = sheets.read_sheet(COUNTY["nominations"], path)
    assert isinstance(nominations, NominationsIn)
    leader, delegates = nominations.posts
    assert (leader.post, leader.candidates) == ("leader", ("p-1", "p-9"))
    assert [(x.name, x.candidates) for x in delegates.lists] == [
        ("Liste A", ("p-2", "p-3")), ("Liste B", ("p-4",))
    ]  # fmt: skip
    assert [(p.person_id, p.name, p.party) for p in nominations.people] == [("p-9", "Nina Ny", "V")]


def test_nominations_refuse_a_post_half_on_lists_and_a_candidate_left_out(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "n.csv", "verv;liste;kandidat;navn;kjønn;e-post\n"
                    "delegater;Liste A;p-1;;;\ndelegater;;p-2;;;\nleder;;;Kari;kvinne;k@x.no\n"
                    "nestleder;;p-3;Per;mann;ikke\n;;p-4;;;\n")  # fmt: skip
    with pytest.raises(UserError) as refused:
        sheets.read_sheet(COUNTY["nominations"], path)
    message = str(refused.value)
    assert "verv delegater, kolonne «liste»: fyll den ut for alle kandidatene til vervet" in message
    assert "rad 4 (verv leder), kolonne «kandidat»: tom (skriv kandidatens person-id)" in message
    assert "rad 5 (verv nestleder), kolonne «e-post»: ikke en e-postadresse" in message
    assert "rad 6 (uten verv), kolonne «verv»: tom" in message
    bad_list = csv_file(
        tmp_path / "l.csv", "verv;liste;kandidat\ndelegater;" + "L" * 101 + ";p-1\n"
    )
    with pytest.raises(UserError, match="verv delegater, kolonne «liste»: for lang"):
        sheets.read_sheet(COUNTY["nominations"], bad_list)


def test_one_row_sheets_take_a_date_or_a_person_and_only_one(tmp_path: Path) -> None:
    day = xlsx(tmp_path / "dato.xlsx", [["møtedato"], [dt.datetime(2027, 10, 1)]])
    assert sheets.read_sheet(COUNTY["meeting-date"], day) == [
        MeetingDateIn(meeting_date=dt.date(2027, 10, 1))
    ]
    norwegian = csv_file(tmp_path / "dato.csv", "dato\n13.02.2028\n")
    assert sheets.read_sheet(LANDSTING["date"], norwegian) == [
        CongressDateIn(congress_date=dt.date(2028, 2, 13))
    ]
    two = csv_file(tmp_path / "to.csv", "dato\n13.02.2028\n14.02.2028\n")
    with pytest.raises(UserError, match=r"rad 3 \(datoen\): bare én rad, ikke 2"):
        sheets.read_sheet(LANDSTING["date"], two)
    bad = csv_file(tmp_path / "feil.csv", "dato\n31.02.2028\n")
    with pytest.raises(UserError, match=r"rad 2 \(datoen\), kolonne «dato»: ingen slik dag i"):
        sheets.read_sheet(LANDSTING["date"], bad)
    words = csv_file(tmp_path / "ord.csv", "møtedato\nneste fredag\n")
    with pytest.raises(UserError, match=r"rad 2 \(møtedatoen\), kolonne «møtedato»: ikke en dato"):
        sheets.read_sheet(COUNTY["meeting-date"], words)
    person = "person-id;navn;kjønn;e-post\np-kdu;Kari Direktør;kvinne;kari@x.no\n"
    [observer] = sheets.read_sheet(LANDSTING["observer"], csv_file(tmp_path / "o.csv", person))
    assert isinstance(observer, ObserverIn)
    assert observer.person.person_id == "p-kdu"
    [appointed] = sheets.read_sheet(LANDSTING["appoint"], tmp_path / "o.csv")
    assert isinstance(appointed, AppointIn)


def test_delegates_and_credentials_take_a_row_a_person(tmp_path: Path) -> None:
    people = csv_file(tmp_path / "d.csv", "person-id;navn;kjønn;e-post;parti\n"
                      "p-sb-1;Kari;kvinne;kari@x.no;\np-sb-2;Ola;mann;ola@x.no;H\n")  # fmt: skip
    [delegates] = sheets.read_sheet(LANDSTING["associate-delegates"], people)
    assert isinstance(delegates, AssociateDelegatesIn)
    assert [p.person_id for p in delegates.people] == ["p-sb-1", "p-sb-2"]
    bad = csv_file(tmp_path / "b.csv", "person-id;navn;kjønn;e-post\nkari@x.no;Kari;k;x\n")
    with pytest.raises(UserError) as refused:
        sheets.read_sheet(LANDSTING["associate-delegates"], bad)
    assert isinstance(refused.value, sheets.SheetError)
    assert refused.value.problems == (
        "rad 2 (ugyldig person-id), kolonne «person-id»: ikke en person-id (bare bokstaver, "
        "sifre og tegnene - _ . :, som p-004601-1)",
        "rad 2 (ugyldig person-id), kolonne «kjønn»: ikke et kjønn (skriv kvinne eller mann)",
        "rad 2 (ugyldig person-id), kolonne «e-post»: ikke en e-postadresse",
    )
    assert "kari@x.no" not in str(refused.value)  # an address in the id column is not repeated
    approved = xlsx(tmp_path / "f.xlsx", [["person-id", "navn"], ["p-1", "Kari"], ["p-2", None]])
    assert sheets.read_sheet(LANDSTING["credentials"], approved) == [
        CredentialsIn(approved=("p-1", "p-2"))
    ]
    twice = xlsx(tmp_path / "t.xlsx", [["person-id"], ["p-1"], ["p-1"], ["a b"]])
    with pytest.raises(UserError) as refused:
        sheets.read_sheet(LANDSTING["credentials"], twice)
    assert "rad 3 (person p-1), kolonne «person-id»: godkjent to ganger" in str(refused.value)
    assert "rad 4 (ugyldig person-id), kolonne «person-id»: ikke en person-id" in str(refused.value)


def test_a_member_number_a_spreadsheet_took_for_a_number_gets_its_zero_back(
    tmp_path: Path,
) -> None:
    path = xlsx(tmp_path / "r.xlsx", [
        ["medlemsnummer", "rolle", "person-id", "navn", "kjønn", "e-post"],
        [301, "representant", "p-1", "Kari", "kvinne", "kari@x.no"],
        [3, "representant", "p-2", "Ola", "mann", "ola@x.no"],
        [None, "representant", "p-3", "Per", "mann", "per@x.no"],
        [4601, "vara", "p-4", "Anne", "kvinne", "anne@x.no"],
    ])  # fmt: skip
    with pytest.raises(UserError) as refused:
        sheets.read_sheet(COUNTY["representatives"], path)
    message = str(refused.value)
    assert "rad 4 (uten medlemsnummer), kolonne «medlemsnummer»: tom" in message
    assert "medlem 4601, kolonne «rolle»: vararepresentanter, men ingen representant" in message
    path = xlsx(tmp_path / "s.xlsx", [
        ["medlemsnummer", "rolle", "person-id", "navn", "kjønn", "e-post"],
        [301, "representant", "p-1", "Kari", "kvinne", "kari@x.no"],
        [3, "representant", "p-2", "Ola", "mann", "ola@x.no"],
    ])  # fmt: skip
    assert [e.member_number for e in sheets.read_sheet(COUNTY["representatives"], path)] == [  # type: ignore[attr-defined]
        "0301", "03"
    ]  # fmt: skip


# ----------------------------------------------------------------------------- bad sheets

COLUMNS = Columns({"a": "a", "b": "b"}, optional=frozenset({"b"}))


def bad_xlsx(path: Path, make: str) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["a", "b"])
    sheet.append(["1", "2"])
    if make == "merged":
        sheet.merge_cells("A2:B2")
    if make == "formula":
        sheet["B2"] = "=1+1"
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        (
            "wrong.csv",
            "x;y\n1;2\n",
            "rad 1 skal ha kolonnene «a», «b»: mangler «a»; ukjent «x», «y»",
        ),
        ("twice.csv", "a;a\n1;2\n", "to ganger «a»"),
        ("many.csv", ";".join("a" + "x" * n for n in range(1, 9)) + "\n1\n", "«axxxxx» og 3 til$"),
        ("hidden.csv", 'a;"b\nc"\n1;2\n', "ukjent «b\\?c»"),
        ("empty.csv", "", "ikke et CSV-regneark"),
        ("latin1.csv", "a\nBj\xf8rn\n".encode("latin-1"), r"ikke UTF-8-tekst \(byte 4\)"),
        ("header.csv", "a;b\n", "regnearket har ingen utfylte rader"),
        ("blank.csv", "a;b\n;\n ; \n", "regnearket har ingen utfylte rader"),
        (
            "extra.csv",
            "a;b\n1;2;3\n",
            "rad 2 har 3 eller flere utfylte celler, men rad 1 navngir 2",
        ),
        ("again.csv", "a;b\n1;2\nA;B\n", "rad 3 gjentar kolonnenes navn"),
        ("sheet.ods", "a;b\n", "et regneark skal være en .csv- eller .xlsx-fil, ikke .ods"),
        ("renamed.xlsx", '{"a": 1}', "ikke en XLSX-fil"),
        ("zip.xlsx", b"", "ikke en XLSX-fil"),
    ],
)
def test_a_sheet_that_is_no_table_is_refused_with_one_line(
    tmp_path: Path, name: str, content: str | bytes, words: str
) -> None:
    path = tmp_path / name
    if name == "zip.xlsx":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    with pytest.raises(UserError, match=words) as refused:
        read_table(path, COLUMNS)
    assert "\n" not in str(refused.value)


def test_a_one_column_csv_and_an_xlsx_with_empty_rows_read(tmp_path: Path) -> None:
    one = csv_file(tmp_path / "one.csv", "a\nx\n\ny\n")
    assert read_table(one, COLUMNS) == [(2, {"a": "x"}), (4, {"a": "y"})]
    rows: list[list[object]] = [
        ["a", "b", None],
        [None, None],
        [dt.time(18, 0), True],
        ["x", dt.datetime(2027, 3, 1, 9, 30)],
    ]
    path = xlsx(tmp_path / "t.xlsx", rows)
    assert read_table(path, COLUMNS) == [
        (3, {"a": "18:00", "b": "ja"}), (4, {"a": "x", "b": "2027-03-01T09:30"})
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "words"),
    [("merged", r"sammenslåtte celler \(A2:B2\)"), ("formula", "celle B2 har en formel")],
)
def test_merged_cells_and_formulas_are_refused(tmp_path: Path, make: str, words: str) -> None:
    with pytest.raises(UserError, match=words):
        read_table(bad_xlsx(tmp_path / f"{make}.xlsx", make), COLUMNS)


def test_a_50_mb_file_and_a_zip_bomb_are_refused_before_they_are_read(tmp_path: Path) -> None:
    big = tmp_path / "big.xlsx"
    with big.open("wb") as out:
        out.truncate(50_000_000)
    with pytest.raises(UserError, match=r"filen er 50,0 MB; en fil kan være høyst 5 MB"):
        read_table(big, COLUMNS)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (MAX_UNPACKED_BYTES + 1))
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(UserError, match="MB pakket ut; et regneark kan bli høyst 50 MB"):
        read_table(bomb, COLUMNS)
    for missing in ("missing.xlsx", "missing.csv"):
        with pytest.raises(UserError, match="fant ikke filen"):
            read_table(tmp_path / missing, COLUMNS)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(UserError, match="en mappe, ikke en fil"):
        read_table(folder, COLUMNS)


def test_a_template_keeps_every_cell_text_and_offers_the_words_a_column_takes() -> None:
    columns = Columns({"rolle": "role", "nummer": "n"})
    data = write_template(
        columns, [["vara", "0301"]], ".xlsx", "Mal", [Choice("rolle", ("representant", "vara"))]
    )
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert sheet["B2"].value == "0301"
    assert sheet["B3"].number_format == "@"
    [validation] = sheet.data_validations.dataValidation
    assert validation.formula1 == '"representant,vara"'
    assert sheet.freeze_panes == "A2"
