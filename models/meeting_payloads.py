"""Frozen payloads of the meeting workflows (one meeting, and an organ's series) and activities.

Times are aware datetimes in the Europe/Oslo offset of the meeting day, set by the client or the
planning activity: workflows cannot read the time-zone database. Every update takes one model;
fields may be added with defaults later without breaking saved histories.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import AwareDatetime, Field

from models.payloads import (
    COUNTY_PATTERN,
    PUBLIC_URL,
    PUBLIC_URL_PATTERN,
    BusinessKey,
    Day,
    Line,
    Moment,
    Payload,
    SeatRole,
)

TERM_PATTERN = r"^[0-9]{4}-[0-9]{4}$"
VOTING_ROLES: frozenset[str] = frozenset({"leader", "deputy_leader", "member"})
MeetingStage = Literal[
    "planned",
    "noticed",
    "awaiting_attendance",
    "awaiting_minutes",
    "awaiting_approval",
    "published",
    "not_constituted",
    "cancelled",
]
PlanStatus = Literal["planned", "started", "cancelled"]


class RosterEntry(Payload):
    """A seat in the organ as a meeting needs it: who, how to reach them, role and rank."""

    person_id: BusinessKey
    name: Line = Field(min_length=1, max_length=200)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    role: SeatRole
    rank: int | None = Field(None, ge=1, description="deputies: their rank within the group")
    group: str = Field("", description="list the seat belongs to; deputies stand in for it")


class AgendaItemIn(Payload):
    """One item of the agenda (saksliste)."""

    number: int = Field(ge=1)
    title: Line = Field(min_length=1, max_length=300)


class OrganRules(Payload):
    """The bylaw meeting rules an organ's meetings follow (domain.bylaws.MeetingPlan)."""

    organ: BusinessKey
    organ_title: Line = Field(min_length=1, max_length=200)
    term: str = Field(pattern=TERM_PATTERN)
    county: str = Field("", pattern=f"^$|{COUNTY_PATTERN}", description="county organs only")
    notice_days: int = Field(ge=0)
    reminder_days: tuple[int, ...] = (7, 1)
    quorum: str = Field("1/2", pattern=r"^[0-9]+/[0-9]+$")
    members: int | None = Field(None, ge=1, description="None: the voting seats of the roster")
    roster: tuple[RosterEntry, ...] = Field(min_length=1)
    holidays: tuple[date, ...] = Field((), description="public holidays over the term")
    location: str = Field("KS, Haakon VIIs gate 9, Oslo", max_length=300)
    duration_minutes: int = Field(180, ge=15, le=24 * 60)
    sender: Line = Field(
        "",
        max_length=100,
        description="who signs its letters (KS Vestland); empty: the secretariat",
    )
    public_url: str = Field(
        PUBLIC_URL, pattern=PUBLIC_URL_PATTERN, max_length=200,
        description="where its published minutes are read: <public_url>/protokoller/<meeting id>",
    )  # fmt: skip

    def member_count(self) -> int:
        """The organ's size for the quorum: the bylaws' number, else the roster's voting seats."""
        if self.members is not None:
            return self.members
        return sum(1 for r in self.roster if r.role in VOTING_ROLES)


class MeetingInput(Payload):
    """Input of MeetingWorkflow (workflow id from `models.ids.meeting_id`)."""

    meeting_id: BusinessKey
    number: int = Field(ge=1)
    rules: OrganRules
    starts_at: AwareDatetime
    agenda: tuple[AgendaItemIn, ...] = ()
    urgent: bool = False
    extra: bool = False
    sequence: int = Field(0, ge=0, description="iCalendar SEQUENCE to start from")
    previous_meeting_id: str | None = None
    notice_margin: timedelta = Field(timedelta(days=2), description="notice this much early")


# ----------------------------------------------------------------------------- updates


class AgendaIn(Payload):
    items: tuple[AgendaItemIn, ...] = Field(min_length=1)


class MoveIn(Payload):
    starts_at: AwareDatetime
    urgent: bool = False


class CancelIn(Payload):
    reason: Line = Field(min_length=1, max_length=300)


class AbsenceIn(Payload):
    """A member (or a called-in deputy) reports that they cannot attend (forfall)."""

    person_id: BusinessKey
    reason: Line = Field("", max_length=300)


class AttendanceIn(Payload):
    present: tuple[BusinessKey, ...] = Field(min_length=0)


class DecisionIn(Payload):
    item_number: int = Field(ge=1)
    text: str = Field(min_length=1)
    votes: dict[str, int] = Field(default_factory=dict, description="for, against, blank")


class MinutesIn(Payload):
    decisions: tuple[DecisionIn, ...] = ()
    text: str = ""


class ApproveMinutesIn(Payload):
    """Held at the organ's next meeting: approve the minutes of `meeting_id`."""

    meeting_id: BusinessKey


class MinutesApproved(Payload):
    """Signal to the meeting whose minutes were approved, from the approving meeting."""

    approved_by: BusinessKey
    approved_at: Moment


class MeetingStatus(Payload):
    meeting_id: str
    organ: str
    term: str
    number: int
    starts_at: Moment
    stage: MeetingStage
    sequence: int
    urgent: bool
    agenda: tuple[AgendaItemIn, ...]
    notice_sent_at: Moment | None
    reminders_sent: tuple[str, ...]
    absent: tuple[str, ...]
    called_in: dict[str, str] = Field(description="deputy person_id -> member they stand in for")
    present: tuple[str, ...]
    quorum: bool | None
    minutes_approved_at: Moment | None
    voting: tuple[str, ...] = Field((), description="the voting members of the roster (ids)")


# ----------------------------------------------------------------------------- series


class PlannedMeeting(Payload):
    number: int = Field(ge=1)
    starts_at: AwareDatetime
    status: PlanStatus = "planned"
    urgent: bool = False
    extra: bool = False
    sequence: int = Field(0, ge=0)


class SeriesInput(Payload):
    """Input (and continue-as-new state) of MeetingSeriesWorkflow."""

    rules: OrganRules
    ends_on: Day = Field(description="the term's last day: the series ends after it")
    meetings: tuple[PlannedMeeting, ...] = ()
    open_days: int = Field(14, ge=0, description="days before notice a meeting starts")
    last_started_id: str | None = None
    meetings_per_run: int = Field(1, ge=1, description="continue-as-new after this many starts")


class AddMeetingIn(Payload):
    starts_at: AwareDatetime
    urgent: bool = False


class MoveMeetingIn(Payload):
    meeting_id: BusinessKey
    starts_at: AwareDatetime
    urgent: bool = False


class CancelMeetingIn(Payload):
    meeting_id: BusinessKey
    reason: Line = Field(min_length=1, max_length=300)


class SeriesMeeting(Payload):
    meeting_id: str
    number: int
    starts_at: Moment
    status: PlanStatus
    urgent: bool
    extra: bool


class SeriesStatus(Payload):
    workflow_id: str
    organ: str
    term: str
    meetings: tuple[SeriesMeeting, ...]


# ----------------------------------------------------------------------------- activities


class IcsRequest(Payload):
    uid: str = Field(min_length=1)
    sequence: int = Field(ge=0)
    method: Literal["REQUEST", "CANCEL"] = "REQUEST"
    summary: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    location: str = ""
    description: str = ""
    stamp: AwareDatetime = Field(description="DTSTAMP: when the workflow made the change")


class RecordMeetingRequest(Payload):
    idempotency_key: BusinessKey
    meeting_id: BusinessKey
    organ: BusinessKey
    term: str = Field(pattern=TERM_PATTERN)
    starts_at: AwareDatetime
    status: str = Field(pattern=r"^[a-z_]+$")
    urgent: bool = False
    sequence: int = 0
    agenda: tuple[AgendaItemIn, ...] = ()


class AttendanceRow(Payload):
    person_id: BusinessKey
    present: bool
    as_deputy_for: str | None = None


class RecordAttendanceRequest(Payload):
    idempotency_key: BusinessKey
    meeting_id: BusinessKey
    rows: tuple[AttendanceRow, ...]
    members: int
    voting_present: int
    quorum: bool


class RecordDecisionsRequest(Payload):
    idempotency_key: BusinessKey
    meeting_id: BusinessKey
    decisions: tuple[DecisionIn, ...]


class RecordMinutesRequest(Payload):
    idempotency_key: BusinessKey
    meeting_id: BusinessKey
    text: str = ""
    approved_at: Moment | None = None
    published_at: Moment | None = None


class PlanRequest(Payload):
    """Plan an organ's ordinary meetings over a term (the planning activity's input)."""

    organ: BusinessKey
    meetings_per_year: int = Field(ge=0, le=11)
    first_day: Day
    last_day: Day
    start_time: str = Field("10:00", pattern=r"^[0-2][0-9]:[0-5][0-9]$")


class PlanResult(Payload):
    meetings: tuple[PlannedMeeting, ...]
    holidays: tuple[date, ...]
