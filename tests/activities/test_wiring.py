"""The worker registers every activity the workflows call, and the migrations match the models."""

from __future__ import annotations

from typing import cast

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel
from temporalio.activity import _Definition
from temporalio.client import Client

from activities.all import build_activities
from activities.mailer import SmtpConfig
from activities.starts import StartActivities
from workflows import meeting_steps, steps

TABLES_OF_0001 = {"audit_log", "audit_head", "member"}


def test_the_worker_registers_exactly_the_activities_the_workflows_call(
    sqlite_engine: Engine,
) -> None:
    names: list[str] = []
    starts = StartActivities(cast(Client, None), "wiring")  # only the definitions are read
    for fn in build_activities(sqlite_engine, SmtpConfig(), starts):
        definition = _Definition.from_callable(fn)
        assert definition is not None
        assert definition.name is not None
        names.append(definition.name)
    assert sorted(names) == sorted(steps.ACTIVITY_NAMES + meeting_steps.ACTIVITY_NAMES)


def test_the_migrated_schema_matches_the_record_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    ours = [d for d in diff if not any(t in repr(d) for t in TABLES_OF_0001)]
    assert ours == []
