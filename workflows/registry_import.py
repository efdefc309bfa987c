"""RegistryImportWorkflow: put one member-registry snapshot into the record store, once.

The workflow id is the business key `registry-import-<digest prefix>`, so importing the same file
twice is refused by Temporal; the activity's idempotency key makes a retried write a no-op.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import contracts
    from models import ids
    from models.payloads import RecordMembersRequest, RegistryImportInput, RegistryImportResult
    from workflows import calls
    from workflows import search_attributes as search


@workflow.defn(name=ids.REGISTRY_IMPORT)
class RegistryImportWorkflow:
    """Record a registry snapshot: members inserted, updated or unchanged, with an audit entry."""

    @workflow.run
    async def run(self, data: RegistryImportInput) -> RegistryImportResult:
        search.show_stage("recording")
        result = await calls.store(
            contracts.record_members,
            RecordMembersRequest(
                idempotency_key=f"registry-import/{data.digest}",
                source=data.source,
                members=data.members,
            ),
        )
        search.show_stage("done")
        workflow.logger.info("registry_imported", extra={"members": len(data.members)})
        return RegistryImportResult(
            source=data.source, members=len(data.members), **result.model_dump()
        )
