"""The activity calls of the meeting workflows, and how an organ's meeting series is started.

Like workflows/steps.py: activities are called by name (workflows must not import activities/),
with timeouts and retry policies from steps.py. `start_meeting_series` is what the workflow that
composed an organ calls (the term for the national organs, a county meeting for its county board
and its own yearly meetings): it plans the term (an activity: holidays and time zones are I/O)
and starts the series, as a child that outlives its parent (ParentClosePolicy.ABANDON) for the
term, through the `start_series` activity for a county meeting, which finishes at once: a child
would close years after its parent (see activities/starts.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

from models import ids

with workflow.unsafe.imports_passed_through():
    from models.meeting_payloads import (
        IcsRequest,
        OrganRules,
        PlanRequest,
        PlanResult,
        RecordAttendanceRequest,
        RecordDecisionsRequest,
        RecordMeetingRequest,
        RecordMinutesRequest,
        SeriesInput,
    )
    from models.payloads import RecordResult
    from workflows.steps import RECORD_RETRY, record

MEETING_WORKFLOW = "Meeting"
PURE_RETRY = RetryPolicy(maximum_attempts=5, non_retryable_error_types=["BadInput"])
PURE_TIMEOUT = timedelta(seconds=30)
START_TIMEOUT = timedelta(seconds=30)  # one start call; retried like a record write


async def record_meeting(request: RecordMeetingRequest) -> RecordResult:
    return await record("record_meeting", request)


async def record_attendance(request: RecordAttendanceRequest) -> RecordResult:
    return await record("record_attendance", request)


async def record_decisions(request: RecordDecisionsRequest) -> RecordResult:
    return await record("record_decisions", request)


async def record_minutes(request: RecordMinutesRequest) -> RecordResult:
    return await record("record_minutes", request)


async def render_ics(request: IcsRequest) -> str:
    """The invite's iCalendar text (an activity: the icalendar package is not for workflows)."""
    text: str = await workflow.execute_activity(
        "render_ics",
        request,
        result_type=str,
        start_to_close_timeout=PURE_TIMEOUT,
        retry_policy=PURE_RETRY,
    )
    return text


async def plan_meetings(request: PlanRequest) -> PlanResult:
    result: PlanResult = await workflow.execute_activity(
        "plan_meetings",
        request,
        result_type=PlanResult,
        start_to_close_timeout=PURE_TIMEOUT,
        retry_policy=PURE_RETRY,
    )
    return result


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

    For the workflow that composed the organ (the term, or a county meeting): call it when the
    organ is composed (`rules.roster` filled). Returns the series' workflow id; a series
    already running is left as it is.
    """
    plan = await plan_meetings(
        PlanRequest(
            organ=rules.organ,
            meetings_per_year=meetings_per_year,
            first_day=first_day,
            last_day=last_day,
        )
    )
    data = SeriesInput(
        rules=rules.model_copy(update={"holidays": plan.holidays}),
        ends_on=last_day,
        meetings=plan.meetings,
        meetings_per_run=meetings_per_run,
    )
    series_id = ids.series_id(rules.organ, rules.term)
    if not as_child:
        started: str = await workflow.execute_activity(
            "start_series",
            data,
            result_type=str,
            start_to_close_timeout=START_TIMEOUT,
            retry_policy=RECORD_RETRY,
        )
        return started
    try:
        await workflow.start_child_workflow(
            ids.MEETING_SERIES,
            data,
            id=series_id,
            parent_close_policy=ParentClosePolicy.ABANDON,
        )
    except WorkflowAlreadyStartedError:
        workflow.logger.info("meeting_series_already_running", extra={"id": series_id})
    return series_id


ACTIVITY_NAMES: tuple[str, ...] = (
    "record_meeting",
    "record_attendance",
    "record_decisions",
    "record_minutes",
    "render_ics",
    "plan_meetings",
    "public_holidays",
    "start_series",
)
