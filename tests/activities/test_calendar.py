"""The meeting invites parse back with icalendar and carry UID, SEQUENCE, METHOD and Oslo time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from models.meeting_payloads import IcsRequest
from notices.calendar import meeting_ics

OSLO = ZoneInfo("Europe/Oslo")


def request(**changes: object) -> IcsRequest:
    starts = datetime(2025, 3, 13, 10, tzinfo=OSLO)
    base = IcsRequest(
        uid="meeting-hovedstyret-2024-2028-03@ksgov.ks.no", sequence=0, summary="Hovedstyret",
        starts_at=starts, ends_at=starts + timedelta(hours=3), location="Oslo",
        description="Saksliste", stamp=datetime(2025, 2, 20, tzinfo=UTC),
    )  # fmt: skip
    return base.model_copy(update=changes)


def test_an_invite_is_a_request_with_uid_sequence_and_oslo_time() -> None:
    calendar = icalendar.Calendar.from_ical(meeting_ics(request(sequence=2)))
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "meeting-hovedstyret-2024-2028-03@ksgov.ks.no"
    assert int(str(event["SEQUENCE"])) == 2
    assert event.decoded("DTSTART") == datetime(2025, 3, 13, 10, tzinfo=OSLO)
    assert event["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]


def test_a_cancellation_is_method_cancel_and_status_cancelled() -> None:
    calendar = icalendar.Calendar.from_ical(meeting_ics(request(method="CANCEL", sequence=3)))
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(str(event["SEQUENCE"])) == 3


def test_the_same_request_gives_the_same_text() -> None:
    assert meeting_ics(request()) == meeting_ics(request())
