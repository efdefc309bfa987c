"""The inputs of the election-cycle workflows, computed from the registry and the bylaws.

Workflows must not read files, so the client computes here what each county meeting elects
(representatives per member, county-board posts, Landsting delegates by the delegate key) and
what the Landsting elects. Pure apart from the clock-free date arithmetic; no Temporal calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from client.errors import UserError
from domain.bylaws import Bylaws, ElectionMethod, Organ, Post
from domain.registry import Registry
from domain.representation import county_meeting_representatives, landsting_delegates
from domain.terms import term_of_election
from models import ids
from models.election_payloads import (
    CountyMeetingInput,
    LandstingSetup,
    MemberSeats,
    OrganMeetings,
    PostSpec,
    TermInput,
)
from models.payloads import PUBLIC_URL, SeatRole

OSLO = ZoneInfo("Europe/Oslo")


def end_of_day(year: int, month_day: tuple[int, int]) -> dt.datetime:
    """23:59 Oslo time on a bylaw day of `year`, as an aware datetime."""
    month, day = month_day
    return dt.datetime(year, month, day, 23, 59, tzinfo=OSLO)


def member_email(number: str, contacts: Mapping[str, str]) -> str:
    """The address the secretariat gave (its registry, service/registry.py), empty when it gave
    none (no notice can go there); without contacts for `number`, a made-up postmottak address
    (never sent: the shipped registry and the simulations have no addresses)."""
    kind = "fylkeskommune" if len(number.split("-")[0]) == 2 else "kommune"
    return contacts.get(number, f"postmottak@{number}.{kind}.invalid")


def secretary_email(county: str, contacts: Mapping[str, str]) -> str:
    """The KS county secretary's address as `member_email` finds a council's."""
    return contacts.get(f"secretary-{county}", f"fylkessekretaer@{county}.ks.invalid")


# The posts in Norwegian, as a letter names them.
POST_TITLES = {
    "leader": "leder",
    "deputy_leader": "nestleder",
    "first_deputy_leader": "1. nestleder",
    "second_deputy_leader": "2. nestleder",
    "members": "medlemmer",
    "delegates": "delegater til Landstinget",
}


def post_spec(organ_key: str, spec: Post, bylaws: Bylaws, **extra: object) -> PostSpec:
    """A bylaw post as the workflows take it, with the bylaw list-election parameters."""
    role: SeatRole = "member"
    rank = None
    if spec.name == "leader":
        role = "leader"
    elif "deputy_leader" in spec.name:
        role = "deputy_leader"
        rank = 2 if spec.name.startswith("second") else 1
    rules = bylaws.elections
    fields: dict[str, object] = {
        "post": spec.name,
        "organ": organ_key,
        "method": spec.method.value,
        "seats": spec.count,
        "role": role,
        "rank": rank,
        "list_method": rules.list_method.value,
        "first_divisor": str(rules.first_divisor),
        "deputies_extra": rules.deputies_extra,
        "title": POST_TITLES.get(spec.name, spec.name),
        "whole_body": _whole_body(bylaws, organ_key) and spec.method == ElectionMethod.AGREED,
        "organ_title": _organ_title(bylaws, organ_key),
    }
    fields.update(extra)
    return PostSpec.model_validate(fields)


def _whole_body(bylaws: Bylaws, organ_key: str) -> bool:
    organ = bylaws.organs.get(organ_key.split(":")[0])
    return organ is not None and organ.whole_body_balance


def _organ_title(bylaws: Bylaws, organ_key: str) -> str:
    """The organ's Norwegian title from the bylaws (a county organ's with its county number)."""
    kind = organ_key.split(":")[0]
    organ = bylaws.organs.get(kind)
    return organ.title if organ is not None else organ_key


def _members(
    registry: Registry, bylaws: Bylaws, county: str, contacts: Mapping[str, str]
) -> tuple[MemberSeats, ...]:
    """The members of a county meeting: its municipalities, the members the bylaws add (by the
    county's own number, a scaled copy's suffix kept), and the county authority, unless the
    county is one municipality (Oslo is both: one member, one letter)."""
    reps = county_meeting_representatives(registry, county, bylaws.county_meeting)
    municipalities = registry.municipalities_in(county)
    names = {m.number: m.authority_name for m in municipalities}
    members = [
        MemberSeats(
            member_number=n,
            name=names[n],
            kind="municipality",
            email=member_email(n, contacts),
            representatives=r,
        )
        for n, r in reps.items()
    ]
    base, dash, copy = county.partition("-")
    for extra in bylaws.county_meeting.extra_members:
        if extra.county == base:
            number = f"{extra.number}{dash}{copy}"
            members.append(
                MemberSeats(
                    member_number=number,
                    name=extra.name,
                    kind="municipality",
                    email=member_email(number, contacts),
                    representatives=extra.representatives,
                )
            )
    own = bylaws.county_meeting.county_authority_delegates
    if own and len(municipalities) > 1:
        members.append(
            MemberSeats(
                member_number=county,
                name=registry.county(county).authority_name,
                kind="county",
                email=member_email(county, contacts),
                representatives=own,
            )
        )
    return tuple(members)


def _delegate_post(bylaws: Bylaws, county: str, seats: int) -> PostSpec:
    landsting = bylaws.organs.get("landsting")
    method = "proportional"
    if landsting is not None:
        method = next((p.method.value for p in landsting.posts if p.name == "delegates"), method)
    post = Post("delegates", ElectionMethod(method), seats)
    return post_spec("landsting", post, bylaws, group=f"county-{county}/")


def county_input(
    registry: Registry,
    bylaws: Bylaws,
    year: int,
    county: str,
    delegates: int,
    contacts: Mapping[str, str],
    meetings_per_run: int | None = None,
) -> CountyMeetingInput:
    """What the county meeting of `county` elects, and whom it asks for representatives; with
    `meetings_per_run`, the meeting series it starts when done (see `county_organ_meetings`)."""
    board: Organ = bylaws.organ("county_board")
    name = registry.county(county).name
    # The delegates first: the county board is elected from among them and their deputies.
    posts = [_delegate_post(bylaws, county, delegates)]
    posts += [
        post_spec(
            f"county_board:{county}",
            p,
            bylaws,
            group=f"county_board:{county}/",
            organ_title=registry.county(county).organ_title(board.title),
        )
        for p in board.posts
    ]
    series = (
        county_organ_meetings(bylaws, year, county, name, meetings_per_run)
        if meetings_per_run is not None
        else ()
    )
    return CountyMeetingInput(
        term=term_of_election(year),
        year=year,
        county=county,
        county_name=name,
        term_workflow_id=ids.term_id(year),
        members=_members(registry, bylaws, county, contacts),
        posts=tuple(posts),
        deadline=end_of_day(year, bylaws.county_meeting.deadline),
        secretary_email=secretary_email(county, contacts),
        series_until=county_series_end(bylaws, year),
        meetings=series,
        associate_members=board.associate_members,
        quorum=_quorum(bylaws, "county_meeting"),
    )


def _quorum(bylaws: Bylaws, organ_key: str) -> str:
    organ = bylaws.organs.get(organ_key)
    quorum = organ.meetings.quorum if organ is not None else Fraction(1, 2)
    return f"{quorum.numerator}/{quorum.denominator}"


def landsting_setup(bylaws: Bylaws, year: int, county_delegates: int) -> LandstingSetup:
    """What the Landsting elects: Hovedstyret's posts and Landsstyret's elected members; its
    members (the counties' delegates and the associates'), quorum and whole-body organs."""
    posts = [
        post_spec("hovedstyret", p, bylaws, post=_national(p, "hovedstyret"), group="hovedstyret/")
        for p in bylaws.organ("hovedstyret").posts
    ]
    posts += [
        post_spec("landsstyret", p, bylaws, post=_national(p, "landsstyret"), group="landsstyret/")
        for p in bylaws.organ("landsstyret").posts
    ]
    rules = bylaws.landsting
    return LandstingSetup(
        posts=tuple(posts),
        notice_deadline=_notice_deadline(bylaws, year),
        appointed_by=bylaws.associate_name,
        associate_delegates=rules.associate_delegates,
        members=county_delegates + rules.associate_delegates,
        quorum=_quorum(bylaws, "landsting"),
        balanced_bodies=tuple(k for k, o in bylaws.organs.items() if o.whole_body_balance),
        observer_organ=rules.observer_organ,
    )


def _notice_deadline(bylaws: Bylaws, year: int) -> dt.datetime:
    """The first bylaw notice day after the county meetings' deadline (mid-December for KS)."""
    notice = end_of_day(year, bylaws.landsting.notice_deadline)
    if notice <= end_of_day(year, bylaws.county_meeting.deadline):
        notice = end_of_day(year + 1, bylaws.landsting.notice_deadline)
    return notice


def _national(post: Post, organ: str) -> str:
    return f"{organ}_{post.name}" if post.name == "members" else post.name


MEETING_ORGANS = ("hovedstyret", "landsstyret")
COUNTY_MEETING_ORGANS = ("county_board", "county_meeting")


def _organ_meetings(
    bylaws: Bylaws, key: str, organ_key: str, meetings_per_run: int, **extra: object
) -> OrganMeetings | None:
    """The bylaw meeting rules of organ `key` for the series of `organ_key` (None: no meetings)."""
    organ = bylaws.organs.get(key)
    if organ is None or organ.meetings.meetings_per_year < 1:
        return None
    plan = organ.meetings
    fields: dict[str, object] = {
        "organ": organ_key,
        "organ_title": organ.title,
        "meetings_per_year": plan.meetings_per_year,
        "notice_days": plan.notice_days,
        "reminder_days": plan.reminder_days,
        "quorum": f"{plan.quorum.numerator}/{plan.quorum.denominator}",
        "members": organ.members,
        "meetings_per_run": meetings_per_run,
    }
    fields.update(extra)
    return OrganMeetings.model_validate(fields)


def organ_meetings(bylaws: Bylaws, meetings_per_run: int = 1) -> tuple[OrganMeetings, ...]:
    """The national organs' meeting rules, for the series the term starts once they are composed."""
    plans = (_organ_meetings(bylaws, key, key, meetings_per_run) for key in MEETING_ORGANS)
    return tuple(p for p in plans if p is not None)


def county_series_end(bylaws: Bylaws, year: int) -> dt.date:
    """The last day of the county organs' series: the month before the next county meetings
    (their bylaw deadline month, four years on), which compose the next ones."""
    month, _ = bylaws.county_meeting.deadline
    return dt.date(year + 4, month, 1) - dt.timedelta(days=1)


def county_organ_meetings(
    bylaws: Bylaws,
    year: int,
    county: str,
    county_name: str,
    meetings_per_run: int = 1,
) -> tuple[OrganMeetings, ...]:
    """A county's board and yearly county meetings: the series its county meeting starts when done.

    Both serve until the next term's county meetings compose the next ones (in the bylaws'
    deadline month of the next election year), so their series end the month before. The
    yearly county meetings' roster is the county meeting's representatives, so their size comes
    from the registry, not the bylaws (`members` None).
    Example: ks-2024, 2027, county 46: county_board:46 (6 a year) and county_meeting:46 (1 a
    year, February-March), both until 2031-10-31.
    """
    ends_on = county_series_end(bylaws, year)
    plans = (
        _organ_meetings(
            bylaws, key, f"{key}:{county}", meetings_per_run,
            organ_title=f"{bylaws.organ(key).title} i KS {county_name}", ends_on=ends_on,
            location=county_name, sender=f"KS {county_name}",
            **({"members": None} if key == "county_meeting" else {}),
        )
        for key in COUNTY_MEETING_ORGANS
        if key in bylaws.organs
    )  # fmt: skip
    return tuple(p for p in plans if p is not None)


@dataclass(frozen=True)
class TermPlan:
    """A term's input and its county meetings' inputs: the client starts them side by side."""

    input: TermInput
    counties: tuple[CountyMeetingInput, ...]

    @property
    def year(self) -> int:
        return self.input.year

    @property
    def term(self) -> str:
        return self.input.term

    @property
    def meetings(self) -> tuple[OrganMeetings, ...]:
        return self.input.meetings

    def with_input(self, **changes: Any) -> TermPlan:
        """The same plan with some fields of the term's input changed (tests' hooks)."""
        return TermPlan(self.input.model_copy(update=changes), self.counties)


def build_term_input(
    registry: Registry,
    bylaws: Bylaws,
    year: int,
    contacts: Mapping[str, str] | None = None,
    previous_term_workflow_id: str = "",
    meetings: bool = False,
    registry_key: str = "",
    meetings_per_run: int = 1,
    county_meetings: bool = True,
    continue_as_new: bool = True,
    public_url: str = PUBLIC_URL,
) -> TermPlan:
    """The inputs of the term elected in `year` under `bylaws` and of its county meetings.

    With `meetings`, the organs' meeting series start once they are composed: the national
    organs' (started by the term), and unless `county_meetings` is False each county board's
    and yearly county meeting's (started by the county meeting when it finishes).
    `continue_as_new` False keeps the term in one run (the simulation's time-skipping server
    needs it, see harness/simulate.py). `registry_key` names the registry the term starts on
    (`registry:v3`, `shipped`) for the audit entry of its start; `public_url` where the
    series' published minutes are read (the setting KSGOV_PUBLIC_URL).
    """
    shares = landsting_delegates(registry, bylaws.delegate_key)
    if shares.tie is not None:
        raise UserError(
            f"the delegate key is tied between counties {', '.join(shares.tie.lists)}: "
            "settle it in the bylaws before starting the term"
        )
    series = meetings_per_run if meetings and county_meetings else None
    counties = tuple(
        _published_at(
            county_input(
                registry, bylaws, year, c.number, shares.seats[c.number], contacts or {}, series
            ),
            public_url,
        )
        for c in registry.counties
    )
    term = TermInput(
        term=term_of_election(year),
        year=year,
        bylaws=bylaws.name,
        county_ids=tuple(c.county for c in counties),
        landsting=landsting_setup(bylaws, year, sum(shares.seats.values())),
        first_deputy_moves_up=bylaws.elections.first_deputy_moves_up,
        previous_term_workflow_id=previous_term_workflow_id,
        meetings=organ_meetings(bylaws, meetings_per_run) if meetings else (),
        continue_as_new=continue_as_new,
        registry=registry_key,
    )
    return TermPlan(_published_at(term, public_url), counties)


_Plan = TypeVar("_Plan", TermInput, CountyMeetingInput)


def _published_at(plan: _Plan, public_url: str) -> _Plan:
    """`plan` with its meeting series publishing their minutes under `public_url`."""
    if public_url == PUBLIC_URL or not plan.meetings:
        return plan
    series = tuple(m.model_copy(update={"public_url": public_url}) for m in plan.meetings)
    return plan.model_copy(update={"meetings": series})
