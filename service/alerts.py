"""What needs the secretariat's eye in a term, and the Landsting as recorded, read from the
record store alone, so that both answer while Temporal does not (issue 23).

`alerts`: notices that failed, notices still queued past their deadline, notices sent late,
and county meetings past their deadline (the `deadline_passed` notices in the outbox, and,
when Temporal answers, the county meetings' own status); each in bokmål with what, whom (a
name, never an address), when, and the audit page with its evidence. `owed` names what a
county meeting (or the Landsting, or the term) still awaits in bokmål. `landsting`: the
credentials per county and the Landsting's elections as counted, each with its protocol.
The secretariat and the auditor read them ("term.read").
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from client.errors import UserError
from domain.terms import TermError, parse_term
from models import ids
from models.election_payloads import ProcessStatus
from models.records import AuditEntry, Election, Member, Notification, Person, Seat
from service.accounts import OPERATOR, Actor, authorize
from service.audit.queries import term_notice_filters
from service.documents import METHODS, organ_title
from service.governance import load_registry
from service.sheets import post_label
from store.audit import utc
from store.reads import DELEGATE_ORGAN, delegate_county

PURPOSES = {
    "representatives_requested": "Forespørselen om representanter",
    "county_meeting_notice": "Innkallingen til fylkesmøtet", "meeting_notice": "Møteinnkallingen",
    "reminder": "Påminnelsen", "meeting_changed": "Meldingen om endret møte",
    "meeting_cancelled": "Meldingen om avlyst møte", "deputy_called_in": "Innkallingen av vara",
    "result_announced": "Meldingen om valgresultatet",
    "minutes_published": "Meldingen om publisert protokoll",
    "deadline_passed": "Varselet om passert frist", "delivery_alert": "Varselet om levering",
}  # fmt: skip
# What the workflows await (their `awaiting` lines), as the pages name it: a pattern each.
OWED = (
    (r"representatives of (.+)", "representanter fra {0}"),
    (r"the meeting date", "møtedatoen"),
    (r"nominations for (.+)", "innstilling til {post0}"),
    (r"votes for (.+) \(round (\d+)\)", "stemmer i valget av {post0}, {1}. runde"),
    (r"the county-board member appointed by (.+)", "fylkesstyremedlemmet {0} oppnevner"),
    (r"the congress date", "datoen for landstinget"),
    (r"the credentials check", "fullmaktskontrollen"),
    (r"the member appointed by (.+)", "medlemmet {0} oppnevner"),
    (r"the delegates appointed by (.+)", "delegatene {0} oppnevner"),
    (r"the leader of the municipal directors' committee \(observer\)",
     "lederen av kommunedirektørutvalget (observatør)"),
    (r"county meeting (\d\d)", "fylkesmøtet i {county0}"),
    (r"the Landsting", "landstinget"),
    (r"supplementary election for ([^/]+)/.+", "suppleringsvalg til {0}"),
    (r"the next term's hand-over", "overleveringen til neste periode"),
)  # fmt: skip


@dataclass(frozen=True)
class Alert:
    """One thing gone wrong or late: what, whom (a name), when (UTC ISO) and the audit page
    with its evidence."""

    kind: str  # failed, overdue, late or deadline
    what: str
    whom: str
    when: str
    evidence: str


def term_of(year: int) -> str:
    """The term elected in `year` (2027: 2028-2032), or a UserError for a year without local
    elections."""
    try:
        return parse_term(str(year))
    except TermError as exc:
        raise UserError(str(exc)) from None


@functools.cache
def county_names() -> dict[str, str]:
    return {c.number: c.name for c in load_registry().counties}


def _county(number: str) -> str:
    return county_names().get(number, number)


def owed(awaiting: Sequence[str]) -> list[str]:
    """What a workflow still awaits, in bokmål; the members whose representatives are missing
    in one line. Example: ["representatives of Bergen", "the meeting date"] is
    ["representanter fra Bergen", "møtedatoen"]."""
    lines: list[str] = []
    members: list[str] = []
    for item in awaiting:
        for pattern, words in OWED:
            if match := re.fullmatch(pattern, item):
                groups = match.groups()
                named = {"post0": post_label(groups[0]) if groups else "",
                         "county0": _county(groups[0]) if groups else ""}  # fmt: skip
                if words.startswith("representanter"):
                    members.append(groups[0])
                else:
                    lines.append(words.format(*groups, **named))
                break
        else:
            lines.append(item)
    if members:
        shown = ", ".join(members[:-1]) + (" og " if len(members) > 1 else "") + members[-1]
        lines.insert(0, f"representanter fra {shown}")
    return lines


def alerts(
    engine: Engine, year: int, actor: Actor = OPERATOR,
    counties: Mapping[str, ProcessStatus | None] | None = None, now: dt.datetime | None = None,
) -> list[Alert]:  # fmt: skip
    """The term's alerts, newest first: its notices from the record store, and its county
    meetings past their deadline (from `counties`, the workflows' status, when Temporal
    answered)."""
    authorize(actor, "term.read")
    term = term_of(year)
    at = now or dt.datetime.now(dt.UTC)
    found = _notice_alerts(engine, year, term, at)
    for county, status in sorted((counties or {}).items()):
        if status is None or status.deadline is None or status.stage == "done":
            continue
        if utc(status.deadline) < at:
            what = (f"Fylkesmøtet i {_county(county)} har passert fristen og venter fortsatt på "
                    f"{', '.join(owed(status.awaiting)) or 'ingenting'}.")  # fmt: skip
            found = [a for a in found if a.what != _deadline_line(county)]
            found.append(Alert("deadline", what, f"KS {_county(county)}",
                               _iso(status.deadline), _timeline(term)))  # fmt: skip
    return sorted(found, key=lambda a: (a.when, a.kind, a.what), reverse=True)


def _notice_alerts(engine: Engine, year: int, term: str, at: dt.datetime) -> list[Alert]:
    with Session(engine) as session:
        dialect = session.get_bind().dialect.name
        query = (
            sa_select(Notification, col(Person.person_id), col(Person.name), col(Member.name))
            .outerjoin(Person, col(Person.person_id) == col(Notification.recipient_id))
            .outerjoin(Member, col(Member.number) == col(Notification.recipient_id))
            .where(or_(*term_notice_filters(year, dialect)))
            .where(or_(col(Notification.status) != "sent", col(Notification.late)))
        )
        rows = session.execute(query).all()
    found: dict[tuple[str, str], Alert] = {}
    for n, person_id, person, member in rows:
        alert = _notice_alert(n, term, person_id, person or member, at)
        if alert is not None:
            # A deadline passed is one alert per county meeting, whoever was told of it.
            found.setdefault((alert.what, alert.whom if alert.kind != "deadline" else ""), alert)
    return list(found.values())


def _notice_alert(
    n: Notification, term: str, person_id: str | None, name: str | None, at: dt.datetime
) -> Alert | None:
    whom = name or _recipient(n.recipient_id)
    evidence = (f"/revisjon/person?{urlencode({'name': person_id})}" if person_id
                else f"/revisjon/varsler?{urlencode({'term': term})}")  # fmt: skip
    purpose = PURPOSES.get(n.purpose, n.purpose)
    if n.purpose == "deadline_passed" and n.status == "sent":
        county = n.subject_key.rpartition("/county-")[2][:2]
        return Alert("deadline", _deadline_line(county), f"KS {_county(county)}",
                     _iso(n.sent_at or n.queued_at), _timeline(term))  # fmt: skip
    if n.status == "failed":
        what = f"{purpose} kunne ikke leveres ({n.attempts} forsøk)."
        return Alert("failed", what, whom, _iso(n.queued_at), evidence)
    if n.status == "sent" and n.late:
        due = f", fristen var {_readable(n.deadline)}" if n.deadline else ""
        return Alert("late", f"{purpose} ble sendt for sent{due}.", whom, _iso(n.sent_at),
                     evidence)  # fmt: skip
    if n.status == "queued" and n.deadline is not None and utc(n.deadline) < at:
        what = f"{purpose} er ikke sendt ennå, og fristen er passert."
        return Alert("overdue", what, whom, _iso(n.deadline), evidence)
    return None


def _readable(moment: dt.datetime) -> str:
    return utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _deadline_line(county: str) -> str:
    return f"Fristen for fylkesmøtet i {_county(county)} er passert."


def _recipient(recipient_id: str) -> str:
    if recipient_id == "secretariat":
        return "sekretariatet"
    if match := re.fullmatch(r"county-(\d\d)-secretary", recipient_id):
        return f"fylkessekretæren i {_county(match[1])}"
    return recipient_id


def _timeline(term: str) -> str:
    return f"/revisjon/tidslinje?{urlencode({'term': term})}"


def _iso(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return utc(moment).isoformat(timespec="minutes").replace("+00:00", "Z")


# ----------------------------------------------------------------------------- the Landsting


@dataclass(frozen=True)
class Credentials:
    """A county's delegates to the Landsting, and how many of them are accredited."""

    county: str
    name: str
    delegates: int
    accredited: int


@dataclass(frozen=True)
class Counted:
    """One of the Landsting's elections (or rounds) as counted, and its published protocol."""

    election_id: str
    organ: str
    post: str
    method: str
    round: int
    decided_at: str
    elected: tuple[str, ...]
    votes: tuple[tuple[str, int], ...]
    protocol: str


def landsting(engine: Engine, year: int, actor: Actor = OPERATOR) -> dict[str, Any]:
    """The Landsting of the term elected in `year`, as the record store holds it: the
    credentials per county (empty before the check) and every election counted, in order."""
    authorize(actor, "term.read")
    term = term_of(year)
    prefix = f"{ids.term_id(year)}/landsting"  # the Landsting workflow's keys
    with Session(engine) as session:
        approved = _approved(session, prefix)
        seats = session.exec(
            select(Seat.person_id, Seat.group).where(
                Seat.organ == DELEGATE_ORGAN, Seat.term == term, Seat.role != "deputy",
                col(Seat.ended_on).is_(None),
            )
        ).all()  # fmt: skip
        elections = session.exec(
            select(Election)
            .where(Election.term == term, col(Election.election_id).startswith(f"{prefix}/"))
            .order_by(col(Election.decided_at), col(Election.election_id))
        ).all()
        mentioned = {p for e in elections for p in _mentioned(e)}
        names = dict(
            session.exec(
                select(Person.person_id, Person.name).where(col(Person.person_id).in_(mentioned))
            ).all()
        )
    return {"term": term, "credentials": _credentials(seats, approved),
            "accredited_total": len(approved),
            "elections": [_counted(e, names) for e in elections]}  # fmt: skip


def _approved(session: Session, prefix: str) -> set[str]:
    entry = session.exec(
        select(AuditEntry.content).where(
            AuditEntry.action == "credentials_approved", AuditEntry.subject == prefix
        )
    ).first()
    return set(json.loads(entry).get("approved", ())) if entry else set()


def _credentials(seats: Sequence[Any], approved: set[str]) -> list[Credentials]:
    by_county: dict[str, list[str]] = {}
    for person_id, group in seats:
        by_county.setdefault(delegate_county(group), []).append(person_id)
    ordered = sorted(by_county.items(), key=lambda kv: (not kv[0], kv[0]))  # counties first
    return [
        Credentials(county, _county(county) if county else "andre", len(people),
                    sum(p in approved for p in people))
        for county, people in ordered
    ]  # fmt: skip


def _mentioned(e: Election) -> list[str]:
    return [*json.loads(e.outcome).get("elected", ()), *json.loads(e.inputs).get("votes", {})]


def _counted(e: Election, names: Mapping[str, str]) -> Counted:
    votes: dict[str, int] = json.loads(e.inputs).get("votes", {})
    elected = tuple(names.get(p, p) for p in json.loads(e.outcome).get("elected", ()))
    ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
    return Counted(
        election_id=e.election_id, organ=organ_title(e.organ, utc(e.decided_at).date()),
        post=post_label(e.post), method=METHODS.get(e.method, e.method), round=e.round,
        decided_at=_iso(e.decided_at), elected=elected,
        votes=tuple((names.get(k, k), n) for k, n in ranked),
        protocol=f"{ids.PROTOCOL_PATH}{e.election_id}",
    )  # fmt: skip
