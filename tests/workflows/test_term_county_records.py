"""County seats and delegates live in the record store: the term keeps of each county its leader.

A vacancy in a county board is checked and filled from the seats the county meeting recorded
(here the Recorder's, which answers reads from what was recorded). A start that was interrupted
is completed by starting again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from models.election_payloads import SupplementaryIn, VacateIn
from models.payloads import SeatIn
from service.term_inputs import build_term_input
from service.term_start import start_term_workflows
from tests.workflows.cycle_driver import hold_county_meetings, hold_landsting, start_term
from tests.workflows.cycle_support import (
    Recorder,
    eventually,
    fictional_bylaws,
    fictional_registry,
    mock_worker,
    own_time_skipping_env,
    person,
)
from workflows.term.term import TermWorkflow


async def vacate(
    term: WorkflowHandle[Any, Any],
    organ: str,
    person_id: str,
    on: dt.date,
    reason: str = "moved away",
) -> None:
    await term.execute_update(
        "vacate", VacateIn(organ=organ, person_id=person_id, reason=reason, on=on)
    )


def board_member_with_deputies(recorder: Recorder, organ: str) -> SeatIn:
    seats: list[SeatIn] = [
        s for r in recorder.of("record_seats") for s in r.seats if s.organ == organ
    ]
    groups = {s.group for s in seats if s.role == "deputy"}
    return next(s for s in seats if s.role == "member" and s.group in groups)


async def test_a_county_board_vacancy_is_read_from_the_records_and_bad_input_changes_nothing(
    task_queue: str,
) -> None:
    recorder = Recorder()
    bylaws = fictional_bylaws(**{"first_deputy_moves_up = false": "first_deputy_moves_up = true"})
    async with own_time_skipping_env() as ts_env, mock_worker(ts_env.client, task_queue, recorder):
        cycle = await start_term(ts_env.client, task_queue, bylaws, 2099)
        await hold_county_meetings(cycle)
        await hold_landsting(cycle, recorder)
        leaving = board_member_with_deputies(recorder, "county_board:71")

        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await vacate(cycle.term, "county_board:71", "nobody", dt.date(2101, 1, 1))
        assert "'nobody'" in str(refused.value.cause)
        assert "no seat in 'county_board:71'" in str(refused.value.cause)
        assert recorder.of("end_seat") == []

        await vacate(cycle.term, "county_board:71", leaving.person_id, dt.date(2101, 1, 1))
        status = await cycle.term.query(TermWorkflow.status)
        await cycle.term.terminate()
    assert status.vacancies == ()
    ended = [(e.organ, e.person_id, e.role) for e in recorder.of("end_seat")]
    assert ended[0] == ("county_board:71", leaving.person_id, "member")
    assert ended[1][0::2] == ("county_board:71", "deputy")
    moved = recorder.of("record_seats")[-1].seats[0]
    assert (moved.organ, moved.person_id, moved.obtained_by) == (
        "county_board:71",
        ended[1][1],
        "first deputy moved up",
    )
    assert moved.group == leaving.group


async def test_a_county_board_vacancy_without_a_deputy_moving_up_is_filled_by_landsstyret(
    task_queue: str,
) -> None:
    recorder = Recorder()
    async with own_time_skipping_env() as ts_env, mock_worker(ts_env.client, task_queue, recorder):
        cycle = await start_term(ts_env.client, task_queue, fictional_bylaws(), 2103)
        await hold_county_meetings(cycle)
        await hold_landsting(cycle, recorder)
        leaving = board_member_with_deputies(recorder, "county_board:72")
        staying = next(
            s
            for r in recorder.of("record_seats")
            for s in r.seats
            if s.organ == "county_board:72" and s.person_id != leaving.person_id
        )
        await vacate(cycle.term, "county_board:72", leaving.person_id, dt.date(2105, 1, 1), "died")
        opened = await cycle.term.query(TermWorkflow.status)

        def supplementary(pid: str) -> SupplementaryIn:
            return SupplementaryIn(
                organ="county_board:72",
                vacated_person_id=leaving.person_id,
                person=person(pid, True),
                decided_on=dt.date(2105, 2, 1),
            )

        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await cycle.term.execute_update("supplementary", supplementary(staying.person_id))
        assert "already holds a seat in 'county_board:72'" in str(refused.value.cause)
        still_open = await cycle.term.query(TermWorkflow.status)
        await cycle.term.execute_update("supplementary", supplementary("new-72"))
        filled = await cycle.term.query(TermWorkflow.status)
        await cycle.term.terminate()
    assert opened.vacancies == (f"county_board:72/{leaving.person_id}",)
    assert still_open.vacancies == opened.vacancies
    assert filled.vacancies == ()
    seat = recorder.of("record_seats")[-1].seats[0]
    assert (seat.organ, seat.person_id, seat.group) == ("county_board:72", "new-72", leaving.group)


async def test_starting_again_after_an_interrupted_start_starts_only_what_is_missing(
    task_queue: str,
) -> None:
    plan = build_term_input(fictional_registry(), fictional_bylaws(), 2107)
    assert plan.input.county_ids == tuple(c.county for c in plan.counties)
    assert {c.term_workflow_id for c in plan.counties} == {"term-2107"}
    recorder = Recorder()
    async with own_time_skipping_env() as ts_env, mock_worker(ts_env.client, task_queue, recorder):
        # The start was interrupted after the term: none of its county meetings runs yet.
        await ts_env.client.start_workflow(
            TermWorkflow.run, plan.input, id="term-2107", task_queue=task_queue
        )
        again = await start_term_workflows(ts_env.client, plan, task_queue)
        once_more = await start_term_workflows(ts_env.client, plan, task_queue)
        status = await ts_env.client.get_workflow_handle("term-2107").query(TermWorkflow.status)
        for c in plan.counties:
            await ts_env.client.get_workflow_handle(f"county-meeting-2107-{c.county}").terminate()
        await ts_env.client.get_workflow_handle("term-2107").terminate()
    assert (again.term_started, again.counties_started, again.counties) == (False, 3, 3)
    assert (once_more.term_started, once_more.counties_started) == (False, 0)
    assert status.counties_missing == plan.input.county_ids


async def test_the_start_of_a_term_names_the_registry_it_started_on(task_queue: str) -> None:
    plan = build_term_input(
        fictional_registry(), fictional_bylaws(), 2111, registry_key="registry:v3"
    )
    recorder = Recorder()

    def started() -> list[Any]:
        return [e for e in recorder.of("record_event") if e.action == "term_started"]

    async def recorded() -> bool:
        return bool(started())

    async with own_time_skipping_env() as ts_env, mock_worker(ts_env.client, task_queue, recorder):
        await start_term_workflows(ts_env.client, plan, task_queue)
        await eventually(recorded)
        for c in plan.counties:
            await ts_env.client.get_workflow_handle(f"county-meeting-2111-{c.county}").terminate()
        await ts_env.client.get_workflow_handle("term-2111").terminate()
    assert started()[0].content == {"bylaws": plan.input.bylaws, "counties": 3,
                                    "registry": "registry:v3"}  # fmt: skip
