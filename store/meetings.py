"""Writes for meetings: the meeting and its agenda, attendance, decisions and minutes.

Each returns a `Change` for `write_once`; the audit entry holds ids and counts only, never
names or free text about people.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, delete, select

from models.meeting_payloads import (
    RecordAttendanceRequest,
    RecordDecisionsRequest,
    RecordMeetingRequest,
    RecordMinutesRequest,
)
from models.records import AgendaItem, Attendance, Decision, Meeting, Minutes, Person
from store.audit import canonical_json, utc
from store.changes import Change, ensure_organ_and_term, refuse


def write_meeting(session: Session, request: RecordMeetingRequest) -> Change:
    ensure_organ_and_term(session, request.organ, request.term)
    values: dict[str, Any] = {
        "organ": request.organ,
        "term": request.term,
        "starts_at": utc(request.starts_at),
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


def write_attendance(session: Session, request: RecordAttendanceRequest) -> Change:
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


def write_decisions(session: Session, request: RecordDecisionsRequest) -> Change:
    _meeting(session, request.meeting_id)
    for d in request.decisions:
        row = session.get(Decision, (request.meeting_id, d.item_number)) or Decision(
            meeting_id=request.meeting_id, item_number=d.item_number, text=""
        )
        row.text, row.votes = d.text, canonical_json(d.votes)
        session.add(row)
    items = sorted(d.item_number for d in request.decisions)
    return Change(len(items), "decisions_recorded", request.meeting_id, {"items": items})


def write_minutes(session: Session, request: RecordMinutesRequest) -> Change:
    _meeting(session, request.meeting_id)
    row = session.get(Minutes, request.meeting_id) or Minutes(meeting_id=request.meeting_id)
    if request.text:
        row.text = request.text
    if request.approved_at is not None:
        row.approved_at = utc(request.approved_at)
    if request.published_at is not None:
        row.published_at = utc(request.published_at)
    session.add(row)
    stage = (
        "minutes_published"
        if request.published_at
        else "minutes_approved"
        if request.approved_at
        else "minutes_recorded"
    )
    return Change(1, stage, request.meeting_id, {"stage": stage})
