"""`ksgov drill`: a small term on a dev server of its own while the worker is killed, PostgreSQL is
cut, the mail server stops and the Temporal server restarts; every invariant must hold after.

It runs as the operator runs it, one `ksgov drill --json` process, and reads its report: the
invariants are checked inside from the record store, the mail server's arrivals and the
histories, and here we check that each fault really happened and really hit (retries, timed-out
tasks), so a drill that broke nothing cannot pass.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from client.errors import UserError
from harness.drills import WorkerProcess, _watched
from models.records import Notification
from store.db import make_engine
from tests.e2e.conftest import Sandbox


@pytest.mark.postgres
def test_a_term_survives_kills_and_outages_and_every_invariant_holds(
    sandbox: Sandbox, postgres_url: str
) -> None:
    result = sandbox.run(
        "drill", "--counties", "1", "--kills", "2", "--outage-seconds", "8",
        "--database-url", postgres_url, "--json", timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["invariants_ok"], report["invariants"]
    assert set(report["invariants"].values()) == {"ok"}
    assert sorted({f["fault"] for f in report["faults"]}) == [
        "database",
        "server",
        "smtp",
        "worker",
    ]
    assert report["worker_starts"] == 3  # the first start and two after SIGKILL
    assert report["activity_retries"] > 0  # the outages made activities fail and retry
    assert report["organs"]["hovedstyret"] == 15
    engine = make_engine(postgres_url)
    with Session(engine) as session:
        sent = session.exec(
            select(func.count()).select_from(Notification).where(Notification.status == "sent")
        ).one()
        retried = session.exec(
            select(func.count()).select_from(Notification).where(col(Notification.attempts) > 1)
        ).one()
    engine.dispose()
    assert sent == report["notifications"]["total"]
    # A kill between the SMTP server's acceptance and the recording sends that message again
    # under the same Message-ID (docs/guarantees.md): every arrival is a sent row or such a copy.
    assert report["emails_received"] == sent + report["resent_after_kill"]
    # ... at most one per retried attempt: an attempt sends one message at a time
    assert report["resent_after_kill"] <= report["activity_retries"]
    assert sent >= report["delegates"]  # every delegate got the Landsting's notice
    assert retried >= 1  # ... after the mail server, tried and refused, came back


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--fault", "network"), "unknown fault network"),
        (("--counties", "0"), "--counties must be between 1 and 15"),
        (("--database-url", "sqlite:///x.db"), "postgresql+psycopg://"),
    ],
)
def test_a_drill_with_bad_options_says_what_is_wrong_and_starts_nothing(
    sandbox: Sandbox, args: tuple[str, ...], words: str
) -> None:
    result = sandbox.run("drill", *args)
    assert result.returncode == 2
    assert words in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (sandbox.cwd / "data" / "drills").exists()


async def test_a_drill_whose_worker_stops_by_itself_says_so_instead_of_waiting(
    tmp_path: Path,
) -> None:
    worker = WorkerProcess(
        dict(os.environ), tmp_path / "worker.log",
        command=(sys.executable, "-c", "print('ksgov: error: a bad setting'); raise SystemExit(2)"),
    )  # fmt: skip
    worker.start()

    async def forever() -> dict[str, Any]:
        await asyncio.sleep(600)
        return {}

    with pytest.raises(UserError, match=r"stopped by itself \(exit code 2\): ksgov: error: a bad"):
        await asyncio.wait_for(_watched(worker, forever()), 30)
    sleeping = WorkerProcess(
        dict(os.environ), tmp_path / "sleeping.log",
        command=(sys.executable, "-c", "import time; time.sleep(60)"),
    )  # fmt: skip
    sleeping.start()
    assert sleeping.died() is None
    sleeping.kill()  # a worker the drill killed has not died by itself
    assert sleeping.died() is None
