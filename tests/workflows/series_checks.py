"""Checks of the meeting series a term's organs get once composed (election-cycle tests).

The national organs' series are started by the term after the Landsting; each county board's
and yearly county meeting's by that county's meeting when it finishes. A series' rules and
roster are read back from its start event, i.e. from what the workflow really sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from temporalio.client import Client
from temporalio.service import RPCError

from models import ids
from models.meeting_payloads import SeriesInput
from models.payloads import NotifyRequest
from service.term_inputs import TermPlan
from tests.workflows.cycle_support import Recorder, eventually, representatives


def series_ids(data: TermPlan, county: bool) -> list[str]:
    """The ids of the county-level series (`county`) or of the national ones."""
    plans = [m for c in data.counties for m in c.meetings] if county else list(data.meetings)
    return [ids.series_id(m.organ, data.term) for m in plans]


async def series_exist(client: Client, data: TermPlan, county: bool) -> None:
    """Wait until every county-level (or national) series of the term has started."""
    ids = series_ids(data, county)
    assert ids, "the term input lists no meeting series"

    async def started() -> bool:
        for workflow_id in ids:
            try:
                await client.get_workflow_handle(workflow_id).describe()
            except RPCError:
                return False
        return True

    await eventually(started, seconds=30)


async def series_input(client: Client, workflow_id: str) -> SeriesInput:
    """The input of the series' current run: its rules, roster and plan."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    (data,) = await client.data_converter.decode(started.input.payloads, [SeriesInput])
    assert isinstance(data, SeriesInput)
    return data


async def check_county_series(client: Client, data: TermPlan, recorder: Recorder) -> None:
    """Each county board's series has the board it elected, the yearly county meetings' series
    its representatives; both follow the bylaws' meeting rules for the rest of the term."""
    seats = [s for r in recorder.of("record_seats") for s in r.seats]
    for county in data.counties:
        board_plan, assembly_plan = county.meetings
        board = await series_input(client, ids.series_id(board_plan.organ, data.term))
        rules = board.rules
        assert (rules.organ, rules.county, rules.term) == (
            f"county_board:{county.county}",
            county.county,
            data.term,
        )
        assert (rules.notice_days, rules.reminder_days, rules.members) == (7, (), 4)
        assert rules.location == county.county_name
        elected = {(s.person_id, s.role) for s in seats if s.organ == rules.organ}
        assert {(r.person_id, r.role) for r in rules.roster} == elected
        assert {r.role for r in rules.roster} == {"leader", "deputy_leader", "member", "deputy"}
        assert board.ends_on == dt.date(data.year + 4, 9, 30)
        assert len(board.meetings) == 4 * 4  # four a year, November 2031 to August 2035

        yearly = await series_input(client, ids.series_id(assembly_plan.organ, data.term))
        rules = yearly.rules
        assert (rules.organ, rules.county) == (f"county_meeting:{county.county}", county.county)
        assert (rules.notice_days, rules.reminder_days, rules.members) == (14, (3,), None)
        reps = {p.person_id for r in representatives(county) for p in r.people}
        assert {r.person_id for r in rules.roster} == reps
        assert {r.role for r in rules.roster} == {"member"}
        assert rules.member_count() == len(reps)
        # Once a year, with the strategy conference in February-March (docs/domain.md, "The
        # yearly cycle").
        assert [m.starts_at.month in (2, 3) for m in yearly.meetings] == [True] * 4
        assert [m.starts_at.year for m in yearly.meetings] == [2032, 2033, 2034, 2035]


def first_notice_of(requested: Sequence[NotifyRequest], organ: str) -> NotifyRequest | None:
    """The notice of the organ's first meeting, if it went out."""
    subject = f"meeting-{organ}-"
    return next(
        (
            n
            for n in requested
            if n.purpose == "meeting_notice"
            and n.subject_key.startswith(subject)
            and n.subject_key.endswith("-01/notice")
        ),
        None,
    )
