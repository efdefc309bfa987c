"""LandstingWorkflow: the national congress elects Hovedstyret and completes Landsstyret.

Workflow id `landsting-<year>`, started by TermWorkflow (parent-close ABANDON) with the results
of the county meetings (for a term started with `county_ids`: each county's leader only, and it
reads the delegates from the record store as it starts). Updates with validators take the
congress date (the notice then goes to every delegate by the bylaw notice deadline), the
credentials check, the nominations, the votes and the member appointed by the associates' board
(Samfunnsbedriftene). When every post is filled it composes Landsstyret (county-board leaders +
Hovedstyret + Landsting-elected + the appointed member), records every seat, signals its term
and returns the seats."""

from __future__ import annotations

from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.election_payloads import (
        AppointIn,
        CongressDateIn,
        CredentialsIn,
        LandstingFinished,
        LandstingInput,
        LandstingResult,
        NominationsIn,
        PostStatus,
        ProcessStatus,
        VoteIn,
    )
    from models.payloads import (
        NotifyRequest,
        PersonIn,
        Recipient,
        RecordEventRequest,
        RecordSeatsRequest,
        SeatIn,
    )
    from workflows import steps
    from workflows.election_book import ElectionBook
    from workflows.landsting_logic import compose_seats
    from workflows.search_attributes import KS_COUNTY, KS_ORGAN, KS_STAGE, KS_TERM


@workflow.defn(name="Landsting")
class LandstingWorkflow:
    """The Landsting of one term."""

    @workflow.init
    def __init__(self, data: LandstingInput) -> None:
        self._data = data
        self._key = f"term-{data.year}/landsting"
        self._book = ElectionBook(data.setup.posts, data.term, self._key)
        self._delegates = {p.person_id: p for c in data.counties for p in c.delegates}
        self._book.people.update(self._delegates)
        self._book.people.update({c.leader.person_id: c.leader for c in data.counties})
        self._delegates_read = not data.delegates_from_records
        self._date: date | None = None
        self._approved: tuple[str, ...] = ()
        self._appointed: PersonIn | None = None
        self._seats: list[SeatIn] = []
        self._stage = ""

    @workflow.run
    async def run(self, data: LandstingInput) -> LandstingResult:
        self._sync_stage()
        if not self._delegates_read:
            counties = tuple(c.county for c in data.counties)
            delegates = await steps.read_delegates(data.term, counties)
            self._delegates = {p.person_id: p for p in delegates}
            self._book.people.update(self._delegates)
            self._delegates_read = True
        await workflow.wait_condition(lambda: self._complete)
        await workflow.wait_condition(workflow.all_handlers_finished)
        assert self._date is not None
        assert self._appointed is not None
        composed = compose_seats(data, self._book, self._appointed, self._date)
        await steps.record_seats(
            RecordSeatsRequest(idempotency_key=f"{self._key}/composition", seats=composed)
        )
        seats = (*self._seats, *composed)
        seated = {s.person_id for s in seats}
        people = {**self._book.people, self._appointed.person_id: self._appointed}
        result = LandstingResult(
            congress_date=self._date,
            seats=seats,
            people=tuple(p for pid, p in people.items() if pid in seated),
        )
        await steps.record_event(
            RecordEventRequest(
                idempotency_key=f"{self._key}/finished",
                action="landsting_finished",
                subject=self._key,
                content={"seats": len(result.seats)},
            )
        )
        self._stage = "done"
        workflow.upsert_search_attributes([KS_STAGE.value_set("done")])
        if data.term_workflow_id:
            term = workflow.get_external_workflow_handle(data.term_workflow_id)
            await term.signal("landsting_finished", LandstingFinished(result=result))
        return result

    @property
    def _complete(self) -> bool:
        return self._book.decided and self._appointed is not None and self._date is not None

    # ------------------------------------------------------------------ updates

    @workflow.update
    async def congress_date(self, data: CongressDateIn) -> ProcessStatus:
        self._date = data.congress_date
        self._sync_stage()
        await workflow.wait_condition(lambda: self._delegates_read)
        await self._send_notice(data.congress_date)
        return self.status()

    @congress_date.validator
    def _check_congress_date(self, data: CongressDateIn) -> None:
        if self._date is not None:
            raise ValueError(f"the congress date is already set ({self._date.isoformat()})")
        if data.congress_date <= self._data.setup.notice_deadline.date():
            raise ValueError(
                "the congress must be after the notice deadline "
                f"({self._data.setup.notice_deadline.date().isoformat()})"
            )

    @workflow.update
    async def credentials(self, data: CredentialsIn) -> ProcessStatus:
        self._approved = data.approved
        self._sync_stage()
        await steps.record_event(
            RecordEventRequest(
                idempotency_key=f"{self._key}/credentials",
                action="credentials_approved",
                subject=self._key,
                content={"approved": list(data.approved)},
            )
        )
        return self.status()

    @credentials.validator
    def _check_credentials(self, data: CredentialsIn) -> None:
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
    async def nominations(self, data: NominationsIn) -> ProcessStatus:
        await self._book.nominate(data)
        self._sync_stage()
        return self.status()

    @nominations.validator
    def _check_nominations(self, data: NominationsIn) -> None:
        self._book.check_nominations(data)

    @workflow.update
    async def vote(self, data: VoteIn) -> PostStatus:
        assert self._date is not None
        seats = await self._book.vote(data, self._date, self._data.seat_to_date)
        self._seats.extend(seats)
        self._sync_stage()
        return self._book.ballots[data.post].status_model()

    @vote.validator
    def _check_vote(self, data: VoteIn) -> None:
        if not self._approved:
            raise ValueError("approve the delegates' credentials before entering votes")
        self._book.check_vote(data)

    @workflow.update
    async def appoint(self, data: AppointIn) -> ProcessStatus:
        self._appointed = data.person
        self._sync_stage()
        await self._book.add_people([data.person], "appointed")
        return self.status()

    @appoint.validator
    def _check_appoint(self, data: AppointIn) -> None:
        if self._appointed is not None:
            raise ValueError(
                f"{self._data.setup.appointed_by} has already appointed {self._appointed.person_id}"
            )

    # ------------------------------------------------------------------ status

    @workflow.query
    def status(self) -> ProcessStatus:
        return ProcessStatus(
            workflow_id=workflow.info().workflow_id,
            stage=self._stage,
            awaiting=self._awaiting(),
            deadline=self._data.setup.notice_deadline,
            meeting_date=self._date,
            posts=tuple(b.status_model() for b in self._book.ballots.values()),
        )

    def _awaiting(self) -> tuple[str, ...]:
        waiting = [] if self._date else ["the congress date"]
        waiting += [] if self._approved else ["the credentials check"]
        for ballot in self._book.ballots.values():
            if ballot.status == "awaiting_nominations":
                waiting.append(f"nominations for {ballot.spec.post}")
            elif ballot.status == "open":
                waiting.append(f"votes for {ballot.spec.post} (round {ballot.round})")
        if self._appointed is None:
            waiting.append(f"the member appointed by {self._data.setup.appointed_by}")
        return tuple(waiting)

    def _sync_stage(self) -> None:
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
            workflow.upsert_search_attributes(
                [
                    KS_TERM.value_set(self._data.term),
                    KS_ORGAN.value_set("landsting"),
                    KS_COUNTY.value_set("all"),
                    KS_STAGE.value_set(stage),
                ]
            )

    async def _send_notice(self, congress: date) -> None:
        await steps.notify_in_batches(
            NotifyRequest(
                purpose="meeting_notice",
                subject_key=self._key,
                recipients=tuple(
                    Recipient(recipient_id=p.person_id, email=p.email, name=p.name)
                    for p in self._delegates.values()
                ),
                context={
                    "organ_title": "Landstinget",
                    "starts_at": f"{congress.isoformat()}T10:00:00+01:00",
                    "place": "meddeles senere",
                    "agenda": [
                        {"number": 1, "title": "Konstituering"},
                        {"number": 2, "title": "Valg av hovedstyre, leder og nestledere"},
                        {"number": 3, "title": "Valg av landsstyre"},
                    ],
                },
                deadline=self._data.setup.notice_deadline,
            )
        )
