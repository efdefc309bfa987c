"""The worker registers every declared activity once, and the migrations match the models."""

from __future__ import annotations

from typing import cast

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel
from temporalio.activity import _Definition
from temporalio.client import Client

from activities.all import build_activities
from activities.contracts import DECLARED
from activities.starts import StartActivities
from notices.mailer import SmtpConfig

TABLES_OF_0001 = {"audit_log", "audit_head", "member"}


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
