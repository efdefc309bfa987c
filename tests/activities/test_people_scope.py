"""One county cannot change another county's person (issue 21, finding 1): a representatives
sheet sent to county 40 once rewrote a person county 39 had registered, and the audit entry said
only `updated: 1`. Now the write is refused and nothing changes; a change a county may make is
logged with a fingerprint of each old and new value."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.exceptions import ApplicationError

from activities.records import RecordActivities
from models.payloads import RecordPeopleRequest
from models.records import AuditEntry, Person
from store.people import fingerprint
from tests.activities.conftest import person


def send(records: RecordActivities, key: str, scope: str, **changes: str) -> int:
    kari = person("p-kari").model_copy(update=changes)
    request = RecordPeopleRequest(idempotency_key=key, people=(kari,), scope=scope)
    return records.record_people(request).changed


def stored(engine: Engine) -> Person:
    with Session(engine) as session:
        row = session.get(Person, "p-kari")
        assert row is not None
        return row


def test_a_county_cannot_change_a_person_another_county_registered(
    records: RecordActivities, engine: Engine
) -> None:
    assert send(records, "k/1", "county:39") == 1
    before = stored(engine).model_dump()
    refusal = r"p-kari is registered by county 39: input from county 40 cannot change them"
    with pytest.raises(ApplicationError, match=refusal) as raised:
        send(records, "k/2", "county:40", name="Eve Angriper", email="eve@example.org")
    assert raised.value.non_retryable
    assert stored(engine).model_dump() == before
    assert send(records, "k/3", "county:40") == 0  # naming the same person unchanged is fine


def test_its_own_county_and_the_secretariat_may_and_the_change_is_logged_without_the_values(
    records: RecordActivities, engine: Engine
) -> None:
    send(records, "k/1", "county:39")
    assert send(records, "k/2", "county:39", email="kari@ny.example.org") == 1
    new_name = {"name": "Kari Nordmann-Berg", "email": "kari@ny.example.org"}
    assert send(records, "k/3", "national", **new_name) == 1
    assert stored(engine).scope == "county:39"  # the secretariat's edit keeps the owner
    with Session(engine) as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.action == "people_recorded")
            .order_by(col(AuditEntry.seq))
        ).all()  # fmt: skip
    contents = [json.loads(e.content) for e in entries]
    assert contents[1]["changes"] == {
        "p-kari": {"email": [fingerprint("p-kari@example.org"), fingerprint("kari@ny.example.org")]}
    }
    assert list(contents[2]["changes"]["p-kari"]) == ["name"]
    logged = " ".join(e.content for e in entries)
    assert "kari@ny.example.org" not in logged
    assert "Nordmann-Berg" not in logged
