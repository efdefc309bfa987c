"""Fixtures of the activities tier: activity objects bound to a migrated database and SMTP."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine

from activities.notify import NotificationActivities
from activities.records import RecordActivities
from models.payloads import PersonIn, RecordPeopleRequest, SeatIn
from notices.mailer import SmtpConfig
from tests.conftest import SmtpServer


@pytest.fixture
def records(engine: Engine) -> RecordActivities:
    """Record activities on SQLite and on PostgreSQL (the `engine` fixture runs both)."""
    return RecordActivities(engine)


@pytest.fixture
def smtp_config(smtp: SmtpServer) -> SmtpConfig:
    return SmtpConfig(host="127.0.0.1", port=smtp.port, timeout_seconds=5)


@pytest.fixture
def notifier(sqlite_engine: Engine, smtp_config: SmtpConfig) -> NotificationActivities:
    return NotificationActivities(sqlite_engine, smtp_config)


def person(person_id: str, gender: str = "female") -> PersonIn:
    return PersonIn.model_validate(
        {
            "person_id": person_id,
            "name": f"Navn {person_id}",
            "gender": gender,
            "email": f"{person_id}@example.org",
            "party": "Sp",
            "member_number": "4601",
        }
    )


def people(*ids: str) -> RecordPeopleRequest:
    return RecordPeopleRequest(
        idempotency_key=f"people/{'-'.join(ids)}", people=tuple(map(person, ids))
    )


def seat(person_id: str, role: str = "member", **changes: object) -> SeatIn:
    values: dict[str, object] = {
        "organ": "county_board:46",
        "term": "2028-2032",
        "person_id": person_id,
        "role": role,
        "from_date": date(2027, 11, 1),
        "obtained_by": "proportional (dhondt)",
        **changes,
    }
    return SeatIn.model_validate(values)
