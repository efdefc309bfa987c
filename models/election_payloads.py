"""Frozen payloads of the election cycle: term, county meetings, Landsting and their updates.

Inputs are computed by the client (service/term_inputs.py) from the registry and the bylaws,
because workflows must not read files. Every update takes one of these models; fields may be
added with defaults later without breaking saved histories.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from domain.apportionment import Method
from domain.bylaws import ElectionMethod
from models.payloads import (
    COUNTY_PATTERN,
    PUBLIC_URL,
    PUBLIC_URL_PATTERN,
    TERM_PATTERN,
    BusinessKey,
    Day,
    Line,
    MemberKind,
    Moment,
    Payload,
    PersonIn,
    SeatIn,
    SeatRole,
)

PostStatusValue = Literal["awaiting_nominations", "open", "decided"]


class PostSpec(Payload):
    """One post an election fills: `seats` seats of `role` in `organ`, by `method`."""

    post: str = Field(pattern=r"^[a-z_]+$", description="leader, deputy_leader, members, ...")
    organ: BusinessKey = Field(description="county_board:03, landsting, hovedstyret, ...")
    method: ElectionMethod
    seats: int = Field(1, ge=1)
    role: SeatRole = "member"
    rank: int | None = Field(None, ge=1, description="deputy leaders: 1st, 2nd")
    list_method: Method = Method.DHONDT
    first_divisor: str = "7/5"
    deputies_extra: int = Field(2, ge=0)
    group: str = Field("", description="prefix of the seat group (e.g. the county)")
    title: Line = Field("", max_length=200, description="the post in Norwegian, for letters")
    whole_body: bool = Field(
        False, description="an agreed list judged with the organ's other seats (§ 7-6 on the body)"
    )
    organ_title: Line = Field("", max_length=200, description="the organ in Norwegian")


class OrganMeetings(Payload):
    """An organ whose meeting series starts once it is composed (rules from the bylaws).

    The term starts the national organs' series after the Landsting; a county meeting starts
    its county board's and its own yearly meetings' series when it finishes.
    """

    organ: BusinessKey = Field(description="hovedstyret, county_board:03, county_meeting:03, ...")
    organ_title: Line = Field(min_length=1, max_length=200)
    meetings_per_year: int = Field(ge=1)
    notice_days: int = Field(ge=0)
    reminder_days: tuple[int, ...] = (7, 1)
    quorum: str = Field("1/2", pattern=r"^[0-9]+/[0-9]+$")
    members: int | None = Field(None, ge=1)
    meetings_per_run: int = Field(
        1, ge=1, description="the series continues as new after starting this many meetings"
    )
    ends_on: Day | None = Field(
        None, description="the series' last day; None: 31 January before the next Landsting"
    )
    location: str = Field("", max_length=300, description="where it meets; empty: KS in Oslo")
    sender: Line = Field(
        "", max_length=100, description="who signs its letters; empty: the secretariat"
    )
    public_url: str = Field(
        PUBLIC_URL, pattern=PUBLIC_URL_PATTERN, max_length=200,
        description="where its published minutes are read (the setting KSGOV_PUBLIC_URL)",
    )  # fmt: skip


class MemberSeats(Payload):
    """A member of a county meeting and how many representatives its council elects."""

    member_number: str
    name: Line
    kind: MemberKind
    email: str
    representatives: int = Field(ge=1)


# Temporal takes at most 2,000 updates in one workflow run. A county meeting continues as new
# after this many accepted inputs, and refuses inputs, saying why, when a run has taken
# UPDATES_REFUSED_AT (inputs accepted while the run closes count against the margin).
UPDATES_PER_RUN = 500
UPDATES_REFUSED_AT = 1500


class CountyMeetingInput(Payload):
    """Input of CountyMeetingWorkflow (workflow id `county-meeting-<year>-<county>`)."""

    term: str = Field(pattern=TERM_PATTERN)
    year: int
    county: str = Field(pattern=COUNTY_PATTERN)
    county_name: Line
    term_workflow_id: str
    members: tuple[MemberSeats, ...] = Field(min_length=1)
    posts: tuple[PostSpec, ...] = Field(min_length=1)
    deadline: Moment
    secretary_email: str
    series_until: Day = Field(
        description="the last day of the county organs' meeting series: the month before the "
        "next county meetings"
    )
    meetings: tuple[OrganMeetings, ...] = Field(
        (), description="the county board's and the county meeting's series, started when done"
    )
    associate_members: int = Field(
        0, ge=0, description="county-board members the associates' board appoints (1 for KS)"
    )
    quorum: str = Field("1/2", pattern=r"^[0-9]+/[0-9]+$")
    updates_per_run: int = Field(
        UPDATES_PER_RUN, ge=1, le=UPDATES_PER_RUN,
        description="accepted inputs after which a run continues as new (lower in tests)",
    )  # fmt: skip
    state: CountyMeetingState | None = Field(None, description="from the run before, if any")


class LandstingSetup(Payload):
    """What the Landsting elects and when its notice is due (from the bylaws)."""

    posts: tuple[PostSpec, ...] = Field(min_length=1)
    notice_deadline: Moment
    ex_officio_organ: str = "landsstyret"
    appointed_by: str = Field("Samfunnsbedriftene", description="the associates' board")
    associate_delegates: int = Field(
        0, ge=0, description="delegates the associates' board appoints (20 for KS)"
    )
    members: int = Field(1, ge=1, description="the Landsting's members: county and associate")
    quorum: str = Field("1/2", pattern=r"^[0-9]+/[0-9]+$")
    balanced_bodies: tuple[str, ...] = Field(
        (), description="organs whose gender balance is judged on the whole body (hovedstyret)"
    )
    observer_organ: str = Field(
        "", description="the organ the municipal directors' committee's leader observes"
    )


class CountyMeetingResult(Payload):
    """The result of a county meeting: its delegates, its county-board leader and its seats."""

    county: str
    leader: PersonIn
    delegates: tuple[PersonIn, ...]
    seats: tuple[SeatIn, ...]


class CountyMeetingFinished(Payload):
    """Signal from a county meeting to its term: the county and its county-board leader.

    Only the leader (who sits in Landsstyret ex officio): the delegates and the county seats are
    read from the record store where needed, so the term's and the Landsting's payloads do not
    grow with the federation.
    """

    county: str
    leader: PersonIn


class LandstingInput(Payload):
    """Input of LandstingWorkflow (workflow id `landsting-<year>`)."""

    term: str = Field(pattern=TERM_PATTERN)
    year: int
    term_workflow_id: str
    setup: LandstingSetup
    counties: tuple[CountyMeetingFinished, ...] = Field(
        description="the finished county meetings; the Landsting reads their delegates from "
        "the record store"
    )


class LandstingResult(Payload):
    """The composed national organs: every seat recorded with its term."""

    congress_date: Day
    seats: tuple[SeatIn, ...]
    people: tuple[PersonIn, ...] = Field((), description="the seated, with their contact")


TermStage = Literal["county_meetings", "landsting", "in_office", "ended"]


class TermState(Payload):
    """The term's state, carried across continue-as-new."""

    stage: TermStage = "county_meetings"
    counties_finished: tuple[CountyMeetingFinished, ...] = ()
    landsting_forced: str = ""
    seats: tuple[SeatIn, ...] = ()
    vacancies: tuple[SeatIn, ...] = ()
    handover_to: str = ""
    previous_told: bool = False
    series_started: bool = False


class TermInput(Payload):
    """Input of TermWorkflow (workflow id `term-<year>`)."""

    term: str = Field(pattern=TERM_PATTERN)
    year: int
    bylaws: str
    county_ids: tuple[str, ...] = Field(
        min_length=1, description="the counties whose meetings the client starts beside the term"
    )
    landsting: LandstingSetup
    first_deputy_moves_up: bool
    previous_term_workflow_id: str = ""
    meetings: tuple[OrganMeetings, ...] = Field((), description="meeting series to start")
    state: TermState = TermState()
    max_history_length: int | None = Field(None, description="test hook: continue-as-new sooner")
    continue_as_new: bool = Field(
        True,
        description="False only on the time-skipping test server, where a child that closes "
        "after its parent continued as new stops the clock for good (docs/temporal.md)",
    )
    registry: str = Field(
        "", max_length=100, description="the registry it starts on: registry:v3, or shipped"
    )


class TermResult(Payload):
    term: str
    handed_over_to: str
    seats: int = Field(description="the national organs' seats (county seats are in the records)")


# ----------------------------------------------------------------------------- updates


class RepresentativesIn(Payload):
    """The representatives one member's council elected to the county meeting, and their
    deputies in ranked order."""

    member_number: str
    people: tuple[PersonIn, ...] = Field(min_length=1)
    deputies: tuple[PersonIn, ...] = ()


# A county meeting has at most a few dozen members; the cap only bounds the update's size.
REPRESENTATIVES_SHEET_MAX = 500


class RepresentativesSheetIn(Payload):
    """Several members' representatives at once (a county's sheet): accepted or refused whole,
    and recorded in one write."""

    entries: tuple[RepresentativesIn, ...] = Field(
        min_length=1, max_length=REPRESENTATIVES_SHEET_MAX
    )


class MeetingDateIn(Payload):
    meeting_date: Day


class ListIn(Payload):
    """A candidate list (or an agreed joint list): ranked person ids."""

    name: Line = Field(min_length=1, max_length=100)
    candidates: tuple[BusinessKey, ...] = Field(min_length=1)


class PostNomination(Payload):
    """The nomination committee's proposal for one post: candidates, or lists."""

    post: str
    candidates: tuple[BusinessKey, ...] = ()
    lists: tuple[ListIn, ...] = ()


class NominationsIn(Payload):
    """Proposals for some posts, and any candidates not yet known to the workflow."""

    posts: tuple[PostNomination, ...] = Field(min_length=1)
    people: tuple[PersonIn, ...] = ()


class VoteIn(Payload):
    """One vote: per candidate (majority), per list (proportional) or votes against (agreed)."""

    post: str
    round: int = Field(1, ge=1, le=2)
    votes: dict[str, int] = Field(default_factory=dict)
    votes_against: int | None = Field(None, ge=0)
    blank: int = Field(0, ge=0, description="blank ballots: present and voting, for no one")


class CongressDateIn(Payload):
    congress_date: Day


class CredentialsIn(Payload):
    """The credentials committee's list of approved delegates (person ids)."""

    approved: tuple[BusinessKey, ...] = Field(min_length=1)


class AppointIn(Payload):
    """The member the associates' board (Samfunnsbedriftene) appoints."""

    person: PersonIn


class AssociateDelegatesIn(Payload):
    """The delegates the associates' board (Samfunnsbedriftene) appoints to the Landsting."""

    people: tuple[PersonIn, ...] = Field(min_length=1, max_length=500)


class AssociateMemberIn(Payload):
    """The member the associates' board appoints to a county board."""

    person: PersonIn


class ObserverIn(Payload):
    """The leader of the municipal directors' committee (kommunedirektørutvalget), who attends
    Hovedstyret's meetings with the right to speak and propose."""

    person: PersonIn


class ForceLandstingIn(Payload):
    reason: Line = Field(min_length=1, max_length=200)


class VacateIn(Payload):
    """Someone leaves a seat before the term ends."""

    organ: BusinessKey
    person_id: BusinessKey
    reason: Line = Field(min_length=1, max_length=200)
    on: Day


class SupplementaryIn(Payload):
    """Landsstyret's supplementary election for a vacancy without a deputy to move up."""

    organ: BusinessKey
    vacated_person_id: BusinessKey
    person: PersonIn
    decided_on: Day


class HandoverIn(Payload):
    next_term: str
    composed_on: Day


class LandstingFinished(Payload):
    result: LandstingResult


# ----------------------------------------------------------------------------- status


class PostStatus(Payload):
    post: str
    organ: str
    method: ElectionMethod
    status: PostStatusValue
    round: int
    candidates: tuple[str, ...] = ()
    elected: tuple[str, ...] = ()
    deputies: tuple[str, ...] = Field((), description="the elected deputies, in rank order")
    drawn_by_lot: tuple[str, ...] = Field(
        (), description="who a lot drew at this vote (candidates, or lists for a seat)"
    )


class ProcessStatus(Payload):
    """The `status` query of the county meeting and the Landsting."""

    workflow_id: str
    stage: str
    awaiting: tuple[str, ...]
    deadline: Moment | None = None
    meeting_date: Day | None = None
    posts: tuple[PostStatus, ...] = ()
    version: int = Field(
        0, description="inputs accepted so far: clients key their update ids with it"
    )


# ----------------------------------------------------------------------------- carried state


class PlacementState(Payload):
    """A person placed by an election, as carried across a continue-as-new."""

    person_id: str
    role: SeatRole
    rank: int | None = None
    group: str = ""


class BallotState(Payload):
    """Where one post's election stands, as carried across a continue-as-new."""

    post: str
    status: PostStatusValue
    round: int
    candidates: tuple[str, ...] = ()
    lists: tuple[ListIn, ...] = ()
    elected: tuple[PlacementState, ...] = ()


class ElectionMeetingState(Payload):
    """What an electing meeting knows: its ballots, people and seats, and its counters."""

    ballots: tuple[BallotState, ...]
    people: tuple[PersonIn, ...] = ()
    seats: tuple[SeatIn, ...] = ()
    people_batches: int = 0
    accepted: int = 0


class CountyMeetingState(Payload):
    """A county meeting's state handed to its next run (it continues as new after
    `CountyMeetingInput.updates_per_run` accepted inputs, or when Temporal suggests it)."""

    meeting: ElectionMeetingState
    representatives: tuple[RepresentativesIn, ...] = ()
    meeting_date: Day | None = None
    associate: PersonIn | None = None
    requested: bool = False
    reminded: bool = False


class TermStatus(Payload):
    term: str
    stage: str
    awaiting: tuple[str, ...]
    counties_finished: tuple[str, ...]
    counties_missing: tuple[str, ...]
    vacancies: tuple[str, ...] = ()
    seats: int = Field(0, description="the national organs' seats the term holds")
