"""A secretariat drives a whole election cycle through the `ksgov` command on the dev server.

`ksgov server`, `ksgov worker` and every command run as separate processes, as in use: the
term is started, each county meeting gets its input as JSON files (a whole county's
representatives in one file, a whole result sheet in another), one county every input as an XLSX
made from its `ksgov template` and another its representatives as CSV, then the Landsting its
inputs as XLSX from their templates, until the national organs are composed. The answers are
read back with `ksgov term status` and `ksgov audit`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from sqlmodel import Session, col, select

from config import Settings
from domain.gender import Gender
from harness import driver as sim_driver
from harness.devserver import temporal_binary
from harness.synthetic import PeopleFactory
from models.election_payloads import (
    AppointIn,
    AssociateDelegatesIn,
    AssociateMemberIn,
    CongressDateIn,
    CountyMeetingInput,
    CredentialsIn,
    ListIn,
    MeetingDateIn,
    NominationsIn,
    ObserverIn,
    PostNomination,
    RepresentativesIn,
    SupplementaryIn,
    VoteIn,
)
from models.payloads import PersonIn
from models.records import Person, Seat
from service import term as term_service
from service.governance import load_bylaws, load_registry
from service.term_inputs import build_term_input
from store.db import make_engine
from tests.conftest import free_port
from tests.e2e.conftest import Sandbox, found_in_histories
from tests.e2e.sheet_support import fill

YEAR = 2027


def send(sandbox: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    result = sandbox.run(*args, timeout=120)
    assert result.returncode == 0, f"ksgov {' '.join(args)}: {result.stderr}"
    return result


def write(path: Path, items: Sequence[BaseModel]) -> str:
    path.write_text(json.dumps([item.model_dump(mode="json") for item in items]))
    return str(path)


def refuse_a_bad_sheet(running: Sandbox, county: str, items: Sequence[RepresentativesIn]) -> None:
    """A representatives file with one wrong entry changes nothing."""
    stranger = items[0].people[0].model_copy(update={"person_id": "p-stranger"})
    more = items[1].model_copy(update={"people": (*items[1].people, stranger)})
    file = write(running.cwd / "bad-representatives.json", [items[0], more, *items[2:]])
    refused = running.run("county-meeting", "representatives", str(YEAR), county, file)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1, refused.stderr
    for needle in ("entry 2 of the sheet", "representative(s), not", "nothing from the sheet"):
        assert needle in refused.stderr
    status = json.loads(send(running, "term", "status", str(YEAR), "--json").stdout)
    awaiting = status["counties"][county]["awaiting"]
    assert len([a for a in awaiting if a.startswith("representatives of")]) == len(items)


def refuse_a_bad_vote(running: Sandbox, county: str, good: VoteIn) -> None:
    """A votes file stops at its refused vote and says how many went in before it."""
    bad = VoteIn(post=good.post, votes={"nobody": 3})
    file = write(running.cwd / "bad-vote.json", [good, bad])
    refused = running.run("county-meeting", "vote", str(YEAR), county, file)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1, refused.stderr
    assert "The first 1 input(s) of the file were accepted" in refused.stderr


def from_template(running: Sandbox, items: Sequence[BaseModel], *command: str) -> str:
    """The inputs in an XLSX made by `ksgov template <command>`, as a secretary fills it in."""
    name = "-".join(command).replace("county-meeting", "cm")
    path = running.cwd / f"{name}-{len(list(running.cwd.glob(f'{name}*')))}.xlsx"
    send(running, "template", *command, "-o", str(path))
    return str(fill(path, items))


def county_input(
    running: Sandbox, county: str, kind: str, items: Sequence[BaseModel], xlsx: bool = False,
    cli: bool = True,
) -> list[dict[str, Any]]:  # fmt: skip
    """Send a county meeting input file (JSON, or an XLSX from the template); what each input
    answered (`--json`). Without `cli`, the operation the command calls is called in this
    process instead, on the same servers and settings (a `ksgov` process costs a second of
    start-up, and twelve counties' inputs need no more proof that the commands work)."""
    if xlsx:
        file = from_template(running, items, "county-meeting", kind, str(YEAR), county)
    else:
        file = write(running.cwd / f"{county}-{kind}.json", items)
    if not cli:
        answers = asyncio.run(
            term_service.county_meeting_input(settings_of(running), YEAR, county, kind, Path(file))  # type: ignore[arg-type]
        )
        return [a.model_dump(mode="json") for a in answers]
    found: list[dict[str, Any]] = json.loads(
        send(running, "county-meeting", kind, str(YEAR), county, file, "--json").stdout
    )
    return found


def settings_of(running: Sandbox) -> Settings:
    """The settings the sandbox's commands read from their environment."""
    given = {k.removeprefix("KSGOV_").lower(): v for k, v in running.env.items()
             if k.startswith("KSGOV_")}  # fmt: skip
    return Settings.model_validate(given)


def refuse_a_sheet_with_three_errors(running: Sandbox, county: str, reps: Sequence[Any]) -> None:
    """An XLSX from the template with three wrong cells is refused whole, each named by row."""
    path = Path(
        from_template(running, reps, "county-meeting", "representatives", str(YEAR), county)
    )
    from openpyxl import load_workbook

    book = load_workbook(path)
    rows = [r for r in book.worksheets[0].iter_rows(min_row=2) if r[3].value]
    rows[0][5].value, rows[1][2].value, rows[3][6].value = "ukjent", "leder", "ikke-en-adresse"
    book.save(path)
    refused = running.run("county-meeting", "representatives", str(YEAR), county, str(path))
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1, refused.stderr
    assert "regnearket har 3 feil, og ingenting er sendt" in refused.stderr
    for row, column in ((rows[0], "kjønn"), (rows[1], "rolle"), (rows[3], "e-post")):
        assert f"rad {row[0].row} (medlem {row[0].value}), kolonne «{column}»: " in refused.stderr


def registry_sheet(path: Path, without: str) -> str:
    """The shipped registry as the secretariat imports it, with every council's address and
    each county secretary's, but for one member without an address."""
    registry = load_registry()
    lines = ["nummer;navn;innbyggere;e-post;sekretær-e-post"]
    lines += [f"{c.number};{c.name};;postmottak@{c.number}.fylke.example;"
              f"sekretaer@{c.number}.ks.example" for c in registry.counties]  # fmt: skip
    lines += [
        f"{m.number};{m.name};{m.population};"
        f"{'' if m.number == without else f'postmottak@{m.number}.kommune.example'};"
        for m in registry.municipalities
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def csv_sheet(path: Path, sheets: Sequence[RepresentativesIn]) -> str:
    """The representatives as the CSV sheet a county secretary fills in (semicolons, kvinne)."""
    lines = ["medlemsnummer;rolle;person-id;navn;kjønn;e-post;parti"]
    words = {Gender.FEMALE: "kvinne", Gender.MALE: "mann"}
    for sheet in sheets:
        for role, group in (("representant", sheet.people), ("vara", sheet.deputies)):
            lines += [
                f"{sheet.member_number};{role};{p.person_id};{p.name};{words[p.gender]};"
                f"{p.email};{p.party}"
                for p in group
            ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def read_the_term_in_the_console(running: Sandbox, counties: list[str]) -> None:
    """`ksgov web` on the running term: the secretariat's token reads every county meeting's
    stage, a county's token its own county and not another's."""
    for user, role in (
        ("sekretariatet", ["--role", "secretariat"]),
        ("vestland", ["--role", "county", "--county", "46"]),
    ):
        send(running, "user", "add", user, *role, "--no-password")  # fmt: skip
    tokens = {u: send(running, "user", "token", u).stdout.strip()
              for u in ("sekretariatet", "vestland")}  # fmt: skip
    port = free_port()
    server = running.popen_logged("web", "--port", str(port))

    def get(path: str, user: str) -> tuple[int, Any]:
        bearer = {"Authorization": f"Bearer {tokens[user]}"}
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=bearer)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read())

    try:
        for _ in range(150):
            try:
                code, term = get(f"/api/terms/{YEAR}/status", "sekretariatet")
                break
            except OSError:
                time.sleep(0.2)
        assert code == 200, term
        assert sorted(term["counties"]) == sorted(counties)
        assert {c["stage"] for c in term["counties"].values()} == {"done"}
        assert get(f"/api/terms/{YEAR}/counties/46", "vestland")[0] == 200
        assert get(f"/api/terms/{YEAR}/counties/03", "vestland")[0] == 403
        assert get(f"/api/terms/{YEAR}/status", "vestland")[0] == 403
    finally:
        server.terminate()
        server.wait(timeout=30)


def hold_county_meeting(
    running: Sandbox,
    county: CountyMeetingInput,
    people: PeopleFactory,
    first: bool,
    csv: bool,
    cli: bool = True,
) -> None:
    """Representatives with a deputy each, the date, the delegates, then the board from among
    the delegates and their deputies, and Samfunnsbedriftene's member of the board. The
    `first` county sends every input as an XLSX made from its template; without `cli`, the
    inputs go through the commands' operation in this process."""
    reps = [
        RepresentativesIn(
            member_number=m.member_number,
            people=tuple(people.balanced(m.member_number, m.representatives)),
            deputies=(people.person(m.member_number),),
        )
        for m in county.members
    ]
    voters = sum(len(r.people) for r in reps)
    if first:
        refuse_a_bad_sheet(running, county.county, reps)
        refuse_a_sheet_with_three_errors(running, county.county, reps)
        county_input(running, county.county, "representatives", reps, xlsx=True)
    elif csv:  # this county's secretary sends the sheet as CSV, as a spreadsheet program saves it
        sheet = csv_sheet(running.cwd / f"{county.county}-representatives.csv", reps)
        send(running, "county-meeting", "representatives", str(YEAR), county.county, sheet)
    else:
        county_input(running, county.county, "representatives", reps, cli=cli)
    date = MeetingDateIn(meeting_date=dt.date(YEAR, 11, 15))
    county_input(running, county.county, "meeting-date", [date], first, cli)
    spec = next(p for p in county.posts if p.post == "delegates")
    size = spec.seats * 2 + spec.deputies_extra
    lists = [list(people.balanced(county.county, size)) for _ in ("A", "B")]
    nom = PostNomination(
        post="delegates",
        lists=tuple(
            ListIn(name=name, candidates=tuple(p.person_id for p in group))
            for name, group in zip(("A", "B"), lists, strict=True)
        ),
    )
    made = tuple(p for group in lists for p in group)
    nominated = NominationsIn(posts=(nom,), people=made)
    county_input(running, county.county, "nominations", [nominated], first, cli)
    [placed] = county_input(
        running, county.county, "vote", [sim_driver.vote_for(spec, nom, voters)], first, cli
    )
    pool = [*placed["elected"], *placed["deputies"]]
    board = [p for p in county.posts if p.post != "delegates"]
    posts = list(sim_driver.board_inputs(board, pool, voters))
    if first:  # one post at a time, each as a sheet
        for n, (nomination, vote) in enumerate(posts):
            county_input(running, county.county, "nominations", [nomination], first, cli)
            if n == 0:
                refuse_a_bad_vote(running, county.county, vote)
            else:
                county_input(running, county.county, "vote", [vote], first, cli)
    else:  # every post's nominations in one file, then every post's votes in another
        county_input(running, county.county, "nominations", [n for n, _ in posts], cli=cli)
        county_input(running, county.county, "vote", [v for _, v in posts], cli=cli)
    appointed = AssociateMemberIn(person=people.person("sb"))
    county_input(running, county.county, "associate-member", [appointed], first, cli)


@pytest.mark.timeout(480)  # about 200 commands, each its own process: slow on a loaded machine
def test_a_term_runs_from_start_to_composed_organs_through_the_cli(running: Sandbox) -> None:
    refused = running.run("county-meeting", "vote", str(YEAR), "03", "/nonexistent.json")
    assert refused.returncode == 2
    # The secretariat imports the registry with its contacts (shown first, then applied); the
    # term starts on it: 371 councils with an address, one listed without.
    members = registry_sheet(running.cwd / "medlemmer.csv", without="4602")
    preview = send(running, "registry", "import", members, "--dry-run")  # in force from today
    assert "371 council addresses" in preview.stdout
    assert running.run("registry", "versions", "--json").stdout.strip() == "[]"
    send(running, "registry", "import", members, "--source", "test", "--yes")
    dry = json.loads(send(running, "term", "start", str(YEAR), "--dry-run", "--json").stdout)
    assert dry["without_address"] == ["Kinn kommune"]
    vestland = next(c for c in dry["counties"] if c["county"] == "46")
    assert vestland["first_recipients"][0] == "Bergen kommune <postmottak@4601.kommune.example>"
    unasked = running.run("term", "start", str(YEAR))  # no terminal to ask on, no --yes
    assert unasked.returncode == 2
    assert "give --yes" in unasked.stderr
    assert "has the term been started" in running.run("term", "status", str(YEAR)).stderr
    send(running, "term", "start", str(YEAR), "--yes")
    for _ in range(100):  # the term's first step records it: the audit answers from day one
        asked = running.run("audit", "notifications", "--term", str(YEAR), "--json")
        if asked.returncode == 0:
            break
        time.sleep(0.2)
    assert asked.returncode == 0, asked.stderr
    again = running.run("term", "start", str(YEAR), "--yes")
    assert again.returncode == 2
    assert "already" in again.stderr
    data = build_term_input(load_registry(), load_bylaws(on_date=dt.date(YEAR, 1, 1)), YEAR)
    assert dry["messages"] == sum(len(c.members) for c in data.counties) - 1 == 371
    assert [c["county"] for c in dry["counties"]] == [c.county for c in data.counties]
    people, folder = PeopleFactory(3), running.cwd
    for n, county in enumerate(data.counties):  # three through `ksgov`, the rest in process
        hold_county_meeting(running, county, people, n == 1, n == 2, cli=n < 3)

    status = json.loads(send(running, "term", "status", str(YEAR), "--json").stdout)
    assert status["term"]["counties_missing"] == []
    read_the_term_in_the_console(running, [c.county for c in data.counties])
    engine = make_engine(running.env["KSGOV_DATABASE_URL"])
    with Session(engine) as session:
        delegates = {
            p.person_id: PersonIn.model_validate(p.model_dump(exclude={"scope"}))
            for p in session.exec(
                select(Person)
                .join(Seat, col(Seat.person_id) == col(Person.person_id))
                .where(Seat.organ == "landsting", Seat.role == "member")
            )
        }
        leaders = set(
            session.exec(
                select(Seat.person_id).where(
                    col(Seat.organ).startswith("county_board:"), Seat.role == "leader"
                )
            )
        )
    assert len(delegates) == 219
    setup = data.input.landsting
    associates = tuple(people.balanced("sb", setup.associate_delegates))
    appointee = people.person("sb")
    approved = (*delegates, *(p.person_id for p in associates))
    sheets: dict[str, Sequence[BaseModel]] = {
        "date": [CongressDateIn(congress_date=dt.date(YEAR + 1, 2, 13))],
        "associate-delegates": [AssociateDelegatesIn(people=associates)],
        "appoint": [AppointIn(person=appointee)],
        "observer": [ObserverIn(person=people.person("kdu"))],
        "credentials": [CredentialsIn(approved=approved)],
    }
    for kind, sheet in sheets.items():  # every Landsting input as an XLSX from its template
        send(running, "landsting", kind, str(YEAR),
             from_template(running, sheet, "landsting", kind, str(YEAR)))  # fmt: skip
    steps = sim_driver.landsting_inputs(
        setup.posts, people, delegates, leaders, appointee, len(approved), setup.balanced_bodies
    )
    for nomination, vote in steps:
        for kind, item in (("nominations", nomination), ("vote", vote)):
            file = from_template(running, [item], "landsting", kind, str(YEAR))
            send(running, "landsting", kind, str(YEAR), file)

    for _ in range(120):
        status = json.loads(send(running, "term", "status", str(YEAR), "--json").stdout)
        if status["term"]["stage"] == "in_office":
            break
    assert status["term"]["stage"] == "in_office"
    seats = json.loads(
        send(
            running, "audit", "seats", "--organ", "hovedstyret", "--term", str(YEAR), "--json"
        ).stdout
    )
    voting = [s for s in seats["rows"] if s["role"] != "deputy"]
    assert len([s for s in voting if s["role"] != "observer"]) == 15
    assert [s["role"] for s in voting].count("observer") == 1
    with Session(engine) as session:
        council = session.exec(
            select(Seat).where(Seat.organ == "landsstyret", col(Seat.role) != "deputy")
        ).all()
        congress = session.exec(select(Seat).where(Seat.organ == "landsting")).all()
    assert len(council) == 54
    assert len([s for s in congress if s.role == "member"]) == 219 + 20

    with Session(engine) as session:
        leaving = session.exec(
            select(Seat.person_id).where(Seat.organ == "hovedstyret", Seat.role == "deputy_leader")
        ).first()
        assert leaving is not None
        gender = Gender(session.get(Person, leaving).gender)  # type: ignore[union-attr]
    vacate = ("seat", "vacate", str(YEAR), "--organ", "hovedstyret", "--person", leaving,
              "--reason", "statsråd")  # fmt: skip
    bad_date = running.run(*vacate, "--on", "1. mars")
    assert bad_date.returncode == 2
    assert bad_date.stderr.count("\n") == 1
    assert "hovedstyret" in send(running, *vacate, "--on", f"{YEAR + 2}-03-01").stdout
    election = SupplementaryIn(
        organ="hovedstyret", vacated_person_id=leaving, person=people.person("ks", gender),
        decided_on=dt.date(YEAR + 2, 4, 1),
    )  # fmt: skip
    filled = send(
        running, "seat", "supplementary", str(YEAR), write(folder / "supp.json", [election])
    )
    assert "Open vacancies: none" in filled.stdout

    # Sealed payloads: not one delegate's name or address in any history the Temporal CLI shows
    people_in = [*delegates.values(), *associates, appointee, election.person]
    secrets = {p.name for p in people_in} | {p.email for p in people_in}
    assert found_in_histories(running, secrets) == {}
    # ... which the check would see: a payload written in clear, as the Temporal CLI writes it
    plain = subprocess.run(
        [temporal_binary(), "--address", running.address, "workflow", "start", "--type", "Plain",
         "--task-queue", "nobody", "--workflow-id", "plain", "--input", json.dumps(appointee.name)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert plain.returncode == 0
    assert found_in_histories(running, secrets) == {"plain": {appointee.name}}
