"""Tables a person fills in, read from CSV or XLSX and written as templates.

A table's first row names its columns (Norwegian, any case); every later row that is not empty
is a record, numbered as a spreadsheet numbers it (the header is row 1). What a spreadsheet can
hold and a table may not is refused with one line naming where it is: merged cells, formulas
(their value is whatever the program last computed, which the file may not even hold), a second
header, a file that is no workbook under its .xlsx name, or a workbook larger unpacked than any
sheet of ours can be (a "zip bomb"). Dates and times that a spreadsheet stores as such come out
as text the inputs take (`2027-02-13`, `18:00`); a whole number typed into a number column as
`301` comes out as `301` (the caller pads it where a leading zero matters).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from client.errors import UserError
from service.governance import MAX_INPUT_BYTES, read_text

# A sheet of ours is a few hundred rows: far below these, far above any template filled in.
MAX_ROWS = 5000
MAX_UNPACKED_BYTES = 50_000_000
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
        return ", ".join(self.fields)


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
            f"{file}: a sheet is a .csv or .xlsx file, not {suffix}: save it as one of them"
        )
    if not table:
        raise UserError(f"{file}: the sheet is empty; its first row names the columns")
    header = [cell.strip().lower() for cell in table[0]]
    while header and not header[-1]:
        header.pop()
    missing = [c for c in columns.fields if c not in columns.optional and c not in header]
    unknown = [c or "(empty)" for c in header if c not in columns.fields]
    twice = sorted({c for c in header if c and header.count(c) > 1})
    if missing or unknown or twice:
        what = [f"missing {', '.join(missing)}"] if missing else []
        what += [f"unknown {', '.join(unknown)}"] if unknown else []
        what += [f"twice {', '.join(twice)}"] if twice else []
        raise UserError(
            f"{file}: row 1 must name the columns {columns.describe()}: {'; '.join(what)}"
        )
    if len(table) - 1 > MAX_ROWS:
        raise UserError(f"{file}: {len(table) - 1} rows; a sheet holds at most {MAX_ROWS}")
    rows: list[Row] = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # an empty row
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            raise UserError(
                f"{file}: row {number} has {len(header) + len(extra)} or more filled cells, "
                f"the header names {len(header)} columns"
            )
        padded = [*cells[: len(header)], *[""] * (len(header) - len(cells))]
        record = {
            columns.fields[h]: c.strip()
            for h, c in zip(header, padded, strict=True)
            if h not in columns.informational
        }
        if [c.strip().lower() for c in padded] == header:
            raise UserError(f"{file}: row {number} repeats the header; keep one header, in row 1")
        rows.append((number, record))
    if not rows:
        raise UserError(f"{file}: the sheet has no filled-in rows: nothing to send")
    return rows


def _csv_cells(file: Path) -> list[list[str]]:
    text = read_text(file)
    first = text.splitlines()[0] if text.strip() else ""
    try:
        dialect = csv.Sniffer().sniff(first, delimiters=",;")
    except csv.Error:
        if "," in first or ";" in first or not first:
            raise UserError(
                f"{file}: not a CSV sheet: its first row must name the columns, separated by "
                "commas or semicolons"
            ) from None
        dialect = csv.excel  # a one-column table
    try:
        return list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise UserError(f"{file}: not a CSV sheet ({exc})") from None


def _xlsx_cells(file: Path) -> list[list[str]]:
    """The first worksheet's cells as text, refusing what a table may not hold."""
    from openpyxl import load_workbook

    try:
        size = file.stat().st_size
    except FileNotFoundError:
        raise UserError(f"file not found: {file}") from None
    except OSError as exc:
        raise UserError(f"{file}: cannot be read ({exc.strerror})") from None
    if size > MAX_INPUT_BYTES:
        raise UserError(
            f"{file}: {size / 1e6:.1f} MB is more than the {MAX_INPUT_BYTES / 1e6:g} MB "
            "an input file may have"
        )
    not_xlsx = f"{file}: not an XLSX workbook (save it from the spreadsheet program as .xlsx)"
    try:
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise UserError(not_xlsx) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UserError(
            f"{file}: {unpacked / 1e6:.0f} MB unpacked is more than a sheet of "
            f"{MAX_UNPACKED_BYTES / 1e6:g} MB; refused"
        )
    try:
        workbook = load_workbook(file, data_only=False)
    except Exception:
        raise UserError(not_xlsx) from None
    sheet = workbook.worksheets[0]
    merged = sorted(str(r) for r in sheet.merged_cells.ranges)
    if merged:
        raise UserError(
            f"{file}: merged cells ({', '.join(merged[:5])}); a sheet needs one value per cell: "
            "unmerge them"
        )
    table: list[list[str]] = []
    for row in sheet.iter_rows():
        cells: list[str] = []
        for cell in row:
            if cell.data_type == "f":
                raise UserError(
                    f"{file}: cell {cell.coordinate} holds a formula; paste its value instead "
                    "(a sheet is read as values only)"
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
