"""Who each election names, as an index (`election_person`), and attendance by person.

`audit person` found a person's elections by searching every election's inputs and outcome
(JSON text) for the quoted ids: two LIKE terms per person over the whole table, 73 ms for 25
people at scale 10 and growing with the store. The people an election names are now written
beside it, once, and read by id; existing elections are indexed here from their JSON (every
quoted string that is a person's id). Attendance gets an index on the person, whom the person
query looks it up by.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

QUOTED = re.compile(r'"([^"\\]+)"')


def upgrade() -> None:
    op.create_table(
        "election_person",
        sa.Column(
            "election_id", sa.String(250), sa.ForeignKey("election.election_id"),
            primary_key=True,
        ),
        sa.Column("person_id", sa.String(250), primary_key=True),
    )  # fmt: skip
    op.create_index("ix_election_person_person_id", "election_person", ["person_id"])
    op.create_index("ix_attendance_person_id", "attendance", ["person_id"])
    connection = op.get_bind()
    people = {row[0] for row in connection.execute(sa.text("SELECT person_id FROM person"))}
    rows = [
        {"election_id": election_id, "person_id": person_id}
        for election_id, inputs, outcome in connection.execute(
            sa.text("SELECT election_id, inputs, outcome FROM election")
        )
        for person_id in sorted(set(QUOTED.findall(inputs + outcome)) & people)
    ]
    if rows:
        table = sa.table("election_person", sa.column("election_id"), sa.column("person_id"))
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_index("ix_attendance_person_id", table_name="attendance")
    op.drop_index("ix_election_person_person_id", table_name="election_person")
    op.drop_table("election_person")
