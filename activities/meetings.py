"""Meeting activities: record meetings, attendance, decisions and minutes; invites; the plan.

Each record activity runs a store write and its audit entry in one transaction, keyed by the
workflow's business key: a retry (or a rerun after continue-as-new) changes nothing.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from activities import contracts
from activities.contracts import implements
from activities.records import bad_input, recorded
from domain.meeting_plan import PlanError
from models.meeting_payloads import (
    IcsRequest,
    PlanRequest,
    PlanResult,
    RecordAttendanceRequest,
    RecordDecisionsRequest,
    RecordMeetingRequest,
    RecordMinutesRequest,
)
from models.payloads import RecordResult
from notices.calendar import meeting_ics
from notices.planning import plan_series
from store.meetings import write_attendance, write_decisions, write_meeting, write_minutes


class MeetingActivities:
    """Activities of the meeting workflows; they receive the engine from the worker."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @implements(contracts.record_meeting)
    def record_meeting(self, request: RecordMeetingRequest) -> RecordResult:
        return recorded(self.engine, request.idempotency_key, lambda s: write_meeting(s, request))

    @implements(contracts.record_attendance)
    def record_attendance(self, request: RecordAttendanceRequest) -> RecordResult:
        key = request.idempotency_key
        return recorded(self.engine, key, lambda s: write_attendance(s, request))

    @implements(contracts.record_decisions)
    def record_decisions(self, request: RecordDecisionsRequest) -> RecordResult:
        key = request.idempotency_key
        return recorded(self.engine, key, lambda s: write_decisions(s, request))

    @implements(contracts.record_minutes)
    def record_minutes(self, request: RecordMinutesRequest) -> RecordResult:
        return recorded(self.engine, request.idempotency_key, lambda s: write_minutes(s, request))

    @implements(contracts.render_ics)
    def render_ics(self, request: IcsRequest) -> str:
        return meeting_ics(request)

    @implements(contracts.plan_meetings)
    def plan_meetings(self, request: PlanRequest) -> PlanResult:
        try:
            return plan_series(request)
        except PlanError as exc:
            raise bad_input(str(exc)) from None
