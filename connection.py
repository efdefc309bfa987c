"""How every ksgov process reaches Temporal: one runtime, one data converter, one connect.

The worker and the client gateway (client/) both connect here, so they agree on how payloads
are encoded and sealed (sealing.py). The Temporal core's own log lines are forwarded to Python
logging (and so to structlog on stderr) instead of stdout, where they would spoil `--json`
output.
"""

from __future__ import annotations

import functools
import logging

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)
from temporalio.service import RPCError

from config import Settings
from sealing import Keyring, sealed


def data_converter(ring: Keyring) -> DataConverter:
    """Pydantic models as JSON payloads, sealed under `ring`: what workflows, activities and
    clients exchange."""
    return sealed(pydantic_data_converter, ring)


@functools.cache
def runtime() -> Runtime:
    """The Temporal runtime of this process, its core logging through Python logging."""
    forwarding = LogForwardingConfig(logger=logging.getLogger("temporalio.core"))
    filters = TelemetryFilter(core_level="WARN", other_level="ERROR")
    return Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(filters, forwarding)))


class TemporalUnreachableError(ConnectionError):
    """The Temporal server does not answer at the address given."""


async def connect_to(address: str, ring: Keyring, namespace: str = "default") -> Client:
    """A client for the Temporal server at `address` sealing payloads under `ring`, or
    TemporalUnreachableError."""
    try:
        return await Client.connect(
            address, namespace=namespace, data_converter=data_converter(ring), runtime=runtime()
        )
    except (RuntimeError, RPCError, OSError) as exc:
        lines = str(exc).strip().splitlines()
        reason = lines[0][:160] if lines else type(exc).__name__
        raise TemporalUnreachableError(
            f"the Temporal server at {address} does not answer ({reason})"
        ) from None


async def connect(settings: Settings) -> Client:
    """A client for the configured Temporal server, or TemporalUnreachableError."""
    ring = settings.keyring()
    return await connect_to(settings.temporal_address, ring, settings.temporal_namespace)
