"""Who registered a person: a county (`county:46`) or the secretariat (`national`).

A county's input may change only the people its own county registered; the column is empty
for people recorded before it existed, and a county may change those.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("scope", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("scope")
