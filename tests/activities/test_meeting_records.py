"""MeetingActivities on SQLite and PostgreSQL: rows, audit entries and idempotency."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.exceptions import ApplicationError

from activities.meetings import MeetingActivities
from models.meeting_payloads import (
    AgendaItemIn,
    AttendanceRow,
    DecisionIn,
    PlanRequest,
    RecordAttendanceRequest,
    RecordDecisionsRequest,
    RecordMeetingRequest,
    RecordMinutesRequest,
)
from models.records import AgendaItem, Attendance, AuditEntry, Decision, Meeting, Minutes, Person

MID = "meeting-hovedstyret-2024-2028-01"
STARTS = datetime(2025, 3, 13, 9, tzinfo=UTC)


def meeting(status: str = "planned", key: str = f"{MID}/meeting/1") -> RecordMeetingRequest:
    return RecordMeetingRequest(
        idempotency_key=key, meeting_id=MID, organ="hovedstyret", term="2024-2028",
        starts_at=STARTS, status=status,
        agenda=(AgendaItemIn(number=1, title="Budsjett"), AgendaItemIn(number=2, title="Mandat")),
    )  # fmt: skip


def audit_actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [e.action for e in session.exec(select(AuditEntry))]


def test_recording_a_meeting_twice_writes_one_row_and_one_audit_entry(engine: Engine) -> None:
    acts = MeetingActivities(engine)
    first = acts.record_meeting(meeting())
    again = acts.record_meeting(meeting())
    assert again == first
    with Session(engine) as session:
        assert len(session.exec(select(Meeting)).all()) == 1
        assert len(session.exec(select(AgendaItem)).all()) == 2
    assert audit_actions(engine) == ["meeting_recorded"]


def test_a_new_status_updates_the_meeting(engine: Engine) -> None:
    acts = MeetingActivities(engine)
    acts.record_meeting(meeting())
    acts.record_meeting(meeting("cancelled", f"{MID}/meeting/2"))
    with Session(engine) as session:
        row = session.get(Meeting, MID)
        assert row is not None
        assert row.status == "cancelled"
    assert audit_actions(engine) == ["meeting_recorded", "meeting_recorded"]


def test_attendance_decisions_and_minutes_are_recorded_once(engine: Engine) -> None:
    acts = MeetingActivities(engine)
    acts.record_meeting(meeting())
    with Session(engine) as session, session.begin():
        for pid in ("p1", "p2"):
            session.add(Person(person_id=pid, name=pid, gender="female", email=f"{pid}@ks.invalid"))
    attendance = RecordAttendanceRequest(
        idempotency_key=f"{MID}/attendance", meeting_id=MID, members=2, voting_present=1,
        quorum=True, rows=(AttendanceRow(person_id="p1", present=True),
                           AttendanceRow(person_id="p2", present=False)),
    )  # fmt: skip
    decisions = RecordDecisionsRequest(
        idempotency_key=f"{MID}/decisions", meeting_id=MID,
        decisions=(DecisionIn(item_number=1, text="Vedtatt", votes={"for": 1}),),
    )  # fmt: skip
    minutes = RecordMinutesRequest(idempotency_key=f"{MID}/minutes", meeting_id=MID, text="...")
    published = RecordMinutesRequest(
        idempotency_key=f"{MID}/minutes/published", meeting_id=MID,
        approved_at=STARTS, published_at=STARTS,
    )  # fmt: skip
    for _ in range(2):
        acts.record_attendance(attendance)
        acts.record_decisions(decisions)
        acts.record_minutes(minutes)
        acts.record_minutes(published)
    with Session(engine) as session:
        assert len(session.exec(select(Attendance)).all()) == 2
        assert session.exec(select(Decision)).one().votes == '{"for":1}'
        row = session.exec(select(Minutes)).one()
        assert (row.text, row.published_at is not None) == ("...", True)
    assert audit_actions(engine) == [
        "meeting_recorded", "attendance_recorded", "decisions_recorded",
        "minutes_recorded", "minutes_published",
    ]  # fmt: skip


def test_attendance_of_an_unknown_person_is_refused(engine: Engine) -> None:
    acts = MeetingActivities(engine)
    acts.record_meeting(meeting())
    request = RecordAttendanceRequest(
        idempotency_key=f"{MID}/attendance", meeting_id=MID, members=1, voting_present=1,
        quorum=True, rows=(AttendanceRow(person_id="nobody", present=True),),
    )  # fmt: skip
    with pytest.raises(ApplicationError, match="not in the register: nobody"):
        acts.record_attendance(request)


def test_minutes_of_an_unrecorded_meeting_are_refused(sqlite_engine: Engine) -> None:
    request = RecordMinutesRequest(idempotency_key="k", meeting_id=MID, text="x")
    with pytest.raises(ApplicationError, match="is not recorded"):
        MeetingActivities(sqlite_engine).record_minutes(request)


def test_holidays_and_the_plan_come_from_the_holidays_package(sqlite_engine: Engine) -> None:
    acts = MeetingActivities(sqlite_engine)
    plan = acts.plan_meetings(
        PlanRequest(organ="landsstyret", meetings_per_year=2,
                    first_day=date(2025, 1, 1), last_day=date(2025, 12, 31))
    )  # fmt: skip
    assert [m.starts_at.date() for m in plan.meetings] == [date(2025, 3, 13), date(2025, 10, 9)]
    assert plan.meetings[0].starts_at.utcoffset() is not None
    assert date(2025, 5, 17) in plan.holidays
    with pytest.raises(ApplicationError, match="do not fit"):
        acts.plan_meetings(
            PlanRequest(organ="x", meetings_per_year=11, first_day=date(2025, 1, 1),
                        last_day=date(2025, 2, 1)).model_copy(update={"meetings_per_year": 12})
        )  # fmt: skip
