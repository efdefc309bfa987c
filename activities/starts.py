"""Starting a workflow from an activity, for processes that must not be children.

A county meeting finishes as soon as it has elected its board, but the board's meeting series
and the yearly county meetings' series run for the rest of the term. As children they would
close years after their parent, which gains nothing on a real server (ABANDON already lets
them outlive it) and on the time-skipping test server leaks a lock that stops its clock for
good (tests/workflows/test_sim_clock.py). So the county meeting asks this activity to start
them. The workflow id is the series' business key: a retry, or a second county meeting run,
finds the series running and leaves it as it is.
"""

from __future__ import annotations

import structlog
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities import contracts
from activities.contracts import implements
from models import ids
from models.meeting_payloads import SeriesInput

log = structlog.get_logger()


class StartActivities:
    """Activities that start workflows on the worker's own task queue."""

    def __init__(self, client: Client, task_queue: str) -> None:
        self._client = client
        self._task_queue = task_queue

    @implements(contracts.start_series)
    async def start_series(self, data: SeriesInput) -> str:
        """Start `meetings-<organ>-<term>` unless it ever ran; returns its workflow id."""
        series_id = ids.series_id(data.rules.organ, data.rules.term)
        try:
            await self._client.start_workflow(
                ids.MEETING_SERIES,
                data,
                id=series_id,
                task_queue=self._task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except WorkflowAlreadyStartedError:
            log.info("meeting_series_already_started", series=series_id)
        else:
            log.info("meeting_series_started", series=series_id)
        return series_id
