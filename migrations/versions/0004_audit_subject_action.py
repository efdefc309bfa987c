"""An index on the audit log by subject and action: the audit queries join an election to its
`election_recorded` entry on both.

With separate indexes on subject and on action, and no statistics, SQLite looked the entry up
by action, reading every `election_recorded` entry for each election: `audit person` and
`audit timeline` took 222 s and 93 s at scale 100 (6,006 elections a term). The pair index
serves the join with one lookup.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_log_subject_action", "audit_log", ["subject", "action"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_subject_action", table_name="audit_log")
