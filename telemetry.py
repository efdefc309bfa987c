"""Logging set-up: structlog for activities and the CLI, and stdlib logging (which Temporal's
workflow and activity loggers use) rendered through the same structlog processors.

Console rendering on a terminal, one JSON object per line otherwise (or as the setting says).
Events are snake_case and carry ids, never names or e-mail addresses (no personal data in logs).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from config import LogFormat


def _use_json(log_format: LogFormat) -> bool:
    if log_format is LogFormat.AUTO:
        return not sys.stderr.isatty()
    return log_format is LogFormat.JSON


def _temporal_context(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Lift the ids Temporal's loggers attach (`temporal_workflow`/`temporal_activity`) to keys."""
    record = event_dict.get("_record")
    if record is None:
        return event_dict
    for key in ("temporal_workflow", "temporal_activity"):
        details = getattr(record, key, None)
        if isinstance(details, dict):
            for name in ("workflow_id", "run_id", "workflow_type", "activity_type", "attempt"):
                if name in details:
                    event_dict.setdefault(name, details[name])
    return event_dict


# Temporal's core warns once per worker, on a server that does not advertise the capability
# (the time-skipping server, on every `ksgov simulate`), that heartbeat details may be lost when
# an activity fails. No ksgov activity resumes from its heartbeat details (they only show the
# activity alive), so the warning would only alarm the secretariat.
HARMLESS = ("activity_failure_include_heartbeat",)


def _not_harmless(record: logging.LogRecord) -> bool:
    message = record.getMessage()
    return not any(text in message for text in HARMLESS)


def configure_logging(log_format: LogFormat = LogFormat.AUTO, level: str = "INFO") -> None:
    """Route structlog and stdlib logging to stderr through one renderer."""
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if _use_json(log_format)
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, _temporal_context],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_not_harmless)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Temporal's Rust core is chatty at INFO about polling; keep warnings.
    logging.getLogger("temporalio.bridge").setLevel(max(logging.WARNING, root.level))
