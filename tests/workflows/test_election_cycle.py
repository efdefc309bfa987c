"""The whole election cycle of the fictional federation on the time-skipping server.

Mock activities with the real names record every call, so these tests do not depend on the
record store. Set KSGOV_SAVE_HISTORIES=1 to write the replay histories of this run to
tests/workflows/histories/ (see test_replay.py). The term starts the organs' meeting series, so
the run has a server of its own (`own_time_skipping_env`): the series outlive the test.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from harness.clock import skip_to
from models.election_payloads import HandoverIn, SupplementaryIn, TermResult, VacateIn
from models.payloads import SeatIn
from tests.workflows.cycle_driver import (
    Cycle,
    hold_county_meetings,
    hold_landsting,
    start_term,
)
from tests.workflows.cycle_support import (
    Recorder,
    fictional_bylaws,
    mock_worker,
    own_time_skipping_env,
    person,
)
from tests.workflows.series_checks import (
    check_county_series,
    first_notice_of,
    series_exist,
)
from workflows.term.term import TermWorkflow

HISTORIES = Path(__file__).resolve().parent / "histories"
YEAR = 2031


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
    task_queue: str,
) -> None:
    recorder = Recorder()
    async with own_time_skipping_env() as env:
        await skip_to(env, dt.datetime(YEAR, 9, 1, tzinfo=dt.UTC))
        async with mock_worker(env.client, task_queue, recorder):
            # Series without continue-as-new: on the time-skipping server a child whose parent
            # continued as new skips no time (docs/temporal.md, "The time-skipping test server").
            cycle = await start_term(env.client, task_queue, fictional_bylaws(), YEAR, 1000)
            await hold_county_meetings(cycle)
            await series_exist(env.client, cycle.data, county=True)
            await check_county_series(env.client, cycle.data, recorder)
            await hold_landsting(cycle, recorder)
            await series_exist(env.client, cycle.data, county=False)
            leader_seat, result = await vacancy_and_hand_over(cycle, recorder)
            await save_histories(cycle)
            # Time runs on to the county boards' first meeting: its notice goes out.
            await skip_to(env, dt.datetime(YEAR, 11, 10, tzinfo=dt.UTC))
    assert result.handed_over_to == "2035-2039"
    requested = recorder.of("notify")
    assert sum(n.purpose == "representatives_requested" for n in requested) == 11
    asked = [{r.purpose for r in batch.requests} for batch in recorder.of("notify_many")]
    # one activity per county meeting asks all its members; each decided election is announced
    # to the elected and to their councils in one more
    assert asked.count({"representatives_requested"}) == 3
    # the meeting date sends the county meeting's notice to every member's representatives,
    # and a copy to its deputies, in one more
    assert {frozenset(a) for a in asked} == {
        frozenset({"representatives_requested"}),
        frozenset({"county_meeting_notice"}),
        frozenset({"result_announced"}),
    }
    letters = [r for b in recorder.of("notify_many") for r in b.requests]
    results = [r for r in letters if r.purpose == "result_announced"]
    assert {r.context["recipient_role"] for r in results} == {"elected", "council"}
    summoned = [r for r in letters if r.purpose == "county_meeting_notice"]
    members = sum(len(c.members) for c in cycle.data.counties)
    assert len([r for r in summoned if r.context["recipient_role"] == "representative"]) == members
    assert {r.context["sender"] for r in summoned} == {
        f"KS {c.county_name}" for c in cycle.data.counties
    }
    assert all("sender" in r.context for r in letters)  # each from KS in its county
    notice = next(n for n in requested if n.subject_key == f"term-{YEAR}/landsting")
    assert len(notice.recipients) == 30  # every delegate of the three provinces
    # each Landsting election's result goes to the elected and to the councils that elected them
    congress = [n for n in requested if n.purpose == "result_announced"]
    roles = {(n.subject_key.endswith("/councils"), n.context["recipient_role"]) for n in congress}
    assert roles == {(False, "elected"), (True, "council")}
    deputies = next(n for n in requested if n.subject_key == f"term-{YEAR}/landsting/deputies")
    assert deputies.context["recipient_role"] == "deputy"
    assert not {r.recipient_id for r in deputies.recipients} & {
        r.recipient_id for r in notice.recipients
    }
    seats = [s for r in recorder.of("record_seats") for s in r.seats]
    council = {s.person_id for s in seats if s.organ == "landsstyret" and s.role != "deputy"}
    # The county-board leaders, Hovedstyret (leader, deputy, 2 members, appointed) and the 2
    # elected: one seat each, though a leader the Landsting elected to Hovedstyret is both.
    leaders = {
        s.person_id for s in seats if s.organ.startswith("county_board") and s.role == "leader"
    }
    executive = {s.person_id for s in seats if s.organ == "hovedstyret" and s.role != "deputy"}
    elected = {s.person_id for s in seats if s.group == "landsstyret/joint" and s.role != "deputy"}
    assert council - {"new-1"} == (leaders | executive | elected) - {"new-1"}
    landsstyret = [s for s in seats if s.organ == "landsstyret" and s.role != "deputy"]
    assert len({s.person_id for s in landsstyret}) == len(landsstyret)
    assert {s.group.split("/")[0] for s in seats if s.organ.startswith("county_board")} == {
        "county_board:71",
        "county_board:72",
        "county_board:73",
    }
    lots = [e for e in recorder.of("record_event") if e.action == "lot_drawn"]
    assert [e.subject for e in lots] == [f"term-{YEAR}/landsting/leader/round-2"]
    ended = recorder.of("end_seat")
    assert [e.person_id for e in ended] == [leader_seat.person_id]
    filled = [s for s in seats if s.person_id == "new-1"]
    assert filled[0].to_date == leader_seat.to_date
    assert filled[0].from_date == dt.date(2033, 4, 1)
    for county in ("71", "72", "73"):
        board = first_notice_of(requested, f"county_board:{county}")
        assert board is not None, f"county board {county}: no notice of its first meeting"
        assert {r.recipient_id for r in board.recipients} == {
            s.person_id for s in seats if s.organ == f"county_board:{county}"
        }


async def vacancy_and_hand_over(cycle: Cycle, recorder: Recorder) -> tuple[SeatIn, TermResult]:
    """A Landsstyret member leaves, Landsstyret fills the seat, the next term takes over."""
    leader_seat: SeatIn = next(
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
    return leader_seat, result
