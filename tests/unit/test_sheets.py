"""The sheets a secretary fills in: every input as CSV or XLSX, read as its JSON is read, every
problem of a sheet named at once, and whatever a spreadsheet holds that a table may not (merged
cells, formulas, a file that is no workbook, a zip bomb) refused with one line."""

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
    with pytest.raises(UserError, match=r"nothing to send|no filled-in rows"):
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
    with pytest.raises(UserError) as refused:
        sheets.read_sheet(COUNTY["representatives"], sheet)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{sheet}: 3 problem(s), nothing sent: ")
    assert "row 3 (4601), kjønn: " in message
    assert "row 5 (4602), rolle: write representant or vara" in message
    assert "row 6 (4602), e-post: not an e-mail address" in message


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
    assert "3 problem(s)" in message
    assert "row 3 (leder, round 3), runde: write 1 or 2" in message
    assert "row 4 (nestleder, round 1), stemmer: a whole number" in message
    assert "row 5 (leder, round 1), verv: the rows of one vote must stand together" in message


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


def test_a_choice_twice_in_one_vote_is_refused(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "v.csv", "verv;kandidat eller liste;stemmer\nleder;p-1;3\n"
                    "leder;p-1;4\nleder;;\n")  # fmt: skip
    with pytest.raises(UserError, match=r"row 3 \(leder, round 1\), kandidat eller liste: p-1 "):
        sheets.read_sheet(COUNTY["vote"], path)
    path = csv_file(tmp_path / "w.csv", "verv;kandidat eller liste;stemmer\n;p-1;3\n")
    with pytest.raises(UserError, match=r"row 2 \(no post, round 1\), verv: empty"):
        sheets.read_sheet(COUNTY["vote"], path)
    path = csv_file(tmp_path / "x.csv", "verv;kandidat eller liste;stemmer\nleder;;3\n")
    with pytest.raises(UserError, match="kandidat eller liste: empty"):
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
    assert "post delegater, liste: fill it for every candidate of the post or for none" in message
    assert "row 4 (leder), kandidat: empty" in message
    assert "row 5 (nestleder), e-post: not an e-mail address" in message
    assert "row 6 (no post), verv: empty" in message
    bad_list = csv_file(
        tmp_path / "l.csv", "verv;liste;kandidat\ndelegater;" + "L" * 101 + ";p-1\n"
    )
    with pytest.raises(UserError, match="post delegater, liste: "):
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
    with pytest.raises(UserError, match=r"row 3 \(the date\), row: one row only, not 2"):
        sheets.read_sheet(LANDSTING["date"], two)
    bad = csv_file(tmp_path / "feil.csv", "dato\n31.02.2028\n")
    with pytest.raises(UserError, match=r"row 2 \(the date\), dato: .*not a date of the calendar"):
        sheets.read_sheet(LANDSTING["date"], bad)
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
    with pytest.raises(UserError, match=r"3 problem\(s\).*row 2 \(kari@x.no\), person-id: write"):
        sheets.read_sheet(LANDSTING["associate-delegates"], bad)
    approved = xlsx(tmp_path / "f.xlsx", [["person-id", "navn"], ["p-1", "Kari"], ["p-2", None]])
    assert sheets.read_sheet(LANDSTING["credentials"], approved) == [
        CredentialsIn(approved=("p-1", "p-2"))
    ]
    twice = xlsx(tmp_path / "t.xlsx", [["person-id"], ["p-1"], ["p-1"], ["a b"]])
    with pytest.raises(UserError) as refused:
        sheets.read_sheet(LANDSTING["credentials"], twice)
    assert "row 3 (p-1), person-id: approved twice" in str(refused.value)
    assert "person-id: write a key" in str(refused.value)


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
    assert "row 4 (no member), medlemsnummer: empty" in message
    assert "member 4601, rolle: deputies but no representative" in message
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
        ("wrong.csv", "x;y\n1;2\n", "row 1 must name the columns a, b: missing a; unknown x, y"),
        ("twice.csv", "a;a\n1;2\n", "twice a"),
        ("empty.csv", "", "not a CSV sheet"),
        ("header.csv", "a;b\n", "no filled-in rows"),
        ("blank.csv", "a;b\n;\n ; \n", "no filled-in rows"),
        ("extra.csv", "a;b\n1;2;3\n", "row 2 has 3 or more filled cells, the header names 2"),
        ("again.csv", "a;b\n1;2\nA;B\n", "row 3 repeats the header"),
        ("sheet.ods", "a;b\n", "a sheet is a .csv or .xlsx file, not .ods"),
        ("renamed.xlsx", '{"a": 1}', "not an XLSX workbook"),
        ("zip.xlsx", b"", "not an XLSX workbook"),
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
    [("merged", r"merged cells \(A2:B2\)"), ("formula", "cell B2 holds a formula")],
)
def test_merged_cells_and_formulas_are_refused(tmp_path: Path, make: str, words: str) -> None:
    with pytest.raises(UserError, match=words):
        read_table(bad_xlsx(tmp_path / f"{make}.xlsx", make), COLUMNS)


def test_a_50_mb_file_and_a_zip_bomb_are_refused_before_they_are_read(tmp_path: Path) -> None:
    big = tmp_path / "big.xlsx"
    with big.open("wb") as out:
        out.truncate(50_000_000)
    with pytest.raises(UserError, match=r"50\.0 MB is more than the 5 MB"):
        read_table(big, COLUMNS)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (MAX_UNPACKED_BYTES + 1))
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(UserError, match="MB unpacked is more than a sheet of 50 MB"):
        read_table(bomb, COLUMNS)
    with pytest.raises(UserError, match="file not found"):
        read_table(tmp_path / "missing.xlsx", COLUMNS)


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
