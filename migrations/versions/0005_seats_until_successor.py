"""A seat's planned end may be open: it runs until the successor organ is constituted.

The seat's actual end is `ended_on` (a vacancy, or the day the next term's organ took over);
`to_date` stays for a seat with a fixed end and is empty otherwise.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("seat") as batch:
        batch.alter_column("to_date", existing_type=sa.Date(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("seat") as batch:
        batch.alter_column("to_date", existing_type=sa.Date(), nullable=False)
