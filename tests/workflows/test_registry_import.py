"""RegistryImportWorkflow on the time-skipping server, with the real activity on an SQLite file."""

from __future__ import annotations

import hashlib

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.testing import WorkflowEnvironment

from models.payloads import MemberIn, RegistryImportInput, RegistryImportResult
from models.records import AuditEntry, Member
from worker import running_worker
from workflows.registry_import import RegistryImportWorkflow


def snapshot(population: int = 1000) -> RegistryImportInput:
    members = (
        MemberIn(
            number="0101", kind="municipality", name="Nordby", county="01", population=population
        ),
        MemberIn(number="0102", kind="municipality", name="Sørby", county="01", population=500),
        MemberIn(
            number="01", kind="county", name="Fylke", county="01", population=population + 500
        ),
    )
    digest = hashlib.sha256(repr(members).encode()).hexdigest()
    return RegistryImportInput(source="test", digest=digest, members=members)


async def run_import(
    env: WorkflowEnvironment, engine: Engine, data: RegistryImportInput, wid: str, tq: str
) -> RegistryImportResult:
    async with running_worker(env.client, tq, engine):
        return await env.client.execute_workflow(
            RegistryImportWorkflow.run, data, id=wid, task_queue=tq
        )


async def test_registry_import_records_every_member_and_one_audit_entry(
    ts_env: WorkflowEnvironment, sqlite_engine: Engine, task_queue: str
) -> None:
    result = await run_import(ts_env, sqlite_engine, snapshot(), f"ri-{task_queue}", task_queue)
    assert (result.members, result.inserted, result.updated, result.unchanged) == (3, 3, 0, 0)
    with Session(sqlite_engine) as session:
        assert len(session.exec(select(Member)).all()) == 3
        entries = session.exec(select(AuditEntry)).all()
    assert [e.action for e in entries] == ["members_recorded"]
    assert entries[0].actor.startswith(f"workflow:ri-{task_queue}/")


async def test_importing_the_same_snapshot_again_writes_nothing_new(
    ts_env: WorkflowEnvironment, sqlite_engine: Engine, task_queue: str
) -> None:
    data = snapshot()
    first = await run_import(ts_env, sqlite_engine, data, f"ri-a-{task_queue}", task_queue)
    again = await run_import(ts_env, sqlite_engine, data, f"ri-b-{task_queue}", task_queue)
    assert again == first
    with Session(sqlite_engine) as session:
        assert len(session.exec(select(AuditEntry)).all()) == 1


async def test_a_changed_population_is_recorded_as_an_update(
    ts_env: WorkflowEnvironment, sqlite_engine: Engine, task_queue: str
) -> None:
    await run_import(ts_env, sqlite_engine, snapshot(1000), f"ri-c-{task_queue}", task_queue)
    result = await run_import(
        ts_env, sqlite_engine, snapshot(2000), f"ri-d-{task_queue}", task_queue
    )
    assert (result.inserted, result.updated, result.unchanged) == (0, 2, 1)
