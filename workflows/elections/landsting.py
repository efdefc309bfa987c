"""LandstingWorkflow: the national congress elects Hovedstyret and completes Landsstyret.

Workflow id `landsting-<year>`, started by TermWorkflow (parent-close ABANDON) with each finished
county's board leader; it reads the delegates the county meetings recorded from the record
store as it starts. Updates with validators take the congress date (the notice then goes to
every delegate by the bylaw notice deadline), the credentials check, the nominations and votes
it shares with the county meetings (`workflows.elections.ballots`), the delegates and the
Hovedstyret member appointed by the associates' board (Samfunnsbedriftene), and the leader of
the municipal directors' committee, who observes Hovedstyret. Votes are checked against the
accredited delegates and the quorum; Hovedstyret's gender balance is judged on the whole board.
When every post is filled it composes Landsstyret (county-board leaders + Hovedstyret +
Landsting-elected + the appointed member), records every seat, signals its term and returns the
seats.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from fractions import Fraction

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import contracts
    from domain.gender import Gender, check_gender_balance
    from models import ids
    from models.election_payloads import (
        AppointIn,
        AssociateDelegatesIn,
        CongressDateIn,
        CredentialsIn,
        LandstingFinished,
        LandstingInput,
        LandstingResult,
        ObserverIn,
        ProcessStatus,
    )
    from models.payloads import NotifyRequest, PersonIn, Recipient, RecordSeatsRequest, SeatIn
    from workflows import calls
    from workflows import search_attributes as search
    from workflows.elections.ballot import Ballot
    from workflows.elections.ballots import ElectionMeeting
    from workflows.elections.composition import (
        HOVEDSTYRET,
        compose_seats,
        congress_notice_context,
    )
    from workflows.elections.results import result_context, result_request


@workflow.defn(name=ids.LANDSTING)
class LandstingWorkflow(ElectionMeeting):
    """The Landsting of one term."""

    @workflow.init
    def __init__(self, data: LandstingInput) -> None:
        key = f"term-{data.year}/landsting"
        super().__init__(data.setup.posts, data.term, key)
        self._data = data
        self.people.update({c.leader.person_id: c.leader for c in data.counties})
        self._delegates: dict[str, PersonIn] = {}
        self._delegates_read = False
        self._deputies: tuple[PersonIn, ...] = ()
        self._date: date | None = None
        self._approved: tuple[str, ...] = ()
        self._appointed: PersonIn | None = None
        self._associates: tuple[PersonIn, ...] = ()
        self._observer: PersonIn | None = None
        self._stage = ""

    @workflow.run
    async def run(self, data: LandstingInput) -> LandstingResult:
        self._changed()
        delegates = await calls.read_delegates(data.term, tuple(c.county for c in data.counties))
        self._delegates = {p.person_id: p for p in delegates}
        self.people.update(self._delegates)
        counties = tuple(c.county for c in data.counties)
        self._deputies = await calls.read_delegates(data.term, counties, deputies=True)
        self._delegates_read = True
        await workflow.wait_condition(lambda: self._complete)
        await workflow.wait_condition(workflow.all_handlers_finished)
        assert self._date is not None
        assert self._appointed is not None
        composed = compose_seats(data, self.ballots, self._appointed, self._date, self._observer)
        await calls.record(
            contracts.record_seats,
            RecordSeatsRequest(idempotency_key=f"{self.prefix}/composition", seats=composed),
        )
        seats = (*self.seats, *composed)
        seated = {s.person_id for s in seats}
        people = {**self.people, self._appointed.person_id: self._appointed}
        if self._observer is not None:
            people[self._observer.person_id] = self._observer
        result = LandstingResult(
            congress_date=self._date,
            seats=seats,
            people=tuple(p for pid, p in people.items() if pid in seated),
        )
        await calls.event(
            f"{self.prefix}/finished", "landsting_finished", self.prefix, seats=len(result.seats)
        )
        self._stage = "done"
        search.show_stage("done")
        term = workflow.get_external_workflow_handle(data.term_workflow_id)
        await term.signal(ids.LANDSTING_FINISHED, LandstingFinished(result=result))
        return result

    @property
    def _complete(self) -> bool:
        setup = self._data.setup
        return (
            self.decided
            and self._appointed is not None
            and self._date is not None
            and (bool(self._associates) or not setup.associate_delegates)
            and (self._observer is not None or not setup.observer_organ)
        )

    # ------------------------------------------------------------------ updates

    @workflow.update
    async def congress_date(self, data: CongressDateIn) -> ProcessStatus:
        self.accept()
        self._date = data.congress_date
        self._changed()
        await workflow.wait_condition(lambda: self._delegates_read)
        await self._send_notice(data.congress_date, self._delegates.values())
        if self._deputies:
            await self._send_notice(data.congress_date, self._deputies, "deputy")
        return self.status()

    @congress_date.validator
    def _check_congress_date(self, data: CongressDateIn) -> None:
        self.check_room()
        if self._date is not None:
            raise ValueError(f"the congress date is already set ({self._date.isoformat()})")
        if data.congress_date <= self._data.setup.notice_deadline.date():
            raise ValueError(
                "the congress must be after the notice deadline "
                f"({self._data.setup.notice_deadline.date().isoformat()})"
            )

    @workflow.update
    async def credentials(self, data: CredentialsIn) -> ProcessStatus:
        self.accept()
        self._approved = data.approved
        self._changed()
        await calls.event(
            f"{self.prefix}/credentials",
            "credentials_approved",
            self.prefix,
            approved=list(data.approved),
        )
        return self.status()

    @credentials.validator
    def _check_credentials(self, data: CredentialsIn) -> None:
        self.check_room()
        if self._date is None:
            raise ValueError("set the congress date before the credentials check")
        if self._approved:
            raise ValueError("the credentials are already approved")
        if not self._delegates_read:
            raise ValueError("the delegates are still being read from the records: try again")
        for pid in data.approved:
            if pid not in self._delegates:
                raise ValueError(f"unknown person {pid!r}: not a delegate of any county meeting")

    @workflow.update
    async def appoint(self, data: AppointIn) -> ProcessStatus:
        self.accept()
        await self.add_people([data.person], "appointed")
        self._appointed = data.person
        self._changed()
        return self.status()

    @appoint.validator
    def _check_appoint(self, data: AppointIn) -> None:
        self.check_room()
        if self._appointed is not None:
            raise ValueError(
                f"{self._data.setup.appointed_by} has already appointed {self._appointed.person_id}"
            )
        board = [b for b in self.ballots.values() if b.spec.organ == HOVEDSTYRET]
        if HOVEDSTYRET in self._data.setup.balanced_bodies and all(
            b.status == "decided" for b in board
        ):
            members = [self.people[p.person_id] for b in board for p in b.elected]
            genders = [Gender(p.gender) for p in members if p.person_id in self._voting(board)]
            genders.append(Gender(data.person.gender))
            check_gender_balance(HOVEDSTYRET, genders, "members of the body")

    @staticmethod
    def _voting(board: list[Ballot]) -> set[str]:
        return {p.person_id for b in board for p in b.elected if p.role != "deputy"}

    @workflow.update
    async def associate_delegates(self, data: AssociateDelegatesIn) -> ProcessStatus:
        """Samfunnsbedriftene's delegates: seated, and noticed if the date is already set."""
        await self.add_people(data.people, "associates")
        self._associates = data.people
        self._delegates.update({p.person_id: p for p in data.people})
        self._changed()
        seats = tuple(
            SeatIn(
                organ="landsting",
                term=self._data.term,
                person_id=p.person_id,
                role="member",
                group="samfunnsbedriftene",
                from_date=workflow.now().date(),
                obtained_by=f"appointment by {self._data.setup.appointed_by}",
            )
            for p in data.people
        )
        await calls.record(
            contracts.record_seats,
            RecordSeatsRequest(idempotency_key=f"{self.prefix}/associates", seats=seats),
        )
        if self._date is not None:
            await self._send_notice(self._date, data.people)
        return self.status()

    @associate_delegates.validator
    def _check_associate_delegates(self, data: AssociateDelegatesIn) -> None:
        self.check_room()
        setup = self._data.setup
        if self._associates:
            raise ValueError(f"{setup.appointed_by}'s delegates are already given")
        if self._approved:
            raise ValueError("the credentials are approved: no delegates can be added")
        if len(data.people) != setup.associate_delegates:
            raise ValueError(
                f"{setup.appointed_by} appoints {setup.associate_delegates} delegates, "
                f"not {len(data.people)}"
            )
        ids_given = [p.person_id for p in data.people]
        if len(set(ids_given)) != len(ids_given):
            raise ValueError("the list names someone twice")
        if taken := sorted(set(ids_given) & set(self._delegates)):
            raise ValueError(f"already a delegate of a county: {', '.join(taken)}")

    @workflow.update
    async def observer(self, data: ObserverIn) -> ProcessStatus:
        self.accept()
        await self.add_people([data.person], "observer")
        self._observer = data.person
        self._changed()
        return self.status()

    @observer.validator
    def _check_observer(self, data: ObserverIn) -> None:
        self.check_room()
        if not self._data.setup.observer_organ:
            raise ValueError("the bylaws give no organ an observer")
        if self._observer is not None:
            raise ValueError(f"the observer is already {self._observer.person_id}")

    def _turnout_limits(self) -> tuple[int, int, Fraction]:
        setup = self._data.setup
        return len(self._approved), setup.members, Fraction(setup.quorum)

    def _balanced_bodies(self) -> tuple[str, ...]:
        return self._data.setup.balanced_bodies

    def _other_body_members(self, organ: str) -> list[PersonIn]:
        return [self._appointed] if organ == HOVEDSTYRET and self._appointed else []

    async def _announce(self, ballot: Ballot, seats: tuple[SeatIn, ...]) -> None:
        """The result to the elected, and to the councils that elected them to their county
        meetings (those the registry in force gives an address)."""
        self.accept()
        elected = [self.people[s.person_id] for s in seats]
        context = result_context(ballot, seats, self.people, self._data.term)
        key = f"{self.prefix}/{ballot.spec.post}/result"
        await calls.notify(result_request(key, elected, context))
        councils = await calls.read_councils([p.person_id for p in elected], workflow.now().date())
        if councils:
            await calls.notify(
                NotifyRequest(
                    purpose="result_announced",
                    subject_key=f"{key}/councils",
                    recipients=councils,
                    context={**context, "recipient_role": "council"},
                )
            )

    def _check_voting(self) -> None:
        if not self._approved:
            raise ValueError("approve the delegates' credentials before entering votes")

    def _seats_from(self) -> date:
        assert self._date is not None  # the credentials, required before votes, need it
        return self._date

    # ------------------------------------------------------------------ status

    def _status(self) -> ProcessStatus:
        return ProcessStatus(
            workflow_id=workflow.info().workflow_id,
            stage=self._stage,
            awaiting=self._awaiting(),
            deadline=self._data.setup.notice_deadline,
            meeting_date=self._date,
            posts=self.post_statuses(),
            version=self.accepted,
        )

    def _awaiting(self) -> tuple[str, ...]:
        waiting = [] if self._date else ["the congress date"]
        waiting += [] if self._approved else ["the credentials check"]
        waiting += self.ballots_awaiting()
        setup = self._data.setup
        if self._appointed is None:
            waiting.append(f"the member appointed by {setup.appointed_by}")
        if setup.associate_delegates and not self._associates:
            waiting.append(f"the delegates appointed by {setup.appointed_by}")
        if setup.observer_organ and self._observer is None:
            waiting.append("the leader of the municipal directors' committee (observer)")
        return tuple(waiting)

    def _changed(self) -> None:
        """Keep the stage, and the search attribute that shows it, in step."""
        if self._date is None:
            stage = "awaiting_date"
        elif not self._approved:
            stage = "awaiting_credentials"
        elif not self._complete:
            stage = "electing"
        else:
            stage = "composing"
        if stage != self._stage:
            self._stage = stage
            search.show(self._data.term, "landsting", "all", stage)

    async def _send_notice(
        self, congress: date, delegates: Iterable[PersonIn], role: str = "delegate"
    ) -> None:
        """The notice to the delegates (or, as a copy for their information, to their deputies)."""
        await calls.notify_in_batches(
            NotifyRequest(
                purpose="meeting_notice",
                subject_key=self.prefix if role == "delegate" else f"{self.prefix}/deputies",
                recipients=tuple(
                    Recipient(recipient_id=p.person_id, email=p.email, name=p.name)
                    for p in delegates
                ),
                context={**congress_notice_context(congress), "recipient_role": role},
                deadline=self._data.setup.notice_deadline,
            )
        )
