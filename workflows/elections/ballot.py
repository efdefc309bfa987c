"""Pure election bookkeeping for the county meetings and the Landsting (no Temporal calls).

A `Ballot` is one post's election: nominations, then votes counted by the domain rules
(`domain.elections`, `domain.gender`). The same checks run in update validators (to refuse bad
input before it reaches history) and in the handlers (to apply it), so they raise `ValueError`
with a message a secretary understands and never change state themselves; `nominate` and
`apply_count` are the only functions that change a ballot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from domain.apportionment import Apportionment, Method, settle_tie
from domain.bylaws import ElectionMethod
from domain.elections import (
    Candidate,
    CandidateList,
    ListElectionResult,
    agreed_election,
    fill_list_seats,
    majority_round,
    proportional_election,
    resolve_lot,
)
from domain.gender import Gender, check_gender_balance
from models.election_payloads import (
    BallotState,
    ListIn,
    NominationsIn,
    PlacementState,
    PostNomination,
    PostSpec,
    PostStatus,
    PostStatusValue,
    VoteIn,
)
from models.payloads import PersonIn, SeatIn, SeatRole


@dataclass(frozen=True)
class Placement:
    """A person placed in a seat by an election."""

    person_id: str
    role: SeatRole
    rank: int | None = None
    group: str = ""


@dataclass(frozen=True)
class Count:
    """One counted vote: placements, or a second round, a lot, or a rejected agreed list."""

    inputs: dict[str, Any]
    placements: tuple[Placement, ...] = ()
    second_round: bool = False
    lot: tuple[str, ...] = ()
    list_tie: Apportionment | None = None
    lists: tuple[CandidateList, ...] = ()
    rejected: bool = False
    tied: tuple[str, ...] = ()
    drawn: tuple[str, ...] = ()


@dataclass
class Ballot:
    """The election of one post; mutated only by workflow handlers."""

    spec: PostSpec
    method: ElectionMethod
    status: PostStatusValue = "awaiting_nominations"
    round: int = 1
    candidates: tuple[str, ...] = ()
    lists: tuple[ListIn, ...] = ()
    elected: tuple[Placement, ...] = field(default=())

    def status_model(self, drawn: Sequence[str] = ()) -> PostStatus:
        """The post's status; `drawn`: who a lot just drew, if one was drawn."""
        names = self.candidates or tuple(lst.name for lst in self.lists)
        return PostStatus(
            post=self.spec.post,
            organ=self.spec.organ,
            method=self.method,
            status=self.status,
            round=self.round,
            candidates=names,
            elected=tuple(p.person_id for p in self.elected if p.role != "deputy"),
            deputies=tuple(p.person_id for p in self.elected if p.role == "deputy"),
            drawn_by_lot=tuple(drawn),
        )


def new_ballots(posts: Sequence[PostSpec]) -> dict[str, Ballot]:
    return {p.post: Ballot(spec=p, method=p.method) for p in posts}


def ballot_state(ballot: Ballot) -> BallotState:
    """The ballot as a payload, to carry across a continue-as-new."""
    return BallotState(
        post=ballot.spec.post,
        status=ballot.status,
        round=ballot.round,
        candidates=ballot.candidates,
        lists=ballot.lists,
        elected=tuple(
            PlacementState(person_id=p.person_id, role=p.role, rank=p.rank, group=p.group)
            for p in ballot.elected
        ),
    )


def restore_ballots(posts: Sequence[PostSpec], states: Sequence[BallotState]) -> dict[str, Ballot]:
    """The ballots of `posts` as `states` left them (a post without a state starts anew)."""
    ballots = new_ballots(posts)
    for state in states:
        ballot = ballots[state.post]
        ballot.status, ballot.round = state.status, state.round
        ballot.candidates, ballot.lists = state.candidates, state.lists
        ballot.elected = tuple(
            Placement(person_id=p.person_id, role=p.role, rank=p.rank, group=p.group)
            for p in state.elected
        )
    return ballots


def awaiting(ballot: Ballot) -> str:
    """What the ballot waits for, in words; empty once it is decided."""
    if ballot.status == "awaiting_nominations":
        return f"nominations for {ballot.spec.post}"
    if ballot.status == "open":
        return f"votes for {ballot.spec.post} (round {ballot.round})"
    return ""


def ballot_for(ballots: Mapping[str, Ballot], post: str) -> Ballot:
    if post not in ballots:
        raise ValueError(f"unknown post {post!r}: the posts are {', '.join(ballots)}")
    return ballots[post]


def check_known(people: Mapping[str, PersonIn], ids: Sequence[str], post: str) -> None:
    """Refuse a nomination naming someone the workflow does not know, or naming anyone twice."""
    for pid in ids:
        if pid not in people:
            raise ValueError(
                f"unknown person {pid!r} nominated for {post}: register them as a "
                "representative or include them under 'people' in the nominations"
            )
    if len(set(ids)) != len(ids):
        raise ValueError(f"the nominations for {post} name the same person twice")


def check_nomination(ballot: Ballot, nom: PostNomination, people: Mapping[str, PersonIn]) -> None:
    """Refuse a nomination that does not fit the post's election method or state."""
    post = ballot.spec.post
    if ballot.status == "decided":
        raise ValueError(f"the election of {post} is already decided")
    if ballot.round > 1:
        raise ValueError(
            f"the election of {post} is in round {ballot.round}: its candidates are those of "
            "the second round and cannot be nominated anew"
        )
    if ballot.method == "majority":
        if not nom.candidates or nom.lists:
            raise ValueError(f"{post} is a majority election: nominate candidates, not lists")
        check_known(people, nom.candidates, post)
        return
    if not nom.lists or nom.candidates:
        raise ValueError(f"{post} is a {ballot.method} election: nominate lists, not candidates")
    if ballot.method == "agreed" and len(nom.lists) != 1:
        raise ValueError(f"{post} is an agreed election: nominate exactly one joint list")
    if len({lst.name for lst in nom.lists}) != len(nom.lists):
        raise ValueError(f"two lists for {post} have the same name")
    check_known(people, [pid for lst in nom.lists for pid in lst.candidates], post)
    if ballot.method == "agreed" and len(nom.lists[0].candidates) < ballot.spec.seats:
        raise ValueError(f"the joint list for {post} needs at least {ballot.spec.seats} names")


def check_nominations(
    ballots: Mapping[str, Ballot], data: NominationsIn, known: Mapping[str, PersonIn]
) -> None:
    """Refuse nominations naming a post twice, or any one that does not fit its post."""
    people = {**known, **{p.person_id: p for p in data.people}}
    posts = [nom.post for nom in data.posts]
    if len(set(posts)) != len(posts):
        raise ValueError("the nominations name the same post twice")
    for nom in data.posts:
        check_nomination(ballot_for(ballots, nom.post), nom, people)


def nominate(ballot: Ballot, nom: PostNomination) -> None:
    ballot.candidates, ballot.lists = nom.candidates, nom.lists
    ballot.status, ballot.round = "open", 1


def count_vote(ballot: Ballot, vote: VoteIn, people: Mapping[str, PersonIn]) -> Count:
    """Count `vote` by the post's method; raises `ValueError` for a vote that cannot be taken."""
    post = ballot.spec.post
    if ballot.status == "decided":
        raise ValueError(f"the election of {post} is closed: its result is already recorded")
    if ballot.status != "open":
        raise ValueError(f"no nominations for {post} yet: send the nominations first")
    if vote.round != ballot.round:
        raise ValueError(f"the {post} election is in round {ballot.round}, not round {vote.round}")
    if ballot.method == "majority":
        return _majority(ballot, vote)
    if ballot.method == "agreed":
        return _agreed(ballot, vote, people)
    return _proportional(ballot, vote, people)


def election_key(prefix: str, ballot: Ballot, vote: VoteIn) -> str:
    """The business key of a vote's election record (`term-2027/county-03/leader/round-1`);
    a list election that follows a rejected agreed list gets its own keys."""
    key = f"{prefix}/{vote.post}/round-{vote.round}"
    if ballot.round == 1 and ballot.method != ballot.spec.method:
        key += "/after-agreed"
    return key


def apply_count(ballot: Ballot, count: Count) -> None:
    """Move the ballot on by a count: a second round, a list election after a rejected agreed
    list, or decided with the count's placements."""
    if count.second_round:
        ballot.round = 2
    elif count.rejected:
        ballot.method = ElectionMethod.PROPORTIONAL
        ballot.status, ballot.round = "awaiting_nominations", 1
    else:
        ballot.elected, ballot.status = count.placements, "decided"


def seats_of(
    ballot: Ballot, term: str, key: str, method: ElectionMethod, from_date: date
) -> tuple[SeatIn, ...]:
    """The seats a decided ballot fills (none while it is undecided), from `from_date` until
    the successor organ is constituted."""
    if ballot.status != "decided":
        return ()
    how = method if ballot.round == 1 else f"{method} round 2"
    return tuple(
        SeatIn(
            organ=ballot.spec.organ,
            term=term,
            person_id=p.person_id,
            role=p.role,
            rank=p.rank,
            group=p.group,
            from_date=from_date,
            election_id=key,
            obtained_by=how,
        )
        for p in ballot.elected
    )


def _majority(ballot: Ballot, vote: VoteIn) -> Count:
    for name in vote.votes:
        if name not in ballot.candidates:
            raise ValueError(f"{name!r} is not nominated for {ballot.spec.post}")
    result = majority_round(vote.votes, vote.round)
    inputs = {"votes": dict(vote.votes), "candidates": list(ballot.candidates)}
    if result.elected is not None:
        return Count(inputs, placements=(_place(ballot.spec, result.elected),))
    return Count(inputs, second_round=bool(result.second_round), lot=result.lot_needed)


def _candidate(people: Mapping[str, PersonIn], pid: str) -> Candidate:
    return Candidate(pid, Gender(people[pid].gender))


def _agreed(ballot: Ballot, vote: VoteIn, people: Mapping[str, PersonIn]) -> Count:
    if vote.votes_against is None:
        raise ValueError(f"{ballot.spec.post} is an agreed election: give votes_against")
    joint = ballot.lists[0]
    names = joint.candidates
    inputs = {"list": list(names), "votes_against": vote.votes_against}
    if vote.votes_against:
        return Count(inputs, rejected=True)
    seats = ballot.spec.seats
    members = [_candidate(people, pid) for pid in names[:seats]]
    deputies = [_candidate(people, pid) for pid in names[seats:]]
    if ballot.spec.whole_body:  # its members are judged with the organ's other seats
        check_gender_balance(ballot.spec.organ, [c.gender for c in deputies], "deputies")
    else:
        agreed_election(ballot.spec.organ, members, deputies, 0)
    return Count(inputs, placements=_list_placements(ballot.spec, {joint.name: names}, seats))


def _proportional(ballot: Ballot, vote: VoteIn, people: Mapping[str, PersonIn]) -> Count:
    known = {lst.name for lst in ballot.lists}
    for name in vote.votes:
        if name not in known:
            raise ValueError(f"list {name!r} is not nominated for {ballot.spec.post}")
    lists = tuple(
        CandidateList(
            lst.name,
            tuple(_candidate(people, pid) for pid in lst.candidates),
            vote.votes.get(lst.name, 0),
        )
        for lst in ballot.lists
    )
    spec = ballot.spec
    result = proportional_election(
        lists,
        spec.seats,
        Method(spec.list_method),
        first_divisor=Fraction(spec.first_divisor),
        deputies_extra=spec.deputies_extra,
    )
    inputs = {
        "votes": dict(vote.votes),
        "lists": {lst.name: lst.candidates for lst in ballot.lists},
    }
    if isinstance(result, Apportionment):
        return Count(inputs, list_tie=result, lists=lists)
    return Count(inputs, placements=list_result_placements(spec, result))


def list_result_placements(spec: PostSpec, result: ListElectionResult) -> tuple[Placement, ...]:
    lists = {name: tuple(c.name for c in cands) for name, cands in result.members.items()}
    placed = [
        Placement(pid, spec.role, None, spec.group + name)
        for name, ids in lists.items()
        for pid in ids
    ]
    for name, cands in result.deputies.items():
        placed += [
            Placement(c.name, "deputy", i, spec.group + name) for i, c in enumerate(cands, 1)
        ]
    return tuple(placed)


def _list_placements(
    spec: PostSpec, lists: Mapping[str, Sequence[str]], seats: int
) -> tuple[Placement, ...]:
    placed: list[Placement] = []
    for name, ids in lists.items():
        placed += [Placement(pid, spec.role, None, spec.group + name) for pid in ids[:seats]]
        placed += [
            Placement(pid, "deputy", i, spec.group + name) for i, pid in enumerate(ids[seats:], 1)
        ]
    return tuple(placed)


def _place(spec: PostSpec, person_id: str) -> Placement:
    return Placement(person_id, spec.role, spec.rank, spec.group)


def draw_lot(ballot: Ballot, count: Count, draw: Callable[[int], int]) -> tuple[Count, list[str]]:
    """Settle a tie with `draw(n)` (an index below n, from workflow.random()); returns the drawn."""
    if count.lot:
        winner = resolve_lot(count.lot, draw(len(count.lot)))
        placed: tuple[Placement, ...] = (_place(ballot.spec, winner),)
        return Count(count.inputs, placed, tied=count.lot, drawn=(winner,)), [winner]
    assert count.list_tie is not None
    assert count.list_tie.tie is not None
    tied = tuple(count.list_tie.tie.lists)
    pool, winners = list(tied), []
    for _ in range(count.list_tie.tie.seats):
        winners.append(pool.pop(draw(len(pool))))
    settled = settle_tie(count.list_tie, winners)
    result = fill_list_seats(count.lists, settled, ballot.spec.deputies_extra)
    placed = list_result_placements(ballot.spec, result)
    return Count(count.inputs, placed, tied=tied, drawn=tuple(winners)), winners


def outcome_of(count: Count) -> dict[str, Any]:
    """The outcome of a count as the record store keeps it."""
    return {
        "elected": [p.person_id for p in count.placements if p.role != "deputy"],
        "deputies": [p.person_id for p in count.placements if p.role == "deputy"],
        "second_round": count.second_round,
        "lot_needed": list(count.lot or count.tied)
        or (list(count.list_tie.tie.lists) if count.list_tie and count.list_tie.tie else []),
        "drawn_by_lot": list(count.drawn),
        "rejected": count.rejected,
    }
