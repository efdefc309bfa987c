"""RegistryImportWorkflow: put one member-registry snapshot into the record store, once.

The workflow id is the business key `registry-import-<digest prefix>`, so importing the same file
twice is refused by Temporal; the activity's idempotency key makes a retried write a no-op.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from models.payloads import (
        RecordMembersRequest,
        RecordMembersResult,
        RegistryImportInput,
        RegistryImportResult,
    )
    from workflows.search_attributes import KS_STAGE

RECORD_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=20,
    non_retryable_error_types=["BadInput"],
)


@workflow.defn(name="RegistryImport")
class RegistryImportWorkflow:
    """Record a registry snapshot: members inserted, updated or unchanged, with an audit entry."""

    @workflow.run
    async def run(self, data: RegistryImportInput) -> RegistryImportResult:
        workflow.upsert_search_attributes([KS_STAGE.value_set("recording")])
        result: RecordMembersResult = await workflow.execute_activity(
            "record_members",
            RecordMembersRequest(
                idempotency_key=f"registry-import/{data.digest}",
                source=data.source,
                members=data.members,
            ),
            result_type=RecordMembersResult,
            start_to_close_timeout=timedelta(seconds=60),
            retry_policy=RECORD_RETRY,
        )
        workflow.upsert_search_attributes([KS_STAGE.value_set("done")])
        workflow.logger.info("registry_imported", extra={"members": len(data.members)})
        return RegistryImportResult(
            source=data.source, members=len(data.members), **result.model_dump()
        )
