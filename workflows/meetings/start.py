"""Starting an organ's meeting series once the organ is composed.

`start_meeting_series` is what the workflow that composed an organ calls (the term for the
national organs, a county meeting for its county board and its own yearly meetings): it plans
the term's meetings (an activity: the holiday calendar is data outside the sandbox) and starts
the series, as a child that outlives its parent (ParentClosePolicy.ABANDON) for the term, or
through the `start_series` activity for a county meeting, which finishes at once while its
series run for years (see activities/starts.py).
"""

from __future__ import annotations

from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import contracts
    from models import ids
    from models.meeting_payloads import OrganRules, PlanRequest, SeriesInput
    from workflows import calls
    from workflows.meetings.series import MeetingSeriesWorkflow


async def start_meeting_series(
    rules: OrganRules,
    meetings_per_year: int,
    first_day: date,
    last_day: date,
    meetings_per_run: int = 1,
    as_child: bool = True,
) -> str:
    """Plan the term's meetings and start `meetings-<organ>-<term>`: as an abandoned child, or
    (`as_child` False) through the `start_series` activity, with no parent.

    Call it when the organ is composed (`rules.roster` filled). Returns the series' workflow
    id; a series already running is left as it is.
    """
    plan = await calls.pure(
        contracts.plan_meetings,
        PlanRequest(
            organ=rules.organ,
            meetings_per_year=meetings_per_year,
            first_day=first_day,
            last_day=last_day,
        ),
    )
    data = SeriesInput(
        rules=rules.model_copy(update={"holidays": plan.holidays}),
        ends_on=last_day,
        meetings=plan.meetings,
        meetings_per_run=meetings_per_run,
    )
    series_id = ids.series_id(rules.organ, rules.term)
    if not as_child:
        return await calls.store(contracts.start_series, data)
    await calls.start_abandoned_child(MeetingSeriesWorkflow.run, data, series_id)
    return series_id
