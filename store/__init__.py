"""The record store: engine and migrations, the audit chain, the outbox, writes and reads.

No Temporal here: the activities adapt these functions to Temporal, and the audit queries read
through them. A write refused for a business reason raises `store.changes.RefusedError`.
"""
