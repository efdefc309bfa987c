"""Connecting to Temporal with ksgov's data converter, with errors a secretary can act on."""

from __future__ import annotations

import contextlib
import functools
import logging

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)
from temporalio.service import RPCError

from config import Settings
from service.errors import NotReachableError
from workflows.search_attributes import ALL


@functools.cache
def runtime() -> Runtime:
    """A Temporal runtime whose Rust core logs through Python logging (so through structlog,
    on stderr) instead of printing to stdout, where it would spoil `--json` output."""
    forwarding = LogForwardingConfig(logger=logging.getLogger("temporalio.core"))
    filters = TelemetryFilter(core_level="WARN", other_level="ERROR")
    return Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(filters, forwarding)))


async def connect(settings: Settings) -> Client:
    """A client for the configured Temporal server, or NotReachableError naming the setting."""
    try:
        return await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=pydantic_data_converter,
            runtime=runtime(),
        )
    except (RuntimeError, RPCError, OSError) as exc:
        raise NotReachableError(
            f"the Temporal server at {settings.temporal_address} does not answer "
            f"(KSGOV_TEMPORAL_ADDRESS); start one with `ksgov server` ({_first_line(exc)})"
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


async def ensure_search_attributes(client: Client, namespace: str) -> None:
    """Register ksgov's search attributes on a server that lacks them (no-op when present)."""
    request = AddSearchAttributesRequest(
        namespace=namespace,
        search_attributes={key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for key in ALL},
    )
    with contextlib.suppress(RPCError):  # "already exists" on servers that have them
        await client.operator_service.add_search_attributes(request)
