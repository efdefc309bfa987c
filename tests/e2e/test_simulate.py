"""`ksgov simulate` runs a whole term with the real workflows and activities; invariants hold.

CI runs it with the national organs' meetings only (`--meetings national`): the county boards'
and yearly county meetings' series (the default, `all`) make it several times longer, more than
CI's fifteen minutes allow. That the county meetings start those series, and that a county
board's first notice goes out, is checked in tests/workflows/test_election_cycle.py; `--meetings
all` is run by bench/run.py (its figures are in docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from client.errors import UserError
from harness.activity_process import ActivityOptions, activity_process
from sealing import Keyring
from tests.e2e.conftest import Sandbox

KEYS = {
    "term", "bylaws", "counties", "municipalities", "delegates", "organs", "meetings", "elections",
    "notifications", "workflows", "workflow_tasks", "activities", "activities_per_type", "timers",
    "audit_verified", "wall_seconds",
}  # fmt: skip


@pytest.mark.timeout(480)  # generous: an idle CI machine needs a fraction of it
def test_simulate_runs_a_term_to_the_hand_over_with_every_invariant_holding(
    sandbox: Sandbox,
) -> None:
    result = sandbox.run("simulate", "--json", "--seed", "7", "--meetings", "national", timeout=400)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)  # progress goes to stderr, so stdout is JSON alone
    assert "Landsting 2028-02-13: 239 delegates (20 from Samfunnsbedriftene)" in result.stderr
    assert result.stderr.count(": elected\n") == 2 * 15  # each county meeting, in both terms
    assert summary.keys() >= KEYS
    assert summary["invariants"] == dict.fromkeys(summary["invariants"], "ok")
    assert summary["invariants_ok"] is True
    assert (summary["counties"], summary["municipalities"]) == (15, 357)
    assert summary["delegates"] == 239  # 219 from the counties + 20 from Samfunnsbedriftene
    organs = summary["organs"]
    assert organs["hovedstyret"]["size"] == 15
    assert len(organs["hovedstyret"]["deputy_leaders"]) == 2
    assert organs["landsstyret"]["size"] == 54
    assert summary["notifications"]["total"] == summary["emails_received"]
    meetings = summary["meetings"]
    assert meetings.keys() == {"hovedstyret", "landsstyret"}
    assert meetings["hovedstyret"]["held"] == meetings["hovedstyret"]["planned"] >= 30
    assert meetings["landsstyret"]["held"] == meetings["landsstyret"]["planned"] >= 6
    assert summary["invariants"]["planned_meetings_held"] == "ok"
    per_purpose = summary["notifications"]["per_purpose"]
    for purpose in ("meeting_notice", "reminder", "minutes_published", "deputy_called_in"):
        assert per_purpose.get(purpose, 0) > 0, purpose
    per_type = summary["activities_per_type"]
    assert sum(per_type.values()) == summary["activities"]
    # A county's representatives go in as one sheet: far fewer writes than members (357 a term).
    assert per_type["record_people"] < summary["municipalities"]
    assert per_type["notify"] >= summary["meetings"]["hovedstyret"]["held"]  # a notice each
    assert summary["workflow_tasks"] > summary["workflows"]
    assert summary["audit_verified"] is True
    records = Path(summary["records"].removeprefix("sqlite:///"))
    assert records.is_file()
    assert records.is_relative_to(sandbox.cwd)


def test_simulate_refuses_a_scale_below_one(sandbox: Sandbox) -> None:
    result = sandbox.run("simulate", "--scale", "0")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("ksgov: error:")


def test_simulate_refuses_an_unknown_meetings_choice(sandbox: Sandbox) -> None:
    result = sandbox.run("simulate", "--meetings", "county")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ksgov: error: --meetings must be all, national or none, not 'county'"
    )


def dead_end(tmp_path: Path) -> ActivityOptions:
    """Options for an activity process with no server to poll (nothing listens on port 1)."""
    return ActivityOptions(
        "127.0.0.1:1",
        "q",
        f"sqlite:///{tmp_path / 'r.db'}",
        1,
        "x@y.invalid",
        Keyring.generate(),
        tmp_path / "record-key",
    )


async def test_a_simulation_whose_activity_worker_dies_stops_with_a_message(
    tmp_path: Path,
) -> None:
    with pytest.raises(UserError, match=r"activity worker stopped \(exit code 1\)"):
        async with activity_process(dead_end(tmp_path)):
            await asyncio.sleep(120)  # cancelled when the process exits


async def test_the_activity_worker_is_stopped_when_the_simulation_ends(tmp_path: Path) -> None:
    async with activity_process(dead_end(tmp_path)) as process:
        assert process.returncode is None
    assert process.returncode is not None
