"""The recorded steps of a meeting: its messages (with their invites) and its records.

Each message's subject key is a business key (the meeting id plus what and which version), and
each record's idempotency key too, so the activities send and write once however often the
workflow retries them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import contracts
    from models.ids import minutes_url
    from models.meeting_payloads import IcsRequest, RecordMeetingRequest
    from models.payloads import Attachment, NotifyRequest, Purpose, Recipient
    from workflows import calls
    from workflows.meetings.roster import meeting_uid
    from workflows.meetings.state import MeetingState


def context(m: MeetingState, **extra: Any) -> dict[str, Any]:
    """Template variables: plain JSON values, no personal data beyond what the mail needs."""
    data = m.data
    return {
        "meeting_id": data.meeting_id,
        "organ_title": data.rules.organ_title,
        "number": data.number,
        "starts_at": m.starts_at.isoformat(),
        "meeting_date": m.starts_at.date().isoformat(),
        "place": data.rules.location,
        "agenda": [{"number": i.number, "title": i.title} for i in m.agenda],
        "change": "tid eller sted er endret",
        "url": minutes_url(data.rules.public_url, data.meeting_id),
        **({"sender": data.rules.sender} if data.rules.sender else {}),
        **extra,
    }


async def invite(m: MeetingState, *, cancel: bool = False) -> Attachment:
    """The .ics attachment for the meeting as it stands (its date and SEQUENCE)."""
    data = m.data
    method: Literal["REQUEST", "CANCEL"] = "CANCEL" if cancel else "REQUEST"
    text = await calls.pure(
        contracts.render_ics,
        IcsRequest(
            uid=meeting_uid(data.meeting_id),
            sequence=m.sequence,
            method=method,
            summary=f"{data.rules.organ_title}: møte {data.number}",
            starts_at=m.starts_at,
            ends_at=m.starts_at + timedelta(minutes=data.rules.duration_minutes),
            location=data.rules.location,
            stamp=workflow.now(),
        ),
    )
    return Attachment(
        filename=f"{data.meeting_id}.ics",
        content_type=f"text/calendar; method={method}",
        text=text,
    )


async def send(
    m: MeetingState,
    purpose: Purpose,
    what: str,
    to: tuple[Recipient, ...],
    deadline: datetime | None,
    attachment: Attachment | None = None,
    **extra: Any,
) -> None:
    """Send the meeting's `purpose` message `what` (its key) to `to`, before `deadline`."""
    await calls.notify(
        NotifyRequest(
            purpose=purpose,
            subject_key=f"{m.key}/{what}",
            recipients=to,
            context=context(m, invite=attachment is not None, **extra),
            deadline=deadline,
            attachments=() if attachment is None else (attachment,),
        )
    )


async def record_status(m: MeetingState, status: str) -> None:
    """Record the meeting as it stands (date, status, agenda), each write under its own key."""
    m.writes += 1
    await calls.record(
        contracts.record_meeting,
        RecordMeetingRequest(
            idempotency_key=f"{m.key}/meeting/{m.writes}", meeting_id=m.key,
            organ=m.data.rules.organ, term=m.data.rules.term, starts_at=m.starts_at,
            status=status, urgent=m.urgent, sequence=m.sequence, agenda=m.agenda,
        ),
    )  # fmt: skip


async def event(m: MeetingState, what: str, action: str, **content: Any) -> None:
    """Log a milestone of the meeting, once per `what`."""
    await calls.event(f"{m.key}/{what}", action, m.key, **content)


async def mark_urgent(m: MeetingState) -> None:
    """Make the meeting urgent (short notice allowed) and log it."""
    m.urgent = True
    await event(m, f"urgent/seq-{m.sequence}", "meeting_urgent", sequence=m.sequence)
