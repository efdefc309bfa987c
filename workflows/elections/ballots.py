"""The ballots of an electing meeting, shared by the county meetings and the Landsting.

`ElectionMeeting` is the base class of both workflows: it keeps the posts' ballots and the people
the meeting knows, and owns the `nominations` and `vote` updates with their validators. The
counting is pure (`workflows.elections.ballot`); recording goes through `workflows.calls`. A
subclass says when votes may be taken (`_check_voting`), from which day the seats run
(`_seats_from`), what to do after each change (`_changed`) and what its status says
(`_status`). State changes before the first
activity call, so two updates never see a half-applied vote.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from fractions import Fraction

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import contracts
    from domain.bylaws import ElectionMethod
    from domain.gender import Gender, check_gender_balance
    from models.election_payloads import (
        UPDATES_REFUSED_AT,
        ElectionMeetingState,
        NominationsIn,
        PostSpec,
        PostStatus,
        ProcessStatus,
        VoteIn,
    )
    from models.payloads import (
        ElectionRecord,
        PersonIn,
        RecordElectionRequest,
        RecordPeopleRequest,
        RecordSeatsRequest,
        SeatIn,
    )
    from workflows import calls
    from workflows.elections.ballot import (
        Ballot,
        Count,
        Placement,
        apply_count,
        awaiting,
        ballot_for,
        ballot_state,
        check_nominations,
        count_vote,
        draw_lot,
        election_key,
        new_ballots,
        nominate,
        outcome_of,
        restore_ballots,
        seats_of,
    )
    from workflows.elections.turnout import check_turnout


class ElectionMeeting:
    """Ballots, people and seats of one electing meeting, and its nomination and vote updates."""

    def __init__(self, posts: Sequence[PostSpec], term: str, prefix: str) -> None:
        self.ballots: dict[str, Ballot] = new_ballots(posts)
        self.people: dict[str, PersonIn] = {}
        self.seats: list[SeatIn] = []
        self.term = term
        self.prefix = prefix
        self.people_batches = 0
        self.accepted = 0  # inputs accepted over every run: the status's version
        self.accepted_this_run = 0

    # ------------------------------------------------------------------ for the subclass

    def _check_voting(self) -> None:
        """Raise ValueError when votes may not be taken yet."""

    def _seats_from(self) -> date:
        """The day the seats of a decided election start."""
        raise NotImplementedError

    def _changed(self) -> None:
        """Called after every accepted nomination or vote (to show the new stage)."""

    def _check_candidates(self, ballot: Ballot, person_ids: Sequence[str]) -> None:
        """Raise ValueError when someone may not stand for the ballot's post."""

    def _turnout_limits(self) -> tuple[int, int, Fraction]:
        """(who may vote now, the meeting's members, the quorum fraction of the members)."""
        raise NotImplementedError

    def _balanced_bodies(self) -> tuple[str, ...]:
        """Organs judged as one body under § 7-6 (their agreed list with their other seats)."""
        return ()

    def _other_body_members(self, organ: str) -> list[PersonIn]:
        """Members of `organ` that no ballot here fills (an appointed member, say)."""
        return []

    async def _announce(self, ballot: Ballot, seats: tuple[SeatIn, ...]) -> None:
        """Tell the elected (and whom the subclass names) the result of a decided election."""

    @property
    def decided(self) -> bool:
        return all(b.status == "decided" for b in self.ballots.values())

    def elected(self, post: str) -> tuple[Placement, ...]:
        return self.ballots[post].elected

    def ballots_awaiting(self) -> list[str]:
        """What the ballots still wait for, in post order."""
        return [line for b in self.ballots.values() if (line := awaiting(b))]

    def post_statuses(self) -> tuple[PostStatus, ...]:
        return tuple(b.status_model() for b in self.ballots.values())

    def any_ballot_opened(self) -> bool:
        return any(b.status != "awaiting_nominations" for b in self.ballots.values())

    # Who this meeting writes people as: the national organs may change anyone, a county
    # meeting only the people its own county registered (store/people.py).
    people_scope = "national"

    async def add_people(self, people: Sequence[PersonIn], what: str) -> None:
        """Record the new or changed people, then know them from now on. Called before an
        update changes anything else: a refusal (another county's person) leaves the meeting
        as it was."""
        new = [p for p in people if self.people.get(p.person_id) != p]
        if new:
            self.people_batches += 1
            key = f"{self.prefix}/people/{what}-{self.people_batches}"
            request = RecordPeopleRequest(
                idempotency_key=key, people=tuple(new), scope=self.people_scope
            )
            await calls.record(contracts.record_people, request)
        self.people.update({p.person_id: p for p in new})

    # ------------------------------------------------------------------ carried state

    def meeting_state(self) -> ElectionMeetingState:
        """Ballots, people, seats and counters, for the next run."""
        return ElectionMeetingState(
            ballots=tuple(ballot_state(b) for b in self.ballots.values()),
            people=tuple(self.people.values()),
            seats=tuple(self.seats),
            people_batches=self.people_batches,
            accepted=self.accepted,
        )

    def restore_meeting(self, posts: Sequence[PostSpec], state: ElectionMeetingState) -> None:
        """Take up where the run before left off."""
        self.ballots = restore_ballots(posts, state.ballots)
        self.people = {p.person_id: p for p in state.people}
        self.seats = list(state.seats)
        self.people_batches = state.people_batches
        self.accepted = state.accepted

    def accept(self) -> None:
        """Count an accepted input (first thing in every update handler)."""
        self.accepted += 1
        self.accepted_this_run += 1

    def check_room(self) -> None:
        """Refuse an input, saying why, when this run has taken as many as it safely can
        (Temporal takes at most 2,000 updates in a run; the meeting continues as new long
        before, so this is reached only by a flood of inputs while the run closes)."""
        if self.accepted_this_run >= UPDATES_REFUSED_AT:
            raise ValueError(
                f"this meeting has taken {self.accepted_this_run} inputs in a short time and is "
                "moving to a new run: send the rest again in a minute"
            )

    # ------------------------------------------------------------------ updates

    @workflow.update
    async def nominations(self, data: NominationsIn) -> ProcessStatus:
        self.accept()
        await self.add_people(data.people, "nominations")
        for nom in data.posts:
            nominate(self.ballots[nom.post], nom)
        self._changed()
        return self.status()

    @nominations.validator
    def _check_nominations(self, data: NominationsIn) -> None:
        self.check_room()
        check_nominations(self.ballots, data, self.people)
        for nom in data.posts:
            named = [*nom.candidates, *(pid for lst in nom.lists for pid in lst.candidates)]
            ballot = self.ballots[nom.post]
            seated = {
                p.person_id
                for b in self.ballots.values()
                if b.spec.organ == ballot.spec.organ and b is not ballot
                for p in b.elected
                if p.role != "deputy"
            }
            if taken := [pid for pid in named if pid in seated]:
                raise ValueError(
                    f"{', '.join(taken)} already elected to {ballot.spec.organ}: one person "
                    f"holds one seat in an organ, so cannot stand for {nom.post}"
                )
            self._check_candidates(ballot, named)

    @workflow.update
    async def vote(self, data: VoteIn) -> PostStatus:
        self.accept()
        ballot = self.ballots[data.post]
        count = count_vote(ballot, data, self.people)
        drawn: list[str] = []
        if count.lot or count.list_tie is not None:
            count, drawn = draw_lot(ballot, count, lambda n: workflow.random().randrange(n))
        key = election_key(self.prefix, ballot, data)
        method = ballot.method
        apply_count(ballot, count)
        seats = seats_of(ballot, self.term, key, method, self._seats_from())
        self.seats.extend(seats)
        self._changed()
        await self._record(ballot, data, key, method, count, drawn, seats)
        if seats:
            await self._announce(ballot, seats)
        return ballot.status_model(drawn)

    @vote.validator
    def _check_vote(self, data: VoteIn) -> None:
        self.check_room()
        self._check_voting()
        ballot = ballot_for(self.ballots, data.post)
        count = count_vote(ballot, data, self.people)
        if ballot.method != ElectionMethod.AGREED:
            voters, members, quorum = self._turnout_limits()
            check_turnout(data, voters, members, quorum)
        agreed = ballot.method == ElectionMethod.AGREED
        if agreed and ballot.spec.organ in self._balanced_bodies() and count.placements:
            self._check_whole_body(ballot, count.placements)

    def _check_whole_body(self, ballot: Ballot, placements: Sequence[Placement]) -> None:
        """§ 7-6 on the whole organ: its other posts decided first, then every member counted."""
        organ = ballot.spec.organ
        others = [b for b in self.ballots.values() if b.spec.organ == organ and b is not ballot]
        if any(b.status != "decided" for b in others):
            raise ValueError(
                f"vote the other posts of {organ} first: its joint list is judged together "
                "with them as one body (kommuneloven § 7-6)"
            )
        members = [p for b in others for p in b.elected if p.role != "deputy"]
        members += [p for p in placements if p.role != "deputy"]
        people = [self.people[p.person_id] for p in members]
        people += self._other_body_members(organ)
        check_gender_balance(organ, [Gender(p.gender) for p in people], "members of the body")

    @workflow.query
    def status(self) -> ProcessStatus:
        """Where the meeting stands: stage, what it awaits, each post's ballot."""
        return self._status()

    def _status(self) -> ProcessStatus:
        raise NotImplementedError

    async def _record(
        self,
        ballot: Ballot,
        vote: VoteIn,
        key: str,
        method: ElectionMethod,
        count: Count,
        drawn: list[str],
        seats: tuple[SeatIn, ...],
    ) -> None:
        """The election (or round), the lot if one was drawn, and the seats it filled."""
        record = ElectionRecord(
            election_id=key,
            term=self.term,
            organ=ballot.spec.organ,
            post=vote.post,
            method=method,
            round=vote.round,
            inputs=count.inputs,
            outcome=outcome_of(count),
            decided_at=workflow.now(),
        )
        request = RecordElectionRequest(idempotency_key=key, election=record)
        await calls.record(contracts.record_election, request)
        if drawn:
            await calls.event(f"{key}/lot", "lot_drawn", key, drawn=drawn, post=vote.post)
        if seats:
            seats_request = RecordSeatsRequest(idempotency_key=f"{key}/seats", seats=seats)
            await calls.record(contracts.record_seats, seats_request)
