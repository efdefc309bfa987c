"""An account's OpenID Connect subject: the `sub` its provider (ID-porten, Entra ID) gives the
person, so that the console's OpenID Connect login finds the account; unique, and empty for an
account that logs in with a password or a token only.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("account", sa.Column("oidc_subject", sa.String(255), nullable=True))
    op.create_index("ix_account_oidc_subject", "account", ["oidc_subject"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_account_oidc_subject", table_name="account")
    with op.batch_alter_table("account") as batch:
        batch.drop_column("oidc_subject")
