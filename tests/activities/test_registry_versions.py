"""Registry versions in the record store, on SQLite and PostgreSQL: written once with their audit
entry (no address in it), never changed, in force by date; and `ksgov registry` through the
command line, up to the dry run of a term start on the imported registry."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from activities.records import RecordActivities
from cli.main import run
from client.errors import UserError
from config import Settings, load_settings
from domain.gender import Gender
from models.payloads import CouncilsRequest, PersonIn, RecordPeopleRequest
from models.records import AuditEntry, Member, RegistryEntry, RegistryVersion
from service import registry as service
from store import coverage
from store.audit import verify_chain
from store.changes import RefusedError
from store.db import make_engine
from store.reads import read_councils
from store.registry import write_version
from store.signing import read_record_key

HEADER = "nummer,navn,innbyggere,e-post,sekretær-e-post\n"
SHEET = (
    HEADER
    + "46,Vestland,,postmottak@vlfk.example,kari.sekretaer@ks.example\n"
    + "4601,Bergen,291940,postmottak@bergen.example,\n"
    + "4602,Kinn,17349,,\n"
    + "0301,Oslo,717710,postmottak@oslo.example,ola.sekretaer@ks.example\n"
)
# Far ahead: these versions are not in force today, whenever the tests run.
DAY = dt.date(2099, 1, 1)


@pytest.fixture
def settings(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("KSGOV_DATABASE_URL", database_url)
    return load_settings()


def sheet(tmp_path: Path, text: str = SHEET, name: str = "registry.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def imported(settings: Settings, path: Path, on: dt.date = DAY) -> service.Imported:
    return service.apply_import(settings, service.plan_import(settings, path, on, "SSB og KS"))


def audit_entries(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))))


def test_an_import_writes_the_version_its_entries_and_a_signed_entry_without_addresses(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    done = imported(settings, sheet(tmp_path))
    assert (done.version, done.audit_seq) == (1, 1)
    assert done.label == "registry v1 of 2099-01-01 from SSB og KS"
    [entry] = audit_entries(engine)
    assert (entry.action, entry.subject, entry.actor) == ("registry_imported", "registry:v1", "cli")
    content = json.loads(entry.content)
    assert content["effective_from"] == "2099-01-01"
    assert content["source"] == "SSB og KS"
    assert (content["counties"], content["municipalities"], content["addresses"]) == (2, 3, 3)
    assert content["secretaries"] == 2
    assert "@" not in entry.content
    assert "sekretaer" not in entry.content
    assert "Bergen" not in entry.content
    assert "Kinn" not in entry.content
    with Session(engine) as session:
        version = session.get(RegistryVersion, 1)
        assert version is not None
        assert version.digest == content["digest"]
        assert len(session.exec(select(RegistryEntry)).all()) == 5  # 03 made for Oslo
        assert session.get(Member, "4601") is None  # not in force yet
    key = read_record_key(settings.record_key_path, create=False)
    assert verify_chain(engine, public_key=key.public).ok
    assert coverage.verify_records(engine).ok


def test_a_version_in_force_today_also_names_the_members_for_the_audit_queries(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    imported(settings, sheet(tmp_path), service.today())
    with Session(engine) as session:
        bergen = session.get(Member, "4601")
    assert bergen is not None
    assert (bergen.name, bergen.population) == ("Bergen", 291940)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE registry_entry SET email = 'x@example.org'",
        "DELETE FROM registry_entry",
        "UPDATE registry_version SET source = 'other'",
        "DELETE FROM registry_version",
    ],
)
def test_a_version_is_never_changed(
    settings: Settings, engine: Engine, tmp_path: Path, statement: str
) -> None:
    imported(settings, sheet(tmp_path))
    with pytest.raises(sqlalchemy.exc.DatabaseError, match="never changed"), engine.begin() as c:
        c.exec_driver_sql(statement)


def test_the_registry_in_force_is_the_newest_effective_by_the_day(
    settings: Settings, tmp_path: Path
) -> None:
    imported(settings, sheet(tmp_path))
    imported(settings, sheet(tmp_path, SHEET.replace("291940", "292000")), dt.date(2100, 1, 1))
    imported(settings, sheet(tmp_path, SHEET.replace("17349", "17400")))  # same day, later
    assert service.registry_in_force(settings, dt.date(2098, 12, 31)).label == service.SHIPPED
    assert service.registry_in_force(settings, dt.date(2099, 6, 1)).version == 3
    on_2100 = service.registry_in_force(settings, dt.date(2100, 1, 1))
    assert on_2100.version == 2
    assert on_2100.registry.population_of("46") == 292000 + 17349
    assert on_2100.contacts["4602"] == ""
    assert on_2100.contacts["secretary-03"] == "ola.sekretaer@ks.example"
    assert [v.version for v in service.list_versions(settings) if v.in_force] == []


def test_an_import_is_one_transaction_version_entries_and_audit_entry_or_nothing(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    plan = service.plan_import(settings, sheet(tmp_path), DAY, None)
    broken = service.ImportPlan(
        plan.file, (*plan.rows, plan.rows[-1]), DAY, plan.source, plan.base, plan.diff
    )  # one member twice: the entries' insert fails after the version's
    with pytest.raises(UserError):
        service.apply_import(settings, broken)
    with Session(engine) as session:
        assert session.exec(select(RegistryVersion)).all() == []
        assert session.exec(select(RegistryEntry)).all() == []
    assert audit_entries(engine) == []


def test_an_import_compared_with_a_registry_since_replaced_is_refused(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    first = service.plan_import(settings, sheet(tmp_path), DAY, None)
    imported(settings, sheet(tmp_path, SHEET.replace("17349", "1"), "other.csv"))
    with pytest.raises(UserError, match="changed since the comparison"):
        service.apply_import(settings, first)
    assert len(audit_entries(engine)) == 1


def test_an_identical_import_is_refused(settings: Settings, tmp_path: Path) -> None:
    imported(settings, sheet(tmp_path))
    with pytest.raises(UserError, match="nothing changed"):
        service.plan_import(settings, sheet(tmp_path), DAY, None)


def test_entries_changed_outside_ksgov_are_found_by_verify(
    sqlite_url: str, sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KSGOV_DATABASE_URL", sqlite_url)
    imported(load_settings(), sheet(tmp_path))
    with sqlite_engine.begin() as conn:  # as the database's owner could, around the trigger
        conn.exec_driver_sql("DROP TRIGGER registry_entry_no_update")
        conn.exec_driver_sql("UPDATE registry_entry SET email = 'x@example.org'")
    report = coverage.verify_records(sqlite_engine)
    assert not report.ok
    assert report.problem is not None
    assert "registry/v1" in report.problem


# ----------------------------------------------------------------------------- the CLI


def ksgov(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(["ksgov", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_import_is_shown_then_refused_without_yes_then_written_once(
    settings: Settings,
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = str(sheet(tmp_path))
    code, out, _ = ksgov(capsys, "registry", "import", path, "--dry-run", "--from", "01.01.2099")
    assert code == 0
    assert "Compared with the shipped registry (SSB 2024):" in out
    assert "address added (3): 46 Vestland; 0301 Oslo; 4601 Bergen" in out
    assert "removed (" in out
    assert "@" not in out
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = ksgov(capsys, "registry", "import", path)
    assert code == 2
    assert err.strip().splitlines() == [
        f"ksgov: error: importing {path} writes a new registry version: give --yes to import "
        "without asking (or --dry-run to compare only)"
    ]
    assert service.list_versions(settings) == []
    code, out, _ = ksgov(capsys, "registry", "import", path, "--yes", "--source", "KS")
    assert code == 0
    assert f"Imported as registry v1 of {service.today().isoformat()} from KS" in out
    code, _, err = ksgov(capsys, "registry", "import", path, "--yes")
    assert code == 2
    assert "nothing changed" in err
    code, out, _ = ksgov(capsys, "registry", "versions")
    assert "v1" in out
    assert "KS" in out
    assert "yes" in out
    code, out, _ = ksgov(capsys, "registry", "show", "--county", "46")
    assert out.splitlines()[0] == f"registry v1 of {service.today().isoformat()} from KS"
    assert "Kinn" in out
    assert "Alver" not in out
    code, out, _ = ksgov(capsys, "registry", "show", "--on", "2020-01-01", "--json")
    assert len(json.loads(out)) == 15  # the shipped registry, before any version


def test_a_term_started_on_the_imported_registry_writes_to_its_addresses(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ksgov(capsys, "registry", "import", str(sheet(tmp_path)), "--yes")[0] == 0
    code, out, _ = ksgov(capsys, "term", "start", "2027", "--dry-run")
    assert code == 0
    assert out.startswith(
        f"Term 2028-2032 (bylaws ks-2024, registry v1 of {service.today().isoformat()} from "
        "registry.csv): 3 notices asking councils for their representatives, in 2 counties."
    )
    assert "No address (nothing sent to them): Kinn kommune" in out
    assert "First recipients: Oslo kommune <postmottak@oslo.example>" in out
    code, out, _ = ksgov(capsys, "term", "start", "2027", "--dry-run", "--json")
    mailing = json.loads(out)
    assert mailing["registry"].startswith("registry v1 of ")
    assert (mailing["messages"], mailing["without_address"]) == (3, ["Kinn kommune"])


def test_the_import_as_json_gives_the_diff_and_the_version(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(sheet(tmp_path))
    code, _, err = ksgov(capsys, "registry", "import", path, "--json")
    assert (code, "give --yes" in err) == (2, True)
    code, out, _ = ksgov(capsys, "registry", "import", path, "--json", "--dry-run")
    assert json.loads(out)["version"] is None
    code, out, _ = ksgov(
        capsys, "registry", "import", path, "--json", "--yes", "--from", "2099-01-01"
    )
    shown = json.loads(out)
    assert shown["version"]["version"] == 1
    assert shown["diff"]["secretary address added"] == ["03 Oslo", "46 Vestland"]
    assert shown["counts"]["addresses"] == 3
    code, out, _ = ksgov(capsys, "registry", "versions", "--json")
    assert json.loads(out)[0]["effective_from"] == "2099-01-01"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--from", "31.02.2099"], "is not a date"),
        (["--source", ""], "--source: one line"),
    ],
)
def test_bad_import_options_are_one_line(
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    words: str,
) -> None:
    code, _, err = ksgov(capsys, "registry", "import", str(sheet(tmp_path)), "--dry-run", *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert words in err


def test_import_needs_a_migrated_record_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KSGOV_DATABASE_URL", f"sqlite:///{tmp_path}/none.db")
    assert ksgov(capsys, "registry", "versions")[1].startswith("No registry imported")
    code, _, err = ksgov(capsys, "registry", "import", str(sheet(tmp_path)), "--yes")
    assert code == 2
    assert "run `ksgov db upgrade` first" in err


def test_a_version_number_another_import_took_is_refused(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    plan = service.plan_import(settings, sheet(tmp_path), DAY, None)
    with Session(engine) as session, pytest.raises(RefusedError, match="another import"):
        write_version(session, 2, DAY, "test", plan.rows)
    done = imported(settings, sheet(tmp_path))
    assert service.registry_in_force(settings, DAY).key == f"registry:v{done.version}"
    assert service.shipped().key == "shipped"


def test_a_sheet_is_shown_as_it_is_and_only_a_sheet_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = ksgov(capsys, "registry", "show", "--file", str(sheet(tmp_path)))
    assert code == 0
    assert out.splitlines()[0] == "file registry.csv"
    assert "Vestland" in out
    json_file = sheet(tmp_path, "[]", "registry.json")
    code, _, err = ksgov(capsys, "registry", "import", str(json_file), "--dry-run")
    assert code == 2
    assert "a registry sheet is a .csv or .xlsx file" in err


def test_a_record_store_that_does_not_answer_is_one_line_with_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KSGOV_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    code, _, err = ksgov(capsys, "registry", "show")
    assert code == 3
    assert err.startswith("ksgov: error: the record store postgresql+psycopg://nobody@127.0.0.1")


def test_the_councils_of_elected_people_come_with_the_addresses_in_force(
    settings: Settings, tmp_path: Path
) -> None:
    engine = make_engine(settings.resolved_database_url)
    people = [
        PersonIn(person_id=f"p-{n}", name=f"Person {n}", gender=Gender.FEMALE,
                 email=f"p{n}@x.no", member_number=number)
        for n, number in enumerate(("4601", "4601", "4602", "46", None))
    ]  # fmt: skip
    RecordActivities(engine).record_people(
        RecordPeopleRequest(idempotency_key="people", people=tuple(people))
    )
    asked = tuple(p.person_id for p in people)
    before = read_councils(engine, CouncilsRequest(person_ids=asked, on=DAY))
    assert before.councils == ()  # no version yet: the shipped registry has no addresses
    imported(settings, sheet(tmp_path))
    found = read_councils(engine, CouncilsRequest(person_ids=asked, on=DAY))
    assert [(c.recipient_id, c.name, c.email) for c in found.councils] == [
        ("46", "Vestland fylkeskommune", "postmottak@vlfk.example"),
        ("4601", "Bergen kommune", "postmottak@bergen.example"),
    ]  # Kinn has no address: no letter
    earlier = read_councils(engine, CouncilsRequest(person_ids=asked, on=dt.date(2098, 1, 1)))
    assert earlier.councils == ()
    engine.dispose()
