"""Tables a person fills in, read from CSV or XLSX and written as templates.

A table's first row names its columns (Norwegian, any case); every later row that is not empty
is a record, numbered as a spreadsheet numbers it (the header is row 1). What a spreadsheet can
hold and a table may not is refused with one line naming where it is: merged cells, formulas
(their value is whatever the program last computed, which the file may not even hold), a second
header, a file that is no workbook under its .xlsx name, or a workbook larger unpacked than any
sheet of ours can be (a "zip bomb"). Dates and times that a spreadsheet stores as such come out
as text the inputs take (`2027-02-13`, `18:00`); a whole number typed into a number column as
`301` comes out as `301` (the caller pads it where a leading zero matters).

What a person reads is bokmål, in the same words everywhere: `rad`, `kolonne`, `regneark`, `fil`.
A sheet's problems (`problem`, `SheetError`) name their row, the member or post they concern and
their column: `rad 3 (medlem 4601), kolonne «kjønn»: ...`. A cell's text is quoted only where it
is no personal data, on one line and cut short (`quoted`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import stat
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from client.errors import UserError
from models.payloads import NOT_IN_A_LINE
from service.governance import MAX_INPUT_BYTES

# A sheet of ours is a few hundred rows: far below these, far above any template filled in.
MAX_ROWS = 5000
MAX_UNPACKED_BYTES = 50_000_000
# A refusal's line names this many problems, then counts the rest (`SheetError.problems` has all).
SHOWN_PROBLEMS = 20
# How much of a cell a message quotes.
QUOTED_CHARACTERS = 40
# What a member's number may look like to be repeated in a message (4601, 03, SB-12).
MEMBER_NUMBER = re.compile(r"[A-Za-z0-9-]{1,12}")
SHEET_SUFFIXES = (".csv", ".xlsx")
# Other spreadsheet formats: refused as sheets (save as .xlsx or .csv), never read as JSON.
OTHER_SPREADSHEETS = (".ods", ".xls", ".xlsm", ".xlsb", ".numbers", ".tsv", ".fods")

Row = tuple[int, dict[str, str]]


@dataclass(frozen=True)
class Columns:
    """A table's columns: header (as written, lower case) -> field; which may be left out of
    the header; and which are there for the reader only (a member's name beside its number)."""

    fields: Mapping[str, str]
    optional: frozenset[str] = frozenset()
    informational: frozenset[str] = frozenset()

    def header(self) -> list[str]:
        return list(self.fields)

    def describe(self) -> str:
        return ", ".join(f"«{name}»" for name in self.fields)


class SheetError(UserError):
    """A sheet refused for its problems: one line for the command line, and each problem
    apart (`problems`) for a page that lists them."""

    def __init__(self, message: str, problems: tuple[str, ...]) -> None:
        super().__init__(message)
        self.problems = problems


def problem(row: int | None, about: str, column: str, message: str) -> str:
    """One problem of a sheet: its row (None: what several rows make together), the member or
    post it concerns, its column (empty: the row's) and what is wrong, in bokmål."""
    where = f"rad {row} ({about})" if row is not None else about
    if column:
        where += f", kolonne «{column}»"
    return f"{where}: {message}"


def refusal(file: Path, problems: Sequence[str], outcome: str) -> SheetError:
    """The refusal of a sheet with `problems`: one line naming the first SHOWN_PROBLEMS, then
    how many more; `outcome` is what did not happen (`sendt`, `importert`)."""
    shown = list(problems[:SHOWN_PROBLEMS])
    more = len(problems) - len(shown)
    rest = f"; og {more} til" if more else ""
    line = (
        f"{file}: regnearket har {len(problems)} feil, og ingenting er {outcome}: "
        f"{'; '.join(shown)}{rest}"
    )
    return SheetError(line, tuple(problems))


def clean(text: str, limit: int = QUOTED_CHARACTERS) -> str:
    """`text` as a message may show it: one line (control characters as `?`), cut to `limit`."""
    line = NOT_IN_A_LINE.sub("?", text)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def member_about(number: str, column: str = "medlemsnummer") -> str:
    """The member a row concerns, by its number as written in `column`; a cell that looks like
    no member's number is not repeated (it may hold a name)."""
    if not number:
        return f"uten {column}"
    return f"medlem {number}" if MEMBER_NUMBER.fullmatch(number) else f"ugyldig {column}"


def quoted(text: str) -> str:
    """A cell's text quoted in a message: «text», one line, cut short (`clean`)."""
    return f"«{clean(text)}»"


def megabytes(size: float) -> str:
    """A size in MB as bokmål writes it: `50,0`."""
    return f"{size / 1e6:.1f}".replace(".", ",")


def is_table(file: Path) -> bool:
    """Whether `file` is read as a sheet (or refused as one) rather than as JSON."""
    return file.suffix.lower() in (*SHEET_SUFFIXES, *OTHER_SPREADSHEETS)


def read_table(file: Path, columns: Columns) -> list[Row]:
    """The records of `file` (.csv or .xlsx) with the header's names turned into fields, or a
    one-line `UserError`; informational columns are dropped. A table with no record is refused."""
    suffix = file.suffix.lower()
    if suffix == ".csv":
        table = _csv_cells(file)
    elif suffix == ".xlsx":
        table = _xlsx_cells(file)
    else:
        raise UserError(
            f"{file}: et regneark skal være en .csv- eller .xlsx-fil, ikke {clean(suffix)}; "
            "lagre det som en av dem"
        )
    if not table:
        raise UserError(f"{file}: regnearket er tomt; rad 1 skal ha kolonnenes navn")
    header = [cell.strip().lower() for cell in table[0]]
    while header and not header[-1]:
        header.pop()
    missing = [c for c in columns.fields if c not in columns.optional and c not in header]
    unknown = [quoted(c) if c else "(tom)" for c in header if c not in columns.fields]
    twice = [quoted(c) for c in sorted({c for c in header if c and header.count(c) > 1})]
    if missing or unknown or twice:
        what = [f"mangler {', '.join(quoted(c) for c in missing)}"] if missing else []
        what += [f"ukjent {_few(unknown)}"] if unknown else []
        what += [f"to ganger {_few(twice)}"] if twice else []
        raise UserError(f"{file}: rad 1 skal ha kolonnene {columns.describe()}: {'; '.join(what)}")
    if len(table) - 1 > MAX_ROWS:
        raise UserError(
            f"{file}: {len(table) - 1} rader; et regneark kan ha høyst {MAX_ROWS} rader"
        )
    rows: list[Row] = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # an empty row
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            raise UserError(
                f"{file}: rad {number} har {len(header) + len(extra)} eller flere utfylte "
                f"celler, men rad 1 navngir {len(header)} kolonner"
            )
        padded = [*cells[: len(header)], *[""] * (len(header) - len(cells))]
        record = {
            columns.fields[h]: c.strip()
            for h, c in zip(header, padded, strict=True)
            if h not in columns.informational
        }
        if [c.strip().lower() for c in padded] == header:
            raise UserError(
                f"{file}: rad {number} gjentar kolonnenes navn; de skal stå bare i rad 1"
            )
        rows.append((number, record))
    if not rows:
        raise UserError(f"{file}: regnearket har ingen utfylte rader")
    return rows


# What the csv module says of a file it cannot read, in bokmål (anything else: no reason given).
CSV_ERRORS = {
    "field larger than field limit": "en celle er for stor",
    "line contains NUL": "filen har et NUL-tegn",
    "new-line character seen in unquoted field": "et linjeskift står midt i en celle",
}


def _few(names: Sequence[str], shown: int = 5) -> str:
    """The first `shown` of `names`, then how many more."""
    more = f" og {len(names) - shown} til" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _csv_cells(file: Path) -> list[list[str]]:
    _checked_size(file)
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{file}: ikke UTF-8-tekst (byte {exc.start}); lagre filen som CSV med UTF-8"
        ) from None
    except OSError:
        raise UserError(f"{file}: filen kan ikke leses") from None
    first = text.splitlines()[0] if text.strip() else ""
    try:
        dialect = csv.Sniffer().sniff(first, delimiters=",;")
    except csv.Error:
        if "," in first or ";" in first or not first:
            raise UserError(
                f"{file}: ikke et CSV-regneark: rad 1 skal ha kolonnenes navn, skilt med komma "
                "eller semikolon"
            ) from None
        dialect = csv.excel  # a one-column table
    try:
        return list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        reason = next((v for k, v in CSV_ERRORS.items() if str(exc).startswith(k)), "")
        raise UserError(
            f"{file}: ikke et CSV-regneark som kan leses" + (f" ({reason})" if reason else "")
        ) from None


def _checked_size(file: Path) -> None:
    """Refuse a file that is missing, a folder, unreadable or larger than an input may be."""
    try:
        status = file.stat()
    except FileNotFoundError:
        raise UserError(f"fant ikke filen {file}") from None
    except PermissionError:
        raise UserError(f"{file}: ingen tilgang til å lese filen") from None
    except OSError:
        raise UserError(f"{file}: filen kan ikke leses") from None
    if stat.S_ISDIR(status.st_mode):
        raise UserError(f"{file}: en mappe, ikke en fil")
    if status.st_size > MAX_INPUT_BYTES:
        raise UserError(
            f"{file}: filen er {megabytes(status.st_size)} MB; en fil kan være høyst "
            f"{MAX_INPUT_BYTES / 1e6:g} MB"
        )


def _xlsx_cells(file: Path) -> list[list[str]]:
    """The first worksheet's cells as text, refusing what a table may not hold."""
    from openpyxl import load_workbook

    _checked_size(file)
    not_xlsx = f"{file}: ikke en XLSX-fil (lagre den som .xlsx fra regnearkprogrammet)"
    try:
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise UserError(not_xlsx) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UserError(
            f"{file}: filen blir {unpacked / 1e6:.0f} MB pakket ut; et regneark kan bli høyst "
            f"{MAX_UNPACKED_BYTES / 1e6:g} MB"
        )
    try:
        workbook = load_workbook(file, data_only=False)
    except Exception:
        raise UserError(not_xlsx) from None
    sheet = workbook.worksheets[0]
    merged = sorted(str(r) for r in sheet.merged_cells.ranges)
    if merged:
        raise UserError(
            f"{file}: sammenslåtte celler ({', '.join(merged[:5])}); et regneark skal ha én "
            "verdi i hver celle: del dem opp igjen"
        )
    table: list[list[str]] = []
    for row in sheet.iter_rows():
        cells: list[str] = []
        for cell in row:
            if cell.data_type == "f":
                raise UserError(
                    f"{file}: celle {cell.coordinate} har en formel; lim inn verdien i stedet "
                    "(et regneark leses bare som verdier)"
                )
            cells.append(_text(cell.value))
        table.append(cells)
    return table


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ----------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class Choice:
    """A column whose cells take one of a few words: the template offers them as a list."""

    column: str
    words: tuple[str, ...]


def write_template(
    columns: Columns,
    rows: Sequence[Sequence[str]],
    suffix: str,
    title: str,
    choices: Sequence[Choice] = (),
) -> bytes:
    """A template as .csv (semicolons, UTF-8 with a byte-order mark, as spreadsheet programs
    open it) or .xlsx (a bold, frozen header; every cell text, so 0301 keeps its zero; lists
    for the columns that take a word)."""
    header = columns.header()
    if suffix == ".csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if suffix != ".xlsx":
        raise UserError(f"a template is written as .csv or .xlsx, not {suffix or 'no suffix'}")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    last = max(len(rows) + 1, 200)
    for index, name in enumerate(header, start=1):
        letter = get_column_letter(index)
        width = max([len(name), *(len(str(r[index - 1])) for r in rows if len(r) >= index)])
        sheet.column_dimensions[letter].width = min(max(width + 2, 12), 60)
        for (cell,) in sheet.iter_rows(min_row=2, max_row=last, min_col=index, max_col=index):
            cell.number_format = "@"
    for choice in choices:
        letter = get_column_letter(header.index(choice.column) + 1)
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(choice.words) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=choice.column,
            error=f"Skriv {' eller '.join(choice.words)}",
        )
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    out_bytes = io.BytesIO()
    workbook.save(out_bytes)
    return out_bytes.getvalue()
