"""The organs and who held their seats on a day, their meetings, and a member's own pages:
read operations over the record store, each with its role check inside (issue 23).

Who reads what (`service.accounts` grants): the secretariat and an auditor everything; a
county user the organs of its own county (`county_board:NN`, `county_meeting:NN`) and their
meetings, and nothing of another county's organs or of a national organ (`hovedstyret`,
`landsstyret`, `landsting`): their seat lists are people of every county; a member their own
seats, meetings and notices (`mine`, by the person the account is bound to: a member names no
one) and a meeting of an organ only if they held a seat in it on the meeting's day.

Times are given in Europe/Oslo, the time the pages and the notices speak. The answers carry
codes (roles, statuses, purposes); the console names them in bokmål.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from client.errors import UserError
from models import ids
from models.records import (
    AgendaItem,
    Attendance,
    AuditEntry,
    Decision,
    Election,
    Meeting,
    Minutes,
    Notification,
    Organ,
    Person,
    Seat,
)
from service.accounts import Actor, ForbiddenError, authorize
from service.audit.queries import held_on
from service.audit.sources import starts_with
from service.documents import organ_title
from store.audit import utc

OSLO = ZoneInfo("Europe/Oslo")
ORGAN_KEY = re.compile(r"[a-z][a-z_]{0,39}(:[0-9]{2})?")
MEETING_ID_MAX = 100
ROLE_ORDER = {"leader": 0, "deputy_leader": 1, "member": 2, "observer": 3, "deputy": 4}
ABSENCE_EVENTS = ("deputy_called_in", "no_deputy_available")
NOTICES_MAX = 500


class NotFoundError(UserError):
    """Nothing is recorded under the key asked for (HTTP 404 on the console)."""


def is_organ_key(text: str) -> bool:
    """Whether `text` can be an organ's key: `hovedstyret`, `county_board:46`, ..."""
    return ORGAN_KEY.fullmatch(text) is not None


def is_meeting_id(text: str) -> bool:
    """Whether `text` can be a meeting's id: `meeting-hovedstyret-2028-2032-01`."""
    parsed = ids.parse_meeting_id(text) if len(text) <= MEETING_ID_MAX else None
    return parsed is not None and is_organ_key(parsed[0])


def organ_county(organ: str) -> str | None:
    """The county a county organ belongs to (`county_board:46` is 46's); None: national."""
    return organ.partition(":")[2] or None


def today() -> dt.date:
    return dt.datetime.now(OSLO).date()


@functools.lru_cache(maxsize=1024)
def title(organ: str, on: dt.date) -> str:
    """The organ's Norwegian title by the bylaws in force `on` (read once per organ and day)."""
    return organ_title(organ, on)


@dataclass(frozen=True)
class OrganView:
    organ: str
    title: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class SeatView:
    """A seat as held on a day: its holder, place, period, and the election that gave it."""

    organ: str
    term: str
    person_id: str
    name: str
    role: str
    rank: int | None
    group: str
    from_date: dt.date
    to_date: dt.date | None
    ended_on: dt.date | None
    obtained_by: str
    election_id: str
    protocol: str  # where the election's protocol is published; empty: none recorded


@dataclass(frozen=True)
class MeetingView:
    meeting_id: str
    organ: str
    title: str
    term: str
    number: int
    starts_at: dt.datetime  # in Europe/Oslo
    status: str  # planned, held, not_constituted, cancelled
    urgent: bool
    changes: int  # how many times its notice was changed
    minutes: str  # where its minutes are published; empty: not (yet) published


@dataclass(frozen=True)
class NoticeCount:
    """The messages of one purpose about a meeting: how many, delivered, failed, first sent."""

    purpose: str
    messages: int
    sent: int
    failed: int
    first_sent: dt.datetime | None


@dataclass(frozen=True)
class MeetingDetail:
    meeting: MeetingView
    notices: tuple[NoticeCount, ...]
    agenda: tuple[tuple[int, str, str], ...]  # number, title, decision
    absences: tuple[tuple[str, str], ...]  # the absent member's name, the deputy called ("")
    present: tuple[tuple[str, str], ...]  # name, whom they stood in for ("")
    minutes_recorded: bool
    approved_at: dt.datetime | None
    published_at: dt.datetime | None


@dataclass(frozen=True)
class NoticeView:
    purpose: str
    subject_key: str
    queued_at: dt.datetime
    sent_at: dt.datetime | None
    status: str  # queued, sent, failed
    late: bool


@dataclass(frozen=True)
class Mine:
    """A member's own: the seats they hold on the day, their meetings, the notices to them."""

    person_id: str
    name: str
    seats: tuple[SeatView, ...]
    meetings: tuple[MeetingView, ...]
    notices: tuple[NoticeView, ...]


def _oslo(moment: dt.datetime | None) -> dt.datetime | None:
    return utc(moment).astimezone(OSLO) if moment is not None else None


# ----------------------------------------------------------------------------- organs, seats


def organs(engine: Engine, actor: Actor) -> list[OrganView]:
    """The organs recorded, each with the terms it has seats, meetings or elections in; a
    county user sees its own county's organs only."""
    authorize(actor, "organ.read", actor.county)
    terms: dict[str, set[str]] = {}
    with Session(engine) as session:
        for (organ,) in session.execute(select(Organ.organ)):
            terms[organ] = set()
        for table in (Seat, Meeting, Election):
            for organ, term in session.execute(select(table.organ, table.term).distinct()):
                terms.setdefault(organ, set()).add(term)
    on = today()
    return [
        OrganView(organ, title(organ, on), tuple(sorted(found)))
        for organ, found in sorted(terms.items())
        if actor.may("organ.read", organ_county(organ))
    ]


def seats_on(engine: Engine, organ: str, on: dt.date, actor: Actor) -> tuple[str, list[SeatView]]:
    """The organ's title and who held each of its seats on `on`, leaders first."""
    if not is_organ_key(organ):
        raise UserError(f"{ascii(organ)[:60]} is not an organ, such as hovedstyret")
    authorize(actor, "organ.read", organ_county(organ))
    with Session(engine) as session:
        if session.get(Organ, organ) is None:
            raise NotFoundError(f"no organ {organ} in the record store")
        rows = session.execute(_seats().where(col(Seat.organ) == organ, *held_on(on))).all()
    found = [_seat(seat, name, election) for seat, name, election in rows]
    return title(organ, on), sorted(found, key=_seat_order)


def _seats() -> Any:
    """Seats with their holder's name and the election recorded for them, if any."""
    return (
        select(Seat, col(Person.name), col(Election.election_id))
        .join(Person, col(Person.person_id) == col(Seat.person_id))
        .outerjoin(Election, col(Election.election_id) == col(Seat.election_id))
    )


def _seat(seat: Seat, name: str, election: str | None) -> SeatView:
    return SeatView(
        organ=seat.organ, term=seat.term, person_id=seat.person_id, name=name, role=seat.role,
        rank=seat.rank, group=seat.group, from_date=seat.from_date, to_date=seat.to_date,
        ended_on=seat.ended_on, obtained_by=seat.obtained_by,
        election_id=seat.election_id or "",
        protocol=f"{ids.PROTOCOL_PATH}{election}" if election else "",
    )  # fmt: skip


def _seat_order(seat: SeatView) -> tuple[str, int, str, int, str]:
    return (seat.organ, ROLE_ORDER.get(seat.role, 9), seat.group, seat.rank or 0, seat.name)


# ----------------------------------------------------------------------------- meetings


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of the month in Oslo and of the next, in UTC."""
    first = dt.datetime(year, month, 1, tzinfo=OSLO)
    after = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=OSLO)
    return first.astimezone(dt.UTC), after.astimezone(dt.UTC)


def meetings(
    engine: Engine, organ: str | None, year: int, month: int, actor: Actor
) -> list[MeetingView]:
    """The meetings of the month (in Oslo), earliest first, of `organ` or of every organ the
    actor may read: a county user its county's, a member those of organs they sat in then."""
    if organ is not None and not is_organ_key(organ):
        raise UserError(f"{ascii(organ)[:60]} is not an organ, such as hovedstyret")
    authorize(actor, "meeting.read", organ_county(organ) if organ else actor.county)
    first, after = month_bounds(year, month)
    query = select(Meeting).where(col(Meeting.starts_at) >= first, col(Meeting.starts_at) < after)
    if organ is not None:
        query = query.where(col(Meeting.organ) == organ)
    with Session(engine) as session:
        rows = list(session.exec(query.order_by(col(Meeting.starts_at), col(Meeting.meeting_id))))
        seats = _own_seats(session, actor)
        if organ is not None and seats is not None and not any(s.organ == organ for s in seats):
            raise ForbiddenError("a member reads the meetings of the organs they sit in only")
        readable = [m for m in rows if _may_read(actor, seats, m)]
        return _views(session, readable)


def _own_seats(session: Session, actor: Actor) -> list[Seat] | None:
    """Every seat a member has held (None: the actor is not a member)."""
    if actor.role != "member":
        return None
    if actor.person_id is None:
        raise ForbiddenError("the account is not bound to a person")
    return list(session.exec(select(Seat).where(Seat.person_id == actor.person_id)))


def _held(seat: Seat, day: dt.date) -> bool:
    """A seat is held from its first day until the day it ended (exclusive) or its last day."""
    return (
        seat.from_date <= day
        and (seat.to_date is None or seat.to_date >= day)
        and (seat.ended_on is None or seat.ended_on > day)
    )


def _may_read(actor: Actor, seats: list[Seat] | None, meeting: Meeting) -> bool:
    if not actor.may("meeting.read", organ_county(meeting.organ)):
        return False
    if seats is None:
        return True
    day = utc(meeting.starts_at).astimezone(OSLO).date()
    return any(s.organ == meeting.organ and _held(s, day) for s in seats)


def _views(session: Session, rows: list[Meeting]) -> list[MeetingView]:
    """The meetings as the pages show them, with where their minutes are published."""
    keys = [m.meeting_id for m in rows]
    published = set(
        session.exec(
            select(Minutes.meeting_id).where(
                col(Minutes.meeting_id).in_(keys), col(Minutes.published_at).is_not(None)
            )
        )
    )
    return [_view(m, m.meeting_id in published) for m in rows]


def _view(meeting: Meeting, published: bool) -> MeetingView:
    starts = utc(meeting.starts_at).astimezone(OSLO)
    parsed = ids.parse_meeting_id(meeting.meeting_id)
    return MeetingView(
        meeting_id=meeting.meeting_id, organ=meeting.organ,
        title=title(meeting.organ, starts.date()), term=meeting.term,
        number=parsed[2] if parsed else 0, starts_at=starts, status=meeting.status,
        urgent=meeting.urgent, changes=meeting.sequence,
        minutes=f"{ids.MINUTES_PATH}{meeting.meeting_id}" if published else "",
    )  # fmt: skip


def meeting(engine: Engine, meeting_id: str, actor: Actor) -> MeetingDetail:
    """One meeting: its notices, agenda with decisions, absences with the deputies called,
    who attended, and its minutes (approved, published)."""
    parsed = ids.parse_meeting_id(meeting_id) if is_meeting_id(meeting_id) else None
    if parsed is None:
        raise UserError(f"{ascii(meeting_id)[:60]} is not a meeting id")
    authorize(actor, "meeting.read", organ_county(parsed[0]))
    with Session(engine) as session:
        row = session.get(Meeting, meeting_id)
        if row is None:
            raise NotFoundError(f"no meeting {meeting_id} in the record store")
        if not _may_read(actor, _own_seats(session, actor), row):
            raise ForbiddenError("a member reads the meetings of the organs they sit in only")
        minutes = session.get(Minutes, meeting_id)
        absences, present = _attendance(session, meeting_id)
        return MeetingDetail(
            meeting=_view(row, bool(minutes and minutes.published_at)),
            notices=_notice_counts(session, meeting_id), agenda=_agenda(session, meeting_id),
            absences=absences, present=present, minutes_recorded=minutes is not None,
            approved_at=_oslo(minutes.approved_at if minutes else None),
            published_at=_oslo(minutes.published_at if minutes else None),
        )  # fmt: skip


def _agenda(session: Session, meeting_id: str) -> tuple[tuple[int, str, str], ...]:
    items = session.exec(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting_id)
        .order_by(col(AgendaItem.number))
    )
    decided = {
        d.item_number: d.text
        for d in session.exec(select(Decision).where(Decision.meeting_id == meeting_id))
    }
    return tuple((i.number, i.title, decided.get(i.number, "")) for i in items)


def _attendance(
    session: Session, meeting_id: str
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The absent members with the deputy called for each (from the absences the meeting
    logged and the attendance recorded), and who attended, with whom they stood in for."""
    rows = list(session.exec(select(Attendance).where(Attendance.meeting_id == meeting_id)))
    deputy_of: dict[str, str] = {a.person_id: "" for a in rows if not a.present}
    deputy_of |= {a.as_deputy_for: a.person_id for a in rows if a.present and a.as_deputy_for}
    events = session.exec(
        select(AuditEntry.content)
        .where(AuditEntry.subject == meeting_id, col(AuditEntry.action).in_(ABSENCE_EVENTS))
        .order_by(col(AuditEntry.seq))
    )
    for content in events:
        told = json.loads(content)
        member = str(told.get("member", ""))
        deputy_of[member] = deputy_of.get(member) or str(told.get("deputy", ""))
    people = set(deputy_of) | set(deputy_of.values()) | {a.person_id for a in rows}
    names = _names(session, people)
    absences = sorted((names.get(m, m), names.get(d, d)) for m, d in deputy_of.items() if m)
    present = sorted(
        (names.get(a.person_id, a.person_id), names.get(a.as_deputy_for or "", ""))
        for a in rows
        if a.present
    )
    return tuple(absences), tuple(present)


def _names(session: Session, people: set[str]) -> dict[str, str]:
    wanted = sorted(p for p in people if p)
    found = session.exec(select(Person).where(col(Person.person_id).in_(wanted)))
    return {p.person_id: p.name for p in found}


def _notice_counts(session: Session, meeting_id: str) -> tuple[NoticeCount, ...]:
    dialect = session.get_bind().dialect.name
    about = or_(
        col(Notification.subject_key) == meeting_id,
        starts_with(Notification.subject_key, f"{meeting_id}/", dialect),
    )
    query = (
        sa_select(
            col(Notification.purpose),
            func.count(),
            func.sum(case((col(Notification.status) == "sent", 1), else_=0)),
            func.sum(case((col(Notification.status) == "failed", 1), else_=0)),
            func.min(col(Notification.sent_at)),
        )
        .where(about)
        .group_by(col(Notification.purpose))
        .order_by(func.min(col(Notification.queued_at)))
    )
    return tuple(
        NoticeCount(purpose, int(n), int(sent or 0), int(failed or 0), _oslo(first))
        for purpose, n, sent, failed, first in session.execute(query)
    )


# ----------------------------------------------------------------------------- a member's own


def mine(engine: Engine, actor: Actor, on: dt.date | None = None) -> Mine:
    """The member's seats on `on` (today), their meetings (of organs they held a seat in on
    the meeting's day), latest first, and the notices sent to them, latest first."""
    authorize(actor, "own.read")
    person_id = actor.person_id
    if person_id is None:
        raise ForbiddenError("the account is not bound to a person")
    day = on or today()
    with Session(engine) as session:
        person = session.get(Person, person_id)
        seats = list(session.exec(select(Seat).where(Seat.person_id == person_id)))
        held = session.execute(_seats().where(col(Seat.person_id) == person_id, *held_on(day)))
        now = sorted((_seat(s, n, e) for s, n, e in held), key=_seat_order)
        organs = sorted({s.organ for s in seats})
        query = select(Meeting).where(col(Meeting.organ).in_(organs))
        rows = session.exec(query.order_by(col(Meeting.starts_at).desc()))
        own = [m for m in rows if _may_read(actor, seats, m)]
        return Mine(
            person_id, person.name if person else "", tuple(now),
            tuple(_views(session, own)), _notices(session, person_id),
        )  # fmt: skip


def _notices(session: Session, person_id: str) -> tuple[NoticeView, ...]:
    latest = func.coalesce(col(Notification.sent_at), col(Notification.queued_at))
    query = (
        select(Notification)
        .where(Notification.recipient_id == person_id)
        .order_by(latest.desc(), col(Notification.id).desc())
        .limit(NOTICES_MAX)
    )
    return tuple(_notice(n) for n in session.exec(query))


def _notice(n: Notification) -> NoticeView:
    queued = utc(n.queued_at).astimezone(OSLO)
    return NoticeView(n.purpose, n.subject_key, queued, _oslo(n.sent_at), n.status, n.late)
