"""`ksgov audit verify` on a test SQLite file: one line (or JSON), exit code 1 when broken."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from activities.records import RecordActivities
from cli.main import app
from client.errors import UserError
from models.payloads import RecordEventRequest
from store.signing import RecordKey, read_record_key, sign_with

runner = CliRunner()


@pytest.fixture
def logged(sqlite_url: str, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("KSGOV_DATABASE_URL", sqlite_url)
    records = RecordActivities(sqlite_engine)
    for n in (1, 2, 3):
        records.record_event(
            RecordEventRequest(idempotency_key=f"e-{n}", action="stage_reached", subject="t")
        )
    return sqlite_engine


def test_audit_verify_reports_the_entries_and_the_head(logged: Engine) -> None:
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    line, records = result.output.splitlines()
    assert line.startswith("verified, 3 entries, head ")
    assert records.startswith("records: 0 rows")
    head = line.split()[4].rstrip(";")
    assert line.endswith("; signatures not checked (no record key here: give --public-key)")
    again = runner.invoke(app, ["audit", "verify", "--json", "--expect-head", head])
    assert json.loads(again.output) == {
        "ok": True, "entries": 3, "head": head, "first_broken_seq": None, "problem": None,
        "signatures_checked": False, "anchored": None,
        "records": {"ok": True, "rows": 0, "problem": None},
    }  # fmt: skip


def test_audit_verify_exits_1_at_the_first_broken_link(logged: Engine) -> None:
    with logged.begin() as conn:
        conn.execute(sqlalchemy.text("DROP TRIGGER audit_log_no_update"))
        conn.execute(sqlalchemy.text("UPDATE audit_log SET subject = 'x' WHERE seq = 2"))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert result.output.startswith("BROKEN at entry 2: entry 2 was altered")
    data = json.loads(runner.invoke(app, ["audit", "verify", "--json"]).output)
    assert (data["ok"], data["entries"], data["first_broken_seq"]) == (False, 1, 2)


def test_audit_verify_with_another_head_exits_1(logged: Engine) -> None:
    result = runner.invoke(app, ["audit", "verify", "--expect-head", "0" * 64])
    assert result.exit_code == 1
    assert "the head hash differs from the one given" in result.output


def test_audit_verify_without_a_database_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KSGOV_DATABASE_URL", f"sqlite:///{tmp_path}/missing.db")
    result = runner.invoke(app, ["audit", "verify"])
    # cli.main.main() turns a UserError into one line and exit code 2; the runner sees the error.
    assert isinstance(result.exception, UserError)
    assert "ksgov db upgrade" in str(result.exception)


@pytest.fixture
def signed(
    sqlite_url: str, sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Engine:
    """Three entries signed with the record key of the data directory, as the worker writes."""
    monkeypatch.setenv("KSGOV_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("KSGOV_DATA_DIR", str(tmp_path / "data"))
    sign_with(sqlite_engine, read_record_key(tmp_path / "data" / "record-key", create=True))
    append(sqlite_engine, 1, 3)
    return sqlite_engine


def append(engine: Engine, first: int, last: int) -> None:
    records = RecordActivities(engine)
    for n in range(first, last + 1):
        records.record_event(
            RecordEventRequest(idempotency_key=f"e-{n}", action="stage_reached", subject="t")
        )


def test_anchor_then_verify_since_passes_appends_and_fails_a_rewrite(
    signed: Engine, tmp_path: Path
) -> None:
    exported = runner.invoke(app, ["audit", "public-key"])
    assert exported.exit_code == 0
    assert exported.output.startswith("-----BEGIN PUBLIC KEY-----")
    public = tmp_path / "auditor" / "record-key.pub"
    public.parent.mkdir()
    public.write_text(exported.output)
    anchored = runner.invoke(
        app, ["audit", "anchor", "--out", str(tmp_path / "auditor" / "cp.json")]
    )
    assert anchored.exit_code == 0, anchored.output
    assert anchored.output.startswith("checkpoint of entry 3 (head ")
    append(signed, 4, 5)
    since = [
        "audit",
        "verify",
        "--public-key",
        str(public),
        "--since",
        str(tmp_path / "auditor" / "cp.json"),
    ]
    passed = runner.invoke(app, since)
    assert passed.exit_code == 0, passed.output
    assert passed.output.splitlines()[0].endswith(
        "every entry signed by the record key, unchanged since the checkpoint of entry 3"
    )
    with signed.begin() as conn:  # a rewrite (test_audit_tamper.py has the insider's, re-signed)
        conn.execute(sqlalchemy.text("DROP TRIGGER audit_log_no_update"))
        conn.execute(sqlalchemy.text("UPDATE audit_log SET subject = 'x' WHERE seq = 2"))
    failed = runner.invoke(app, since)
    assert failed.exit_code == 1
    assert failed.output.startswith("BROKEN at entry 2: entry 2 was altered")


def test_a_checkpoint_signed_by_another_key_or_not_one_is_refused(
    signed: Engine, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "cp.json"
    assert runner.invoke(app, ["audit", "anchor", "--out", str(checkpoint)]).exit_code == 0
    other = tmp_path / "other.pub"
    other.write_text(RecordKey.generate().public.pem())
    result = runner.invoke(
        app, ["audit", "verify", "--public-key", str(other), "--since", str(checkpoint)]
    )
    assert result.exit_code == 1
    assert "the checkpoint is not signed by the record key" in result.output
    checkpoint.write_text("{}")
    result = runner.invoke(app, ["audit", "verify", "--since", str(checkpoint)])
    assert isinstance(result.exception, UserError)
    assert str(result.exception) == f"{checkpoint}: not a ksgov audit checkpoint"


def test_anchor_refuses_a_log_that_does_not_verify_and_writes_nothing(
    signed: Engine, tmp_path: Path
) -> None:
    with signed.begin() as conn:
        conn.execute(sqlalchemy.text("DROP TRIGGER audit_log_no_update"))
        conn.execute(sqlalchemy.text("UPDATE audit_log SET subject = 'x' WHERE seq = 2"))
    result = runner.invoke(app, ["audit", "anchor", "--out", str(tmp_path / "cp.json")])
    assert result.exit_code == 1
    assert result.output.startswith("BROKEN at entry 2")
    assert not (tmp_path / "cp.json").exists()


def test_anchor_without_a_record_key_says_so(logged: Engine, tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", "anchor"])
    assert isinstance(result.exception, UserError)
    assert "does not exist: the checkpoint is signed with the record key" in str(result.exception)
