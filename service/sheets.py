"""Sheets a county secretary fills in, as CSV with Norwegian column names.

The representatives sheet has one row per person: the member (kommunenummer) whose council
elected them, whether they are a representative or a deputy (in the order of the rows), and who
they are. Every problem of a sheet is reported at once, each with its row, its column and the
member, and nothing is sent while one remains. A spreadsheet program saves such a file with
"Lagre som CSV (UTF-8)", with commas or semicolons.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pydantic import ValidationError

from client.errors import UserError
from models.election_payloads import RepresentativesIn
from models.payloads import PersonIn
from service.governance import read_text

# Column (as written in the sheet's header, any case) -> field of a person.
REPRESENTATIVE_COLUMNS = {
    "medlemsnummer": "member_number",
    "rolle": "role",
    "person-id": "person_id",
    "navn": "name",
    "kjønn": "gender",
    "e-post": "email",
    "parti": "party",
}
ROLES = {"representant": "people", "vara": "deputies"}
MAX_ROWS = 5000
SHOWN_PROBLEMS = 20


def read_representatives(file: Path) -> list[RepresentativesIn]:
    """The members' representatives and deputies of a CSV sheet, grouped by member in the order
    of the rows; every problem of the sheet at once as one `UserError` line."""
    rows = _rows(file)
    problems: list[str] = []
    by_member: dict[str, dict[str, list[PersonIn]]] = {}
    for number, row in rows:
        member = row.get("member_number", "").strip()
        where = f"row {number} ({member or 'no member'})"
        if not member:
            problems.append(f"{where}, medlemsnummer: empty")
        role = ROLES.get(row.get("role", "").strip().lower())
        if role is None:
            problems.append(f"{where}, rolle: write representant or vara")
        fields = {k: v.strip() for k, v in row.items() if k not in ("role",)}
        try:
            person = PersonIn.model_validate({**fields, "member_number": member or None})
        except ValidationError as exc:
            for error in exc.errors():
                column = _column(str(error["loc"][0]) if error["loc"] else "")
                problems.append(f"{where}, {column}: {error['msg'].removeprefix('Value error, ')}")
            continue
        if member and role is not None:
            by_member.setdefault(member, {"people": [], "deputies": []})[role].append(person)
    if problems:
        shown = problems[:SHOWN_PROBLEMS]
        more = f"; and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        raise UserError(
            f"{file}: {len(problems)} problem(s), nothing sent: {'; '.join(shown)}{more}"
        )
    sheets = []
    for member, seats in by_member.items():
        if not seats["people"]:
            raise UserError(f"{file}: member {member} has deputies but no representative")
        sheets.append(
            RepresentativesIn(
                member_number=member,
                people=tuple(seats["people"]),
                deputies=tuple(seats["deputies"]),
            )
        )
    return sheets


def _column(field: str) -> str:
    names = {v: k for k, v in REPRESENTATIVE_COLUMNS.items()}
    return names.get(field, field or "row")


def _rows(file: Path) -> list[tuple[int, dict[str, str]]]:
    """The data rows (numbered as a spreadsheet numbers them, the header being row 1) with the
    header's Norwegian names turned into fields; a sheet that is no such table is refused."""
    text = read_text(file)
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;")
    except csv.Error:
        raise UserError(
            f"{file}: not a CSV sheet with the columns {', '.join(REPRESENTATIVE_COLUMNS)}"
        ) from None
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        table = list(reader)
    except csv.Error as exc:
        raise UserError(f"{file}: not a CSV sheet ({exc})") from None
    header = [cell.strip().lower() for cell in table[0]]
    missing = [c for c in REPRESENTATIVE_COLUMNS if c != "parti" and c not in header]
    unknown = [c for c in header if c not in REPRESENTATIVE_COLUMNS]
    if missing or unknown:
        what = [f"missing {', '.join(missing)}"] if missing else []
        what += [f"unknown {', '.join(unknown)}"] if unknown else []
        raise UserError(f"{file}: the header must name the columns: {'; '.join(what)}")
    if len(table) - 1 > MAX_ROWS:
        raise UserError(f"{file}: {len(table) - 1} rows; a sheet holds at most {MAX_ROWS}")
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # an empty row
        if len(cells) != len(header):
            raise UserError(
                f"{file}: row {number} has {len(cells)} cells, the header {len(header)}"
            )
        rows.append(
            (number, {REPRESENTATIVE_COLUMNS[h]: c for h, c in zip(header, cells, strict=True)})
        )
    if not rows:
        raise UserError(f"{file}: the sheet has no rows: nothing to send")
    return rows


def is_sheet(file: Path) -> bool:
    return file.suffix.lower() == ".csv"
