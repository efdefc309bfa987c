"""Accounts and API tokens: who may use ksgov, in which role.

An account has a role (secretariat, county, auditor, member), the county a county user is
bound to or the person a member is, an argon2id password hash, and a lock-out counter; a
token is stored as its SHA-256 digest only. Changes to roles are audited (store/accounts.py);
the counters are operational.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("account_id", sa.String(40), primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("county", sa.String(20), nullable=True),
        sa.Column("person_id", sa.String(250), nullable=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "api_token",
        sa.Column("token_id", sa.String(40), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("account_id", sa.String(40), sa.ForeignKey("account.account_id"), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_api_token_account_id", "api_token", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_api_token_account_id", table_name="api_token")
    op.drop_table("api_token")
    op.drop_table("account")
