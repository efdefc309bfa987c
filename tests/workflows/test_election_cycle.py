"""The whole election cycle of the fictional federation on the time-skipping server.

Mock activities with the real names record every call, so these tests do not depend on the
record store. Set KSGOV_SAVE_HISTORIES=1 to write the replay histories of this run to
tests/workflows/histories/ (see test_replay.py).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from models.election_payloads import HandoverIn, SupplementaryIn, TermResult, VacateIn
from tests.workflows.cycle_driver import (
    Cycle,
    hold_county_meetings,
    hold_landsting,
    start_term,
)
from tests.workflows.cycle_support import Recorder, fictional_bylaws, mock_worker, person
from workflows.term import TermWorkflow

HISTORIES = Path(__file__).resolve().parent / "histories"


async def save_histories(cycle: Cycle) -> None:
    if os.environ.get("KSGOV_SAVE_HISTORIES") != "1":
        return
    HISTORIES.mkdir(exist_ok=True)
    for name, handle in (
        ("term", cycle.term),
        ("county_meeting", cycle.counties[0]),
        ("landsting", cycle.landsting),
    ):
        history = await handle.fetch_history()
        (HISTORIES / f"{name}.json").write_text(history.to_json(), encoding="utf-8")


async def test_a_term_runs_from_county_meetings_to_composed_organs_and_hand_over(
    ts_env: WorkflowEnvironment, task_queue: str
) -> None:
    recorder = Recorder()
    async with mock_worker(ts_env.client, task_queue, recorder):
        cycle = await start_term(ts_env.client, task_queue, fictional_bylaws(), 2031)
        await hold_county_meetings(cycle)
        await hold_landsting(cycle, recorder)
        leader_seat = next(
            s
            for r in recorder.of("record_seats")
            for s in r.seats
            if s.organ == "landsstyret" and s.group == "landsstyret/joint" and s.role == "member"
        )
        await cycle.term.execute_update(
            "vacate",
            VacateIn(
                organ="landsstyret",
                person_id=leader_seat.person_id,
                reason="minister",
                on=dt.date(2033, 3, 1),
            ),
        )
        status = await cycle.term.query(TermWorkflow.status)
        assert status.vacancies == (f"landsstyret/{leader_seat.person_id}",)
        await cycle.term.execute_update(
            "supplementary",
            SupplementaryIn(
                organ="landsstyret",
                vacated_person_id=leader_seat.person_id,
                person=person("new-1", True),
                decided_on=dt.date(2033, 4, 1),
            ),
        )
        await cycle.term.signal(
            "handover", HandoverIn(next_term="2035-2039", composed_on=dt.date(2036, 3, 1))
        )
        result: TermResult = await cycle.term.result()
        await save_histories(cycle)
    assert result.handed_over_to == "2035-2039"
    requested = recorder.of("notify")
    assert sum(n.purpose == "representatives_requested" for n in requested) == 11
    notice = next(n for n in requested if n.purpose == "meeting_notice")
    assert len(notice.recipients) == 30  # every delegate of the three provinces
    seats = [s for r in recorder.of("record_seats") for s in r.seats]
    council = {s.person_id for s in seats if s.organ == "landsstyret" and s.role != "deputy"}
    # 3 county-board leaders + Hovedstyret (leader, deputy, 2 members) + 2 elected + appointed
    assert len(council - {"new-1"}) == 10
    assert {s.group.split("/")[0] for s in seats if s.organ.startswith("county_board")} == {
        "county_board:71",
        "county_board:72",
        "county_board:73",
    }
    lots = [e for e in recorder.of("record_event") if e.action == "lot_drawn"]
    assert [e.subject for e in lots] == ["term-2031/landsting/leader/round-2"]
    ended = recorder.of("end_seat")
    assert [e.person_id for e in ended] == [leader_seat.person_id]
    filled = [s for r in recorder.of("record_seats") for s in r.seats if s.person_id == "new-1"]
    assert filled[0].to_date == leader_seat.to_date
    assert filled[0].from_date == dt.date(2033, 4, 1)
