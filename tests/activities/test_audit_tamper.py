"""The audit log detects tampering: altered, inserted or deleted rows, on SQLite and PostgreSQL.

The attacker has write access to the database: they drop the append-only triggers first.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from activities.records import RecordActivities
from models.payloads import RecordEventRequest
from models.records import AuditEntry
from store.audit import GENESIS, entry_hash, verify_chain

ENTRIES = 5


@pytest.fixture
def chain(engine: Engine) -> Engine:
    """A log of five entries (first 1, middle 3, last 5)."""
    records = RecordActivities(engine)
    for n in range(1, ENTRIES + 1):
        records.record_event(
            RecordEventRequest(
                idempotency_key=f"event-{n}", action="stage_reached", subject="term-2027",
                content={"stage": n},
            )
        )  # fmt: skip
    assert verify_chain(engine).ok
    return engine


def sql(engine: Engine, statement: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(statement), params)


def drop_triggers(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        sql(engine, "DROP TRIGGER audit_log_append_only ON audit_log")
    else:
        sql(engine, "DROP TRIGGER audit_log_no_update")
        sql(engine, "DROP TRIGGER audit_log_no_delete")


def entry(engine: Engine, seq: int) -> AuditEntry:
    with Session(engine) as session:
        return session.exec(select(AuditEntry).where(AuditEntry.seq == seq)).one()


@pytest.mark.parametrize("seq", [1, 3, ENTRIES], ids=["first", "middle", "last"])
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("content", '{"stage":99}'),
        ("actor", "cli:mallory"),
        ("at", datetime(2020, 1, 1, tzinfo=UTC)),
    ],
    ids=["content", "actor", "at"],
)
def test_an_altered_row_is_detected(chain: Engine, seq: int, column: str, value: object) -> None:
    drop_triggers(chain)
    sql(chain, f"UPDATE audit_log SET {column} = :value WHERE seq = :seq", value=value, seq=seq)
    report = verify_chain(chain)
    assert (report.ok, report.first_broken_seq) == (False, seq)
    assert (
        report.problem == f"entry {seq} was altered after it was written (its hash does not match)"
    )


@pytest.mark.parametrize(
    ("seq", "problem"),
    [
        (1, "entry 1 is missing (next is 2): a row was deleted"),
        (3, "entry 3 is missing (next is 4): a row was deleted"),
        (ENTRIES, "the log ends at entry 4 but the head says 5"),
    ],
    ids=["first", "middle", "last"],
)
def test_a_deleted_row_is_detected(chain: Engine, seq: int, problem: str) -> None:
    drop_triggers(chain)
    sql(chain, "DELETE FROM audit_log WHERE seq = :seq", seq=seq)
    report = verify_chain(chain)
    assert not report.ok
    assert (report.problem or "").startswith(problem)


def forged(engine: Engine, seq: int, prev_hash: str) -> dict[str, object]:
    fake = AuditEntry(
        seq=seq, at=datetime.now(UTC), actor="cli:mallory", action="seat_recorded",
        subject="term-2027", content="{}", idempotency_key=f"forged-{seq}", prev_hash=prev_hash,
        hash="",
    )  # fmt: skip
    fake.hash = entry_hash(prev_hash, fake)
    return fake.model_dump()


INSERT = (
    "INSERT INTO audit_log (seq, at, actor, action, subject, content, idempotency_key, "
    "prev_hash, hash) VALUES (:seq, :at, :actor, :action, :subject, :content, "
    ":idempotency_key, :prev_hash, :hash)"
)


def test_a_row_inserted_at_the_end_with_a_valid_hash_is_detected_by_the_head(chain: Engine) -> None:
    sql(chain, INSERT, **forged(chain, ENTRIES + 1, entry(chain, ENTRIES).hash))
    report = verify_chain(chain)
    assert not report.ok
    assert (report.problem or "").startswith("the log ends at entry 6 but the head says 5")


def test_a_row_inserted_in_the_middle_is_detected(chain: Engine) -> None:
    drop_triggers(chain)
    for seq in range(ENTRIES, 2, -1):  # make room at 3, one row at a time (unique seq)
        sql(chain, "UPDATE audit_log SET seq = :new WHERE seq = :old", new=seq + 1, old=seq)
    sql(chain, INSERT, **forged(chain, 3, entry(chain, 2).hash))
    report = verify_chain(chain)
    assert (report.ok, report.first_broken_seq) == (False, 4)
    assert report.problem == "entry 4 does not link to entry 3: a row was inserted or replaced"


def test_a_rewritten_head_hides_a_truncation_only_from_whoever_kept_no_head(chain: Engine) -> None:
    kept = verify_chain(chain).head_hash
    drop_triggers(chain)
    sql(chain, "DELETE FROM audit_log WHERE seq = :seq", seq=ENTRIES)
    sql(chain, "UPDATE audit_head SET seq = :seq, hash = :hash", seq=ENTRIES - 1,
        hash=entry(chain, ENTRIES - 1).hash)  # fmt: skip
    assert verify_chain(chain).ok
    report = verify_chain(chain, expected_head=kept)
    assert not report.ok
    assert report.problem == "the head hash differs from the one given"


def test_an_empty_log_verifies_with_the_genesis_head(engine: Engine) -> None:
    report = verify_chain(engine)
    assert (report.ok, report.entries, report.head_hash) == (True, 0, GENESIS)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'cli:mallory' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 5",
    ],
    ids=["update", "delete"],
)
def test_the_triggers_refuse_update_and_delete(chain: Engine, statement: str) -> None:
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"):
        sql(chain, statement)
    assert verify_chain(chain).ok


@pytest.mark.postgres
def test_postgres_refuses_truncate(postgres_engine: Engine) -> None:
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"):
        sql(postgres_engine, "TRUNCATE audit_log")
