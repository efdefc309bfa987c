"""The console in a real browser on a running term: the Temporal dev server, the real worker
(in a thread of this process, with its activities, the record store and an aiosmtpd server),
the console served by uvicorn, Debian's Chromium driven by Playwright, every page checked by
axe-core for WCAG 2.1 A and AA (no serious or critical violation).

The secretariat starts the term from the console (the dry run, then the start); Oslo's county
secretary (the smallest county meeting: one member) sees the meeting awaiting its
representatives, uploads the representatives sheet made from the template with a row error,
sees the error named by its row, uploads the corrected sheet, sees the preview, confirms, reads
the receipt, and sees on the county's page that the meeting has moved on. Screenshots go to
KSGOV_TEST_ARTIFACTS, else the test's temporary directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, sync_playwright
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

import connection
import worker
from config import Settings, load_settings
from harness.synthetic import PeopleFactory
from models import ids
from models.election_payloads import RepresentativesIn
from models.records import Account, AuditEntry, Person
from service import accounts
from service.governance import load_registry
from service.term import sheet_template
from tests.conftest import SmtpServer
from tests.e2e.sheet_support import fill
from tests.e2e.test_console_browser import PASSWORD, accessible, console_at, log_in

YEAR = 2051  # a year no other test of the session uses for its workflow ids
COUNTY, MEMBER, SEATS = "03", "0301", 7  # Oslo: one member, Oslo kommune, seven representatives
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Skipped where Chromium is missing, but not in CI, which installs it and sets this variable.
if CHROMIUM is None and os.environ.get("KSGOV_REQUIRE_BROWSER") == "1":
    raise RuntimeError("KSGOV_REQUIRE_BROWSER=1 but Chromium is not installed")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)"
)


class WorkerThread:
    """`ksgov worker`'s own `run_worker` on a thread with its event loop, until `stop()`;
    then `after` on that loop (the main thread's loop belongs to pytest-asyncio)."""

    def __init__(self, settings: Settings, after: Callable[[Settings], Awaitable[None]]) -> None:
        self.settings, self.after = settings, after
        self.failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, daemon=True)

    def start(self) -> None:
        self._thread.start()
        assert self._ready.wait(timeout=30)

    def _main(self) -> None:
        async def run() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            self._ready.set()
            await worker.run_worker(self.settings, self._stop)
            await self.after(self.settings)

        try:
            asyncio.run(run())
        except BaseException as exc:  # reported by stop()
            self.failure = exc
            self._ready.set()

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "the worker did not stop"
        assert self.failure is None, repr(self.failure)


@pytest.fixture
def term_console(
    dev_env: WorkflowEnvironment, smtp: SmtpServer, sqlite_url: str, sqlite_engine: Engine,
    task_queue: str, monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:  # fmt: skip
    """The console and a worker on the session's dev server, with Oslo's county secretary and
    the secretariat; the term's workflows are terminated afterwards."""
    address = dev_env.client.service_client.config.target_host
    for name, value in (("DATABASE_URL", sqlite_url), ("TEMPORAL_ADDRESS", address),
                        ("TASK_QUEUE", task_queue), ("SMTP_PORT", str(smtp.port))):  # fmt: skip
        monkeypatch.setenv(f"KSGOV_{name}", value)
    settings = load_settings()
    settings.keyring()  # the payload keys made once, before two threads read them
    accounts.add(sqlite_engine, "oslo", "county", PASSWORD, county=COUNTY)
    accounts.add(sqlite_engine, "sekretariat", "secretariat", PASSWORD)
    running = WorkerThread(settings, after=terminate_term)
    running.start()
    try:
        with console_at(settings) as base:
            yield base
    finally:
        running.stop()


async def terminate_term(settings: Settings) -> None:
    """The term and its county meetings ended, so that nothing of this test runs on."""
    client = await connection.connect(settings)
    counties = [ids.county_meeting_id(YEAR, c.number) for c in load_registry().counties]
    for workflow_id in (ids.term_id(YEAR), *counties):
        with contextlib.suppress(RPCError):  # not started, or closed already
            await client.get_workflow_handle(workflow_id).terminate("the test is over")


def representatives_sheets(folder: Path) -> tuple[Path, Path, int]:
    """Oslo's representatives sheet from the template, filled in: a corrected one, and one with
    a gender no sheet takes; the wrong cell's row."""
    people = PeopleFactory(51)
    entry = RepresentativesIn(
        member_number=MEMBER, people=tuple(people.balanced(MEMBER, SEATS)),
        deputies=(people.person(MEMBER),),
    )  # fmt: skip
    good, bad = folder / "representanter.xlsx", folder / "representanter-feil.xlsx"
    template = sheet_template(YEAR, "representatives", ".xlsx", county=COUNTY)
    for path in (good, bad):
        path.write_bytes(template)
        fill(path, [entry])
    book = load_workbook(bad)
    row = next(r for r in book.worksheets[0].iter_rows(min_row=2) if r[3].value)
    row[5].value = "ukjent"  # the kjønn column
    book.save(bad)
    assert row[0].row is not None
    return good, bad, row[0].row


def start_the_term(page: Page, base: str, artefacts: Path) -> None:
    """The secretariat's start: the dry run, then the start it showed."""
    log_in(page, base, "sekretariat")
    page.get_by_role("link", name="Start en periode").click()
    page.get_by_label("Valgår").fill(str(YEAR))
    page.get_by_role("button", name="Prøvekjør").click()
    assert "Oslo (03)" in page.get_by_role("table").inner_text()
    page.get_by_role("button", name="Start perioden og send varslene").click()
    started = page.get_by_role("status").inner_text()
    assert f"Perioden er startet ({ids.term_id(YEAR)})" in started
    assert "15 av 15 fylkesmøter startet nå" in started
    accessible(page, "periode-startet", artefacts)
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url(f"{base}/login")


def county_status(page: Page, name: str, artefacts: Path) -> tuple[str, int]:
    """The county's page for the year, as the secretary asks for it: its text, and how many
    things the county meeting awaits."""
    page.get_by_label("Valgår").fill(str(YEAR))
    page.get_by_role("button", name="Vis").click()
    accessible(page, name, artefacts)
    return page.locator("main").inner_text(), page.locator("main li").count()


@pytest.mark.timeout(180)
def test_a_county_secretary_sends_a_corrected_sheet_and_the_county_meeting_moves_on(
    term_console: str, artefacts: Path, smtp: SmtpServer, sqlite_engine: Engine, tmp_path: Path
) -> None:
    base = term_console
    good, bad, bad_row = representatives_sheets(tmp_path)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(locale="nb-NO")
        start_the_term(page, base, artefacts)

        log_in(page, base, "oslo")
        page.get_by_role("link", name="Se hvor fylkesmøtet står").click()
        before, awaited = county_status(page, "fylke-venter-pa-representanter", artefacts)
        assert "Status: venter på representanter" in before
        assert "representanter fra Oslo kommune" in before
        assert "møtedatoen" in before
        assert awaited == 7  # the representatives, the date, four posts, Samfunnsbedriftene's

        page.get_by_role("link", name="Send inn et regneark").click()
        page.get_by_label("Hva filen inneholder").select_option("representatives")
        page.get_by_label("Valgår").fill(str(YEAR))
        page.get_by_label("Regneark (.xlsx, .csv) eller JSON").set_input_files(str(bad))
        page.get_by_role("button", name="Forhåndsvis").click()
        alert = page.get_by_role("alert").inner_text()
        assert "Filen har 1 feil, og ingenting er sendt" in alert
        [named] = [line for line in alert.splitlines() if "kjønn" in line]  # by row and member
        assert f" {bad_row} " in named
        assert MEMBER in named
        accessible(page, "innsending-radfeil", artefacts)

        page.get_by_label("Regneark (.xlsx, .csv) eller JSON").set_input_files(str(good))
        page.get_by_role("button", name="Forhåndsvis").click()
        assert "Filen holder 1 innsending(er)" in page.locator("main").inner_text()
        accessible(page, "innsending-forhandsvisning", artefacts)
        page.get_by_role("button", name="Send til fylkesmøtet").click()
        receipt = page.get_by_role("status").inner_text()
        assert "Fylkesmøtet tok imot innsendingen" in receipt
        assert "Status nå: venter på innstilling. Det venter fortsatt på 6 ting" in receipt
        accessible(page, "innsending-kvittering", artefacts)

        page.get_by_role("link", name="Se hvor fylkesmøtet står").click()
        after, still = county_status(page, "fylke-venter-pa-innstilling", artefacts)
        assert "Status: venter på innstilling" in after
        assert "representanter fra Oslo kommune" not in after
        assert "møtedatoen" in after
        assert still == awaited - 1
        browser.close()
    assert sorted(p.name for p in artefacts.iterdir()) == sorted(
        f"{n}.png" for n in ("periode-startet", "fylke-venter-pa-representanter",
                             "innsending-radfeil", "innsending-forhandsvisning",
                             "innsending-kvittering", "fylke-venter-pa-innstilling")
    )  # fmt: skip
    with Session(sqlite_engine) as session:  # the worker recorded the sheet's people
        recorded = session.exec(select(Person).where(Person.member_number == MEMBER)).all()
    assert len(recorded) == SEATS + 1
    assert {p.scope for p in recorded} == {f"county:{COUNTY}"}
    # Who did it is in the audit log, under their accounts: the secretariat started the term,
    # the county secretary sent one sheet (the one with a row error never left the preview).
    with Session(sqlite_engine) as session:
        acts = session.exec(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.subject).where(
                col(AuditEntry.action).in_(("term_start_requested", "input_submitted"))
            )
        ).all()
        ids_of = {a.username: a.account_id for a in session.exec(select(Account))}
    assert sorted(acts) == sorted([
        (ids_of["sekretariat"], "term_start_requested", ids.term_id(YEAR)),
        (ids_of["oslo"], "input_submitted", ids.county_meeting_id(YEAR, COUNTY)),
    ])  # fmt: skip
    # The term's start asked Oslo kommune for its representatives, by real mail.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not asked_oslo(smtp):
        time.sleep(0.2)
    assert asked_oslo(smtp)


def asked_oslo(smtp: SmtpServer) -> bool:
    return any(f"postmottak@{MEMBER}.kommune.invalid" in r.recipients for r in smtp.received)
