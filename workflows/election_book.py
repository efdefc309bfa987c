"""The elections of one meeting (a county meeting or the Landsting), applied and recorded.

Workflow-side companion of `workflows.election_logic`: it keeps the ballots and the people the
meeting knows, and records every nomination, count, lot and seat through `workflows.steps`.
State is changed before the first activity call, so two updates never see a half-applied vote.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.election_payloads import MethodValue, NominationsIn, PostSpec, VoteIn
    from models.payloads import (
        ElectionRecord,
        PersonIn,
        RecordElectionRequest,
        RecordEventRequest,
        RecordPeopleRequest,
        RecordSeatsRequest,
        SeatIn,
    )
    from workflows import steps
    from workflows.election_logic import (
        Ballot,
        Count,
        Placement,
        ballot_for,
        check_nomination,
        count_vote,
        draw_lot,
        new_ballots,
        nominate,
        outcome_of,
    )


class ElectionBook:
    """Ballots, people and the business-key prefix of one meeting (e.g. term-2027/county-03)."""

    def __init__(self, posts: Sequence[PostSpec], term: str, prefix: str) -> None:
        self.ballots: dict[str, Ballot] = new_ballots(posts)
        self.people: dict[str, PersonIn] = {}
        self.term = term
        self.prefix = prefix
        self.batches = 0

    @property
    def decided(self) -> bool:
        return all(b.status == "decided" for b in self.ballots.values())

    def elected(self, post: str) -> tuple[Placement, ...]:
        return self.ballots[post].elected

    def check_nominations(self, data: NominationsIn) -> None:
        people = {**self.people, **{p.person_id: p for p in data.people}}
        posts = [nom.post for nom in data.posts]
        if len(set(posts)) != len(posts):
            raise ValueError("the nominations name the same post twice")
        for nom in data.posts:
            check_nomination(ballot_for(self.ballots, nom.post), nom, people)

    async def add_people(self, people: Sequence[PersonIn], what: str) -> None:
        new = [p for p in people if self.people.get(p.person_id) != p]
        self.people.update({p.person_id: p for p in new})
        if new:
            self.batches += 1
            key = f"{self.prefix}/people/{what}-{self.batches}"
            await steps.record_people(RecordPeopleRequest(idempotency_key=key, people=tuple(new)))

    async def nominate(self, data: NominationsIn) -> None:
        for nom in data.posts:
            nominate(self.ballots[nom.post], nom)
        await self.add_people(data.people, "nominations")

    def check_vote(self, vote: VoteIn) -> None:
        count_vote(ballot_for(self.ballots, vote.post), vote, self.people)

    async def vote(self, vote: VoteIn, from_date: date, to_date: date) -> tuple[SeatIn, ...]:
        """Count, draw a lot if needed, record; the seats the vote filled (none if undecided)."""
        ballot = self.ballots[vote.post]
        count = count_vote(ballot, vote, self.people)
        drawn: list[str] = []
        if count.lot or count.list_tie is not None:
            count, drawn = draw_lot(ballot, count, lambda n: workflow.random().randrange(n))
        key = f"{self.prefix}/{vote.post}/round-{vote.round}"
        if ballot.round == 1 and ballot.method != ballot.spec.method:
            key += "/after-agreed"
        method = ballot.method
        self._apply(ballot, count)
        await self._record(ballot, vote, key, method, count)
        if drawn:
            await steps.record_event(
                RecordEventRequest(
                    idempotency_key=f"{key}/lot",
                    action="lot_drawn",
                    subject=key,
                    content={"drawn": drawn, "post": vote.post},
                )
            )
        if ballot.status != "decided":
            return ()
        seats = self._seats(ballot, key, method, from_date, to_date)
        await steps.record_seats(RecordSeatsRequest(idempotency_key=f"{key}/seats", seats=seats))
        return seats

    @staticmethod
    def _apply(ballot: Ballot, count: Count) -> None:
        if count.second_round:
            ballot.round = 2
        elif count.rejected:  # an agreed list with votes against: a list election instead
            ballot.method, ballot.status, ballot.round = "proportional", "awaiting_nominations", 1
        else:
            ballot.elected, ballot.status = count.placements, "decided"

    async def _record(
        self, ballot: Ballot, vote: VoteIn, key: str, method: MethodValue, count: Count
    ) -> None:
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
        await steps.record_election(RecordElectionRequest(idempotency_key=key, election=record))

    def _seats(
        self, ballot: Ballot, key: str, method: MethodValue, from_date: date, to_date: date
    ) -> tuple[SeatIn, ...]:
        how = method if ballot.round == 1 else f"{method} round 2"
        return tuple(
            SeatIn(
                organ=ballot.spec.organ,
                term=self.term,
                person_id=p.person_id,
                role=p.role,
                rank=p.rank,
                group=p.group,
                from_date=from_date,
                to_date=to_date,
                election_id=key,
                obtained_by=how,
            )
            for p in ballot.elected
        )
