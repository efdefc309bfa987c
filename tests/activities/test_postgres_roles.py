"""The PostgreSQL roles of deploy/postgres-init.sql: migrations as the owner, the worker as a role
that owns nothing and so cannot drop or disable the audit log's triggers (run on the test server
with role and database names of its own)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.engine import Engine

from activities.records import RecordActivities
from store import db
from store.audit import verify_chain
from store.changes import write_once
from store.coverage import verify_records
from store.registry import Row, write_version
from tests.activities.conftest import people
from tests.conftest import _postgres_admin

INIT = Path(__file__).resolve().parents[2] / "deploy" / "postgres-init.sql"


@pytest.fixture
def worker_engine() -> Iterator[Engine]:
    """The init script run with fresh names; migrated as the owner; an engine as the worker."""
    suffix = uuid.uuid4().hex[:8]
    names = {"ksgov_owner": f"ksgov_owner_{suffix}", "ksgov": f"ksgov_{suffix}"}
    script = re.sub(r"\b(ksgov_owner|ksgov)\b", lambda m: names[m.group(1)], INIT.read_text())
    server_part, database_part = script.split(f"\\connect {names['ksgov']}")
    admin = _postgres_admin()
    database = names["ksgov"]
    engines: list[Engine] = []
    try:
        with admin.connect() as conn:
            for statement in _statements(server_part):
                conn.exec_driver_sql(statement)
        on_database = sqlalchemy.create_engine(
            admin.url.set(database=database), isolation_level="AUTOCOMMIT"
        )
        engines.append(on_database)
        with on_database.connect() as conn:
            for statement in _statements(database_part):
                conn.exec_driver_sql(statement)

        def url(role: str) -> str:
            return admin.url.set(username=role, password=None, database=database).render_as_string(
                hide_password=False
            )

        db.upgrade(url(names["ksgov_owner"]))
        worker = db.make_engine(url(names["ksgov"]))
        engines.append(worker)
        yield worker
    finally:
        for engine in engines:
            engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            for role in names.values():
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
        admin.dispose()


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


@pytest.mark.postgres
def test_the_worker_role_writes_records_but_cannot_touch_the_triggers(
    worker_engine: Engine,
) -> None:
    RecordActivities(worker_engine).record_people(people("p-1", "p-2"))
    assert verify_chain(worker_engine).entries == 1
    attacks = [
        "ALTER TABLE audit_log DISABLE TRIGGER USER",
        "DROP TRIGGER audit_log_append_only ON audit_log",
        "DROP TRIGGER audit_head_guard ON audit_head",
        "UPDATE audit_log SET actor = 'cli:mallory'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE audit_head SET seq = 0",
        "CREATE TABLE shadow (id int)",
    ]
    for statement in attacks:
        with pytest.raises(sqlalchemy.exc.DBAPIError), worker_engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert verify_chain(worker_engine).ok


@pytest.mark.postgres
def test_the_worker_role_appends_registry_versions_but_cannot_change_them(
    worker_engine: Engine,
) -> None:
    rows = [
        Row("46", "county", "Vestland", "46", 10),
        Row("4601", "municipality", "Bergen", "46", 10, "postmottak@bergen.example"),
    ]
    written = write_once(
        worker_engine, "registry/v1", "cli",
        lambda s: write_version(s, 1, date(2027, 1, 1), "test", rows),
    )  # fmt: skip
    assert written.action == "registry_imported"
    attacks = [
        "ALTER TABLE registry_entry DISABLE TRIGGER USER",
        "DROP TRIGGER registry_entry_append_only ON registry_entry",
        "UPDATE registry_entry SET email = 'mallory@example.org'",
        "DELETE FROM registry_version",
        "TRUNCATE registry_entry",
    ]
    for statement in attacks:
        with pytest.raises(sqlalchemy.exc.DBAPIError), worker_engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert verify_records(worker_engine).ok
