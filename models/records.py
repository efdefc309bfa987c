"""SQLModel tables of the record store: written through store/, read by the audit queries
(service/audit/) and the harness. Workflows never import this module.

The audit log is append-only: `AuditEntry` rows form a hash chain (each row's hash covers the
previous row's hash and its own canonical content) and `AuditHead` holds the chain's last position,
so that deleting the newest rows is detected too. Triggers refuse UPDATE and DELETE on audit_log.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class AuditEntry(SQLModel, table=True):
    """One audit-log entry: who did what to which subject, when, with its content and hash."""

    __tablename__ = "audit_log"

    seq: int = Field(primary_key=True, description="position in the chain, from 1, no gaps")
    at: datetime = Field(description="UTC time the entry was written")
    actor: str = Field(max_length=300, description="workflow id + run id, or cli:<user>")
    action: str = Field(
        max_length=100, index=True, description="snake_case verb, e.g. seat_recorded"
    )
    subject: str = Field(max_length=300, index=True, description="business key of what changed")
    content: str = Field(
        description="canonical JSON of the change (ids, no free text about people)"
    )
    idempotency_key: str = Field(
        max_length=300, unique=True, description="business key of the step"
    )
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    signature: str = Field(
        default="", max_length=100, description="Ed25519 signature by the record key (base64)"
    )


class AuditHead(SQLModel, table=True):
    """The single row holding the chain's newest position: the anchor that reveals truncation."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default="0" * 64, max_length=64)
    signature: str = Field(default="", max_length=100, description="by the record key (base64)")


class Member(SQLModel, table=True):
    """A member of the federation: a municipality, a county authority or a company."""

    __tablename__ = "member"

    number: str = Field(
        primary_key=True, max_length=20, description="kommunenummer or fylkesnummer"
    )
    kind: str = Field(max_length=20, description="municipality, county or company")
    name: str = Field(max_length=200)
    county: str = Field(max_length=2, index=True, description="fylkesnummer of the county")
    population: int = Field(ge=0)


# ----------------------------------------------------------------------------- people and seats
# Free text about people (names, e-mail) lives only in these tables, never in the audit log.


def _aware() -> Any:
    """A timezone-aware column: PostgreSQL keeps the offset, SQLite stores UTC text."""
    return DateTime(timezone=True)


class Person(SQLModel, table=True):
    """A representative, deputy or officer; the id is a business key chosen by the secretariat."""

    __tablename__ = "person"

    person_id: str = Field(primary_key=True, max_length=250)
    name: str = Field(max_length=200)
    gender: str = Field(max_length=10, description="female or male (gender balance rules)")
    party: str = Field(default="", max_length=100)
    email: str = Field(max_length=254)
    member_number: str | None = Field(default=None, max_length=20, index=True)
    scope: str | None = Field(
        default=None,
        max_length=20,
        description="who registered them: county:NN or national; a county changes only its own",
    )


class Organ(SQLModel, table=True):
    """A body that people sit in: `county_board:03`, `hovedstyret`, `landsstyret`, ..."""

    __tablename__ = "organ"

    organ: str = Field(primary_key=True, max_length=250)
    title: str = Field(default="", max_length=200)


class Term(SQLModel, table=True):
    """An election period, e.g. `2027-2031`."""

    __tablename__ = "term"

    term: str = Field(primary_key=True, max_length=9)
    first_year: int
    last_year: int


class Seat(SQLModel, table=True):
    """A person's seat in an organ for a term: one per (organ, term, person, role)."""

    __tablename__ = "seat"
    __table_args__ = (UniqueConstraint("organ", "term", "person_id", "role", name="uq_seat"),)

    id: int | None = Field(default=None, primary_key=True)
    organ: str = Field(foreign_key="organ.organ", max_length=250, index=True)
    term: str = Field(foreign_key="term.term", max_length=9, index=True)
    person_id: str = Field(foreign_key="person.person_id", max_length=250, index=True)
    role: str = Field(max_length=20, description="leader, deputy_leader, member, deputy, observer")
    rank: int | None = None
    group: str = Field(default="", max_length=200, description="list the seat belongs to")
    from_date: date
    to_date: date | None = Field(
        default=None, description="a fixed end; empty: until the successor organ is constituted"
    )
    ended_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=200)
    election_id: str | None = Field(default=None, max_length=250, index=True)
    obtained_by: str = Field(max_length=200)


class Election(SQLModel, table=True):
    """One decided election or round, with its inputs and outcome as canonical JSON text."""

    __tablename__ = "election"

    election_id: str = Field(primary_key=True, max_length=250)
    term: str = Field(foreign_key="term.term", max_length=9, index=True)
    organ: str = Field(foreign_key="organ.organ", max_length=250, index=True)
    post: str = Field(max_length=100)
    method: str = Field(max_length=20)
    round: int = 1
    inputs: str = Field(sa_type=Text)
    outcome: str = Field(sa_type=Text)
    decided_at: datetime = Field(sa_type=_aware())


class ElectionPerson(SQLModel, table=True):
    """Who an election names (a candidate, a list's candidate, one voted for or elected): its
    inputs and outcome as an index, so that a person's elections are read by id instead of by
    searching every election's JSON. Written with the election, derived from it."""

    __tablename__ = "election_person"

    election_id: str = Field(foreign_key="election.election_id", primary_key=True, max_length=250)
    person_id: str = Field(primary_key=True, max_length=250, index=True)


# ----------------------------------------------------------------------------- registry versions
# The member registry as the secretariat imports it (`ksgov registry import`): each version is
# written once, with its entries, and never changed (triggers refuse UPDATE and DELETE); a term
# starts on the version in force on its day. The addresses live here, never in the audit log.


class RegistryVersion(SQLModel, table=True):
    """One imported registry: in force from `effective_from` until a later version's date."""

    __tablename__ = "registry_version"

    id: int = Field(primary_key=True, description="the version number, from 1, no gaps")
    effective_from: date = Field(index=True)
    source: str = Field(max_length=300, description="where the figures and addresses come from")
    imported_at: datetime = Field(sa_type=_aware())
    digest: str = Field(max_length=64, description="sha256 of the entries' canonical JSON")
    counties: int
    municipalities: int
    population: int
    addresses: int = Field(description="members whose council has an address")
    secretaries: int = Field(description="counties whose secretary has an address")


class RegistryEntry(SQLModel, table=True):
    """A member in one registry version, with its council's and its county secretary's address."""

    __tablename__ = "registry_entry"

    version: int = Field(foreign_key="registry_version.id", primary_key=True)
    number: str = Field(primary_key=True, max_length=20, description="kommune- or fylkesnummer")
    kind: str = Field(max_length=20, description="municipality or county")
    name: str = Field(max_length=200)
    county: str = Field(max_length=20, description="fylkesnummer of the county")
    population: int = Field(ge=0)
    email: str = Field(default="", max_length=254, description="the council's post address")
    secretary_email: str = Field(
        default="", max_length=254, description="a county row's: the KS county secretary's"
    )


# ----------------------------------------------------------------------------- accounts
# Who may use ksgov (the console and its API, issue 23): local accounts and their API tokens.
# The audit log names an account by its id (`u-...`), never by its user name, which may be a
# person's name; passwords are argon2id hashes and tokens SHA-256 digests, never in clear.


class Account(SQLModel, table=True):
    """A user: a role, the county a `county` user is bound to, the person a `member` user is."""

    __tablename__ = "account"

    account_id: str = Field(primary_key=True, max_length=40, description="u-<hex>, for the log")
    username: str = Field(max_length=100, unique=True)
    role: str = Field(max_length=20, description="secretariat, county, auditor or member")
    county: str | None = Field(default=None, max_length=20, description="a county user's")
    person_id: str | None = Field(default=None, max_length=250, description="a member's")
    password_hash: str = Field(default="", max_length=200, description="argon2id; empty: none")
    oidc_subject: str | None = Field(
        default=None, max_length=255, unique=True, index=True,
        description="the `sub` of its OpenID Connect login (ID-porten, Entra ID); none: none",
    )  # fmt: skip
    disabled: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=_aware())
    created_at: datetime = Field(sa_type=_aware())


class ApiToken(SQLModel, table=True):
    """A token for scripts: its SHA-256 digest, the account it acts for and its own role."""

    __tablename__ = "api_token"

    token_id: str = Field(primary_key=True, max_length=40, description="t-<hex>, shown in lists")
    digest: str = Field(max_length=64, unique=True)
    account_id: str = Field(foreign_key="account.account_id", max_length=40, index=True)
    role: str = Field(max_length=20)
    created_at: datetime = Field(sa_type=_aware())
    revoked_at: datetime | None = Field(default=None, sa_type=_aware())


# ----------------------------------------------------------------------------- meetings
# Written by the meeting workflows, through the meeting activities (store/meetings.py).


class Meeting(SQLModel, table=True):
    """A meeting of an organ; `sequence` counts changes so a new notice supersedes the old one."""

    __tablename__ = "meeting"

    meeting_id: str = Field(primary_key=True, max_length=250)
    organ: str = Field(foreign_key="organ.organ", max_length=250, index=True)
    term: str = Field(foreign_key="term.term", max_length=9, index=True)
    starts_at: datetime = Field(sa_type=_aware())
    status: str = Field(default="planned", max_length=20, description="planned, held, cancelled")
    urgent: bool = False
    sequence: int = 0


class AgendaItem(SQLModel, table=True):
    """An item of a meeting's agenda, numbered from 1."""

    __tablename__ = "agenda_item"

    meeting_id: str = Field(foreign_key="meeting.meeting_id", primary_key=True, max_length=250)
    number: int = Field(primary_key=True)
    title: str = Field(max_length=300)


class Attendance(SQLModel, table=True):
    """Who attended a meeting, and whom a deputy stood in for."""

    __tablename__ = "attendance"

    meeting_id: str = Field(foreign_key="meeting.meeting_id", primary_key=True, max_length=250)
    person_id: str = Field(
        foreign_key="person.person_id", primary_key=True, max_length=250, index=True
    )
    present: bool = True
    as_deputy_for: str | None = Field(default=None, max_length=250)


class Decision(SQLModel, table=True):
    """The decision on one agenda item, with the votes as canonical JSON text."""

    __tablename__ = "decision"

    meeting_id: str = Field(foreign_key="meeting.meeting_id", primary_key=True, max_length=250)
    item_number: int = Field(primary_key=True)
    text: str = Field(sa_type=Text)
    votes: str = Field(default="{}", sa_type=Text)


class Minutes(SQLModel, table=True):
    """The minutes of a meeting: approved, then published."""

    __tablename__ = "minutes"

    meeting_id: str = Field(foreign_key="meeting.meeting_id", primary_key=True, max_length=250)
    approved_at: datetime | None = Field(default=None, sa_type=_aware())
    published_at: datetime | None = Field(default=None, sa_type=_aware())
    text: str = Field(default="", sa_type=Text)


# ----------------------------------------------------------------------------- outbox


class Notification(SQLModel, table=True):
    """One message of the outbox: one per (purpose, recipient, subject), keyed by their hash.

    No address or name is stored: they come with each request, so the outbox holds ids only.
    """

    __tablename__ = "notification"

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=64, unique=True, description="sha256 of the keys")
    purpose: str = Field(max_length=50, index=True)
    recipient_id: str = Field(max_length=250, index=True)
    subject_key: str = Field(max_length=250, index=True)
    status: str = Field(default="queued", max_length=10, description="queued, sent or failed")
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    queued_at: datetime = Field(sa_type=_aware())
    sent_at: datetime | None = Field(default=None, sa_type=_aware())
    message_id: str | None = Field(default=None, max_length=100)
    deadline: datetime | None = Field(default=None, sa_type=_aware())
    late: bool = False
