"""The record tables under the audit chain: a person, seat, election or notice changed, added or
deleted outside ksgov is named by `verify_records`, on SQLite and PostgreSQL; ksgov's own
writes, a person's later change included, keep it passing."""

from __future__ import annotations

import pytest
import sqlalchemy
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from activities.records import RecordActivities
from models.payloads import PersonIn, RecordPeopleRequest
from models.records import Notification
from notices.mailer import SmtpConfig
from store.coverage import verify_records
from tests.activities.test_audit_queries import fill, in_workflow


@pytest.fixture
def filled(engine: Engine, smtp_config: SmtpConfig) -> Engine:
    fill(engine, smtp_config)
    report = verify_records(engine)
    assert report.ok, report.problem
    assert report.rows >= 4 + 3 + 2 + 2  # people, seats, elections, notices (two digests each)
    return engine


def sql(engine: Engine, statement: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(statement), params)


def a_notification(engine: Engine) -> str:
    with Session(engine) as session:
        row = session.exec(select(Notification).where(Notification.status == "sent")).first()
        assert row is not None
        return row.idempotency_key


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE person SET email = 'mallory@example.org' WHERE person_id = 'p-1'",
         "person/p-1 is not as audit entry"),
        ("UPDATE seat SET to_date = '2031-01-01' WHERE person_id = 'p-4'",
         "seat/county_board:46/2028-2032/p-4/member is not as audit entry"),
        ("UPDATE election SET outcome = '{}' WHERE post = 'leader'",
         "election/term-2027/county-46/leader/round-1 is not as audit entry"),
        ("DELETE FROM seat WHERE person_id = 'p-4'",
         "seat/county_board:46/2028-2032/p-4/member, recorded by audit entry"),
        ("INSERT INTO person (person_id, name, gender, party, email) "
         "VALUES ('p-9', 'Mallory', 'male', '', 'm@example.org')",
         "person/p-9 has no audit entry: it was written outside ksgov"),
    ],
    ids=["email", "seat end", "election outcome", "seat deleted", "person added"],
)  # fmt: skip
def test_a_row_changed_outside_ksgov_is_named(filled: Engine, statement: str, problem: str) -> None:
    sql(filled, statement)
    report = verify_records(filled)
    assert not report.ok
    assert (report.problem or "").startswith(problem)


def test_a_notice_sent_at_another_time_is_named(filled: Engine) -> None:
    key = a_notification(filled)
    sql(filled, "UPDATE notification SET sent_at = queued_at WHERE idempotency_key = :k", k=key)
    report = verify_records(filled)
    assert (report.problem or "").startswith(f"notification-state/{key} is not as audit entry")


def test_an_attempt_counter_is_operational_and_not_covered(filled: Engine) -> None:
    sql(filled, "UPDATE notification SET attempts = attempts + 1, last_error = 'x'")
    assert verify_records(filled).ok


def test_a_change_through_ksgov_keeps_the_records_verified(filled: Engine) -> None:
    moved = PersonIn.model_validate(
        {"person_id": "p-1", "name": "Navn p-1", "gender": "female",
         "email": "ny.adresse@example.org", "party": "Sp", "member_number": "4601"}
    )  # fmt: skip
    request = RecordPeopleRequest(idempotency_key="people/p-1/moved", people=(moved,))
    in_workflow().run(RecordActivities(filled).record_people, request)
    assert verify_records(filled).ok
