"""The messages of a meeting: notice, change, reminder, cancellation, call-in, minutes.

Each message's subject key is a business key (the meeting id plus what and which version), so the
notify activity sends it once per recipient however often the workflow retries it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.meeting_payloads import AgendaItemIn, IcsRequest, MeetingInput
    from models.payloads import Attachment, NotifyRequest, Purpose, Recipient
    from workflows import meeting_steps

UID_DOMAIN = "ksgov.ks.no"


def meeting_uid(meeting_id: str) -> str:
    """The stable iCalendar UID of a meeting (activities/calendar.py uses the same form)."""
    return f"{meeting_id}@{UID_DOMAIN}"


# Where published minutes are read; the secretariat's publishing site (a placeholder until set).
MINUTES_URL = "https://www.ks.no/protokoller"


def context(
    data: MeetingInput,
    starts_at: datetime,
    agenda: tuple[AgendaItemIn, ...],
    **extra: Any,
) -> dict[str, Any]:
    """Template variables: plain JSON values, no personal data beyond what the mail needs."""
    return {
        "meeting_id": data.meeting_id,
        "organ_title": data.rules.organ_title,
        "number": data.number,
        "starts_at": starts_at.isoformat(),
        "meeting_date": starts_at.date().isoformat(),
        "place": data.rules.location,
        "agenda": [{"number": i.number, "title": i.title} for i in agenda],
        "change": "tid eller sted er endret",
        "url": f"{MINUTES_URL}/{data.meeting_id}",
        **extra,
    }


async def invite(
    data: MeetingInput, starts_at: datetime, sequence: int, *, cancel: bool = False
) -> Attachment:
    """The .ics attachment for the meeting at `starts_at` with iCalendar SEQUENCE `sequence`."""
    method: Literal["REQUEST", "CANCEL"] = "CANCEL" if cancel else "REQUEST"
    text = await meeting_steps.render_ics(
        IcsRequest(
            uid=meeting_uid(data.meeting_id),
            sequence=sequence,
            method=method,
            summary=f"{data.rules.organ_title}: møte {data.number}",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=data.rules.duration_minutes),
            location=data.rules.location,
            stamp=workflow.now(),
        )
    )
    return Attachment(
        filename=f"{data.meeting_id}.ics",
        content_type=f"text/calendar; method={method}",
        text=text,
    )


def request(
    purpose: Purpose,
    subject_key: str,
    to: tuple[Recipient, ...],
    ctx: dict[str, Any],
    deadline: datetime | None,
    attachment: Attachment | None = None,
) -> NotifyRequest:
    return NotifyRequest(
        purpose=purpose,
        subject_key=subject_key,
        recipients=to,
        context=ctx,
        deadline=deadline,
        attachments=() if attachment is None else (attachment,),
    )
