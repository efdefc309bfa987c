"""The summary of a simulated term and the invariants checked at its end.

Everything is read back from where it landed (the record store, the SMTP server's arrivals,
the Temporal histories), not from what the driver meant to do, so a check can fail.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from domain.bylaws import Bylaws
from domain.gender import Gender, minimum_per_gender
from harness.smtp import Counts
from models.records import Election, Meeting, Notification, Person, Seat
from store.audit import utc, verify_chain
from store.coverage import verify_records
from store.seats import SUCCEEDED
from store.signing import PublicKey


@dataclass
class Invariants:
    """Each invariant's name with the problems found (empty: it holds)."""

    problems: dict[str, list[str]] = field(default_factory=dict)

    def check(self, name: str, found: list[str]) -> None:
        self.problems[name] = found

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())

    def as_dict(self) -> dict[str, Any]:
        return {name: ("ok" if not found else found[:10]) for name, found in self.problems.items()}


def organ_name(organ: str) -> str:
    """`county_board:03` and the like are grouped as `county_board`."""
    return organ.split(":", 1)[0]


def organs(engine: Engine, term: str) -> dict[str, dict[str, Any]]:
    """Per organ, as it stood when its term ended (or now, if it has not): size (seats that are
    neither deputies nor observers), leader, deputy leaders, members, deputies, observers."""
    with Session(engine) as session:
        rows = session.exec(
            select(Seat.organ, Seat.role, Person.name)
            .join(Person, col(Person.person_id) == col(Seat.person_id))
            .where(
                Seat.term == term,
                or_(col(Seat.ended_on).is_(None), col(Seat.end_reason) == SUCCEEDED),
            )
        ).all()
    out: dict[str, dict[str, Any]] = {}
    for organ, role, name in rows:
        entry = out.setdefault(
            organ,
            {"size": 0, "leader": None, "deputy_leaders": [], "members": 0, "deputies": 0,
             "observers": 0},
        )  # fmt: skip
        if role == "leader":
            entry["leader"] = name
        elif role == "deputy_leader":
            entry["deputy_leaders"].append(name)
        if role == "deputy":
            entry["deputies"] += 1
        elif role == "observer":
            entry["observers"] += 1
        else:
            entry["size"] += 1
            entry["members"] += role == "member"
    return dict(sorted(out.items()))


def composition_problems(
    found: dict[str, dict[str, Any]], bylaws: Bylaws, counties: int
) -> list[str]:
    """Sizes against the bylaws: county boards (with the associates' member), the Landsting
    (the counties' delegates and the associates'), Hovedstyret and its observer, Landsstyret."""
    county_board = bylaws.organ("county_board")
    board = (county_board.members or 0) + county_board.associate_members
    hs = bylaws.organ("hovedstyret").members or 0
    expected = {
        "landsting": bylaws.delegate_key.total + bylaws.landsting.associate_delegates,
        "hovedstyret": hs,
        "landsstyret": counties + hs + bylaws.landsting.council_members_elected,
    }
    problems = [
        f"{o}: {found.get(o, {}).get('size', 0)} seats, bylaws say {n}"
        for o, n in expected.items()
        if found.get(o, {}).get("size", 0) != n
    ]
    boards = {o: v for o, v in found.items() if organ_name(o) == "county_board"}
    if len(boards) != counties:
        problems.append(f"{len(boards)} county boards for {counties} counties")
    problems += [
        f"{o}: {v['size']} seats, bylaws say {board}"
        for o, v in boards.items()
        if v["size"] != board
    ]
    problems += [
        f"{o}: no leader" for o, v in found.items() if o != "landsting" and not v["leader"]
    ]
    observed = bylaws.landsting.observer_organ
    if observed and found.get(observed, {}).get("observers") != 1:
        problems.append(f"{observed}: {found.get(observed, {}).get('observers', 0)} observers")
    return problems


def gender_problems(engine: Engine, term: str, balanced: tuple[str, ...]) -> list[str]:
    """§ 7-6 re-checked on every date an organ of the term changed: each list's elected group
    (members, then deputies) as far as the list had candidates of each gender, each agreed
    list in full, and the organs judged as one body (`balanced`) as a whole."""
    with Session(engine) as session:
        genders = {
            pid: Gender(g) for pid, g in session.exec(select(Person.person_id, Person.gender))
        }
        seats = session.exec(select(Seat).where(Seat.term == term)).all()
        ids = {s.election_id for s in seats if s.election_id}
        elections = {
            e.election_id: e
            for e in session.exec(select(Election).where(col(Election.election_id).in_(ids)))
        }
    lists = _group_lists(seats, elections)
    problems: list[str] = []
    for organ in sorted({s.organ for s in seats}):
        own = [s for s in seats if s.organ == organ]
        for day in sorted({s.from_date for s in own} | {s.ended_on for s in own if s.ended_on}):
            active = [
                s for s in own if s.from_date <= day and (s.ended_on is None or s.ended_on > day)
            ]
            found = _balance_on(organ, active, lists, genders, organ in balanced)
            problems += [f"{organ} on {day}: {p}" for p in found]
    return problems


def _group_lists(
    seats: Sequence[Seat], elections: dict[str, Election]
) -> dict[str, tuple[str, list[str]]]:
    """Per seat group that an election filled: its method and the list's candidates (a list
    election's own list, or an agreed list's)."""
    out: dict[str, tuple[str, list[str]]] = {}
    for seat in seats:
        election = elections.get(seat.election_id or "")
        if election is None or election.method == "majority" or seat.group in out:
            continue
        inputs = json.loads(election.inputs)
        name = seat.group.rsplit("/", 1)[-1]
        candidates = inputs.get("lists", {}).get(name) or inputs.get("list") or []
        out[seat.group] = (election.method, list(candidates))
    return out


def _balance_on(
    organ: str,
    active: Sequence[Seat],
    lists: dict[str, tuple[str, list[str]]],
    genders: dict[str, Gender],
    whole_body: bool,
) -> list[str]:
    problems = []
    for group, (method, candidates) in lists.items():
        members = [s.person_id for s in active if s.group == group and s.role != "deputy"]
        deputies = [s.person_id for s in active if s.group == group and s.role == "deputy"]
        agreed = method == "agreed"
        if members and not (agreed and whole_body):  # then judged with the whole body below
            problems += _short(group, members, candidates, genders, agreed, False)
        if deputies:  # balanced among the candidates the members left
            rest = [c for c in candidates if c not in members]
            problems += _short(group, deputies, rest, genders, agreed, True)
    if whole_body:
        body = [s.person_id for s in active if s.role not in ("deputy", "observer")]
        problems += _short(organ, body, body, genders, True, False)
    return problems


def _short(
    what: str,
    held: list[str],
    pool: list[str],
    genders: dict[str, Gender],
    strict: bool,
    deputies: bool,
) -> list[str]:
    """Who falls short of § 7-6 in `held`: strictly, or as far as `pool` had the gender."""
    need = minimum_per_gender(len(held))
    out = []
    for gender in Gender:
        have = sum(1 for p in held if genders[p] == gender)
        could = need if strict else min(need, sum(1 for p in pool if genders[p] == gender))
        if have < could:
            kind = "deputies" if deputies else "members"
            out.append(f"{what}: {have} {gender.value} {kind} of {len(held)}, {could} needed")
    return out


def notice_problems(engine: Engine) -> list[str]:
    """Every notice with a deadline was sent, and sent before it."""
    with Session(engine) as session:
        rows = session.exec(
            select(Notification).where(col(Notification.deadline).is_not(None))
        ).all()
    return [
        f"{n.purpose} to {n.recipient_id} for {n.subject_key}: {n.status}"
        f"{' late' if n.late else ''}"
        for n in rows
        if n.status != "sent" or n.late
    ]


def once_problems(engine: Engine, smtp: Counts) -> list[str]:
    """Each (recipient, purpose, subject) got exactly one message: one arrival per sent row."""
    with Session(engine) as session:
        sent = session.exec(
            select(func.count()).select_from(Notification).where(Notification.status == "sent")
        ).one()
    problems = [f"{mid} arrived more than once" for mid in smtp.duplicates()]
    if sent != smtp.count:
        problems.append(f"{smtp.count} messages arrived for {sent} sent in the outbox")
    return problems


def notifications(engine: Engine) -> dict[str, Any]:
    with Session(engine) as session:
        rows = session.exec(
            select(Notification.purpose, func.count()).group_by(Notification.purpose)
        ).all()
    per = dict(sorted(rows))
    return {"total": sum(per.values()), "per_purpose": per}


async def history_counts(client: Client, workflow_ids: set[str]) -> dict[str, Any]:
    """Workflow runs, workflow tasks, activities (in all and by type) and timers, counted in
    the histories of every run: what the server had to do, for load tests."""
    counts: Counter[str] = Counter()
    per_type: Counter[str] = Counter()
    for workflow_id in sorted(workflow_ids):
        run_id: str | None = None
        while True:
            history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
            counts["workflows"] += 1
            for event in history.events:
                if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                    counts["activities"] += 1
                    per_type[event.activity_task_scheduled_event_attributes.activity_type.name] += 1
                elif event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
                    counts["timers"] += 1
                elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
                    counts["workflow_tasks"] += 1
            first = history.events[0].workflow_execution_started_event_attributes
            run_id = first.continued_execution_run_id or None
            if run_id is None:
                break
    return {
        "workflows": counts["workflows"],
        "workflow_tasks": counts["workflow_tasks"],
        "activities": counts["activities"],
        "activities_per_type": dict(per_type.most_common()),
        "timers": counts["timers"],
    }


def elections_count(engine: Engine, term: str) -> int:
    with Session(engine) as session:
        return int(
            session.exec(
                select(func.count()).select_from(Election).where(Election.term == term)
            ).one()
        )


def audit_ok(engine: Engine, key: PublicKey) -> bool:
    """The chain verifies, every entry and the head signed by the record key, and every row of
    the record tables is as the log recorded it."""
    return verify_chain(engine, public_key=key).ok and verify_records(engine).ok


def reminder_problems(engine: Engine) -> list[str]:
    """Every reminder went out at its offset before the meeting date it was sent for.

    A reminder's subject is `<meeting id>/reminder/<meeting date>/<N>d`; it must have been
    sent N days before that date at the meeting's time of day (within a minute).
    """
    with Session(engine) as session:
        starts = dict(session.exec(select(Meeting.meeting_id, Meeting.starts_at)).all())
        rows = session.exec(
            select(Notification.subject_key, Notification.sent_at)
            .where(Notification.purpose == "reminder")
            .distinct()
        ).all()
    problems = []
    for key, sent_at in rows:
        meeting_id, _, day, offset = key.rsplit("/", 3)
        start = starts.get(meeting_id)
        if start is None or sent_at is None:
            problems.append(f"{key}: {'no such meeting' if start is None else 'not sent'}")
            continue
        due = utc(start).replace(
            year=int(day[:4]), month=int(day[5:7]), day=int(day[8:10])
        ) - timedelta(days=int(offset.rstrip("d")))
        if abs(utc(sent_at) - due) > timedelta(minutes=1):
            problems.append(f"{key}: sent {sent_at.isoformat()}, due {due.isoformat()}")
    return problems


def meetings(engine: Engine, planned: dict[str, int]) -> dict[str, dict[str, int]]:
    """Per organ (county organs summed over the counties: `county_board`, `county_meeting`):
    meetings in the plan, and meetings held (recorded as held)."""
    with Session(engine) as session:
        rows = session.exec(
            select(Meeting.organ, func.count()).where(Meeting.status == "held")
            .group_by(Meeting.organ)
        ).all()  # fmt: skip
    out: dict[str, dict[str, int]] = {}
    for organ, count in planned.items():
        entry = out.setdefault(organ_name(organ), {"planned": 0, "held": 0})
        entry["planned"] += count
    for organ, count in rows:
        entry = out.setdefault(organ_name(organ), {"planned": 0, "held": 0})
        entry["held"] += int(count)
    return dict(sorted(out.items()))


def unheld_problems(found: dict[str, dict[str, int]]) -> list[str]:
    """Every planned meeting was held (attendance and minutes recorded), and no other."""
    return [
        f"{organ}: {m['held']} of {m['planned']} planned meetings held"
        for organ, m in found.items()
        if m["held"] != m["planned"]
    ]
