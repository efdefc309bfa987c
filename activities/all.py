"""Every activity of ksgov, bound to its dependencies: the one list the worker registers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine

from activities.meetings import MeetingActivities
from activities.notify import NotificationActivities
from activities.reads import ReadActivities
from activities.records import RecordActivities
from activities.starts import StartActivities
from notices.mailer import SmtpConfig
from store.clock import Clock, wall_clock


def build_activities(
    engine: Engine,
    smtp: SmtpConfig,
    starts: StartActivities,
    clock: Clock = wall_clock,
) -> list[Callable[..., Any]]:
    """The activities, sharing one engine, one SMTP configuration, one business clock, and the
    worker's client for the activity that starts workflows."""
    records = RecordActivities(engine)
    notifications = NotificationActivities(engine, smtp, clock)
    meetings = MeetingActivities(engine)
    reads = ReadActivities(engine)
    return [
        records.record_members,
        records.record_people,
        records.record_election,
        records.record_seats,
        records.end_seat,
        records.record_event,
        reads.read_delegates,
        reads.read_organ_seats,
        reads.read_councils,
        notifications.notify,
        notifications.notify_many,
        meetings.record_meeting,
        meetings.record_attendance,
        meetings.record_decisions,
        meetings.record_minutes,
        meetings.render_ics,
        meetings.plan_meetings,
        starts.start_series,
    ]
