"""The Temporal gateway: connect, start, update and query workflows, in the user's words.

Every operation reaches Temporal through these functions. Updates and queries are typed by the
workflow's own handler (`CountyMeetingWorkflow.vote`), so their names and result types come from
the workflow definition instead of strings. Temporal's errors become one `UserError` line a
secretary can act on: a refused update gives the validator's reason, an unknown workflow says so.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

import connection
from client.errors import NotReachableError, UserError
from config import Settings
from sealing import KeyringError
from workflows.search_attributes import ALL

_A = TypeVar("_A")
_R = TypeVar("_R")

Handle = WorkflowHandle[Any, Any]


async def connect(settings: Settings) -> Client:
    """A client for the configured Temporal server, or NotReachableError naming the setting."""
    try:
        return await connection.connect(settings)
    except connection.TemporalUnreachableError as exc:
        raise NotReachableError(
            f"{exc} (KSGOV_TEMPORAL_ADDRESS); start one with `ksgov server`"
        ) from None
    except KeyringError as exc:
        raise UserError(str(exc)) from None


async def ensure_search_attributes(client: Client, namespace: str) -> None:
    """Register ksgov's search attributes on a server that lacks them (no-op when present)."""
    request = AddSearchAttributesRequest(
        namespace=namespace,
        search_attributes={key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for key in ALL},
    )
    with contextlib.suppress(RPCError):  # "already exists" on servers that have them
        await client.operator_service.add_search_attributes(request)


def innermost(exc: BaseException) -> str:
    """The innermost failure's message: a validator's or an activity's refusal, not the
    "Workflow Update failed" or "Activity task failed" wrapped around it."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return str(getattr(exc, "message", None) or exc)


@contextlib.contextmanager
def temporal_errors(workflow_id: str, missing: str = "") -> Iterator[None]:
    """Temporal's errors about `workflow_id` as one UserError line; `missing` replaces the
    default hint when there is no such workflow."""
    try:
        yield
    except WorkflowUpdateFailedError as exc:
        raise UserError(f"refused: {innermost(exc)}") from None
    except WorkflowAlreadyStartedError:
        raise UserError(f"{workflow_id} is already started") from None
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise UserError(missing or f"there is no workflow {workflow_id}") from None
        if exc.status == RPCStatusCode.ALREADY_EXISTS:
            raise UserError(f"{workflow_id} is already started") from None
        if exc.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            raise NotReachableError(f"the Temporal server does not answer: {exc.message}") from None
        raise UserError(f"{workflow_id}: the Temporal server refused: {exc.message}") from None


async def update(
    handle: Handle,
    handler: UpdateMethodMultiParam[[Any, _A], _R],
    arg: _A,
    missing: str = "",
    update_id: str | None = None,
) -> _R:
    """Run the update `handler` (a workflow's update method) with `arg`; its result. Under an
    `update_id` the workflow run answers a second request with the first one's outcome."""
    with temporal_errors(handle.id, missing):
        result: _R = await handle.execute_update(handler, arg, id=update_id)
    return result


async def query(handle: Handle, handler: Callable[[Any], _R], missing: str = "") -> _R:
    """Run the query `handler` (a workflow's query method); its answer."""
    with temporal_errors(handle.id, missing):
        result: _R = await handle.query(handler)
    return result


async def query_or_none(handle: Handle, handler: Callable[[Any], _R]) -> _R | None:
    """As `query`, but None when the workflow does not exist (or cannot answer)."""
    try:
        result: _R = await handle.query(handler)
    except RPCError:
        return None
    return result


async def start(
    client: Client,
    run: Callable[[Any, _A], Awaitable[Any]],
    arg: _A,
    workflow_id: str,
    task_queue: str,
    **options: Any,
) -> bool:
    """Start the workflow whose run method is `run`, once: False if `workflow_id` ever ran."""
    with temporal_errors(workflow_id):
        try:
            await client.start_workflow(
                run,
                arg,
                id=workflow_id,
                task_queue=task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                **options,
            )
        except WorkflowAlreadyStartedError:
            return False
    return True


async def status_name(client: Client, workflow_id: str) -> str | None:
    """RUNNING, COMPLETED, FAILED, ... of the workflow; None when there is no such workflow."""
    try:
        description = await client.get_workflow_handle(workflow_id).describe()
    except RPCError:
        return None
    return None if description.status is None else description.status.name
