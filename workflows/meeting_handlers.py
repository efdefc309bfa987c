"""The update handlers' work for MeetingWorkflow: agenda, move, absence, attendance, minutes.

Functions over the meeting's state (workflows/meeting_runner.py). Each runs after its validator
(workflows/meeting_checks.py) accepted the input; sending and recording go through the state's
steps, so every message and row is keyed by the meeting's business key.
"""

from __future__ import annotations

from fractions import Fraction

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.meetings import has_quorum
    from models.meeting_payloads import (
        VOTING_ROLES,
        AbsenceIn,
        AgendaItemIn,
        ApproveMinutesIn,
        AttendanceIn,
        AttendanceRow,
        MinutesApproved,
        MinutesIn,
        MoveIn,
        RecordAttendanceRequest,
        RecordDecisionsRequest,
        RecordMinutesRequest,
    )
    from workflows import meeting_notices as notices
    from workflows import meeting_steps
    from workflows.meeting_roster import next_deputy, recipients, voting_present
    from workflows.meeting_runner import MeetingState


async def set_agenda(m: MeetingState, items: tuple[AgendaItemIn, ...]) -> None:
    m.agenda = items
    await m.record_status("planned")


async def move(m: MeetingState, data: MoveIn) -> None:
    m.starts_at = data.starts_at
    m.sequence += 1
    if m.notice_started:
        m.change_pending = True
    m.bump()
    if data.urgent and not m.urgent:
        await m.mark_urgent()
    await m.record_status("planned")
    await workflow.wait_condition(lambda: not m.change_pending)


async def absence(m: MeetingState, data: AbsenceIn) -> None:
    m.absent.append(data.person_id)
    member = m.entry(m.called_in.pop(data.person_id, data.person_id))
    assert member is not None  # the validator made sure
    deputy = next_deputy(m.data.rules.roster, member, m.absent, m.called_in)
    if deputy is None:
        await m.event(f"absence/{data.person_id}", "no_deputy_available", member=member.person_id)
        return
    m.called_in[deputy.person_id] = member.person_id
    invite = await notices.invite(m.data, m.starts_at, m.sequence)
    await m.send(
        "deputy_called_in", f"deputy/{deputy.person_id}", recipients([deputy]),
        m.starts_at, invite, stands_in_for=member.person_id,
    )  # fmt: skip
    await m.event(
        f"deputy/{deputy.person_id}", "deputy_called_in",
        member=member.person_id, deputy=deputy.person_id,
    )  # fmt: skip


async def attendance(m: MeetingState, data: AttendanceIn) -> None:
    rules, present = m.data.rules, set(data.present)
    members = rules.member_count()
    voting = min(voting_present(rules.roster, present, m.called_in), members)
    quorum = has_quorum(voting, members, Fraction(rules.quorum))
    rows = tuple(
        AttendanceRow(person_id=e.person_id, present=e.person_id in present,
                      as_deputy_for=m.called_in.get(e.person_id))
        for e in rules.roster
        if e.role in VOTING_ROLES or e.person_id in m.called_in or e.person_id in present
    )  # fmt: skip
    await meeting_steps.record_attendance(
        RecordAttendanceRequest(
            idempotency_key=f"{m.key}/attendance", meeting_id=m.key, rows=rows,
            members=members, voting_present=voting, quorum=quorum,
        )
    )  # fmt: skip
    m.present = tuple(sorted(present))
    m.quorum = quorum
    await m.record_status("held" if quorum else "not_constituted")
    m.set_stage("awaiting_minutes" if quorum else "not_constituted")


async def minutes(m: MeetingState, data: MinutesIn) -> None:
    await meeting_steps.record_decisions(
        RecordDecisionsRequest(
            idempotency_key=f"{m.key}/decisions", meeting_id=m.key,
            decisions=data.decisions,
        )
    )  # fmt: skip
    await meeting_steps.record_minutes(
        RecordMinutesRequest(idempotency_key=f"{m.key}/minutes", meeting_id=m.key, text=data.text)
    )
    m.minutes_done = True
    m.set_stage("awaiting_approval")


async def approve_other(m: MeetingState, data: ApproveMinutesIn) -> None:
    m.approved_others.append(data.meeting_id)
    other = workflow.get_external_workflow_handle(data.meeting_id)
    await other.signal(
        "minutes_approved", MinutesApproved(approved_by=m.key, approved_at=workflow.now())
    )
    await m.event(f"approves/{data.meeting_id}", "minutes_approved", meeting=data.meeting_id)


async def finish_minutes(m: MeetingState) -> None:
    """Wait for the minutes and their approval at the next meeting, then publish them."""
    await workflow.wait_condition(lambda: m.minutes_done and m.approved is not None)
    assert m.approved is not None
    await meeting_steps.record_minutes(
        RecordMinutesRequest(
            idempotency_key=f"{m.key}/minutes/published", meeting_id=m.key,
            approved_at=m.approved.approved_at, published_at=workflow.now(),
        )
    )  # fmt: skip
    await m.send(
        "minutes_published", "minutes", m.everyone(), None,
        approved_by=m.approved.approved_by,
    )  # fmt: skip
    m.set_stage("published")
