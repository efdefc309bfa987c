"""A secretariat drives a whole election cycle through the `ksgov` command on the dev server.

`ksgov server`, `ksgov worker` and every command run as separate processes, as in use: the
term is started, each county meeting gets its input as JSON files (a whole county's
representatives in one file, a whole result sheet in another), then the Landsting's, until the
national organs are composed. The answers are read back with `ksgov term status` and `ksgov audit`.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from sqlmodel import Session, col, select

from domain.gender import Gender
from harness import driver as sim_driver
from harness.synthetic import PeopleFactory
from models.election_payloads import (
    AppointIn,
    CongressDateIn,
    CredentialsIn,
    MeetingDateIn,
    RepresentativesIn,
    SupplementaryIn,
    VoteIn,
)
from models.records import Seat
from service.governance import load_bylaws, load_registry
from service.term_inputs import build_term_input
from store.db import make_engine
from tests.e2e.conftest import Sandbox

YEAR = 2027


def send(sandbox: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    result = sandbox.run(*args, timeout=120)
    assert result.returncode == 0, f"ksgov {' '.join(args)}: {result.stderr}"
    return result


def write(path: Path, items: Sequence[BaseModel]) -> str:
    path.write_text(json.dumps([item.model_dump(mode="json") for item in items]))
    return str(path)


def refuse_a_bad_file(
    running: Sandbox, county: str, kind: str, items: Sequence[Any]
) -> Sequence[Any]:
    """Before the first county's good files: a representatives file with one wrong entry
    changes nothing, and a votes file stops at its refused vote and says how many went in
    before it. Returns what is still to send."""
    if kind == "representatives":
        more = items[1].model_copy(update={"people": (*items[1].people, items[0].people[0])})
        bad, rest = [items[0], more, *items[2:]], items
        needles: tuple[str, ...] = (
            "entry 2 of the sheet",
            "representative(s), not",
            "nothing from the sheet",
        )
    elif kind == "vote":
        bad, rest = [items[0], VoteIn(post=items[1].post, votes={"nobody": 3})], items[1:]
        needles = ("nobody", "The first 1 input(s) of the file were accepted")
    else:
        return items
    file = write(running.cwd / f"bad-{kind}.json", bad)
    refused = running.run("county-meeting", kind, str(YEAR), county, file)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1, refused.stderr
    for needle in needles:
        assert needle in refused.stderr
    if kind == "representatives":
        status = json.loads(send(running, "term", "status", str(YEAR), "--json").stdout)
        awaiting = status["counties"][county]["awaiting"]
        assert len([a for a in awaiting if a.startswith("representatives of")]) == len(items)
    return rest


@pytest.mark.timeout(480)  # about 70 commands, each its own process: slow on a loaded machine
def test_a_term_runs_from_start_to_composed_organs_through_the_cli(running: Sandbox) -> None:
    refused = running.run("county-meeting", "vote", str(YEAR), "03", "/nonexistent.json")
    assert refused.returncode == 2
    send(running, "term", "start", str(YEAR))
    again = running.run("term", "start", str(YEAR))
    assert again.returncode == 2
    assert "already" in again.stderr
    data = build_term_input(load_registry(), load_bylaws(on_date=dt.date(YEAR, 1, 1)), YEAR)
    people, folder = PeopleFactory(3), running.cwd
    for county in data.counties:
        pool: list[str] = []
        reps = []
        for member in county.members:
            chosen = tuple(people.balanced(member.member_number, member.representatives))
            pool += [p.person_id for p in chosen]
            reps.append(RepresentativesIn(member_number=member.member_number, people=chosen))
        noms = sim_driver.nominations(county.posts, people, county.county, pool)
        by_post = {n.post: n for n in noms.posts}
        votes = [sim_driver.vote_for(spec, by_post[spec.post]) for spec in county.posts]
        date = MeetingDateIn(meeting_date=dt.date(YEAR, 11, 15))
        for kind, items in (("representatives", reps), ("meeting-date", [date]),
                            ("nominations", [noms]), ("vote", votes)):  # fmt: skip
            rest = (
                refuse_a_bad_file(running, county.county, kind, items)
                if county is data.counties[0]
                else items
            )
            file = write(folder / f"{county.county}-{kind}.json", rest)
            send(running, "county-meeting", kind, str(YEAR), county.county, file)

    status = json.loads(send(running, "term", "status", str(YEAR), "--json").stdout)
    assert status["term"]["counties_missing"] == []
    engine = make_engine(running.env["KSGOV_DATABASE_URL"])
    with Session(engine) as session:
        delegates = session.exec(
            select(Seat.person_id).where(Seat.organ == "landsting", Seat.role == "member")
        ).all()
    assert len(delegates) == 219
    posts = data.input.landsting.posts
    noms = sim_driver.nominations(posts, people, "ks", list(delegates))
    by_post = {n.post: n for n in noms.posts}
    sheets: dict[str, Sequence[BaseModel]] = {
        "date": [CongressDateIn(congress_date=dt.date(YEAR + 1, 2, 13))],
        "credentials": [CredentialsIn(approved=tuple(delegates))],
        "nominations": [noms],
        "vote": [sim_driver.vote_for(spec, by_post[spec.post]) for spec in posts],
        "appoint": [AppointIn(person=people.person("sb"))],
    }
    for kind, sheet in sheets.items():
        send(running, "landsting", kind, str(YEAR), write(folder / f"landsting-{kind}.json", sheet))

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
    assert len(voting) == 15
    with Session(engine) as session:
        council = session.exec(
            select(Seat).where(Seat.organ == "landsstyret", col(Seat.role) != "deputy")
        ).all()
    assert len(council) == 54

    with Session(engine) as session:
        leaving = session.exec(
            select(Seat.person_id).where(Seat.organ == "hovedstyret", Seat.role == "deputy_leader")
        ).first()
    assert leaving is not None
    vacate = ("seat", "vacate", str(YEAR), "--organ", "hovedstyret", "--person", leaving,
              "--reason", "statsråd")  # fmt: skip
    bad_date = running.run(*vacate, "--on", "1. mars")
    assert bad_date.returncode == 2
    assert bad_date.stderr.count("\n") == 1
    assert "hovedstyret" in send(running, *vacate, "--on", f"{YEAR + 2}-03-01").stdout
    election = SupplementaryIn(
        organ="hovedstyret", vacated_person_id=leaving, person=people.person("ks", Gender.FEMALE),
        decided_on=dt.date(YEAR + 2, 4, 1),
    )  # fmt: skip
    filled = send(
        running, "seat", "supplementary", str(YEAR), write(folder / "supp.json", [election])
    )
    assert "Open vacancies: none" in filled.stdout
