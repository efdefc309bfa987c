"""The audit questions on a real term: dev server, real worker and activities, SQLite, aiosmtpd.

The fictional federation's term runs from the county meetings to the composed organs; then each
audit query is answered, the record store is cross-checked against the histories found through
visibility (KsTerm), and one history is deleted, as retention would, to show the answers then
come from the record store with a note. (The dev server's DeleteWorkflowExecution does not remove
a history at once, so the vanished workflow is one of an earlier term, as retention leaves it.)
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.engine import Engine
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from typer.testing import CliRunner

import worker
from activities.records import RecordActivities
from cli.main import app
from models.payloads import RecordEventRequest
from notices.mailer import SmtpConfig
from service.audit import crosscheck as audit_crosscheck
from service.audit import events as audit_timeline
from service.audit import histories as audit_history
from service.audit import people as audit_person
from service.audit import queries as audit_queries
from service.audit.sources import RETENTION_NOTE
from tests.conftest import SmtpServer
from tests.e2e.audit_support import county_delegates, hold_landsting, listed, poll
from tests.workflows.cycle_driver import Cycle, hold_county_meetings, start_term
from tests.workflows.cycle_support import fictional_bylaws

YEAR = 2039  # a year no other test of the session uses for its workflow ids
TERM = "2040-2044"


async def run_term(
    env: WorkflowEnvironment, task_queue: str, engine: Engine, smtp: SmtpServer
) -> Cycle:
    config = SmtpConfig(host="127.0.0.1", port=smtp.port, timeout_seconds=5)
    async with worker.running_worker(env.client, task_queue, engine, config):
        cycle = await start_term(env.client, task_queue, fictional_bylaws(), YEAR)
        await hold_county_meetings(cycle)
        await hold_landsting(cycle, await county_delegates(cycle))
        await cycle.landsting.result()
    expected = len(cycle.counties) + 2  # counties, the term and the Landsting
    await poll(lambda: _all_listed(env, expected))
    return cycle


async def _all_listed(env: WorkflowEnvironment, expected: int) -> bool:
    return await listed(env.client, f"KsTerm = '{TERM}'") >= expected


async def test_audit_answers_a_real_term_with_evidence_and_after_retention(
    dev_env: WorkflowEnvironment, task_queue: str, sqlite_url: str, sqlite_engine: Engine,
    smtp: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    client, engine = dev_env.client, sqlite_engine
    cycle = await run_term(dev_env, task_queue, engine, smtp)
    county = cycle.data.counties[0].county

    board = audit_queries.seats(engine, f"county_board:{county}", str(YEAR))
    leader = next(f for f in board.rows if f.role == "leader")
    assert (leader.method, leader.round) == ("majority", 1)
    assert f"{leader.person_id}=" in leader.votes
    assert "record:election#" in leader.source
    assert "audit:seq" in leader.source

    delegate = (await county_delegates(cycle))[0]
    kinds = {f.kind for f in audit_person.person_record(engine, delegate).rows}
    assert {"elected", "seat", "notice"} <= kinds  # the Landsting's notice reached them

    notices = audit_queries.notifications(engine, term=str(YEAR)).rows
    assert {n.purpose for n in notices} >= {"representatives_requested", "meeting_notice"}
    assert all(n.status == "sent" for n in notices if n.recipient_id == delegate)

    events = audit_timeline.timeline(engine, str(YEAR)).rows
    assert {"election", "seats", "notice", "lot_drawn", "landsting_finished"} <= {
        e.kind for e in events
    }

    meeting_id = cycle.counties[0].id
    told = await audit_history.history(client, engine, meeting_id, tmp_path / "raw.json")
    steps = {s.kind for s in told.rows}
    assert {"started", "update_accepted", "activity_scheduled", "signal_sent", "completed"} <= steps
    keys = [s.detail for s in told.rows if s.name == "record_seats"]
    assert f"term-{YEAR}/county-{county}/leader/round-1/seats" in keys
    assert all(s.source.startswith(f"history:{meeting_id} run ") for s in told.rows)
    assert json.loads((tmp_path / "raw.json").read_text())["events"]

    checked = await audit_crosscheck.cross_check(client, engine, [TERM])
    assert checked.ok, checked.findings[:3]
    assert checked.checked > 20
    assert not [f for f in checked.findings if f.status == "unverified"]

    with engine.begin() as conn:  # a row altered behind the workflows' back
        conn.execute(sqlalchemy.text("UPDATE election SET round = 3 WHERE election_id = :e"),
                     {"e": leader.election_id})  # fmt: skip
    altered = await audit_crosscheck.cross_check(client, engine, [TERM])
    [bad] = [f for f in altered.findings if f.status == "mismatch"]
    assert (bad.key, bad.detail) == (leader.election_id, "differs in round")

    monkeypatch.setenv("KSGOV_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("KSGOV_TEMPORAL_ADDRESS", client.service_client.config.target_host)
    cli = await asyncio.to_thread(
        CliRunner().invoke, app, ["audit", "verify", "--cross-check", "--json"]
    )
    assert cli.exit_code == 1
    assert json.loads(cli.output)["cross_check"]["ok"] is False

    # Retention: a county meeting of an earlier term, whose history Temporal no longer has.
    old = "county-meeting-2035-71"
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_id=old, workflow_run_id="run-0")
    event = RecordEventRequest(
        idempotency_key="term-2035/county-71/finished",
        action="county_meeting_finished",
        subject="term-2035/county-71",
    )
    env.run(RecordActivities(engine).record_event, event)
    gone = await audit_history.history(client, engine, old, None)
    assert gone.notes == (RETENTION_NOTE,)
    [step] = gone.rows
    assert (step.kind, step.run_id) == ("county_meeting_finished", "run-0")
    assert step.source.startswith("audit:seq ")
