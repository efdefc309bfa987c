"""Calendar invites (iCalendar, RFC 5545 and iTIP RFC 5546) for meeting notices.

`meeting_ics` is a pure function of its request: the same request gives the same bytes, so a
retried activity attaches the same file. One UID per meeting for its whole life; SEQUENCE rises
on every change, so calendar programs replace the old entry; a cancellation is METHOD:CANCEL
with STATUS:CANCELLED. Times are written in Europe/Oslo with a VTIMEZONE.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import icalendar

from models.meeting_payloads import IcsRequest

OSLO = ZoneInfo("Europe/Oslo")
PRODID = "-//KS//ksgov meetings//NO"


def meeting_ics(request: IcsRequest) -> str:
    """The iCalendar text of one meeting invite (or its cancellation)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", request.method)
    event = icalendar.Event()
    event.add("uid", request.uid)
    event.add("sequence", request.sequence)
    event.add("dtstamp", request.stamp)
    event.add("dtstart", request.starts_at.astimezone(OSLO))
    event.add("dtend", request.ends_at.astimezone(OSLO))
    event.add("summary", request.summary)
    if request.location:
        event.add("location", request.location)
    if request.description:
        event.add("description", request.description)
    event.add("status", "CANCELLED" if request.method == "CANCEL" else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    text: str = calendar.to_ical().decode("utf-8")
    return text
