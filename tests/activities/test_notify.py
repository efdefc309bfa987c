"""The notify activity against a real SMTP server (aiosmtpd): exactly what arrives, and when."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notify import NotificationActivities
from harness.smtp import FIELDS, CountingSmtp, SmtpProcess, header_fields
from models.payloads import SECRETARIAT, Attachment, NotifyMany, NotifyRequest, Recipient
from models.records import AuditEntry, Notification
from notices import mailer, messages
from notices.compose import Letter
from notices.mailer import SmtpConfig
from store import outbox
from tests.conftest import SmtpRecorder, SmtpServer

CALENDAR = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
CONTEXT = {
    "organ_title": "Fylkesmøtet i Vestland",
    "starts_at": "2027-03-12T10:00:00+01:00",
    "place": "Bergen",
}


def recipient(n: int) -> Recipient:
    return Recipient(recipient_id=f"p-{n}", email=f"p{n}@example.org", name=f"Person Åsen {n}")


def reminder(*recipients: Recipient, **changes: Any) -> NotifyRequest:
    values: dict[str, Any] = {
        "purpose": "reminder",
        "subject_key": "meeting-2027-46-1",
        "recipients": recipients,
        "context": CONTEXT,
        **changes,
    }
    return NotifyRequest.model_validate(values)


def all_rows(engine: Engine) -> list[Notification]:
    with Session(engine) as session:
        return list(session.exec(select(Notification)).all())


def outbox_rows(engine: Engine) -> dict[str, Notification]:
    """The outbox by recipient (for tests with one subject)."""
    return {row.recipient_id: row for row in all_rows(engine)}


def audit_actions(engine: Engine) -> Counter[str]:
    with Session(engine) as session:
        return Counter(e.action for e in session.exec(select(AuditEntry)).all())


def arrivals(smtp: SmtpServer) -> Counter[str]:
    return Counter(rcpt for r in smtp.received for rcpt in r.recipients)


def subject(message: Message) -> str:
    """The Subject as a reader sees it (the fixture parses with the compat32 policy)."""
    return str(make_header(decode_header(message["Subject"])))


def text_part(message: Message, content_type: str) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == content_type]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(part.get_content_charset() or "utf-8").replace("\r\n", "\n")


def restart_with(smtp: SmtpServer, recorder: SmtpRecorder) -> None:
    smtp.stop()
    smtp.recorder = recorder
    smtp.start()


@dataclass
class TakesOnly(SmtpRecorder):
    """Accepts the first `limit` messages, then answers 451 like a server under load."""

    limit: int | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.limit is not None and len(self.received) >= self.limit:
            return "451 4.3.0 try later"
        return await super().handle_DATA(server, session, envelope)


@dataclass
class RefusesOne(SmtpRecorder):
    """Refuses one address for good (550 at RCPT), as a server does for an unknown mailbox."""

    bad: str = ""

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == self.bad:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_notify_sends_one_message_per_recipient_with_text_html_and_attachment(
    engine: Engine, smtp: SmtpServer, smtp_config: SmtpConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("activities.notify.HEARTBEAT_EVERY", 0.0)  # a heartbeat per message
    notifier = NotificationActivities(engine, smtp_config)
    request = reminder(
        recipient(1),
        recipient(2),
        Recipient(recipient_id=SECRETARIAT),
        attachments=(
            Attachment(
                filename="mote.ics", content_type="text/calendar; method=REQUEST", text=CALENDAR
            ),
        ),
    )
    env, beats = ActivityEnvironment(), []
    env.on_heartbeat = lambda *details: beats.append(details)
    result = env.run(notifier.notify, request)
    assert (result.sent, result.already_sent, result.failed, result.late) == (3, 0, 0, 0)
    assert beats == [(1,), (2,), (3,)]  # a worker killed mid-batch is noticed by the heartbeat
    assert arrivals(smtp) == Counter(
        ["p1@example.org", "p2@example.org", smtp_config.secretariat_email]
    )
    first = next(r.message for r in smtp.received if r.recipients == ["p1@example.org"])
    key = outbox.outbox_key("reminder", "p-1", "meeting-2027-46-1")
    assert first["Message-ID"] == f"<{key}@ksgov>"
    assert subject(first) == "Påminnelse: Fylkesmøtet i Vestland 12.03.2027 kl. 10.00"
    assert [p.get_content_type() for p in first.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    assert "Hei Person Åsen 1," in text_part(first, "text/plain")
    assert "<strong>Fylkesmøtet i Vestland</strong>" in text_part(first, "text/html")
    [calendar] = [p for p in first.walk() if p.get_content_type() == "text/calendar"]
    assert (calendar.get_filename(), calendar.get_param("method")) == ("mote.ics", "REQUEST")
    assert text_part(first, "text/calendar") == CALENDAR.replace("\r\n", "\n")
    assert {row.status for row in outbox_rows(engine).values()} == {"sent"}
    assert audit_actions(engine) == Counter({"notification_queued": 3, "notification_sent": 3})


def test_a_county_organs_letter_is_answered_to_its_county_secretary(
    notifier: NotificationActivities, smtp: SmtpServer
) -> None:
    request = reminder(recipient(1)).model_copy(
        update={
            "reply_to": "sekretaer@ks.example",
            "context": {**reminder(recipient(1)).context, "sender": "KS Vestland"},
        }
    )
    ActivityEnvironment().run(notifier.notify, request)
    ActivityEnvironment().run(notifier.notify, reminder(recipient(2)))
    by_address = {r.recipients[0]: r.message for r in smtp.received}
    county, plain = by_address["p1@example.org"], by_address["p2@example.org"]
    assert county["Reply-To"] == "sekretaer@ks.example"
    assert "Med vennlig hilsen\nKS Vestland" in text_part(county, "text/plain")
    assert plain["Reply-To"] is None
    assert "Med vennlig hilsen\nSekretariatet, KS" in text_part(plain, "text/plain")


def test_a_batch_goes_over_one_connection_and_a_refusal_opens_a_new_one(
    notifier: NotificationActivities, smtp: SmtpServer
) -> None:
    notifier.notify(reminder(*(recipient(n) for n in range(1, 6))))
    assert (len(smtp.received), len(set(smtp.recorder.peers))) == (5, 1)
    refuses = RefusesOne(bad="p2@example.org")
    restart_with(smtp, refuses)
    result = notifier.notify(reminder(*(recipient(n) for n in range(1, 5)), subject_key="m-2"))
    assert (result.sent, result.failed) == (3, 1)
    assert len(set(refuses.peers)) == 2  # p1 on the first; p3 and p4 on the next


def test_notify_twice_sends_nothing_the_second_time(
    notifier: NotificationActivities, smtp: SmtpServer, sqlite_engine: Engine
) -> None:
    request = reminder(recipient(1), recipient(2))
    notifier.notify(request)
    again = notifier.notify(request)
    assert (again.sent, again.already_sent) == (0, 2)
    assert len(smtp.received) == 2
    assert audit_actions(sqlite_engine) == Counter(
        {"notification_queued": 2, "notification_sent": 2}
    )


def test_a_451_part_way_is_retried_and_every_recipient_gets_the_notice_exactly_once(
    notifier: NotificationActivities, smtp: SmtpServer, sqlite_engine: Engine
) -> None:
    busy = TakesOnly(limit=2)
    restart_with(smtp, busy)
    request = reminder(*(recipient(n) for n in range(1, 6)))
    with pytest.raises(
        ApplicationError, match="3 of 5 messages could not be delivered yet"
    ) as info:
        notifier.notify(request)
    assert not info.value.non_retryable
    rows = outbox_rows(sqlite_engine)
    assert sorted(r.status for r in rows.values()) == ["queued"] * 3 + ["sent"] * 2
    assert {r.last_error for r in rows.values() if r.status == "queued"} == {"451 4.3.0 try later"}
    busy.limit = None
    result = notifier.notify(request)
    assert (result.sent, result.already_sent) == (3, 2)
    assert arrivals(smtp) == Counter({f"p{n}@example.org": 1 for n in range(1, 6)})


def test_a_server_outage_is_retried_without_sending_anything_twice(
    notifier: NotificationActivities, smtp: SmtpServer, sqlite_engine: Engine
) -> None:
    request = reminder(recipient(1), recipient(2), recipient(3))
    notifier.notify(reminder(recipient(1)))  # the first one went out before the outage
    smtp.stop()
    with pytest.raises(ApplicationError, match="2 of 3 messages") as info:
        notifier.notify(request)
    assert info.value.type == "DeliveryDeferred"
    assert not info.value.non_retryable
    attempts = {r.recipient_id: r.attempts for r in outbox_rows(sqlite_engine).values()}
    assert attempts == {"p-1": 1, "p-2": 1, "p-3": 0}  # after a refused connection, no more tries
    smtp.start()
    result = notifier.notify(request)
    assert (result.sent, result.already_sent) == (2, 1)
    assert arrivals(smtp) == Counter({f"p{n}@example.org": 1 for n in range(1, 4)})


def test_a_crash_after_smtp_accepted_resends_with_the_same_message_id(
    notifier: NotificationActivities, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = outbox.mark_sent

    def crash_once(*args: Any) -> bool:
        monkeypatch.setattr(outbox, "mark_sent", real)
        raise ConnectionError("worker lost the database right after SMTP accepted")

    monkeypatch.setattr(outbox, "mark_sent", crash_once)
    request = reminder(recipient(1), recipient(2))
    with pytest.raises(ConnectionError):
        notifier.notify(request)
    notifier.notify(request)
    ids = Counter((r.recipients[0], r.message["Message-ID"]) for r in smtp.received)
    key = {n: outbox.outbox_key("reminder", f"p-{n}", "meeting-2027-46-1") for n in (1, 2)}
    assert ids == Counter(
        {
            ("p1@example.org", f"<{key[1]}@ksgov>"): 2,  # re-sent: receivers can drop the copy
            ("p2@example.org", f"<{key[2]}@ksgov>"): 1,
        }
    )


def test_a_permanent_refusal_fails_that_recipient_only_and_is_not_retried(
    notifier: NotificationActivities, smtp: SmtpServer, sqlite_engine: Engine
) -> None:
    restart_with(smtp, RefusesOne(bad="p2@example.org"))
    request = reminder(recipient(1), recipient(2), recipient(3))
    result = notifier.notify(request)
    assert (result.sent, result.failed) == (2, 1)
    failed = outbox_rows(sqlite_engine)["p-2"]
    assert failed.status == "failed"
    assert failed.last_error == "550 5.1.1 <<recipient>>: mailbox unavailable"
    again = notifier.notify(request)
    assert (again.sent, again.already_sent, again.failed) == (0, 2, 1)
    assert arrivals(smtp) == Counter(["p1@example.org", "p3@example.org"])
    assert audit_actions(sqlite_engine)["notification_failed"] == 1


def test_a_recipient_without_an_address_is_failed_with_a_reason(
    notifier: NotificationActivities, smtp: SmtpServer, sqlite_engine: Engine
) -> None:
    result = notifier.notify(reminder(recipient(1), Recipient(recipient_id="p-2")))
    assert (result.sent, result.failed) == (1, 1)
    assert outbox_rows(sqlite_engine)["p-2"].last_error == "no e-mail address on record"


def test_a_notice_sent_after_its_deadline_is_late_and_the_secretariat_is_alerted(
    notifier: NotificationActivities,
    smtp: SmtpServer,
    smtp_config: SmtpConfig,
    sqlite_engine: Engine,
) -> None:
    request = reminder(recipient(1), recipient(2), deadline=datetime.now(UTC) - timedelta(hours=1))
    result = notifier.notify(request)
    assert (result.sent, result.late) == (2, 2)
    rows = outbox_rows(sqlite_engine)
    assert (rows["p-1"].late, rows[SECRETARIAT].purpose) == (True, "delivery_alert")
    [alert] = [r.message for r in smtp.received if r.recipients == [smtp_config.secretariat_email]]
    assert subject(alert) == (
        "Varsel levert etter fristen: påminnelse om møte (saksnøkkel meeting-2027-46-1)"
    )
    body = text_part(alert, "text/plain")
    assert "levert etter fristen" in body
    assert "- p-1\n- p-2" in body
    again = notifier.notify(request)
    assert (again.already_sent, again.late, len(smtp.received)) == (2, 2, 3)


@pytest.mark.parametrize("many", [False, True], ids=["notify", "notify_many"])
def test_a_missing_context_key_refuses_the_request_before_anything_is_queued(
    notifier: NotificationActivities, smtp: SmtpServer, sqlite_engine: Engine, many: bool
) -> None:
    request = reminder(
        recipient(1), context={"organ_title": "Hovedstyret", "starts_at": "2027-03-12"}
    )
    # With notify_many a good notice comes first: it is not sent either.
    batch = NotifyMany(requests=(reminder(recipient(2)), request))
    with pytest.raises(ApplicationError, match="'place' is undefined") as info:
        notifier.notify_many(batch) if many else notifier.notify(request)
    assert (info.value.type, info.value.non_retryable) == ("BadInput", True)
    assert (smtp.received, outbox_rows(sqlite_engine)) == ([], {})


def test_notify_many_sends_each_notice_with_its_own_subject_and_context_once(
    notifier: NotificationActivities, smtp: SmtpServer, sqlite_engine: Engine
) -> None:
    batch = NotifyMany(
        requests=(
            reminder(recipient(1), recipient(2)),
            reminder(recipient(1), subject_key="meeting-2027-46-2",
                     context={**CONTEXT, "place": "Førde"}),
        )
    )  # fmt: skip
    result = notifier.notify_many(batch)
    assert (result.sent, result.already_sent) == (3, 0)
    rows = sorted((r.recipient_id, r.subject_key) for r in all_rows(sqlite_engine))
    assert rows == [
        ("p-1", "meeting-2027-46-1"), ("p-1", "meeting-2027-46-2"), ("p-2", "meeting-2027-46-1")
    ]  # fmt: skip
    places = sorted("Førde" in text_part(r.message, "text/plain") for r in smtp.received)
    assert places == [False, False, True]
    again = notifier.notify_many(batch)
    assert (again.sent, again.already_sent, len(smtp.received)) == (0, 3, 3)


def test_notify_many_in_an_outage_tries_no_later_notice_and_sends_the_rest_on_retry(
    notifier: NotificationActivities, smtp: SmtpServer, sqlite_engine: Engine
) -> None:
    batch = NotifyMany(
        requests=tuple(
            reminder(recipient(n), subject_key=f"meeting-2027-46-{n}") for n in range(1, 4)
        )
    )
    smtp.stop()
    with pytest.raises(ApplicationError, match="3 of 3 messages") as info:
        notifier.notify_many(batch)
    assert info.value.type == "DeliveryDeferred"
    attempts = sorted(r.attempts for r in all_rows(sqlite_engine))
    assert attempts == [0, 0, 1]  # the first notice's refused connection stopped the others
    smtp.start()
    result = notifier.notify_many(batch)
    assert (result.sent, result.already_sent) == (3, 0)
    assert arrivals(smtp) == Counter({f"p{n}@example.org": 1 for n in range(1, 4)})


def test_notify_many_holds_at_least_one_notice() -> None:
    with pytest.raises(ValueError, match="at least 1 item"):
        NotifyMany(requests=())


def test_the_audit_log_of_notifications_holds_ids_and_no_names_or_addresses(
    notifier: NotificationActivities, smtp: SmtpServer, sqlite_engine: Engine
) -> None:
    notifier.notify(reminder(recipient(1)))
    with Session(sqlite_engine) as session:
        contents = [json.loads(e.content) for e in session.exec(select(AuditEntry)).all()]
    assert {c["recipient_id"] for c in contents} == {"p-1"}
    assert not any("@" in json.dumps(c) or "Åsen" in json.dumps(c) for c in contents)


def test_a_notice_is_rendered_once_stamped_as_it_is_sent_and_a_retry_stamps_only_what_is_left(
    engine: Engine, smtp: SmtpServer, smtp_config: SmtpConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A notice to 500 delegates composed up front can outlast the heartbeat timeout on a busy
    # worker, which then cancels it and starts it over, again and again, and nothing is sent.
    renders: list[str] = []
    stamped: list[str] = []
    real_message = Letter.message

    def counting_render(*args: Any, **kwargs: Any) -> Any:
        renders.append(args[0])
        return messages.render_shared(*args, **kwargs)

    def counting_message(self: Letter, name: str, *args: Any) -> bytes:
        stamped.append(name)
        return real_message(self, name, *args)

    monkeypatch.setattr("activities.notify.HEARTBEAT_EVERY", 0.0)  # a heartbeat per message
    monkeypatch.setattr("notices.compose.render_shared", counting_render)
    monkeypatch.setattr(Letter, "message", counting_message)
    notifier = NotificationActivities(engine, smtp_config)
    restart_with(smtp, TakesOnly(limit=12))
    request = reminder(*(recipient(n) for n in range(30)))
    env, seen = ActivityEnvironment(), []
    env.on_heartbeat = lambda *details: seen.append((len(stamped), len(smtp.received)))
    with pytest.raises(ApplicationError, match="could not be delivered yet"):
        env.run(notifier.notify, request)
    # At every heartbeat: one more message stamped, and sent while the server takes them.
    assert seen[:13] == [(n + 1, min(n + 1, 12)) for n in range(13)]
    assert len(smtp.received) == 12
    assert renders == ["reminder"]  # rendered once for the 30
    renders.clear()
    stamped.clear()
    restart_with(smtp, SmtpRecorder())
    result = env.run(notifier.notify, request)
    assert (result.sent, result.already_sent) == (18, 12)
    assert len(renders) == 1
    assert len(stamped) == 18


def test_each_reader_gets_their_name_raw_in_the_text_and_escaped_in_the_html(
    notifier: NotificationActivities, smtp: SmtpServer
) -> None:
    names = ["Åse Ørn", 'O\'Neil & "Sønn" <AS>', "Kari"]
    people = [Recipient(recipient_id=f"p-{i}", email=f"p{i}@example.org", name=name)
              for i, name in enumerate(names)]  # fmt: skip
    notifier.notify(reminder(*people))
    by_address = {r.recipients[0]: r.message for r in smtp.received}
    for i, name in enumerate(names):
        message = by_address[f"p{i}@example.org"]
        expected = messages.render("reminder", CONTEXT, name)
        assert text_part(message, "text/plain") == expected.text
        assert text_part(message, "text/html") == expected.html
        assert str(make_header(decode_header(message["To"]))) == f"{name} <p{i}@example.org>"
        assert message["Message-ID"] == outbox.message_id(
            outbox.outbox_key("reminder", f"p-{i}", "meeting-2027-46-1")
        )
        assert message["Date"]
        assert message["From"]
        assert subject(message) == expected.subject


def test_a_result_letter_is_written_for_each_reader(
    notifier: NotificationActivities, smtp: SmtpServer
) -> None:
    context = {"organ_title": "Hovedstyret", "post": "members", "term": "2028-2032",
               "elected": ["Kari Nordmann"], "deputies": ["Ola Nordmann"],
               "recipient_role": "elected"}  # fmt: skip
    people = [Recipient(recipient_id=f"p-{i}", email=f"p{i}@example.org", name=name)
              for i, name in enumerate(["Kari Nordmann", "Ola Nordmann"])]  # fmt: skip
    notifier.notify(
        NotifyRequest(
            purpose="result_announced", subject_key="r", recipients=tuple(people), context=context
        )
    )
    texts = {r.recipients[0]: text_part(r.message, "text/plain") for r in smtp.received}
    assert "valgt som medlem i" in texts["p0@example.org"]
    assert "valgt som varamedlem i" in texts["p1@example.org"]


@pytest.mark.parametrize(
    ("name", "email"),
    [("Eve\r\nBcc: victim@example.org", "eve@example.org"), ("Eve", "eve@example.org\r\nX: y")],
)
def test_a_line_break_in_a_name_or_address_fails_that_notice_for_good_and_sends_the_rest(
    notifier: NotificationActivities, smtp: SmtpServer, sqlite_engine: Engine, name: str, email: str
) -> None:
    # Input refuses such a name (tests/unit/test_plain_text.py); the activity still refuses to
    # send one that reaches it, as a name in the record store from before would.
    eve = Recipient.model_construct(recipient_id="p-eve", email=email, name=name)
    request = NotifyRequest.model_construct(
        **{**reminder(recipient(1)).__dict__, "recipients": (eve, recipient(1))}
    )
    result = notifier.notify(request)
    assert (result.sent, result.failed) == (1, 0 + 1)
    assert arrivals(smtp) == Counter({"p1@example.org": 1})
    row = outbox_rows(sqlite_engine)["p-eve"]
    assert row.status == "failed"
    assert "line break" in (row.last_error or "")
    assert notifier.notify(request).failed == 1
    assert len(smtp.received) == 1


def test_a_quick_call_does_not_heartbeat_per_message(
    notifier: NotificationActivities, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("activities.notify.HEARTBEAT_EVERY", 60.0)
    env, beats = ActivityEnvironment(), []
    env.on_heartbeat = lambda *details: beats.append(details)
    assert env.run(notifier.notify, reminder(recipient(1), recipient(2))).sent == 2
    assert beats == []  # at most one a minute: none in a quick call


def test_a_line_too_long_for_smtp_goes_in_base64_and_reads_back_as_written(
    notifier: NotificationActivities, smtp: SmtpServer
) -> None:
    context = {**CONTEXT, "place": "Bergen " + "rådhus, " * 200}  # one line of 1,600 octets
    attachment = Attachment(filename="møte.ics", content_type="text/calendar; method=REQUEST",
                            text=CALENDAR)  # fmt: skip
    notifier.notify(
        reminder(recipient(1), recipient(2), context=context, attachments=(attachment,))
    )
    for received in smtp.received:
        message = received.message
        name = "Person Åsen 1" if received.recipients == ["p1@example.org"] else "Person Åsen 2"
        expected = messages.render("reminder", context, name)
        assert max(map(len, message.as_bytes().splitlines())) <= 998
        assert text_part(message, "text/plain") == expected.text
        assert text_part(message, "text/html") == expected.html
        [ics] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        assert ics.get_filename() == "møte.ics"
        assert ics.get_param("method") == "REQUEST"
        assert ics.get_payload(decode=True) == CALENDAR.encode()


@pytest.mark.parametrize("kind", [CountingSmtp, SmtpProcess])
def test_the_simulations_smtp_server_reads_the_headers_it_counts_by(
    sqlite_engine: Engine, kind: type[CountingSmtp | SmtpProcess]
) -> None:
    counting = kind()
    counting.start()
    try:
        notifier = NotificationActivities(sqlite_engine, SmtpConfig(port=counting.port))
        notifier.notify(reminder(recipient(1), recipient(2)))
        assert counting.count == 2
        assert counting.per_purpose() == {"reminder": 2}
        assert counting.duplicates() == []
        if isinstance(counting, CountingSmtp):
            keys = {outbox.outbox_key("reminder", f"p-{n}", "meeting-2027-46-1") for n in (1, 2)}
            assert {a.message_id for a in counting.arrivals} == {outbox.message_id(k) for k in keys}
    finally:
        counting.stop()
    with pytest.raises(RuntimeError, match="not running"):
        SmtpProcess().duplicates()
    folded = (
        b"Subject: =?utf-8?b?QQ==?=\r\n =?utf-8?b?Qg==?=\r\nX-KSGOV-Purpose: reminder\r\n\r\nX: y"
    )
    assert header_fields(folded, FIELDS) == {
        b"subject": "=?utf-8?b?QQ==?= =?utf-8?b?Qg==?=",
        b"x-ksgov-purpose": "reminder",
    }


def test_the_mailer_never_logs_in_without_tls_unless_allowed(smtp: SmtpServer) -> None:
    config = SmtpConfig(port=smtp.port, username="ks", password="hunter2-secret")
    with (
        mailer.Connection(config) as connection,
        pytest.raises(ValueError, match="refusing to send the SMTP password without TLS"),
    ):
        connection.send("p1@example.org", b"Subject: x\r\n\r\nx\r\n")
    assert smtp.received == []
    assert "hunter2" not in repr(config)
