"""The audit log detects tampering: altered, inserted or deleted rows, on SQLite and PostgreSQL.

The attacker has write access to the database: they drop the append-only triggers first. Without
the record key, signatures give them away; with it (an insider), a checkpoint signed before does.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from activities.records import RecordActivities
from models.payloads import RecordEventRequest
from models.records import AuditEntry
from store.anchor import Checkpoint, CheckpointError, make_checkpoint, read_checkpoint
from store.audit import GENESIS, entry_hash, verify_chain
from store.signing import RecordKey, entry_message, head_message, sign_with

ENTRIES = 5
KEY = RecordKey.generate()
PUBLIC = KEY.public


def record(engine: Engine, first: int, last: int) -> None:
    records = RecordActivities(engine)
    for n in range(first, last + 1):
        records.record_event(
            RecordEventRequest(
                idempotency_key=f"event-{n}", action="stage_reached", subject="term-2027",
                content={"stage": n},
            )
        )  # fmt: skip


@pytest.fixture
def chain(engine: Engine) -> Engine:
    """A log of five entries (first 1, middle 3, last 5), signed with the record key."""
    sign_with(engine, KEY)
    record(engine, 1, ENTRIES)
    assert verify_chain(engine, public_key=PUBLIC).ok
    return engine


def sql(engine: Engine, statement: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(statement), params)


def drop_triggers(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        sql(engine, "DROP TRIGGER audit_log_append_only ON audit_log")
        sql(engine, "DROP TRIGGER audit_head_guard ON audit_head")
    else:
        for name in ("log_no_update", "log_no_delete", "head_insert", "head_update", "head_delete"):
            sql(engine, f"DROP TRIGGER audit_{name}")


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
    "prev_hash, hash, signature) VALUES (:seq, :at, :actor, :action, :subject, :content, "
    ":idempotency_key, :prev_hash, :hash, :signature)"
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


def move_head(engine: Engine, seq: int, signature: str = "") -> None:
    sql(engine, "UPDATE audit_head SET seq = :seq, hash = :hash, signature = :signature",
        seq=seq, hash=entry(engine, seq).hash if seq else GENESIS, signature=signature)  # fmt: skip


def test_a_truncation_with_the_head_moved_back_fails_the_head_signature(chain: Engine) -> None:
    kept = verify_chain(chain).head_hash
    drop_triggers(chain)
    sql(chain, "DELETE FROM audit_log WHERE seq = :seq", seq=ENTRIES)
    move_head(chain, ENTRIES - 1, entry(chain, ENTRIES - 1).signature)  # an entry's, copied
    assert verify_chain(chain).ok  # hashes alone cannot see it ...
    report = verify_chain(chain, expected_head=kept)  # ... a head kept elsewhere can
    assert report.problem == "the head hash differs from the one given"
    report = verify_chain(chain, public_key=PUBLIC)  # ... and so can the head's signature
    assert (report.ok, report.first_broken_seq) == (False, ENTRIES)
    assert (report.problem or "").startswith("the head is not signed by the record key")


def rechain(engine: Engine, first: int, key: RecordKey | None) -> None:
    """Recompute every hash from entry `first` on, as an attacker who altered it would, and sign
    them again if they hold the key; the head follows."""
    prev = entry(engine, first - 1).hash if first > 1 else GENESIS
    with Session(engine) as session:
        last = max(session.exec(select(AuditEntry.seq)).all())
    for seq in range(first, last + 1):
        row = entry(engine, seq)
        row.prev_hash = prev
        row.hash = entry_hash(prev, row)
        signature = key.sign(entry_message(seq, row.hash)) if key else ""
        sql(engine, "UPDATE audit_log SET prev_hash = :p, hash = :h, signature = :s "
            "WHERE seq = :seq", p=prev, h=row.hash, s=signature, seq=seq)  # fmt: skip
        prev = row.hash
    head_signature = key.sign(head_message(last, prev)) if key else ""
    move_head(engine, last, head_signature)


def test_a_rewrite_with_every_hash_recomputed_fails_the_signatures(chain: Engine) -> None:
    drop_triggers(chain)
    sql(chain, "UPDATE audit_log SET content = :c WHERE seq = 3", c='{"stage":99}')
    rechain(chain, 3, key=None)
    assert verify_chain(chain).ok  # the hash chain alone is fooled
    report = verify_chain(chain, public_key=PUBLIC)
    assert (report.ok, report.first_broken_seq) == (False, 3)
    assert report.problem == (
        "entry 3 is not signed by the record key: it was written or rewritten without the key"
    )


def test_a_forged_append_with_the_head_moved_fails_the_signatures(chain: Engine) -> None:
    drop_triggers(chain)
    sql(chain, INSERT, **forged(chain, ENTRIES + 1, entry(chain, ENTRIES).hash))
    move_head(chain, ENTRIES + 1)
    assert verify_chain(chain).ok
    report = verify_chain(chain, public_key=PUBLIC)
    assert (report.ok, report.first_broken_seq) == (False, ENTRIES + 1)


def test_entries_written_without_the_key_fail_a_check_with_it(engine: Engine) -> None:
    record(engine, 1, 2)  # this engine has no record key
    assert verify_chain(engine).ok
    report = verify_chain(engine, public_key=PUBLIC)
    assert (report.ok, report.first_broken_seq) == (False, 1)


def checkpoint_of(engine: Engine) -> Checkpoint:
    made = make_checkpoint(engine, KEY)
    read = read_checkpoint(made.to_json(), "test")
    assert read == made
    assert read.signed_by(PUBLIC)
    return read


def test_a_checkpoint_passes_legitimate_appends(chain: Engine) -> None:
    checkpoint = checkpoint_of(chain)
    record(chain, ENTRIES + 1, ENTRIES + 3)
    report = verify_chain(chain, public_key=PUBLIC, checkpoint=checkpoint)
    assert (report.ok, report.entries, report.anchored) == (True, ENTRIES + 3, ENTRIES)


@pytest.mark.parametrize("seq", [1, 3, ENTRIES], ids=["first", "middle", "last"])
def test_an_insider_rewrite_before_a_checkpoint_is_located(chain: Engine, seq: int) -> None:
    checkpoint = checkpoint_of(chain)
    record(chain, ENTRIES + 1, ENTRIES + 2)
    drop_triggers(chain)
    sql(chain, "UPDATE audit_log SET actor = 'cli:mallory' WHERE seq = :seq", seq=seq)
    rechain(chain, seq, key=KEY)  # every hash and signature made again with the key
    assert verify_chain(chain, public_key=PUBLIC).ok
    report = verify_chain(chain, public_key=PUBLIC, checkpoint=checkpoint)
    assert (report.ok, report.first_broken_seq) == (False, seq)
    assert report.problem == (
        f"entry {seq} is not the one the checkpoint of entry {ENTRIES} anchored: "
        f"the log was rewritten from entry {seq}"
    )


def test_an_insider_deletion_before_a_checkpoint_is_located(chain: Engine) -> None:
    checkpoint = checkpoint_of(chain)
    drop_triggers(chain)
    sql(chain, "DELETE FROM audit_log WHERE seq = 2")
    for seq in range(3, ENTRIES + 1):
        sql(chain, "UPDATE audit_log SET seq = :new WHERE seq = :old", new=seq - 1, old=seq)
    rechain(chain, 2, key=KEY)
    assert verify_chain(chain, public_key=PUBLIC).ok
    report = verify_chain(chain, public_key=PUBLIC, checkpoint=checkpoint)
    assert (report.ok, report.first_broken_seq) == (False, 2)


def test_an_insider_truncation_below_a_checkpoint_is_detected(chain: Engine) -> None:
    checkpoint = checkpoint_of(chain)
    drop_triggers(chain)
    sql(chain, "DELETE FROM audit_log WHERE seq > 3")
    move_head(chain, 3, KEY.sign(head_message(3, entry(chain, 3).hash)))
    assert verify_chain(chain, public_key=PUBLIC).ok
    report = verify_chain(chain, public_key=PUBLIC, checkpoint=checkpoint)
    assert (report.ok, report.first_broken_seq) == (False, 4)
    assert (report.problem or "").startswith(
        "the log ends at entry 3 but the checkpoint anchors 5 entries"
    )


def test_an_edited_or_foreign_checkpoint_is_not_signed_by_the_key(chain: Engine) -> None:
    checkpoint = checkpoint_of(chain)
    data = json.loads(checkpoint.to_json())
    data["seq"], data["prefixes"] = 4, base64.b64encode(checkpoint.prefixes[:32]).decode()
    assert not read_checkpoint(json.dumps(data), "edited").signed_by(PUBLIC)
    foreign = make_checkpoint(chain, RecordKey.generate())
    assert not foreign.signed_by(PUBLIC)


@pytest.mark.parametrize(
    "text",
    ["", "[]", '{"format": "other"}', '{"format": "ksgov-audit-checkpoint/1", "seq": 1}',
     '{"format": "ksgov-audit-checkpoint/1", "seq": true, "hash": "", "at": "", '
     '"prefixes": "", "public_key": "", "signature": ""}'],
)  # fmt: skip
def test_a_file_that_is_not_a_checkpoint_is_one_line(text: str) -> None:
    with pytest.raises(CheckpointError, match=r"^f: not a ksgov audit checkpoint$"):
        read_checkpoint(text, "f")


def test_an_empty_log_verifies_with_the_genesis_head(engine: Engine) -> None:
    report = verify_chain(engine)
    assert (report.ok, report.entries, report.head_hash) == (True, 0, GENESIS)


@pytest.mark.parametrize(
    ("statement", "words"),
    [
        ("UPDATE audit_log SET actor = 'cli:mallory' WHERE seq = 1", "append-only"),
        ("DELETE FROM audit_log WHERE seq = 5", "append-only"),
        ("UPDATE audit_head SET seq = 4", "moves only forward"),
        ("UPDATE audit_head SET seq = 6, hash = 'f'", "moves only forward"),
        ("DELETE FROM audit_head", "moves only forward"),
    ],
    ids=["update", "delete", "head back", "head to no entry", "head delete"],
)
def test_the_triggers_refuse_update_and_delete_and_a_head_written_alone(
    chain: Engine, statement: str, words: str
) -> None:
    with pytest.raises(sqlalchemy.exc.DBAPIError, match=words):
        sql(chain, statement)
    assert verify_chain(chain, public_key=PUBLIC).ok


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("table", "words"), [("audit_log", "append-only"), ("audit_head", "forward")]
)
def test_postgres_refuses_truncate(postgres_engine: Engine, table: str, words: str) -> None:
    with pytest.raises(sqlalchemy.exc.DBAPIError, match=words):
        sql(postgres_engine, f"TRUNCATE {table}")
