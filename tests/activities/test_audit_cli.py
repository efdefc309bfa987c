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
    [line] = result.output.splitlines()
    assert line.startswith("verified, 3 entries, head ")
    head = line.rpartition(" ")[2]
    again = runner.invoke(app, ["audit", "verify", "--json", "--expect-head", head])
    assert json.loads(again.output) == {
        "ok": True, "entries": 3, "head": head, "first_broken_seq": None, "problem": None,
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
