"""`ksgov simulate`: a whole term on the time-skipping server, real workflows and activities.

Records go to a new SQLite file (or the database given), e-mail goes over real SMTP to an
aiosmtpd server in a process of its own that counts what arrives (harness/smtp.py), and
simulated time jumps from one step of the cycle to the next. The secretariat's input comes
from `harness.driver`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

import connection
from client.errors import UserError
from client.gateway import ensure_search_attributes
from config import WORKFLOW_CACHE
from domain.bylaws import Bylaws
from domain.gender import Gender
from domain.registry import Registry, scaled
from harness import driver as sim_driver
from harness import report
from harness.activity_process import ActivityOptions, activity_process
from harness.choices import MeetingScope
from harness.clock import skip_to
from harness.devserver import bundled_binary
from harness.meetings import MeetingDriver, series_started
from harness.smtp import SmtpProcess
from harness.synthetic import PeopleFactory
from models import ids
from models.election_payloads import (
    CountyMeetingInput,
    CountyMeetingResult,
    SupplementaryIn,
    TermResult,
    VacateIn,
)
from models.records import Notification, Person, Seat
from notices.mailer import SmtpConfig
from sealing import Keyring
from service import governance
from service.migrate import migrate
from service.term_inputs import TermPlan, build_term_input
from service.term_start import start_term_workflows
from store import db
from store.signing import read_record_key, sign_with
from worker import running_worker
from workflows.term.term import TermWorkflow

OSLO = ZoneInfo("Europe/Oslo")
# A federation 100 times KS's size is what has been measured (docs/benchmarks.md); more
# would run for hours on the time-skipping server.
MAX_SCALE = 100
Progress = Callable[[str], None]
Handle = WorkflowHandle[Any, Any]


@dataclass(frozen=True)
class SimulationOptions:
    """What to simulate, and where the records go.

    `meetings`: whose meeting series the term holds: "national" (Hovedstyret, Landsstyret),
    "all" (also every county board and the yearly county meetings) or "none".
    """

    year: int = 2027
    scale: int = 1
    seed: int = 1
    database_url: str | None = None
    data_dir: Path = Path(".ksgov")
    meetings: MeetingScope = "all"
    record_key_file: Path | None = None  # default: record-key in the data directory

    @property
    def record_key_path(self) -> Path:
        return self.record_key_file or self.data_dir / "record-key"


@dataclass
class Simulation:
    """The running simulation: its environment, clock and what it has seen."""

    options: SimulationOptions
    env: WorkflowEnvironment
    engine: Engine
    database_url: str
    smtp: SmtpProcess
    registry: Registry
    bylaws: Bylaws
    task_queue: str
    people: PeopleFactory
    progress: Progress
    terms: dict[int, TermPlan] = field(default_factory=dict)
    workflow_ids: set[str] = field(default_factory=set)
    meetings: MeetingDriver | None = None
    county_results: dict[int, list[CountyMeetingResult]] = field(default_factory=dict)

    @property
    def client(self) -> Client:
        return self.env.client

    async def advance_to(self, moment: dt.datetime) -> None:
        """Skip simulated time forward to `moment` (timers fire on the way): harness/clock.py."""
        await skip_to(self.env, moment, self.progress)


def records_url(options: SimulationOptions) -> str:
    """A new SQLite file under the data directory, unless a database URL was given."""
    if options.database_url:
        return options.database_url
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    folder = options.data_dir.resolve() / "simulations"
    return f"sqlite:///{folder / f'term-{options.year}-seed{options.seed}-{stamp}.db'}"


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=OSLO)


def federation(options: SimulationOptions) -> tuple[Registry, Bylaws]:
    """The shipped registry and the bylaws in force, multiplied by the scale (delegates too)."""
    bylaws = governance.load_bylaws(on_date=dt.date(options.year, 1, 1))
    if options.scale > 1:
        key = dataclasses.replace(
            bylaws.delegate_key, total=bylaws.delegate_key.total * options.scale
        )
        bylaws = dataclasses.replace(bylaws, delegate_key=key)
    return scaled(governance.load_registry(), options.scale), bylaws


def worker_cache(registry: Registry) -> int:
    """Cache room for every workflow the term can run at once: each county's meeting and its
    two meeting series, and a margin for the national ones (term, Landsting, series)."""
    return max(WORKFLOW_CACHE, 3 * len(registry.counties) + 200)


@asynccontextmanager
async def simulation(options: SimulationOptions, progress: Progress) -> AsyncIterator[Simulation]:
    """Start the time-skipping server, the SMTP server, a worker with the real workflows and, in
    a second process, one with the real activities (harness/activity_process.py)."""
    if not 1 <= options.scale <= MAX_SCALE:
        raise UserError(f"--scale must be between 1 and {MAX_SCALE}, not {options.scale}")
    url = records_url(options)
    progress(f"Records: {db.display_url(url)}")
    migrate(url, "--database-url")
    record_key = read_record_key(options.record_key_path, create=True)
    engine = sign_with(db.make_engine(url), record_key)
    keys = Keyring.generate()  # this run's own: its histories die with its server
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=bundled_binary("temporal-test-server"),
        data_converter=connection.data_converter(keys),
        runtime=connection.runtime(),
    )
    smtp = SmtpProcess()
    smtp.start()
    try:
        await ensure_search_attributes(env.client, "default")
        queue = f"simulate-{uuid.uuid4()}"
        config = SmtpConfig(host="127.0.0.1", port=smtp.port, mail_from="simulering@ks.invalid")
        registry, bylaws = federation(options)
        cache = worker_cache(registry)
        activities = ActivityOptions(
            env.client.service_client.config.target_host,
            queue, url, smtp.port, config.mail_from, keys, options.record_key_path,
        )  # fmt: skip
        async with (
            running_worker(env.client, queue, engine, config, cache=cache, role="workflows"),
            activity_process(activities),
        ):
            yield Simulation(
                options,
                env,
                engine,
                url,
                smtp,
                registry,
                bylaws,
                queue,
                PeopleFactory(options.seed),
                progress,
            )
    finally:
        smtp.stop()
        await env.shutdown()
        engine.dispose()


async def county_meeting(sim: Simulation, year: int, county: CountyMeetingInput, n: int) -> Handle:
    """One county meeting's input, held on a day in mid-November; counties run side by side."""
    handle = await sim_driver.wait_started(sim.client, ids.county_meeting_id(year, county.county))
    await sim_driver.county_meeting(handle, county, sim.people, dt.date(year, 11, 10 + n % 15))
    return handle


# Up to this many county meetings, each one's election is a progress line; above, every tenth.
COUNTIES_LISTED = 30


async def county_meetings(sim: Simulation, data: TermPlan) -> list[CountyMeetingResult]:
    """Every county meeting of the term, with simulated time standing still meanwhile.

    Auto time-skipping is off: awaiting one county's result must not let the server jump to
    another county's deadline while that county still waits for the secretariat's input.
    """
    total, done = len(data.counties), 0
    step = 1 if total <= COUNTIES_LISTED else total // 10

    async def elected(n: int, county: CountyMeetingInput) -> Handle:
        nonlocal done
        handle = await county_meeting(sim, data.year, county, n)
        done += 1
        if total <= COUNTIES_LISTED:
            sim.progress(f"  county meeting {county.county} {county.county_name}: elected")
        elif done % step == 0 or done == total:
            sim.progress(f"  county meetings elected: {done} of {total}")
        return handle

    with sim.env.auto_time_skipping_disabled():
        handles = await asyncio.gather(*(elected(n, c) for n, c in enumerate(data.counties)))
        return [CountyMeetingResult.model_validate(await h.result()) for h in handles]


async def elect(sim: Simulation, year: int) -> None:
    """County meetings in November of `year`, the Landsting in February: organs composed.

    The first term's organs then start their meeting series (as `--meetings` asks): each county
    meeting its county board's and its own yearly meetings' as it finishes, the term the
    national organs' after the Landsting. Meetings due meanwhile are held on their dates. The
    next term's organs (which only serve to hand the first term over) start no series.
    """
    first = not sim.terms
    scope = sim.options.meetings
    previous = "" if first else ids.term_id(year - 4)
    # Neither the term nor the series continue as new here: on the time-skipping server a child
    # that closes after its parent continued as new stops the clock for good (a leaked lock:
    # docs/temporal.md, "The time-skipping test server"; reproduced in
    # tests/workflows/test_sim_clock.py).
    data = build_term_input(
        sim.registry,
        sim.bylaws,
        year,
        previous_term_workflow_id=previous,
        meetings=first and scope != "none",
        meetings_per_run=1000,
        county_meetings=scope == "all",
        continue_as_new=False,
    )
    sim.terms[year] = data
    if first:
        sim.meetings = MeetingDriver.for_term(sim.client, sim.engine, data)
    await sim.advance_to(at(year, 10, 25))
    started = await start_term_workflows(sim.client, data, sim.task_queue, sim.progress)
    term = sim.client.get_workflow_handle(started.term_id)
    sim.progress(f"Term {data.term}: {len(data.counties)} county meetings started")
    sim.workflow_ids |= {ids.term_id(year), ids.landsting_id(year)}
    sim.workflow_ids |= {ids.county_meeting_id(year, c.county) for c in data.counties}
    await sim.advance_to(at(year, 11, 1))
    results = await county_meetings(sim, data)
    sim.county_results[year] = results
    await series_started(sim.client, [m for c in data.counties for m in c.meetings], data.term)
    await until(sim, at(year, 12, 1))
    with sim.env.auto_time_skipping_disabled():
        landsting = await sim_driver.wait_started(sim.client, ids.landsting_id(year))
        congress = dt.date(year + 1, 2, 13)
        associates = await sim_driver.notice_landsting(
            landsting, congress, sim.people, data.input.landsting
        )
    await until(sim, at(year + 1, 2, 13))
    delegates = [p.person_id for r in results for p in r.delegates]
    with sim.env.auto_time_skipping_disabled():
        await sim_driver.landsting(landsting, data, sim.people, results, associates)
        await sim_driver.wait_stage(term, "in_office")
    sim.progress(
        f"Landsting {congress}: {len(delegates) + len(associates)} delegates "
        f"({len(associates)} from {data.input.landsting.appointed_by}); organs composed"
    )
    # The term starts the national series a moment after its stage says "in_office".
    await series_started(sim.client, list(data.meetings), data.term)


async def vacancies(sim: Simulation, year: int) -> None:
    """Two people leave office mid-term: a deputy moves up, and a supplementary election.

    The organs' meetings due meanwhile are held on their dates.
    """
    term = sim.client.get_workflow_handle(ids.term_id(year))
    name = sim.terms[year].term
    with Session(sim.engine) as session:
        council = session.exec(
            select(Seat).where(
                Seat.term == name,
                Seat.organ == "landsstyret",
                Seat.role == "member",
                col(Seat.group).like("landsstyret/%"),
            )
        ).first()
        deputy_leader = session.exec(
            select(Seat).where(
                Seat.term == name, Seat.organ == "hovedstyret", Seat.role == "deputy_leader"
            )
        ).first()
        leaving = session.get(Person, deputy_leader.person_id) if deputy_leader else None
    if council is None or deputy_leader is None or leaving is None:
        raise RuntimeError("the simulated organs lack the seats the vacancies need")
    await until(sim, at(year + 2, 3, 1))
    await term.execute_update(
        TermWorkflow.vacate,
        VacateIn(
            organ="landsstyret",
            person_id=council.person_id,
            reason="flyttet",
            on=dt.date(year + 2, 3, 1),
        ),
    )
    await until(sim, at(year + 2, 10, 1))
    await term.execute_update(
        TermWorkflow.vacate,
        VacateIn(
            organ="hovedstyret",
            person_id=deputy_leader.person_id,
            reason="statsråd",
            on=dt.date(year + 2, 10, 1),
        ),
    )
    await until(sim, at(year + 2, 11, 2))
    # Someone of the leaver's gender keeps the whole board's § 7-6 balance as it was.
    await term.execute_update(
        TermWorkflow.supplementary,
        SupplementaryIn(
            organ="hovedstyret",
            vacated_person_id=deputy_leader.person_id,
            person=sim.people.person("ks", Gender(leaving.gender)),
            decided_on=dt.date(year + 2, 11, 2),
        ),
    )
    sim.progress(
        f"Vacancies {year + 2}: a deputy moved up in Landsstyret; Landsstyret filled "
        "a Hovedstyret seat by supplementary election"
    )


async def until(sim: Simulation, moment: dt.datetime) -> None:
    """Hold the meetings due before `moment`, then move the clock there."""
    await hold_meetings(sim, moment)
    await sim.advance_to(moment)


async def hold_meetings(sim: Simulation, until: dt.datetime) -> None:
    """The organs' meetings up to `until`; notices and reminders go out on their own timers."""
    driver = sim.meetings
    if driver is None or not driver.organs:
        return
    before = sum(driver.held.values())
    await driver.hold_until(until, sim.advance_to)
    sim.workflow_ids |= driver.done | {
        ids.series_id(o, driver.term) for o in driver.organs if driver.held.get(o)
    }
    sim.progress(f"Meetings until {until.date()}: {sum(driver.held.values()) - before} held")


async def run_simulation(options: SimulationOptions, progress: Progress) -> dict[str, Any]:
    """Run a whole term, check the invariants and return the summary."""
    began = time.monotonic()
    async with simulation(options, progress) as sim:
        year = options.year
        await elect(sim, year)
        await hold_meetings(sim, at(year + 2, 2, 20))
        await vacancies(sim, year)
        await hold_meetings(sim, at(year + 4, 10, 20))
        await elect(sim, year + 4)  # the next term's organs: the hand-over
        await hold_meetings(sim, at(year + 5, 2, 1))  # any still open (the next elect held them)
        term = sim.client.get_workflow_handle(ids.term_id(options.year), result_type=TermResult)
        result = await term.result()
        progress(f"Term {result.term} handed over to {result.handed_over_to}")
        await settle(sim)
        summary = await summarise(sim, result.term)
        summary["wall_seconds"] = round(time.monotonic() - began, 2)
        return summary


async def settle(sim: Simulation, seconds: float = 60) -> None:
    """Wait (real time) until the last notices are out: the last minutes are published a moment
    after their approval, so counting before then would compare a moving outbox."""
    last = -1
    for _ in range(int(seconds / 0.5)):
        with Session(sim.engine) as session:
            rows = session.exec(select(Notification.status)).all()
        sent = sum(status == "sent" for status in rows)
        if sent == len(rows) == sim.smtp.count == last:
            return
        last = sent
        await asyncio.sleep(0.5)
    sim.progress("the outbox did not settle: the counts below may still move")


async def planned_meetings(sim: Simulation) -> dict[str, int]:
    """Meetings in each organ's plan (cancelled ones left out)."""
    counts: dict[str, int] = {}
    if sim.meetings is not None:
        for _, organ, _ in await sim.meetings.planned():
            counts[organ] = counts.get(organ, 0) + 1
    return counts


async def summarise(sim: Simulation, term: str) -> dict[str, Any]:
    """The summary keys of `ksgov simulate --json`, with the invariants' verdicts."""
    found = report.organs(sim.engine, term)
    data = sim.terms[sim.options.year]
    invariants = report.Invariants()
    invariants.check(
        "organ_sizes", report.composition_problems(found, sim.bylaws, len(data.counties))
    )
    invariants.check(
        "gender_balance",
        report.gender_problems(sim.engine, term, data.input.landsting.balanced_bodies),
    )
    invariants.check("notices_before_deadline", report.notice_problems(sim.engine))
    invariants.check("one_message_each", report.once_problems(sim.engine, sim.smtp))
    invariants.check("reminders_at_offsets", report.reminder_problems(sim.engine))
    meetings = report.meetings(sim.engine, await planned_meetings(sim))
    invariants.check("planned_meetings_held", report.unheld_problems(meetings))
    record_key = read_record_key(sim.options.record_key_path, create=False)
    audit_verified = report.audit_ok(sim.engine, record_key.public)
    invariants.check("audit_chain", [] if audit_verified else ["the audit chain does not verify"])
    counts = await report.history_counts(sim.client, sim.workflow_ids)
    return {
        "term": term,
        "bylaws": sim.bylaws.name,
        "records": db.display_url(sim.database_url),
        "counties": len(data.counties),
        "municipalities": len(sim.registry.municipalities),
        "delegates": found.get("landsting", {}).get("size", 0),
        "organs": found,
        "meetings": meetings,
        "elections": report.elections_count(sim.engine, term),
        "notifications": report.notifications(sim.engine),
        "emails_received": sim.smtp.count,
        **counts,
        "audit_verified": audit_verified,
        "invariants": invariants.as_dict(),
        "invariants_ok": invariants.ok,
    }
