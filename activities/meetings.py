"""Meeting activities: record meetings, attendance, decisions and minutes; invites; holidays.

Each record activity writes its rows and one audit entry in one transaction, keyed by the
workflow's business key: a retry (or a rerun after continue-as-new) changes nothing. The audit
entry holds ids and counts only, never names or free text about people.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import structlog
from holidays.countries.norway import Norway
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select
from temporalio import activity

from activities import audit
from activities.audit import _utc, canonical_json
from activities.calendar import OSLO, meeting_ics
from activities.changes import Change, ensure_organ_and_term, refuse
from activities.records import actor
from domain.meeting_plan import PlanError, plan_dates, window_for
from models.meeting_payloads import (
    HolidaysRequest,
    HolidaysResult,
    IcsRequest,
    PlannedMeeting,
    PlanRequest,
    PlanResult,
    RecordAttendanceRequest,
    RecordDecisionsRequest,
    RecordMeetingRequest,
    RecordMinutesRequest,
)
from models.payloads import RecordResult
from models.records import AgendaItem, Attendance, AuditEntry, Decision, Meeting, Minutes, Person

log = structlog.get_logger(__name__)


def norwegian_holidays(years: tuple[int, ...]) -> tuple[date, ...]:
    """The Norwegian public holidays of `years` (Sundays are weekends anyway, so not listed)."""
    return tuple(sorted(Norway(years=list(years), include_sundays=False)))


def plan_series(request: PlanRequest) -> PlanResult:
    """The ordinary meetings of a term, numbered from 1, at `start_time` in Europe/Oslo."""
    years = tuple(range(request.first_day.year, request.last_day.year + 1))
    days = norwegian_holidays(years)
    dates = plan_dates(
        years,
        request.meetings_per_year,
        set(days),
        window=window_for(request.organ),
        not_before=request.first_day,
        not_after=request.last_day,
    )
    at = time.fromisoformat(request.start_time)
    meetings = tuple(
        PlannedMeeting(number=n, starts_at=datetime.combine(day, at, tzinfo=OSLO))
        for n, day in enumerate(dates, start=1)
    )
    return PlanResult(meetings=meetings, holidays=days)


class MeetingActivities:
    """Activities of the meeting workflows; they receive the engine from the worker."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="record_meeting")
    def record_meeting(self, request: RecordMeetingRequest) -> RecordResult:
        """Create or update a meeting and replace its agenda."""
        return self._once(request.idempotency_key, lambda s: _write_meeting(s, request))

    @activity.defn(name="record_attendance")
    def record_attendance(self, request: RecordAttendanceRequest) -> RecordResult:
        """Record who attended (and for whom a deputy stood in) and whether there was a quorum."""
        return self._once(request.idempotency_key, lambda s: _write_attendance(s, request))

    @activity.defn(name="record_decisions")
    def record_decisions(self, request: RecordDecisionsRequest) -> RecordResult:
        """Record the decision on each agenda item, with its votes."""
        return self._once(request.idempotency_key, lambda s: _write_decisions(s, request))

    @activity.defn(name="record_minutes")
    def record_minutes(self, request: RecordMinutesRequest) -> RecordResult:
        """Record the minutes, and later their approval and publication."""
        return self._once(request.idempotency_key, lambda s: _write_minutes(s, request))

    @activity.defn(name="render_ics")
    def render_ics(self, request: IcsRequest) -> str:
        """The iCalendar invite (or cancellation) of a meeting, as text."""
        return meeting_ics(request)

    @activity.defn(name="plan_meetings")
    def plan_meetings(self, request: PlanRequest) -> PlanResult:
        """The planned ordinary meetings of a term and the public holidays it spans."""
        try:
            return plan_series(request)
        except PlanError as exc:
            raise refuse(str(exc)) from None

    @activity.defn(name="public_holidays")
    def public_holidays(self, request: HolidaysRequest) -> HolidaysResult:
        """The Norwegian public holidays of the given years (from the `holidays` package)."""
        return HolidaysResult(days=norwegian_holidays(request.years))

    def _once(self, key: str, write: Callable[[Session], Change]) -> RecordResult:
        """Run `write` and append its audit entry in one transaction, unless `key` is logged."""
        with Session(self.engine) as session, session.begin():
            done = session.exec(select(AuditEntry).where(AuditEntry.idempotency_key == key)).first()
            if done is not None:
                log.info("meeting_record_already_done", key=key, seq=done.seq)
                return RecordResult(
                    changed=json.loads(done.content).get("changed", 0), audit_seq=done.seq
                )
            change = write(session)
            entry = audit.append(
                session,
                actor=actor(),
                action=change.action,
                subject=change.subject,
                content={**change.content, "changed": change.changed},
                idempotency_key=key,
            )
            seq = entry.seq  # read before the commit expires the row
        log.info(change.action, key=key, seq=seq, changed=change.changed)
        return RecordResult(changed=change.changed, audit_seq=seq)


def _write_meeting(session: Session, request: RecordMeetingRequest) -> Change:
    ensure_organ_and_term(session, request.organ, request.term)
    values: dict[str, Any] = {
        "organ": request.organ,
        "term": request.term,
        "starts_at": _utc(request.starts_at),
        "status": request.status,
        "urgent": request.urgent,
        "sequence": request.sequence,
    }
    row = session.get(Meeting, request.meeting_id)
    if row is None:
        row = Meeting(meeting_id=request.meeting_id, **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.add(row)
    session.flush()
    session.exec(delete(AgendaItem).where(col(AgendaItem.meeting_id) == request.meeting_id))
    for item in request.agenda:
        session.add(AgendaItem(meeting_id=request.meeting_id, number=item.number, title=item.title))
    content = {k: v for k, v in values.items() if k != "starts_at"}
    content["starts_at"] = request.starts_at.isoformat()
    content["agenda_items"] = len(request.agenda)
    return Change(1 + len(request.agenda), "meeting_recorded", request.meeting_id, content)


def _meeting(session: Session, meeting_id: str) -> Meeting:
    row = session.get(Meeting, meeting_id)
    if row is None:
        raise refuse(f"meeting {meeting_id} is not recorded: record the meeting first")
    return row


def _write_attendance(session: Session, request: RecordAttendanceRequest) -> Change:
    _meeting(session, request.meeting_id)
    ids = {r.person_id for r in request.rows}
    known = set(session.exec(select(Person.person_id).where(col(Person.person_id).in_(ids))))
    if missing := sorted(ids - known):
        raise refuse(f"these people are not in the register: {', '.join(missing)}")
    session.exec(delete(Attendance).where(col(Attendance.meeting_id) == request.meeting_id))
    for r in request.rows:
        session.add(Attendance(meeting_id=request.meeting_id, **r.model_dump()))
    content = {
        "present": sorted(r.person_id for r in request.rows if r.present),
        "members": request.members,
        "voting_present": request.voting_present,
        "quorum": request.quorum,
    }
    action = "attendance_recorded" if request.quorum else "meeting_not_constituted"
    return Change(len(request.rows), action, request.meeting_id, content)


def _write_decisions(session: Session, request: RecordDecisionsRequest) -> Change:
    _meeting(session, request.meeting_id)
    for d in request.decisions:
        row = session.get(Decision, (request.meeting_id, d.item_number)) or Decision(
            meeting_id=request.meeting_id, item_number=d.item_number, text=""
        )
        row.text, row.votes = d.text, canonical_json(d.votes)
        session.add(row)
    items = sorted(d.item_number for d in request.decisions)
    return Change(len(items), "decisions_recorded", request.meeting_id, {"items": items})


def _write_minutes(session: Session, request: RecordMinutesRequest) -> Change:
    _meeting(session, request.meeting_id)
    row = session.get(Minutes, request.meeting_id) or Minutes(meeting_id=request.meeting_id)
    if request.text:
        row.text = request.text
    if request.approved_at is not None:
        row.approved_at = _utc(request.approved_at)
    if request.published_at is not None:
        row.published_at = _utc(request.published_at)
    session.add(row)
    stage = (
        "minutes_published"
        if request.published_at
        else "minutes_approved"
        if request.approved_at
        else "minutes_recorded"
    )
    return Change(1, stage, request.meeting_id, {"stage": stage})
