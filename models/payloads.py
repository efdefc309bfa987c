"""Frozen pydantic payloads that cross the workflow/activity/client boundary.

Workflows import this module (passed through the sandbox), so it must import only pydantic and
the standard library. Fields may be added with defaults later without breaking saved histories.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from domain.bylaws import ElectionMethod
from domain.gender import Gender

# A fylkesnummer; simulations at a scale above 1 add a copy's suffix ("03-2").
COUNTY_PATTERN = r"^[0-9]{2}(-[0-9]+)?$"
# A term as KS names it, by its Landsting period (domain/terms.py): "2028-2032".
TERM_PATTERN = r"^[0-9]{4}-[0-9]{4}$"
# Where published minutes and protocols are read: `ksgov document serve` by default, the
# setting KSGOV_PUBLIC_URL in use (an http(s) address, no query or fragment).
PUBLIC_URL = "http://127.0.0.1:8000"
PUBLIC_URL_PATTERN = r"^https?://[A-Za-z0-9.:\[\]_-]+(/[A-Za-z0-9._~/-]*)?$"


# What a one-line text (a name, a title, a reason, a place) must not carry: C0 and C1 control
# characters (CR and LF would write e-mail headers of their own, ESC terminal commands), the
# Unicode line and paragraph separators, and the bidirectional controls that make a text read
# otherwise on screen than it is stored.
NOT_IN_A_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def one_line(value: str) -> str:
    """`value` if it is one line of plain text, else ValueError naming the character."""
    found = NOT_IN_A_LINE.search(value)
    if found is not None:
        raise ValueError(
            f"holds a control character (U+{ord(found.group()):04X}): names, titles, places "
            "and reasons are one line of plain text"
        )
    return value


Line = Annotated[str, AfterValidator(one_line)]


def not_a_number(value: Any) -> Any:
    """A date or time given as a number (a Unix timestamp) is refused: pydantic would read it."""
    if isinstance(value, int | float):
        raise ValueError("a date is written like 2028-02-13 (a time like 2028-02-13T10:00+01:00)")
    return value


NORWEGIAN_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")


def day_input(value: Any) -> Any:
    """A date as ISO (2028-02-13) or as Norwegian letters print it (13.02.2028); a number is
    refused (`not_a_number`)."""
    value = not_a_number(value)
    if isinstance(value, str) and (found := NORWEGIAN_DATE.fullmatch(value.strip())):
        day, month, year = (int(part) for part in found.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise ValueError(f"{value!r} is not a date of the calendar") from None
    return value


# Gender as the statute's two, in English or in Norwegian (kvinne, mann), any case.
GENDER_WORDS = {"female": "female", "male": "male", "kvinne": "female", "mann": "male"}


def gender_input(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in GENDER_WORDS:
        return GENDER_WORDS[value.strip().lower()]
    return value


Day = Annotated[date, BeforeValidator(day_input)]
Moment = Annotated[datetime, BeforeValidator(not_a_number)]
# A person's id: a key such as p-000123, never an e-mail address or a name (it stays forever in
# the append-only audit log, and in log lines).
PersonId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$",
        description="a key of letters, digits and - _ . : (never an e-mail address or a name)",
    ),
]


class Payload(BaseModel):
    """Base of every payload: immutable, and unknown fields are an error rather than ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


MemberKind = Literal["municipality", "county", "company"]


class MemberIn(Payload):
    """A member as the registry lists it."""

    number: str = Field(pattern=r"^[0-9]{2,4}(-[0-9]+)?$|^SB-[0-9]+$")
    kind: MemberKind
    name: Line = Field(min_length=1, max_length=200)
    county: str = Field(pattern=COUNTY_PATTERN)
    population: int = Field(ge=0, le=100_000_000)


class RegistryImportInput(Payload):
    """Input of RegistryImportWorkflow: one registry snapshot and where it came from."""

    source: str = Field(min_length=1, max_length=200, description="file name or SSB table")
    digest: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the snapshot")
    members: tuple[MemberIn, ...] = Field(min_length=1)


class RecordMembersRequest(Payload):
    """Activity input: the members, keyed by a business key so a retry writes nothing twice."""

    idempotency_key: str
    source: str
    members: tuple[MemberIn, ...]


class RecordMembersResult(Payload):
    """What the record store changed, and the audit entry that says so."""

    inserted: int
    updated: int
    unchanged: int
    audit_seq: int


class RegistryImportResult(Payload):
    """Result of RegistryImportWorkflow."""

    source: str
    members: int
    inserted: int
    updated: int
    unchanged: int
    audit_seq: int


# ----------------------------------------------------------------------------- record store
# The activities behind these requests live in activities/ (records, reads and notifications);
# the workflows call them through workflows/calls.py. Every request carries an idempotency key
# built from business keys (never from activity ids, which restart after continue-as-new).

SeatRole = Literal["leader", "deputy_leader", "member", "deputy", "observer"]
BusinessKey = Annotated[str, Field(min_length=1, max_length=250, pattern=r"^[A-Za-z0-9:/_.@-]+$")]


class PersonIn(Payload):
    """A person as the secretariat enters them: the id is a business key, never a name."""

    person_id: PersonId
    name: Line = Field(min_length=1, max_length=200)
    gender: Annotated[Gender, BeforeValidator(gender_input)]
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    party: Line = Field("", max_length=100)
    member_number: str | None = Field(None, description="the member whose council elected them")


# Who writes people: a county meeting (county:NN) or the national organs and secretariat.
PEOPLE_SCOPE = r"^(national|county:[0-9]{2}(-[0-9]+)?)$"


class RecordPeopleRequest(Payload):
    idempotency_key: BusinessKey
    people: tuple[PersonIn, ...]
    scope: str = Field(
        "national", pattern=PEOPLE_SCOPE, description="a county may change only its own people"
    )


class ElectionRecord(Payload):
    """One decided election (or round): its inputs and its outcome, as the workflow saw them."""

    election_id: BusinessKey = Field(description="e.g. term-2027/county-03/board-leader/round-1")
    term: str = Field(pattern=TERM_PATTERN)
    organ: BusinessKey = Field(description="e.g. county_board:03, hovedstyret, landsstyret")
    post: str = Field(description="leader, deputy_leader, members, delegates, ...")
    method: ElectionMethod
    round: int = Field(1, ge=1)
    inputs: dict[str, Any] = Field(description="votes per candidate or list, lists, nominations")
    outcome: dict[str, Any] = Field(description="who was elected, seats per list, ties, lots")
    decided_at: Moment


class RecordElectionRequest(Payload):
    idempotency_key: BusinessKey
    election: ElectionRecord


class SeatIn(Payload):
    """A seat held by a person in an organ for a term, and how it was obtained."""

    organ: BusinessKey
    term: str = Field(pattern=TERM_PATTERN)
    person_id: BusinessKey
    role: SeatRole
    rank: int | None = Field(None, ge=1, description="deputies: their rank within the group")
    group: str = Field("", description="list or group the seat belongs to (deputies follow it)")
    from_date: Day
    to_date: Day | None = Field(
        None,
        description="a fixed end; None: the seat runs until the successor organ is constituted",
    )
    election_id: BusinessKey | None = None
    obtained_by: str = Field(description="majority round 2, proportional (dhondt), agreed, ...")


class RecordSeatsRequest(Payload):
    idempotency_key: BusinessKey
    seats: tuple[SeatIn, ...]


class DelegatesRequest(Payload):
    """One page of a term's Landsting delegates (or their deputies), as the county meetings
    recorded them."""

    term: str = Field(pattern=TERM_PATTERN)
    counties: tuple[str, ...] = Field(min_length=1, description="only these counties' delegates")
    after: str = Field("", description="the last person id of the previous page")
    limit: int = Field(1000, ge=1, le=5000)
    deputies: bool = Field(False, description="their deputies instead of the delegates")


class PeoplePage(Payload):
    people: tuple[PersonIn, ...]
    next_after: str = Field("", description="pass as `after` for the next page; empty: the last")


class OrganSeatsRequest(Payload):
    """The seats of one organ in a term that have not ended."""

    term: str = Field(pattern=TERM_PATTERN)
    organ: BusinessKey


class SeatsResult(Payload):
    seats: tuple[SeatIn, ...]
    people: tuple[PersonIn, ...] = Field((), description="the seats' holders")


class CouncilsRequest(Payload):
    """The councils that elected these people to their county meetings, with the addresses of
    the registry in force `on`."""

    person_ids: tuple[BusinessKey, ...] = Field(min_length=1, max_length=1000)
    on: Day


class CouncilsResult(Payload):
    """Each council with an address (member number, its authority's name, the address)."""

    councils: tuple[Recipient, ...]


class EndSeatRequest(Payload):
    """A person leaves a seat before the term ends (vacancy), with the reason."""

    idempotency_key: BusinessKey
    organ: BusinessKey
    term: str
    person_id: BusinessKey
    role: SeatRole
    ended_on: Day
    reason: Line = Field(max_length=200)


class RecordEventRequest(Payload):
    """A workflow milestone for the audit log (stage reached, deadline passed, lot drawn...)."""

    idempotency_key: BusinessKey
    action: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    subject: BusinessKey
    content: dict[str, Any] = Field(default_factory=dict)
    term: str | None = Field(
        None, pattern=r"^[0-9]{4}-[0-9]{4}$", description="a term to record, if not yet known"
    )


class RecordResult(Payload):
    """What a record activity changed, and its audit entry."""

    changed: int
    audit_seq: int


# ----------------------------------------------------------------------------- notifications

Purpose = Literal[
    "representatives_requested",
    "county_meeting_notice",
    "meeting_notice",
    "reminder",
    "meeting_changed",
    "meeting_cancelled",
    "deputy_called_in",
    "result_announced",
    "minutes_published",
    "deadline_passed",
    "delivery_alert",
]
SECRETARIAT = "secretariat"


class Recipient(Payload):
    """Who gets a message: a person id, a member number, or `secretariat`."""

    recipient_id: BusinessKey
    email: str = Field("", max_length=254, description="empty only for the secretariat")
    name: Line = Field("", max_length=200)


class Attachment(Payload):
    filename: Line
    content_type: str = Field(description="e.g. text/calendar; method=REQUEST")
    text: str


# A NotifyMany holds at most this many notices (the biggest county, Innlandet, has 46
# municipalities and the county council).
NOTIFY_MANY_MAX = 200


class NotifyRequest(Payload):
    """One message per recipient for (purpose, subject); sending it twice sends it once."""

    purpose: Purpose
    subject_key: BusinessKey = Field(description="what it is about: term, county, meeting id")
    recipients: tuple[Recipient, ...] = Field(min_length=1)
    context: dict[str, Any] = Field(default_factory=dict, description="template variables")
    deadline: Moment | None = Field(None, description="latest lawful delivery time")
    attachments: tuple[Attachment, ...] = ()
    reply_to: str | None = Field(
        None,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        max_length=254,
        description="where replies go: the county secretary, for a county organ's letters",
    )


class NotifyMany(Payload):
    """Several notices in one activity, each with its own purpose, subject and context: one task
    for the server instead of one a notice (a county meeting asks all its members at once)."""

    requests: tuple[NotifyRequest, ...] = Field(min_length=1, max_length=NOTIFY_MANY_MAX)


class NotifyResult(Payload):
    sent: int
    already_sent: int
    failed: int
    late: int = Field(0, description="delivered after the deadline (an alert was raised)")
