"""A generated sweep of bad input over every command: each is refused in one line with exit 2,
with no traceback and no hang, and changes nothing.

Every command runs in this process (`cli.main.run`, what the console script runs) against an
empty, migrated record store and a Temporal address where nothing listens. A bad value that
slipped through would reach Temporal and end with exit 3 ("does not answer"), or start a
server and hang: both fail the case, so the sweep also shows that every command checks its
input before it connects to anything. New commands get their cases from `COMMANDS` below; a
test checks that every command of `ksgov` is there.
"""

from __future__ import annotations

import codecs
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlmodel import Session, func, select

from cli.main import build_app, run
from models.records import AuditEntry
from store import db
from tests.conftest import free_port

# ------------------------------------------------------------------ bad values, by kind

CONTROL = ["a\x00b", "a\r\nBcc: x@y.z", "\x1b[31mred", "a\u202eb", "\u2066x"]
YEARS = [
    "abc",
    "-1",
    "0",
    "1814",
    "99999",
    "2027.5",
    "1e3",
    "9" * 5000,
    "",
    "\uff12\uff10\uff12\uff17",
]
TERMS = ["abcd", "2031-2027", "2027-2030", "9999999999", "", "2027-", "-2027", "1814-1818"]
COUNTIES = ["99", "4", "046", "x", "../46", "46'", "", "4\n6", "46 ", "00"]
DATES = ["2027-13-01", "2027-02-30", "1. mars", "0", "99999-01-01", "", "2027/03/01", "1700000000"]
TIMES = ["25:00", "10:60", "ten", "", "10:00:00:00", "-1:00", "9999"]
IDS = ["", "kari@example.org", "a b", "x'y", "a" * 1000, *CONTROL]
MEETING_IDS = ["", "x'y", "../../etc/passwd", "a" * 1000, "meeting-hovedstyret", *CONTROL]
ORGANS = ["x' OR KsOrgan != 'y", "", "a" * 1000, "styre:99", "county_board:99", *CONTROL]
REASONS = ["", "a" * 10_000, *CONTROL]
USERNAMES = ["", "k", "Kari Nordmann", "a" * 200, "nobody", *CONTROL[:3]]
ROLES_BAD = ["", "admin", "Secretariat", "county\n", *CONTROL[:2]]
SHEETS = ["", "ballots", "../vote", "VOTE", "vote\n", *CONTROL[:2]]
OUTPUTS = ["x.ods", "adir", "good-none.json", "missing-dir/x.xlsx", "", "noname"]
NEGATIVE_OR_HUGE = ["-1", "abc", "1e3", "9" * 5000, ""]


def json_files() -> dict[str, str | bytes]:
    """Input files no command may take: (name, content)."""
    deep = "[" * 100_000 + "]" * 100_000
    return {
        "empty.json": "",
        "not.json": "this is not json",
        "utf16.json": codecs.BOM_UTF16_LE + '{"a": 1}'.encode("utf-16-le"),
        "nul.json": b'{"a": "\x00"}\x00',
        "deep.json": deep,
        "bigint.json": "1" * 5000,
        "nan.json": '{"a": NaN}',
        "dupkeys.json": '{"post": "leader", "post": "members"}',
        "emptylist.json": "[]",
        "string.json": '"a string"',
        "number.json": "42",
        "unknown.json": '{"surprise": true}',
        "nulls.json": "[null, null]",
        "huge.json": "[" + ",".join(["{}"] * 800_000) + "]",
        "latin1.json": '{"name": "Bj\xf8rn"}'.encode("latin-1"),
        "noheader.csv": "Kari;kari@kommune.example\n",
        "badrows.csv": "medlemsnummer,rolle,person-id,navn,kjønn,e-post,parti\n"
        "4601,styreleder,p-1,Kari,ukjent,nei,Sp\n",
    }


def sheet_files() -> list[str]:
    """Sheets no command may take, made in `world` by `make_sheet`."""
    return ["renamed.xlsx", "merged.xlsx", "formula.xlsx", "big.xlsx", "bomb.xlsx",
            "wrongcols.xlsx", "emptyrows.xlsx", "threeerrors.xlsx", "sheet.ods"]  # fmt: skip


def make_sheet(path: Path) -> None:
    from openpyxl import Workbook

    name = path.name
    if name == "big.xlsx":  # 50 MB, sparse on disk
        with path.open("wb") as out:
            out.truncate(50_000_000)
        return
    if name == "bomb.xlsx":  # a few hundred kB that unpack to more than 50 MB
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"0" * 60_000_000)
        return
    if name in ("renamed.xlsx", "sheet.ods"):
        path.write_text('{"meeting_date": "2027-10-01"}')
        return
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    header = ["medlemsnummer", "rolle", "person-id", "navn", "kjønn", "e-post"]
    sheet.append(["alder", "høyde"] if name == "wrongcols.xlsx" else header)
    if name == "threeerrors.xlsx":
        sheet.append(["4601", "leder", "p-1", "Kari", "kvinne", "kari@x.no"])
        sheet.append(["4601", "representant", "p-2", "Ola", "ukjent", "ola@x.no"])
        sheet.append(["4601", "representant", "p 3", "Per", "mann", "per@x.no"])
    elif name != "emptyrows.xlsx":
        sheet.append(["4601", "representant", "p-1", "Kari", "kvinne", "kari@x.no"])
    else:
        sheet.append([None] * 6)
    if name == "merged.xlsx":
        sheet.merge_cells("A2:B2")
    if name == "formula.xlsx":
        sheet["A2"] = "=4600+1"
    book.save(path)


# fmt: off
PERSON = {"person_id": "p-1", "name": "Kari Nordmann", "gender": "female",
          "email": "kari@kommune.invalid"}
# A file each command takes, for the cases that make another of its values bad.
GOOD_FILES: dict[str, object] = {
    "representatives": {"member_number": "4601", "people": [PERSON]},
    "meeting-date": {"meeting_date": "2027-10-01"},
    "nominations": {"posts": [{"post": "leader", "candidates": ["p-1", "p-2"]}]},
    "vote": {"post": "leader", "votes": {"p-1": 10, "p-2": 5}},
    "associate-member": {"person": PERSON},
    "date": {"congress_date": "2028-02-13"},
    "associate-delegates": {"people": [PERSON]},
    "credentials": {"approved": ["p-1"]},
    "appoint": {"person": PERSON},
    "observer": {"person": PERSON},
    "supplementary": {
        "organ": "hovedstyret",
        "vacated_person_id": "p-2",
        "person": PERSON,
        "decided_on": "2029-04-01",
    },
    "count": {"A": 8, "B": 5},
}
# fmt: on

# ------------------------------------------------------------------ the commands

# Each command: a valid command line with {slots}, and per slot the bad values to put there.
# Slots named FILE take every bad JSON file (and a missing path and a directory).
# fmt: off
COMMANDS: dict[str, tuple[list[str], dict[str, list[str]]]] = {
    "term start": (["term", "start", "{year}"], {"year": YEARS}),
    "term status": (["term", "status", "{year}"], {"year": YEARS}),
    "term force-landsting": (
        ["term", "force-landsting", "{year}", "--yes", "--reason", "{reason}"],
        {"year": YEARS[:4], "reason": REASONS},
    ),
    **{
        f"county-meeting {kind}": (
            ["county-meeting", kind, "{year}", "{county}", "{FILE}"],
            {"year": YEARS[:3], "county": COUNTIES, "FILE": []},
        )
        for kind in ("representatives", "meeting-date", "nominations", "vote", "associate-member")
    },
    **{
        f"landsting {kind}": (
            ["landsting", kind, "{year}", "{FILE}"],
            {"year": YEARS[:2], "FILE": []},
        )
        for kind in (
            "date",
            "associate-delegates",
            "credentials",
            "nominations",
            "vote",
            "appoint",
            "observer",
        )
    },
    "seat vacate": (
        [
            "seat",
            "vacate",
            "{year}",
            "--organ",
            "{organ}",
            "--person",
            "{person}",
            "--reason",
            "{reason}",
            "--on",
            "{date}",
        ],
        {"year": YEARS[:3], "organ": ORGANS, "person": IDS, "reason": REASONS, "date": DATES},
    ),
    "seat supplementary": (["seat", "supplementary", "{year}", "{FILE}"], {"FILE": []}),
    "meeting plan": (
        ["meeting", "plan", "{organ}", "{term}", "--from", "{date}"],
        {"organ": ORGANS, "term": TERMS, "date": DATES},
    ),
    "meeting start-series": (
        ["meeting", "start-series", "{organ}", "{term}", "--roster", "{FILE}"],
        {"organ": ORGANS[:3], "term": TERMS[:3], "FILE": []},
    ),
    "meeting list": (
        ["meeting", "list", "--organ", "{organ}", "--from", "{date}"],
        {"organ": ORGANS, "date": DATES},
    ),
    "meeting add": (
        ["meeting", "add", "{organ}", "{term}", "{date}", "--at", "{time}"],
        {"organ": ORGANS, "term": TERMS, "date": DATES, "time": TIMES},
    ),
    "meeting move": (
        ["meeting", "move", "{meeting}", "{date}", "--at", "{time}"],
        {"meeting": MEETING_IDS, "date": DATES, "time": TIMES},
    ),
    "meeting cancel": (
        ["meeting", "cancel", "{meeting}", "--reason", "{reason}"],
        {"meeting": MEETING_IDS, "reason": REASONS},
    ),
    "meeting agenda": (
        ["meeting", "agenda", "{meeting}", "{item}"],
        {"meeting": MEETING_IDS, "item": REASONS},
    ),
    "meeting absence": (
        ["meeting", "absence", "{meeting}", "{person}", "--reason", "{reason}"],
        {"meeting": MEETING_IDS, "person": IDS, "reason": REASONS[1:]},
    ),
    "meeting attendance": (
        ["meeting", "attendance", "{meeting}", "{person}"],
        {"meeting": MEETING_IDS, "person": IDS},
    ),
    "meeting minutes": (
        ["meeting", "minutes", "{meeting}", "--file", "{FILE}"],
        {"meeting": MEETING_IDS[:4], "FILE": []},
    ),
    "meeting approve": (
        ["meeting", "approve", "{meeting}", "{previous}"],
        {"meeting": MEETING_IDS, "previous": MEETING_IDS[:4]},
    ),
    "meeting ics": (["meeting", "ics", "{meeting}"], {"meeting": MEETING_IDS}),
    "registry show": (
        ["registry", "show", "--county", "{county}", "--on", "{date}"],
        {"county": COUNTIES, "date": DATES},
    ),
    "registry import": (
        ["registry", "import", "{FILE}", "--from", "{date}", "--source", "{reason}", "--yes"],
        {"FILE": [], "date": DATES, "reason": ["", "a" * 1000, *CONTROL]},
    ),
    "user add": (
        ["user", "add", "{username}", "--role", "{role}", "--county", "{county}",
         "--no-password"],
        {"username": USERNAMES[:-4] + USERNAMES[-3:], "role": ROLES_BAD, "county": COUNTIES},
    ),
    "user role": (["user", "role", "{username}", "{role}"],
                  {"username": USERNAMES, "role": ROLES_BAD}),
    "user disable": (["user", "disable", "{username}"], {"username": USERNAMES}),
    "user link": (["user", "link", "{username}", "{person}"],
                  {"username": USERNAMES, "person": ["", "a" * 1000, *CONTROL]}),
    "user token": (["user", "token", "{username}", "--role", "{role}"],
                   {"username": USERNAMES, "role": ROLES_BAD}),
    "web": (["web", "--host", "{host}", "--port", "{port}"],
            {"host": ["", "999.1.1.1", "a b", "ksgov.invalid"], "port": ["0", "65536", "x"]}),
    "document minutes": (
        ["document", "minutes", "{meeting}", "--pdf", "-o", "{out}"],
        {"meeting": MEETING_IDS, "out": OUTPUTS[1:4]},
    ),
    "document protocol": (
        ["document", "protocol", "{election}"],
        {"election": ["", "a b", "../x", "term-2027/nobody/leader/round-1", *CONTROL]},
    ),
    "document serve": (
        ["document", "serve", "--host", "{host}", "--port", "{port}"],
        {"host": ["", "999.1.1.1", "a b", "ksgov.invalid", "-1"],
         "port": ["0", "-1", "65536", "abc", ""]},
    ),
    **{
        f"template {group}": (
            ["template", group, "{sheet}", "{year}", *county, "-o", "{out}"],
            {"sheet": SHEETS, "year": YEARS[:3], **({"county": COUNTIES} if county else {}),
             "out": OUTPUTS},
        )
        for group, county in (("county-meeting", ["{county}"]), ("landsting", []))
    },
    "apportion": (
        ["apportion", "--method", "{method}", "--total", "{total}", "--min", "{min}"],
        {
            "method": ["bogus", "", "DHONDT!"],
            "total": [*NEGATIVE_OR_HUGE, "0", "1000000000"],
            "min": NEGATIVE_OR_HUGE,
        },
    ),
    "count": (
        ["count", "{FILE}", "--method", "{method}", "--seats", "{seats}"],
        {"FILE": [], "method": ["bogus", ""], "seats": [*NEGATIVE_OR_HUGE, "0", "100000000"]},
    ),
    "simulate": (
        ["simulate", "--term", "{year}", "--scale", "{scale}", "--meetings", "{meetings}"],
        {
            "year": YEARS[:6],
            "scale": [*NEGATIVE_OR_HUGE, "0", "100000"],
            "meetings": ["county", "", "ALL!"],
        },
    ),
    "drill": (
        [
            "drill",
            "--counties",
            "{counties}",
            "--kills",
            "{kills}",
            "--outage-seconds",
            "{secs}",
            "--fault",
            "{fault}",
        ],
        {
            "counties": [*NEGATIVE_OR_HUGE, "0", "16"],
            "kills": [*NEGATIVE_OR_HUGE, "1000"],
            "secs": ["-1", "nan", "inf", "1e309", "abc"],
            "fault": ["network", ""],
        },
    ),
    "db upgrade": (["db", "upgrade", "{revision}"], {"revision": ["bogus", "-1", "9999", ""]}),
    "bylaws show": (["bylaws", "show", "{name}"], {"name": ["nope", "../../etc/passwd", ""]}),
    "keys rotate": (["keys", "rotate", "--file", "{FILE}"], {"FILE": []}),
    "keys record": (["keys", "record", "--file", "{FILE}"], {"FILE": []}),
    "audit verify": (
        ["audit", "verify", "--since", "{FILE}"],
        {"FILE": []},
    ),
    "audit seats": (
        ["audit", "seats", "--organ", "{organ}", "--term", "{term}", "--at", "{date}"],
        {"organ": ORGANS[:3], "term": TERMS, "date": DATES},
    ),
    "audit person": (["audit", "person", "{person}"], {"person": ["", "a" * 1000, *CONTROL]}),
    "audit notifications": (["audit", "notifications", "--term", "{term}"], {"term": TERMS}),
    "audit timeline": (["audit", "timeline", "--term", "{term}"], {"term": TERMS}),
    "audit history": (
        ["audit", "history", "{workflow}"],
        {"workflow": ["", "a" * 1000, *CONTROL]},
    ),
}
# Commands that only run servers or print: nothing in their input to sweep but typer's own
# checks (an unknown option), which every command gets below.
NO_INPUT = {"server", "worker", "demo", "bylaws list", "audit anchor", "audit public-key",
            "registry versions", "user list"}

GOOD = {"year": "2027", "county": "46", "organ": "hovedstyret", "term": "2028-2032",
        "person": "p-1", "reason": "flyttet", "date": "2028-03-02", "time": "10:00",
        "meeting": "meeting-hovedstyret-2028-2032-01",
        "previous": "meeting-hovedstyret-2028-2032-00",
        "item": "Budsjett", "method": "dhondt", "total": "15", "min": "1", "seats": "3",
        "scale": "1", "meetings": "none", "counties": "1", "kills": "0", "secs": "1",
        "fault": "worker", "revision": "head", "name": "2020", "workflow": "term-2027",
        "sheet": "vote", "out": "new.xlsx", "election": "term-2027/landsting/leader/round-1",
        "host": "127.0.0.1", "port": "1", "username": "nobody", "role": "county"}
# fmt: on


def good_file(command: str) -> str:
    kind = command.split()[-1]
    return f"good-{kind}.json" if kind in GOOD_FILES else "good-none.json"


def cases() -> Iterator[tuple[str, list[str], str]]:
    """(command, argv with one bad value, what is bad) for every slot and bad value."""
    for command, (template, slots) in COMMANDS.items():
        for slot, values in slots.items():
            files = [*json_files(), *sheet_files(), "adir"] + (
                [] if command.startswith("keys") else ["missing.json"]
            )
            for value in values if slot != "FILE" else files:
                filled = {**GOOD, "FILE": good_file(command), slot: value}
                argv = ["ksgov", *(part.format(**filled) for part in template)]
                yield command, argv, f"{slot}={value[:20]!r}"
        yield command, ["ksgov", *command.split(), "--no-such-option"], "unknown option"


CASES = list(cases())
FILE_NAMES = {
    *json_files(),
    *sheet_files(),
    "new.xlsx",
    *(f"good-{k}.json" for k in GOOD_FILES),
    "good-none.json",
    "missing.json",
    "adir",
}


def all_commands() -> set[str]:
    found: set[str] = set()

    def walk(command: object, path: list[str]) -> None:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            found.add(" ".join(path))

    walk(typer.main.get_command(build_app()), [])
    return found


def test_the_sweep_covers_every_command_with_at_least_300_cases() -> None:
    assert all_commands() == set(COMMANDS) | NO_INPUT
    assert len(CASES) >= 300


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty migrated record store, the bad files, and a directory."""
    folder = tmp_path_factory.mktemp("sweep")
    db.upgrade(f"sqlite:///{folder / 'records.db'}")
    for name, content in json_files().items():
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    for kind, value in GOOD_FILES.items():
        (folder / f"good-{kind}.json").write_text(json.dumps(value))
    (folder / "good-none.json").write_text("{}")
    for name in sheet_files():
        make_sheet(folder / name)
    (folder / "adir").mkdir()
    return folder


def audit_entries(folder: Path) -> int:
    engine = db.make_engine(f"sqlite:///{folder / 'records.db'}")
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(AuditEntry)).one()
    engine.dispose()
    return int(count)


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("command", "argv", "bad"), CASES, ids=[f"{c}:{b}" for c, _, b in CASES])
def test_bad_input_is_one_line_with_exit_2_and_changes_nothing(
    world: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    argv: list[str],
    bad: str,
) -> None:
    monkeypatch.chdir(world)
    monkeypatch.setenv("KSGOV_DATA_DIR", str(world / "data"))
    monkeypatch.setenv("KSGOV_DATABASE_URL", f"sqlite:///{world / 'records.db'}")
    monkeypatch.setenv("KSGOV_TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")  # nobody listens
    monkeypatch.setenv("KSGOV_LOG_FORMAT", "json")
    argv = [str(world / a) if a in FILE_NAMES else a for a in argv]
    code = run(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, err[-2000:]
    assert code == 2, f"exit {code}: {err.strip()[:300]}"
    lines = err.strip().splitlines()
    assert len(lines) == 1, err[:2000]
    assert lines[0].startswith("ksgov: error: ")
    assert audit_entries(world) == 0


def test_the_bad_files_are_what_they_say(world: Path) -> None:
    assert (world / "utf16.json").read_bytes().startswith(codecs.BOM_UTF16_LE)
    assert (world / "huge.json").stat().st_size > 1_000_000
    assert "NaN" in (world / "nan.json").read_text()
