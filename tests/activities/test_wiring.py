"""The worker registers every declared activity once, and the migrations match the models."""

from __future__ import annotations

from typing import cast

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel
from temporalio.activity import _Definition
from temporalio.client import Client

from activities.all import build_activities
from activities.contracts import DECLARED
from activities.starts import StartActivities
from notices.mailer import SmtpConfig
from store import db

TABLES_OF_0001 = {"audit_log", "audit_head", "member"}
TERM = "INSERT INTO term VALUES ('2028-2032', 2028, 2032)"


def test_the_worker_registers_exactly_the_declared_activities(
    sqlite_engine: Engine,
) -> None:
    names: list[str] = []
    starts = StartActivities(cast(Client, None), "wiring")  # only the definitions are read
    for fn in build_activities(sqlite_engine, SmtpConfig(), starts):
        definition = _Definition.from_callable(fn)
        assert definition is not None
        assert definition.name is not None
        names.append(definition.name)
    assert sorted(names) == sorted(DECLARED)


def test_the_migrated_schema_matches_the_record_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    ours = [d for d in diff if not any(t in repr(d) for t in TABLES_OF_0001)]
    assert ours == []


def test_a_read_only_engine_refuses_writes_and_reads_while_a_writer_holds_the_lock(
    database_url: str, engine: Engine
) -> None:
    reader = db.make_engine(database_url, read_only=True)
    try:
        with reader.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM member")).scalar_one() == 0
        with pytest.raises(DBAPIError, match=r"readonly|read-only"), reader.begin() as connection:
            connection.execute(text(TERM))
        # A writer's open transaction (on SQLite it holds the write lock from its BEGIN) does
        # not keep the reader waiting.
        with engine.begin() as writing:
            writing.execute(text(TERM))
            with reader.connect() as connection:
                seen = connection.execute(text("SELECT count(*) FROM term")).scalar_one()
            assert seen == 0  # not committed yet
    finally:
        reader.dispose()
