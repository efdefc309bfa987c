"""The audit log signed by the record key, and a head that moves only to an entry of the log.

Each entry and the head carry an Ed25519 signature (store/signing.py). The head may not be
deleted, moved back, or set to a position and hash that no entry has: it can no longer be
written on its own to hide a truncation or an appended forgery (triggers, as for the log).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

REFUSAL = "the audit head moves only forward, to an entry of the audit log"
HEAD_GUARD = """
CREATE FUNCTION audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') THEN RAISE EXCEPTION 'REFUSAL'; END IF;
  IF TG_OP = 'UPDATE' AND NEW.seq < OLD.seq THEN RAISE EXCEPTION 'REFUSAL'; END IF;
  IF NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND hash = NEW.hash) THEN
    RAISE EXCEPTION 'REFUSAL';
  END IF;
  RETURN NEW;
END $$
""".replace("REFUSAL", REFUSAL)


def upgrade() -> None:
    for table in ("audit_log", "audit_head"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("signature", sa.String(length=100), nullable=False, server_default="")
            )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(HEAD_GUARD)
        op.execute(
            "CREATE TRIGGER audit_head_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_head "
            "FOR EACH ROW EXECUTE FUNCTION audit_head_guard()"
        )
        op.execute(
            "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_head_guard()"
        )
        return
    to_an_entry = "NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND hash = NEW.hash)"
    op.execute(
        f"CREATE TRIGGER audit_head_insert BEFORE INSERT ON audit_head WHEN {to_an_entry} "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_head_update BEFORE UPDATE ON audit_head "
        f"WHEN NEW.seq < OLD.seq OR {to_an_entry} "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_head_delete BEFORE DELETE ON audit_head "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head")
        op.execute("DROP TRIGGER IF EXISTS audit_head_guard ON audit_head")
        op.execute("DROP FUNCTION IF EXISTS audit_head_guard()")
    else:
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_head_{name}")
    for table in ("audit_head", "audit_log"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("signature")
