"""Appending several audit entries in one transaction, and queueing a batch of messages in one:
the chain stays whole and every business key is logged once, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from models.records import AuditEntry, Notification
from store import audit, outbox
from store.audit import NewEntry, verify_chain


def change(key: str, n: int) -> NewEntry:
    return NewEntry("cli:test", "stage_reached", "term-2027", {"n": n}, key)


def logged(engine: Engine) -> list[tuple[int, str]]:
    with Session(engine) as session:
        rows = session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))).all()
        return [(e.seq, e.idempotency_key) for e in rows]


def test_a_batch_is_chained_in_order_and_a_key_logged_before_or_repeated_is_logged_once(
    engine: Engine,
) -> None:
    with Session(engine) as session, session.begin():
        audit.append_all(session, [change("a", 1)])
    with Session(engine) as session, session.begin():
        entries = audit.append_all(
            session, [change("b", 2), change("a", 9), change("c", 3), change("b", 8)]
        )
        got = [(e.seq, e.idempotency_key, e.content) for e in entries]
    assert got == [(2, "b", '{"n":2}'), (1, "a", '{"n":1}'), (3, "c", '{"n":3}'),
                   (2, "b", '{"n":2}')]  # fmt: skip
    assert logged(engine) == [(1, "a"), (2, "b"), (3, "c")]
    report = verify_chain(engine)
    assert (report.ok, report.entries) == (True, 3)


def test_a_batch_of_keys_all_logged_before_changes_nothing(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        audit.append_all(session, [change("a", 1), change("b", 2)])
    head = verify_chain(engine).head_hash
    with Session(engine) as session, session.begin():
        again = audit.append_all(session, [change("b", 5), change("a", 6)])
        assert [e.seq for e in again] == [2, 1]
    assert logged(engine) == [(1, "a"), (2, "b")]
    assert verify_chain(engine, expected_head=head).ok


def test_a_batch_larger_than_one_query_is_queued_once_and_found_on_the_retry(
    engine: Engine,
) -> None:
    size = 2 * audit.KEYS_PER_QUERY + 7
    deadline = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    slots = [
        outbox.Slot(outbox.outbox_key("p", f"r{i}", "s"), "p", f"r{i}", "s", deadline)
        for i in range(size)
    ]
    first = outbox.ensure_queued(engine, slots, "cli:test")
    assert len(first) == size
    assert {s.status for s in first.values()} == {"queued"}
    outbox.mark_sent(engine, slots[5], "cli:test")
    retry = outbox.ensure_queued(engine, slots, "cli:test")
    assert retry[slots[5].key].status == "sent"
    assert sum(s.status == "queued" for s in retry.values()) == size - 1
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Notification)).one() == size
    actions = [key.split("/")[0] for _, key in logged(engine)]
    assert actions.count("notification_queued") == size
    assert actions.count("notification_sent") == 1
    assert verify_chain(engine).ok


def test_marking_a_message_sent_that_was_never_queued_fails_and_logs_nothing(
    engine: Engine,
) -> None:
    slot = outbox.Slot(outbox.outbox_key("p", "r", "s"), "p", "r", "s", None)
    with pytest.raises(RuntimeError, match="not in the outbox"):
        outbox.mark_sent(engine, slot, "cli:test")
    assert logged(engine) == []


def test_threads_writing_at_once_keep_one_chain_and_a_failed_transaction_blocks_nobody(
    engine: Engine,
) -> None:
    # SQLite: BEGIN IMMEDIATE makes each thread wait for the others' COMMIT; PostgreSQL: the
    # head row's lock. Either way the chain does not fork.
    slots = [outbox.Slot(outbox.outbox_key("reminder", f"p-{n}", "s"), "reminder", f"p-{n}", "s",
                         None) for n in range(120)]  # fmt: skip
    outbox.ensure_queued(engine, slots, "cli:test")

    def broken_then_send(slot: outbox.Slot) -> None:
        with pytest.raises(ZeroDivisionError), engine.begin():
            _ = 1 / 0  # rolled back: its lock must not outlive it
        outbox.mark_sent(engine, slot, "cli:test")

    with ThreadPoolExecutor(max_workers=8) as pool:
        done = pool.map(broken_then_send, slots, timeout=120)
        assert len(list(done)) == 120
    report = verify_chain(engine)
    assert report.ok
    assert report.entries == 240  # queued and sent, each once
    with Session(engine) as session:
        sent = session.exec(select(func.count()).where(Notification.status == "sent")).one()
    assert sent == 120


def test_the_canonical_json_takes_json_types_only() -> None:
    # With a fallback to str, a date and the text of that date would hash alike (finding 3).
    with pytest.raises(TypeError, match="date is not JSON serializable"):
        audit.canonical_json({"on": dt.date(2028, 2, 13)})
    assert audit.canonical_json({"b": "2028-02-13", "a": [1, None]}) == (
        '{"a":[1,null],"b":"2028-02-13"}'
    )
