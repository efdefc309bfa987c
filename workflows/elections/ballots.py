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

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import contracts
    from domain.bylaws import ElectionMethod
    from models.election_payloads import (
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
        check_nominations,
        count_vote,
        draw_lot,
        election_key,
        new_ballots,
        nominate,
        outcome_of,
        seats_of,
    )


class ElectionMeeting:
    """Ballots, people and seats of one electing meeting, and its nomination and vote updates."""

    def __init__(self, posts: Sequence[PostSpec], term: str, prefix: str, seat_to: date) -> None:
        self.ballots: dict[str, Ballot] = new_ballots(posts)
        self.people: dict[str, PersonIn] = {}
        self.seats: list[SeatIn] = []
        self.term = term
        self.prefix = prefix
        self.seat_to = seat_to
        self.people_batches = 0

    # ------------------------------------------------------------------ for the subclass

    def _check_voting(self) -> None:
        """Raise ValueError when votes may not be taken yet."""

    def _seats_from(self) -> date:
        """The day the seats of a decided election start."""
        raise NotImplementedError

    def _changed(self) -> None:
        """Called after every accepted nomination or vote (to show the new stage)."""

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

    async def add_people(self, people: Sequence[PersonIn], what: str) -> None:
        """Know these people from now on, recording the new or changed ones."""
        new = [p for p in people if self.people.get(p.person_id) != p]
        self.people.update({p.person_id: p for p in new})
        if new:
            self.people_batches += 1
            key = f"{self.prefix}/people/{what}-{self.people_batches}"
            request = RecordPeopleRequest(idempotency_key=key, people=tuple(new))
            await calls.record(contracts.record_people, request)

    # ------------------------------------------------------------------ updates

    @workflow.update
    async def nominations(self, data: NominationsIn) -> ProcessStatus:
        for nom in data.posts:
            nominate(self.ballots[nom.post], nom)
        self._changed()
        await self.add_people(data.people, "nominations")
        return self.status()

    @nominations.validator
    def _check_nominations(self, data: NominationsIn) -> None:
        check_nominations(self.ballots, data, self.people)

    @workflow.update
    async def vote(self, data: VoteIn) -> PostStatus:
        ballot = self.ballots[data.post]
        count = count_vote(ballot, data, self.people)
        drawn: list[str] = []
        if count.lot or count.list_tie is not None:
            count, drawn = draw_lot(ballot, count, lambda n: workflow.random().randrange(n))
        key = election_key(self.prefix, ballot, data)
        method = ballot.method
        apply_count(ballot, count)
        seats = seats_of(ballot, self.term, key, method, self._seats_from(), self.seat_to)
        self.seats.extend(seats)
        self._changed()
        await self._record(ballot, data, key, method, count, drawn, seats)
        return ballot.status_model(drawn)

    @vote.validator
    def _check_vote(self, data: VoteIn) -> None:
        self._check_voting()
        count_vote(ballot_for(self.ballots, data.post), data, self.people)

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
