"""`ksgov audit history`: one workflow's Temporal history told in domain words.

Every run of the workflow id (found through visibility, so continued-as-new runs are included)
is fetched and summarised: the start and its input, updates accepted, activities scheduled (with
their idempotency keys), timers, signals, children, search-attribute stages and the close. When
Temporal has deleted the history (retention), the answer comes from the audit log's entries that
the workflow's activities wrote (`actor` = `workflow:<id>/<run id>`), with a note saying so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

from models.records import AuditEntry
from service.audit import sources as src
from service.audit.sources import Answer


@dataclass(frozen=True)
class HistoryStep:
    """One event of a history that matters to an auditor."""

    run_id: str
    event_id: int
    at: str
    kind: str
    name: str
    detail: str
    source: str


async def fetch_runs(client: Client, workflow_id: str) -> list[Run]:
    """Every run's history still kept by Temporal, oldest first; [] when all are gone."""
    listed = f"WorkflowId = '{_quoted(workflow_id)}'"
    run_ids: list[str | None] = [e.run_id async for e in client.list_workflows(listed)]
    runs = [await fetch_run(client, workflow_id, run_id) for run_id in run_ids or [None]]
    kept = [r for r in runs if r is not None]
    return sorted(kept, key=lambda r: r.history.events[0].event_time.ToDatetime())


async def fetch_run(client: Client, workflow_id: str, run_id: str | None) -> Run | None:
    """One run's history (the latest run without `run_id`), or None when Temporal has none."""
    handle = client.get_workflow_handle(workflow_id, run_id=run_id)
    try:
        found = run_id or (await handle.describe()).run_id
        return Run(found, await handle.fetch_history())
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
        return None


@dataclass(frozen=True)
class Run:
    """One run of a workflow id and its history."""

    run_id: str
    history: WorkflowHistory


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


async def history(client: Client, engine: Engine, workflow_id: str, raw: Path | None) -> Answer:
    """The summary of every run of `workflow_id`, or the audit log's account when it is gone."""
    runs = await fetch_runs(client, workflow_id)
    if not runs:
        return from_record_store(engine, workflow_id)
    steps: list[HistoryStep] = []
    for run in runs:
        steps += await summarise(client, run)
    if raw is not None:
        write_raw([r.history for r in runs], raw)
    header = {"workflow_id": workflow_id, "runs": [r.run_id for r in runs]}
    return Answer(tuple(steps), header=header)


def write_raw(runs: list[WorkflowHistory], path: Path) -> None:
    """The full history JSON (replayable by WorkflowReplayer); one file per run if several."""
    if len(runs) == 1:
        path.write_text(runs[0].to_json(), encoding="utf-8")
        return
    for n, run in enumerate(runs, 1):
        path.with_name(f"{path.stem}-run{n}{path.suffix}").write_text(run.to_json(), "utf-8")


async def summarise(client: Client, run: Run) -> list[HistoryStep]:
    """The events of one run that matter to an auditor, each with its history evidence."""
    steps = []
    for event in run.history.events:
        which = event.WhichOneof("attributes") or ""
        describe = DESCRIBERS.get(which.removesuffix("_event_attributes"))
        if describe is None:
            continue
        kind, name, detail = await describe(client, getattr(event, which))
        steps.append(_step(run, event, (kind, name, detail)))
    return steps


def _step(run: Run, event: HistoryEvent, told: tuple[str, str, str]) -> HistoryStep:
    at = event.event_time.ToDatetime()
    wid = run.history.workflow_id
    return HistoryStep(
        run_id=run.run_id, event_id=event.event_id, at=src.iso(at), kind=told[0], name=told[1],
        detail=told[2], source=src.history(wid, run.run_id, event.event_id, at),
    )  # fmt: skip


async def decode(client: Client, payloads: Payloads | list[Payload]) -> list[Any]:
    """Payloads as plain JSON values, through the client's data converter (codec included)."""
    items = list(payloads.payloads if isinstance(payloads, Payloads) else payloads)
    return await client.data_converter.decode(items) if items else []


def input_summary(value: Any) -> str:
    """Scalar fields and list sizes of an input; addresses are left out."""
    if not isinstance(value, dict):
        return str(value)[:120]
    parts = []
    for key, item in value.items():
        if key.endswith("email") or isinstance(item, dict):
            continue
        parts.append(f"{key}={len(item)}" if isinstance(item, list) else f"{key}={item}")
    return " ".join(parts)[:300]


def request_summary(name: str, value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    if name == "notify":
        count = len(value.get("recipients", []))
        return f"{value.get('purpose')} {value.get('subject_key')} to {count} recipient(s)"
    return str(value.get("idempotency_key", ""))


Describe = Callable[[Client, Any], Any]


async def _started(client: Client, a: Any) -> tuple[str, str, str]:
    args = await decode(client, a.input)
    return "started", a.workflow_type.name, input_summary(args[0]) if args else ""


async def _activity(client: Client, a: Any) -> tuple[str, str, str]:
    args = await decode(client, a.input)
    name = a.activity_type.name
    return "activity_scheduled", name, request_summary(name, args[0] if args else None)


async def _update(client: Client, a: Any) -> tuple[str, str, str]:
    request = a.accepted_request
    args = await decode(client, request.input.args)
    return "update_accepted", request.input.name, input_summary(args[0]) if args else ""


def _simple(kind: str, name: Callable[[Any], str], detail: Callable[[Any], str]) -> Describe:
    async def describe(_: Client, a: Any) -> tuple[str, str, str]:
        return kind, name(a), detail(a)

    return describe


def _stage(a: Any) -> str:
    fields = a.search_attributes.indexed_fields
    return " ".join(f"{k}={json.loads(v.data)}" for k, v in sorted(fields.items()))


def _none(_: Any) -> str:
    return ""


DESCRIBERS: dict[str, Describe] = {
    "workflow_execution_started": _started,
    "workflow_execution_update_accepted": _update,
    "activity_task_scheduled": _activity,
    "activity_task_failed": _simple("activity_failed", _none, lambda a: a.failure.message[:200]),
    "activity_task_timed_out": _simple("activity_timed_out", _none, _none),
    "timer_started": _simple(
        "timer_started", lambda a: a.timer_id, lambda a: f"{a.start_to_fire_timeout.seconds} s"
    ),
    "timer_fired": _simple("timer_fired", lambda a: a.timer_id, _none),
    "workflow_execution_signaled": _simple("signal_received", lambda a: a.signal_name, _none),
    "signal_external_workflow_execution_initiated": _simple(
        "signal_sent", lambda a: a.signal_name, lambda a: f"to {a.workflow_execution.workflow_id}"
    ),
    "start_child_workflow_execution_initiated": _simple(
        "child_started", lambda a: a.workflow_type.name, lambda a: a.workflow_id
    ),
    "upsert_workflow_search_attributes": _simple("search_attributes", _none, _stage),
    "workflow_execution_continued_as_new": _simple(
        "continued_as_new", _none, lambda a: f"new run {a.new_execution_run_id}"
    ),
    "workflow_execution_completed": _simple("completed", _none, _none),
    "workflow_execution_failed": _simple("failed", _none, lambda a: a.failure.message[:200]),
    "workflow_execution_terminated": _simple("terminated", _none, lambda a: a.reason[:200]),
    "workflow_execution_timed_out": _simple("timed_out", _none, _none),
    "workflow_execution_canceled": _simple("canceled", _none, _none),
}


def from_record_store(engine: Engine, workflow_id: str) -> Answer:
    """What the workflow's activities wrote to the audit log, when its history is gone."""
    with Session(engine) as session:
        dialect = session.get_bind().dialect.name
        prefix = f"workflow:{workflow_id}/"
        query = select(AuditEntry).where(src.starts_with(AuditEntry.actor, prefix, dialect))
        entries = list(session.exec(query.order_by(col(AuditEntry.seq))))
    steps = tuple(
        HistoryStep(
            run_id=e.actor.removeprefix(prefix),
            event_id=0,
            at=src.iso(e.at),
            kind=e.action,
            name=e.subject,
            detail=e.idempotency_key,
            source=src.audit(e.seq, e.hash),
        )
        for e in entries
    )
    return Answer(steps, (src.RETENTION_NOTE,), header={"workflow_id": workflow_id, "runs": []})
