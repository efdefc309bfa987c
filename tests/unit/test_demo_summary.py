"""The demo's console summary says what it simulated and how to simulate every organ's meetings."""

from __future__ import annotations

from typing import Any

import pytest

from cli.ops import _print_summary
from harness.demo import DemoSummary


def summary(meetings: dict[str, Any]) -> DemoSummary:
    term = {
        "term": "2028-2032", "bylaws": "ks-2024", "counties": 15, "municipalities": 357,
        "delegates": 239, "elections": 66, "workflows": 83, "activities": 1168, "timers": 265,
        "organs": {"hovedstyret": {"size": 15, "leader": "Kari"}, "landsstyret": {"size": 54}},
        "meetings": meetings,
        "notifications": {"total": 3, "per_purpose": {"reminder": 3}},
        "invariants": {"audit_chain": "ok"}, "records": "sqlite:///x.db",
    }  # fmt: skip
    return DemoSummary(
        started=[], database="sqlite:///k.db", registry_workflow_id="registry-import-1",
        registry={"members": 372, "source": "s", "inserted": 0, "updated": 0, "unchanged": 372},
        audit_entries=1, audit_verified=True, audit_head="0" * 64, ui_url="http://ui",
        wall_seconds=60.0, simulation=term,
    )  # fmt: skip


HELD = {"planned": 1, "held": 1}


def test_a_demo_of_the_national_meetings_says_how_to_hold_every_organs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _print_summary(summary({"hovedstyret": HELD, "landsstyret": HELD}))
    out = capsys.readouterr().out
    assert "hovedstyret 1 of 1 held, landsstyret 1 of 1 held" in out
    assert "`ksgov demo --meetings all`" in out
    _print_summary(summary(dict.fromkeys(["hovedstyret", "landsstyret", "county_board",
                                          "county_meeting"], HELD)))  # fmt: skip
    assert "--meetings all" not in capsys.readouterr().out
