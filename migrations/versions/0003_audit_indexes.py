"""Indexes for the audit queries: the audit log by actor (a workflow's entries once its history
is gone) and, on PostgreSQL, by subject prefix (a term's milestones).

PostgreSQL serves `LIKE 'prefix%'` from a btree only with the pattern operator class (unless the
database collation is C); SQLite gets range conditions (service.audit.sources.starts_with), which
the plain index serves.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_audit_log_actor",
        "audit_log",
        ["actor"],
        postgresql_ops={"actor": "varchar_pattern_ops"},
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_audit_log_subject_prefix",
            "audit_log",
            ["subject"],
            postgresql_ops={"subject": "varchar_pattern_ops"},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_audit_log_subject_prefix", table_name="audit_log")
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
