"""A secretariat runs an organ's meetings through `ksgov meeting` on the dev server.

`ksgov server`, `ksgov worker` and every command run as separate processes; mail goes to a real
SMTP server (aiosmtpd) and the records to an SQLite file. The dev server does not skip time, so
Hovedstyret's series is started with its ordinary meetings weeks away and an extra meeting is
added whose own workflow opens at once (its notice 16 days before it is not due yet, so it can
get an agenda); moving it to an urgent date a few days ahead sends the notice now.

Holding a meeting needs its start time to pass, and `meeting add`/`move` only take days after
today, so a county board's series is started with the client (as the term workflow would start
it) with three urgent meetings seconds ahead; attendance, minutes and approval then go through
the CLI.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import json
import re
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from email.message import Message
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment

from activities.records import RecordActivities
from domain.gender import Gender
from domain.meeting_plan import day_problem
from models import ids
from models.meeting_payloads import (
    MeetingStatus,
    PlannedMeeting,
    SeriesInput,
    SeriesStatus,
)
from models.payloads import PersonIn, RecordPeopleRequest, RecordSeatsRequest, SeatIn
from notices.planning import norwegian_holidays
from service.meeting import load_rules, split_meeting_id
from store.db import make_engine
from tests.conftest import Received, SmtpServer, free_port
from tests.e2e.conftest import KSGOV, Sandbox

OSLO = ZoneInfo("Europe/Oslo")
BOARD = "county_board:03"


def roster(prefix: str, voting: int, deputies: int, groups: str = "") -> list[dict[str, Any]]:
    """Voting seats (leader, deputy leader, members) and ranked deputies, split over `groups`."""
    roles = ["leader", "deputy_leader"] + ["member"] * (voting - 2)
    seats: list[dict[str, Any]] = [
        {"person_id": f"{prefix}{n:02d}", "name": f"Medlem {n}", "role": role,
         "email": f"{prefix}{n:02d}@example.org",
         "group": groups[n * len(groups) // voting] if groups else ""}
        for n, role in enumerate(roles)
    ]  # fmt: skip
    for group in list(groups) or [""]:
        seats += [
            {"person_id": f"{prefix}d{group}{rank}", "name": f"Vara {group}{rank}",
             "email": f"{prefix}d{group}{rank}@example.org", "role": "deputy", "rank": rank,
             "group": group}
            for rank in range(1, deputies + 1)
        ]  # fmt: skip
    return seats


def register(sandbox: Sandbox, seats: list[dict[str, Any]]) -> None:
    """Put the people in the register, as the term does for the people it seats."""
    people = tuple(
        PersonIn(person_id=s["person_id"], name=s["name"], email=s["email"],
                 gender=(Gender.FEMALE, Gender.MALE)[n % 2])
        for n, s in enumerate(seats)
    )  # fmt: skip
    engine = make_engine(sandbox.env["KSGOV_DATABASE_URL"])
    request = RecordPeopleRequest(idempotency_key="test/people", people=people)
    ActivityEnvironment().run(RecordActivities(engine).record_people, request)
    engine.dispose()


def meeting_day(first: dt.date, last: dt.date) -> dt.date:
    """The first day in [first, last] a meeting may be held on; skip the test if none is."""
    holidays = set(norwegian_holidays((first.year, last.year)))
    for n in range((last - first).days + 1):
        if day_problem(day := first + dt.timedelta(days=n), holidays) is None:
            return day
    pytest.skip(f"no meeting day from {first} to {last} (July): no notice can be due now")


async def cli(sandbox: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(sandbox.run, *args, timeout=120)


async def ok(sandbox: Sandbox, *args: str) -> str:
    result = await cli(sandbox, *args)
    assert result.returncode == 0, f"ksgov {' '.join(args)}: {result.stderr}"
    return result.stdout


def assert_refused(result: subprocess.CompletedProcess[str], needle: str) -> None:
    """Exit code 2 and one plain line on stderr that says what is wrong."""
    stderr = result.stderr.strip()
    assert result.returncode == 2, f"{result.args}: {result.returncode} {stderr}"
    assert len(stderr.splitlines()) == 1, stderr
    assert stderr.startswith("ksgov: error: "), stderr
    assert needle in stderr, stderr


async def until(what: str, check: Callable[[], Any], seconds: float = 30) -> Any:
    """Poll `check` every 0.2 s until it gives something true (real time on the dev server)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if inspect.isawaitable(found):
            found = await found
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return data


def text(message: Message) -> str:
    """The plain-text body of a notice."""
    return next(payload(p) for p in message.walk() if p.get_content_type() == "text/plain").decode()


def invite(message: Message) -> icalendar.Calendar | None:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(payload(part))
    return None


def concerns(message: Message, meeting_id: str) -> bool:
    """Whether a message is about the meeting: its invite's file name or its text names it."""
    for part in message.walk():
        if part.get_filename() == f"{meeting_id}.ics":
            return True
    return meeting_id in text(message)


def mails(smtp: SmtpServer, purpose: str, meeting_id: str, count: int) -> Callable[[], Any]:
    """A check that `count` messages for `purpose` about the meeting have arrived."""

    def arrived() -> list[Received]:
        found = [
            r for r in smtp.received
            if r.message["X-Ksgov-Purpose"] == purpose and concerns(r.message, meeting_id)
        ]  # fmt: skip
        return found if len(found) >= count else []

    return arrived


def event(received: list[Received], method: str) -> icalendar.Event:
    """The one event all these messages carry, checked to be the same invite for everyone."""
    calendars = [invite(r.message) for r in received]
    assert all(c is not None and c["METHOD"] == method for c in calendars), calendars
    events = {c.walk("VEVENT")[0].to_ical() for c in calendars if c is not None}
    assert len(events) == 1
    found = icalendar.Event.from_ical(events.pop())
    assert isinstance(found, icalendar.Event)
    return found


async def stage(client: Client, meeting_id: str) -> str | None:
    """The meeting's stage, None while it has no workflow of its own."""
    handle = client.get_workflow_handle(meeting_id)
    try:
        found: MeetingStatus = await handle.query("status", result_type=MeetingStatus)
    except RPCError:
        return None
    return found.stage


async def start_board(client: Client, folder: Path, term: str, in_seconds: int) -> list[str]:
    """A county board's series whose three urgent meetings start `in_seconds` from now."""
    path = folder / "board.json"
    path.write_text(json.dumps(roster("c", 9, 2)))
    rules = load_rules(BOARD, term, path, None)
    soon = dt.datetime.now(OSLO).replace(microsecond=0) + dt.timedelta(seconds=in_seconds)
    meetings = tuple(
        PlannedMeeting(number=n, starts_at=soon + dt.timedelta(seconds=n), urgent=True)
        for n in (1, 2, 3)
    )
    ends_on = dt.date(int(term[-4:]), 1, 31)
    series = SeriesInput(rules=rules, ends_on=ends_on, meetings=meetings)
    await client.start_workflow(
        "MeetingSeries", series, id=ids.series_id(BOARD, term), task_queue="ksgov"
    )
    return [f"meeting-{BOARD}-{term}-{n:02d}" for n in (1, 2, 3)]


async def test_a_secretariat_plans_notices_moves_holds_and_cancels_meetings_through_the_cli(
    running: Sandbox, smtp: SmtpServer
) -> None:
    today = dt.datetime.now(OSLO).date()
    first = 2024 + (today.year - 2024) // 4 * 4  # the term in office today
    term = f"{first}-{first + 4}"
    later = meeting_day(today + dt.timedelta(days=17), today + dt.timedelta(days=27))
    soon = meeting_day(today + dt.timedelta(days=2), today + dt.timedelta(days=14))
    moved = meeting_day(soon + dt.timedelta(days=1), soon + dt.timedelta(days=40))
    register(running, roster("p", 15, 2, "AB") + roster("c", 9, 2))
    client = await running.client()
    board = await start_board(client, running.cwd, term, in_seconds=15)

    async def hovedstyret() -> None:
        meeting_id = await plan_with_an_extra_meeting(running, client, term, today, later)
        await give_notice(running, smtp, meeting_id, soon)
        saturday = later + dt.timedelta(days=(5 - later.weekday()) % 7)
        await refuse_bad_input(running, client, smtp, meeting_id, term, saturday)
        await move_call_in_and_cancel(running, smtp, meeting_id, moved)

    async with asyncio.TaskGroup() as both:  # two secretaries at once: the CLI is CPU-bound
        both.create_task(hovedstyret())
        both.create_task(hold_and_approve(running, client, smtp, board))


async def plan_with_an_extra_meeting(
    sandbox: Sandbox, client: Client, term: str, today: dt.date, day: dt.date
) -> str:
    """The series starts with its meetings weeks away; the extra one opens at once."""
    (sandbox.cwd / "roster.json").write_text(json.dumps(roster("p", 15, 2, "AB")))
    first = (today + dt.timedelta(days=40)).isoformat()
    series = await ok(sandbox, "meeting", "start-series", "hovedstyret", term,
                      "--roster", "roster.json", "--from", first)  # fmt: skip
    assert series.strip() == f"meetings-hovedstyret-{term}"
    added = json.loads(
        await ok(sandbox, "meeting", "add", "hovedstyret", term, day.isoformat(), "--json")
    )
    assert (added["status"], added["extra"], added["urgent"]) == ("planned", True, False)
    meeting_id = str(added["meeting_id"])
    assert await until("the extra meeting's workflow", lambda: stage(client, meeting_id))
    table, from_day = await asyncio.gather(
        ok(sandbox, "meeting", "list"),
        ok(sandbox, "meeting", "list", "--from", day.isoformat(), "--json"),
    )
    rows = [line.split() for line in table.splitlines()[2:]]
    assert rows[-1] == [meeting_id, f"{day.isoformat()}T10:00:00+{offset(day)}", "planned"]
    board = {f"meeting-{BOARD}-{term}-{n:02d}" for n in (1, 2, 3)}
    assert {row[0] for row in rows[:-1]} <= board  # earliest first: the board meets today
    assert [m["meeting_id"] for m in json.loads(from_day)] == [meeting_id]
    return meeting_id


def offset(day: dt.date) -> str:
    """Oslo's UTC offset on `day` as ISO writes it (01:00 or 02:00)."""
    return dt.datetime.combine(day, dt.time(10), OSLO).isoformat()[-5:]


async def give_notice(sandbox: Sandbox, smtp: SmtpServer, meeting_id: str, soon: dt.date) -> None:
    """The agenda is set while the notice is not yet due; moved to an urgent date a few days
    ahead, the meeting's notice goes out at once, with the agenda and an invite."""
    shown = await ok(sandbox, "meeting", "agenda", meeting_id, "Budsjett 2027", "Strategi")
    assert shown.splitlines()[2].split()[2:] == ["planned", "0", "False"]
    await ok(sandbox, "meeting", "move", meeting_id, soon.isoformat(), "--urgent")
    notices = await until("the notices", mails(smtp, "meeting_notice", meeting_id, 19))
    everyone = {seat["email"] for seat in roster("p", 15, 2, "AB")}
    assert {to for r in notices for to in r.recipients} == everyone
    notice = event(notices, "REQUEST")
    assert notice["SEQUENCE"] == 1
    assert notice.decoded("DTSTART") == dt.datetime.combine(soon, dt.time(10), OSLO)
    body = text(notices[0].message)
    assert "1. Budsjett 2027" in body
    assert "2. Strategi" in body


async def refuse_bad_input(
    sandbox: Sandbox, client: Client, smtp: SmtpServer, meeting_id: str, term: str,
    saturday: dt.date,
) -> None:  # fmt: skip
    """Each bad input exits with 2 and one plain line, and changes nothing: not the meetings,
    not the plan, no mail, no new series."""
    organ = "hovedstyret"
    series = client.get_workflow_handle(ids.series_id(organ, term))
    bad = {
        ("move", meeting_id, "27.11.2026"): "is not a date and time like",
        ("agenda", f"meeting-{organ}-{term}-99", "Budsjett"): "is not in the plan",
        ("cancel", meeting_id, "--reason", ""): "reason: String should have at least 1",
        ("add", organ, term, saturday.isoformat()): "it is a Saturday",
        ("start-series", organ, term, "--roster", "roster.json"): "is already running",
        ("start-series", "landsstyret", term, "--roster", "strangers.json"): "not in the register",
        ("list", "--organ", "x' OR KsOrgan != 'y"): "the organ must be hovedstyret",
    }
    (sandbox.cwd / "strangers.json").write_text(json.dumps(roster("x", 3, 1)))
    listing = ("meeting", "list", "--organ", organ, "--json")
    before, sent = await ok(sandbox, *listing), len(smtp.received)
    assert [m["meeting_id"] for m in json.loads(before)] == [meeting_id]
    plan = await series.query("status", result_type=SeriesStatus)
    results = await asyncio.gather(*(cli(sandbox, "meeting", *args) for args in bad))
    for result, needle in zip(results, bad.values(), strict=True):
        assert_refused(result, needle)
    assert await ok(sandbox, *listing) == before
    assert await series.query("status", result_type=SeriesStatus) == plan
    assert len([r for r in smtp.received[sent:] if concerns(r.message, meeting_id)]) == 0
    with pytest.raises(RPCError):
        await client.get_workflow_handle(ids.series_id("landsstyret", term)).describe()


async def move_call_in_and_cancel(
    sandbox: Sandbox, smtp: SmtpServer, meeting_id: str, day: dt.date
) -> None:
    """A move re-sends the invite (SEQUENCE+1), an absence calls in the next deputy, a
    cancellation sends METHOD:CANCEL, and `meeting ics` writes the cancelled invite; the
    meeting is over then, and a further move is refused."""
    shown = await ok(sandbox, "meeting", "move", meeting_id, day.isoformat(), "--at", "12:00")
    assert shown.splitlines()[2].split()[2:] == ["noticed", "2", "True"]
    changes = await until("the changed invites", mails(smtp, "meeting_changed", meeting_id, 19))
    change = event(changes, "REQUEST")
    assert change["SEQUENCE"] == 2
    assert change.decoded("DTSTART") == dt.datetime.combine(day, dt.time(12), OSLO)
    await absent_through_the_console(sandbox, meeting_id, "p09")
    organ, _ = split_meeting_id(meeting_id)
    listed = json.loads(await ok(sandbox, "meeting", "list", "--organ", organ, "--json"))
    [status] = [m for m in listed if m["meeting_id"] == meeting_id]
    assert (status["absent"], status["called_in"]) == (["p09"], {"pdB1": "p09"})
    [called] = await until("the deputy's call-in", mails(smtp, "deputy_called_in", meeting_id, 1))
    assert called.recipients == ["pdB1@example.org"]
    assert event([called], "REQUEST")["SEQUENCE"] == 2
    shown = await ok(sandbox, "meeting", "cancel", meeting_id, "--reason", "Flyttes til januar")
    assert shown.splitlines()[2].split()[2:] == ["cancelled", "3", "True"]
    cancels = await until("the cancellations", mails(smtp, "meeting_cancelled", meeting_id, 19))
    mailed = event(cancels, "CANCEL")
    out = sandbox.cwd / "cancelled.ics"
    wrote, again = await asyncio.gather(
        ok(sandbox, "meeting", "ics", meeting_id, "--out", str(out)),
        cli(sandbox, "meeting", "move", meeting_id, day.isoformat()),
    )
    assert wrote.strip() == f"wrote {out}"
    assert_refused(again, "is over (its workflow has completed)")
    written = icalendar.Calendar.from_ical(out.read_text(encoding="utf-8"))
    [vevent] = written.walk("VEVENT")
    assert written["METHOD"] == "CANCEL"
    assert vevent["UID"] == mailed["UID"] == f"{meeting_id}@ksgov.ks.no"
    assert vevent["SEQUENCE"] == mailed["SEQUENCE"] == 3
    assert vevent["STATUS"] == "CANCELLED"
    for same in ("SUMMARY", "LOCATION", "DTSTART", "DTEND"):  # the invite the notices carry
        assert vevent.decoded(same) == mailed.decoded(same), same


PASSWORD = "riktig hest batteri stift"


async def absent_through_the_console(sandbox: Sandbox, meeting_id: str, person: str) -> None:
    """The member `person`, seated in Hovedstyret, logs in to `ksgov web` and reports their
    absence from the meeting there."""
    organ, term = split_meeting_id(meeting_id)
    seated = SeatIn(organ=organ, term=term, person_id=person, role="member",
                    from_date=dt.date(int(term[:4]), 1, 1), obtained_by="agreed")  # fmt: skip
    engine = make_engine(sandbox.env["KSGOV_DATABASE_URL"])
    request = RecordSeatsRequest(idempotency_key=f"test/seat/{person}", seats=(seated,))
    await asyncio.to_thread(
        ActivityEnvironment().run, RecordActivities(engine).record_seats, request
    )
    engine.dispose()
    made = await asyncio.to_thread(
        subprocess.run,
        [KSGOV, "user", "add", "m-" + person, "--role", "member", "--person", person,
         "--password-stdin"],
        cwd=sandbox.cwd, env=sandbox.env, input=f"{PASSWORD}\n", text=True,
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    port = free_port()
    server = sandbox.popen_logged("web", "--port", str(port))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as web:
            form = await until("the console", lambda: _page(web, "/login"))
            fields = {"username": "m-" + person, "password": PASSWORD, "csrf": _csrf(form)}
            login = await web.post("/login", data=fields)
            assert login.status_code == 303
            page = (await web.get(f"/moter/{meeting_id}")).text
            assert "Meld forfall" in page
            sent = await web.post(f"/moter/{meeting_id}/forfall",
                                  data={"reason": "syk", "csrf": _csrf(page)})  # fmt: skip
            assert (sent.status_code, sent.headers["location"]) == (303, f"/moter/{meeting_id}")
            assert "Forfallet er meldt" in (await web.get(f"/moter/{meeting_id}")).text
    finally:
        server.terminate()
        server.wait(timeout=30)


async def _page(web: httpx.AsyncClient, path: str) -> str | None:
    try:
        return (await web.get(path)).text
    except httpx.TransportError:
        return None


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def read_where_the_notice_links(sandbox: Sandbox, notice: Message, expected: str) -> None:
    """The minutes notice's link, at `ksgov document serve`, gives the published minutes."""
    [link] = re.findall(r"https?://\S+/protokoller/\S+", text(notice))
    path = urllib.parse.urlsplit(link).path
    port = free_port()
    server = sandbox.popen_logged("document", "serve", "--port", str(port))
    try:

        def fetch() -> bytes | None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as got:
                    return bytes(got.read())
            except OSError:
                return None

        page = await until("the published minutes", lambda: asyncio.to_thread(fetch), 60)
        assert expected in page.decode()
    finally:
        server.terminate()
        server.wait(timeout=30)


async def hold_and_approve(
    sandbox: Sandbox, client: Client, smtp: SmtpServer, board: list[str]
) -> None:
    """Attendance decides the quorum (5 of 9 do, 4 do not); the first meeting's minutes are
    approved at the second and published to everyone."""
    first, second, third = board

    async def begun() -> bool:
        return [await stage(client, m) for m in board] == ["awaiting_attendance"] * 3

    async def published() -> bool:
        return await stage(client, first) == "published"

    await until("the board's meetings have begun", begun, 60)
    five = [f"c{n:02d}" for n in range(5)]
    held, not_held = await asyncio.gather(
        ok(sandbox, "meeting", "attendance", first, *five, "--json"),
        ok(sandbox, "meeting", "attendance", third, *five[:4], "--json"),
    )
    assert (json.loads(held)["quorum"], json.loads(held)["stage"]) == (True, "awaiting_minutes")
    assert (json.loads(not_held)["quorum"], json.loads(not_held)["stage"]) == (
        False, "not_constituted",
    )  # fmt: skip
    (sandbox.cwd / "minutes.json").write_text(json.dumps({"text": "Styret konstituerte seg."}))
    recorded, _ = await asyncio.gather(
        ok(sandbox, "meeting", "minutes", first, "--file", "minutes.json"),
        ok(sandbox, "meeting", "attendance", second, *five),
    )
    assert "awaiting_approval" in recorded
    await ok(sandbox, "meeting", "approve", second, first)
    sent = await until("the minutes", mails(smtp, "minutes_published", first, 11))
    assert {to for r in sent for to in r.recipients} == {s["email"] for s in roster("c", 9, 2)}
    await until("the first meeting's minutes published", published)
    await read_where_the_notice_links(sandbox, sent[0].message, "Styret konstituerte seg.")
    final = json.loads(await ok(sandbox, "meeting", "list", "--organ", BOARD, "--json"))
    assert [(m["meeting_id"], m["stage"]) for m in final] == [
        (first, "published"), (second, "awaiting_minutes"), (third, "not_constituted"),
    ]  # fmt: skip
    assert final[0]["minutes_approved_at"] is not None
