"""Record store: people, organs, terms, seats, elections, meetings (agenda, attendance,
decisions, minutes) and the notification outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

KEY = 250  # business keys (models.payloads.BusinessKey)


def _aware() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _key(name: str, *args: Any, **kwargs: Any) -> sa.Column[str]:
    return sa.Column(name, sa.String(KEY), *args, **kwargs)


def upgrade() -> None:
    _people_and_seats()
    _meetings()
    _outbox()


def _people_and_seats() -> None:
    op.create_table(
        "person",
        _key("person_id", primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("gender", sa.String(10), nullable=False),
        sa.Column("party", sa.String(100), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("member_number", sa.String(20), nullable=True),
    )
    op.create_index("ix_person_member_number", "person", ["member_number"])
    op.create_table(
        "organ",
        _key("organ", primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
    )
    op.create_table(
        "term",
        sa.Column("term", sa.String(9), primary_key=True),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
    )
    op.create_table(
        "seat",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _key("organ", sa.ForeignKey("organ.organ"), nullable=False),
        sa.Column("term", sa.String(9), sa.ForeignKey("term.term"), nullable=False),
        _key("person_id", sa.ForeignKey("person.person_id"), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("group", sa.String(200), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(200), nullable=True),
        _key("election_id", nullable=True),
        sa.Column("obtained_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("organ", "term", "person_id", "role", name="uq_seat"),
    )
    for column in ("organ", "term", "person_id", "election_id"):
        op.create_index(f"ix_seat_{column}", "seat", [column])
    op.create_table(
        "election",
        _key("election_id", primary_key=True),
        sa.Column("term", sa.String(9), sa.ForeignKey("term.term"), nullable=False),
        _key("organ", sa.ForeignKey("organ.organ"), nullable=False),
        sa.Column("post", sa.String(100), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("decided_at", _aware(), nullable=False),
    )
    op.create_index("ix_election_term", "election", ["term"])
    op.create_index("ix_election_organ", "election", ["organ"])


def _meetings() -> None:
    op.create_table(
        "meeting",
        _key("meeting_id", primary_key=True),
        _key("organ", sa.ForeignKey("organ.organ"), nullable=False),
        sa.Column("term", sa.String(9), sa.ForeignKey("term.term"), nullable=False),
        sa.Column("starts_at", _aware(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
    )
    op.create_index("ix_meeting_organ", "meeting", ["organ"])
    op.create_index("ix_meeting_term", "meeting", ["term"])
    meeting = {"primary_key": True}
    op.create_table(
        "agenda_item",
        _key("meeting_id", sa.ForeignKey("meeting.meeting_id"), **meeting),
        sa.Column("number", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("title", sa.String(300), nullable=False),
    )
    op.create_table(
        "attendance",
        _key("meeting_id", sa.ForeignKey("meeting.meeting_id"), **meeting),
        _key("person_id", sa.ForeignKey("person.person_id"), primary_key=True),
        sa.Column("present", sa.Boolean(), nullable=False),
        _key("as_deputy_for", nullable=True),
    )
    op.create_table(
        "decision",
        _key("meeting_id", sa.ForeignKey("meeting.meeting_id"), **meeting),
        sa.Column("item_number", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("votes", sa.Text(), nullable=False),
    )
    op.create_table(
        "minutes",
        _key("meeting_id", sa.ForeignKey("meeting.meeting_id"), **meeting),
        sa.Column("approved_at", _aware(), nullable=True),
        sa.Column("published_at", _aware(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
    )


def _outbox() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
        sa.Column("purpose", sa.String(50), nullable=False),
        _key("recipient_id", nullable=False),
        _key("subject_key", nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("queued_at", _aware(), nullable=False),
        sa.Column("sent_at", _aware(), nullable=True),
        sa.Column("message_id", sa.String(100), nullable=True),
        sa.Column("deadline", _aware(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
    )
    for column in ("purpose", "recipient_id", "subject_key"):
        op.create_index(f"ix_notification_{column}", "notification", [column])


def downgrade() -> None:
    for table in (
        "notification",
        "minutes",
        "decision",
        "attendance",
        "agenda_item",
        "meeting",
        "election",
        "seat",
        "term",
        "organ",
        "person",
    ):
        op.drop_table(table)
