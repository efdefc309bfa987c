"""CountyMeetingWorkflow: one county's meeting elects its county board and Landsting delegates.

Workflow id `county-meeting-<year>-<county>`, started by TermWorkflow (parent-close ABANDON).
It asks each member for its representatives, then takes the secretariat's input as updates with
validators (representatives, one member's or a whole sheet's; meeting date, nominations,
votes), counts each election by the bylaw method, records every result, and when all posts
are decided tells its term (a signal) and returns the county's delegates and county-board
leader. If the bylaw deadline passes first, it reminds the secretariat and the county
secretary and goes on waiting.

When it finishes it also starts the meeting series its input lists (`meetings`): the county
board's, whose roster is the board it elected, and the yearly county meetings', whose roster is
its representatives. It starts them rather than the term because it holds those people's
contact details: the term would otherwise have to carry every representative of every county
(about a thousand per copy of the federation) in its history and continue-as-new state. The
series are not its children: it finishes at once and they run for the rest of the term, so
the `start_series` activity starts them (activities/starts.py). Their ids are business keys
(`meetings-county_board:03-2027-2031`), so a second start is a no-op.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.election_payloads import (
        CountyMeetingFinished,
        CountyMeetingInput,
        CountyMeetingResult,
        MeetingDateIn,
        NominationsIn,
        PostStatus,
        ProcessStatus,
        RepresentativesIn,
        RepresentativesSheetIn,
        VoteIn,
    )
    from models.payloads import (
        SECRETARIAT,
        NotifyRequest,
        PersonIn,
        Recipient,
        RecordEventRequest,
        SeatIn,
    )
    from workflows import steps
    from workflows.election_book import ElectionBook
    from workflows.meeting_steps import start_meeting_series
    from workflows.search_attributes import KS_COUNTY, KS_ORGAN, KS_STAGE, KS_TERM
    from workflows.term_meetings import (
        first_meeting_day,
        meeting_roster,
        organ_rules,
        representatives_roster,
    )


# The members' requests for representatives go out in one `notify_many` activity; county
# meetings started before that was patched in send one `notify` a member (at scale 100, 37,200
# activities for the time-skipping server to carry).
ONE_REQUEST_ACTIVITY = "representatives-requested-in-one-activity"


@workflow.defn(name="CountyMeeting")
class CountyMeetingWorkflow:
    """The county meeting of one county in one election year."""

    @workflow.init
    def __init__(self, data: CountyMeetingInput) -> None:
        self._data = data
        self._key = f"term-{data.year}/county-{data.county}"
        self._book = ElectionBook(data.posts, data.term, self._key)
        self._representatives: dict[str, tuple[PersonIn, ...]] = {}
        self._meeting_date: date | None = None
        self._seats: list[SeatIn] = []
        self._stage = ""

    @workflow.run
    async def run(self, data: CountyMeetingInput) -> CountyMeetingResult:
        self._sync_stage()
        await self._request_representatives()
        remaining = data.deadline - workflow.now()
        try:
            if remaining <= timedelta(0):
                raise TimeoutError
            await workflow.wait_condition(lambda: self._book.decided, timeout=remaining)
        except TimeoutError:
            await self._remind()
            await workflow.wait_condition(lambda: self._book.decided)
        await workflow.wait_condition(workflow.all_handlers_finished)
        result = self._result()
        await steps.record_event(
            RecordEventRequest(
                idempotency_key=f"{self._key}/finished",
                action="county_meeting_finished",
                subject=self._key,
                content={"delegates": len(result.delegates)},
            )
        )
        if data.term_workflow_id:
            term = workflow.get_external_workflow_handle(data.term_workflow_id)
            told = result.slim() if data.signal_leader_only else result
            await term.signal("county_meeting_finished", CountyMeetingFinished(result=told))
        await self._start_meeting_series()
        return result

    async def _start_meeting_series(self) -> None:
        """The county board's and the yearly county meetings' series, for the rest of the term."""
        data = self._data
        today = workflow.now().date()
        representatives = [
            (m.member_number, self._representatives.get(m.member_number, ())) for m in data.members
        ]
        for plan in data.meetings:
            if plan.organ.split(":")[0] == "county_meeting":
                roster = representatives_roster(representatives)
            else:
                roster = meeting_roster(self._seats, self._book.people, plan.organ)
            if roster:
                await start_meeting_series(
                    organ_rules(plan, data.term, roster, data.county),
                    plan.meetings_per_year,
                    first_meeting_day(today, plan.notice_days),
                    plan.ends_on or data.seat_to_date,
                    plan.meetings_per_run,
                    as_child=False,
                )

    # ------------------------------------------------------------------ updates

    @workflow.update
    async def representatives(self, data: RepresentativesIn) -> ProcessStatus:
        self._representatives[data.member_number] = data.people
        self._sync_stage()
        await self._book.add_people(data.people, f"member-{data.member_number}")
        return self.status()

    @representatives.validator
    def _check_representatives(self, data: RepresentativesIn) -> None:
        self._refuse_representatives(data)

    @workflow.update
    async def representatives_sheet(self, data: RepresentativesSheetIn) -> ProcessStatus:
        """Every member on the sheet at once: one workflow step and one record write."""
        for entry in data.entries:
            self._representatives[entry.member_number] = entry.people
        self._sync_stage()
        people = [p for entry in data.entries for p in entry.people]
        await self._book.add_people(people, "members")
        return self.status()

    @representatives_sheet.validator
    def _check_representatives_sheet(self, data: RepresentativesSheetIn) -> None:
        numbers = [entry.member_number for entry in data.entries]
        twice = sorted({n for n in numbers if numbers.count(n) > 1})
        if twice:
            raise ValueError(
                f"the sheet lists member {', '.join(twice)} more than once: "
                "nothing from it was recorded"
            )
        for i, entry in enumerate(data.entries, 1):
            try:
                self._refuse_representatives(entry)
            except ValueError as exc:
                raise ValueError(
                    f"entry {i} of the sheet: {exc}; nothing from the sheet was recorded"
                ) from None

    def _refuse_representatives(self, data: RepresentativesIn) -> None:
        members = {m.member_number: m for m in self._data.members}
        member = members.get(data.member_number)
        if member is None:
            raise ValueError(
                f"unknown member {data.member_number!r}: the members of this county meeting "
                f"are {', '.join(members)}"
            )
        if len(data.people) != member.representatives:
            raise ValueError(
                f"{member.name} elects {member.representatives} representative(s), "
                f"not {len(data.people)}"
            )
        if len({p.person_id for p in data.people}) != len(data.people):
            raise ValueError(f"the representatives of {member.name} name someone twice")
        if self._stage in ("voting", "done"):
            raise ValueError("voting has begun: the representatives can no longer change")

    @workflow.update
    async def meeting_date(self, data: MeetingDateIn) -> ProcessStatus:
        self._meeting_date = data.meeting_date
        self._sync_stage()
        return self.status()

    @meeting_date.validator
    def _check_meeting_date(self, data: MeetingDateIn) -> None:
        if self._seats:
            raise ValueError("results are recorded: the meeting date can no longer change")
        if data.meeting_date.year != self._data.year:
            raise ValueError(f"the county meeting must be held in {self._data.year}")

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
        assert self._meeting_date is not None  # the validator made sure
        seats = await self._book.vote(data, self._meeting_date, self._data.seat_to_date)
        self._seats.extend(seats)
        self._sync_stage()
        return self._book.ballots[data.post].status_model()

    @vote.validator
    def _check_vote(self, data: VoteIn) -> None:
        if self._meeting_date is None:
            raise ValueError("set the meeting date before entering votes")
        self._book.check_vote(data)

    # ------------------------------------------------------------------ status

    @workflow.query
    def status(self) -> ProcessStatus:
        return ProcessStatus(
            workflow_id=workflow.info().workflow_id,
            stage=self._stage,
            awaiting=self._awaiting(),
            deadline=self._data.deadline,
            meeting_date=self._meeting_date,
            posts=tuple(b.status_model() for b in self._book.ballots.values()),
        )

    def _missing_members(self) -> list[str]:
        return [m.name for m in self._data.members if m.member_number not in self._representatives]

    def _awaiting(self) -> tuple[str, ...]:
        waiting = [f"representatives of {name}" for name in self._missing_members()]
        if self._meeting_date is None:
            waiting.append("the meeting date")
        for ballot in self._book.ballots.values():
            if ballot.status == "awaiting_nominations":
                waiting.append(f"nominations for {ballot.spec.post}")
            elif ballot.status == "open":
                waiting.append(f"votes for {ballot.spec.post} (round {ballot.round})")
        return tuple(waiting)

    def _sync_stage(self) -> None:
        if self._book.decided:
            stage = "done"
        elif any(b.status != "awaiting_nominations" for b in self._book.ballots.values()):
            stage = "voting"
        elif self._missing_members():
            stage = "awaiting_representatives"
        else:
            stage = "awaiting_nominations"
        if stage != self._stage:
            self._stage = stage
            workflow.upsert_search_attributes(
                [
                    KS_TERM.value_set(self._data.term),
                    KS_ORGAN.value_set("county_meeting"),
                    KS_COUNTY.value_set(self._data.county),
                    KS_STAGE.value_set(stage),
                ]
            )

    # ------------------------------------------------------------------ steps

    async def _request_representatives(self) -> None:
        requests = [
            NotifyRequest(
                purpose="representatives_requested",
                subject_key=f"{self._key}/member-{m.member_number}",
                recipients=(Recipient(recipient_id=m.member_number, email=m.email, name=m.name),),
                context={
                    "county": self._data.county_name,
                    "term": self._data.term,
                    "representatives": m.representatives,
                    "member": m.name,
                },
                deadline=self._data.deadline,
            )
            for m in self._data.members
        ]
        if workflow.patched(ONE_REQUEST_ACTIVITY):
            await steps.notify_many(requests)
        else:  # county meetings started before: one activity a member
            await asyncio.gather(*(steps.notify(r) for r in requests))

    async def _remind(self) -> None:
        await steps.notify(
            NotifyRequest(
                purpose="deadline_passed",
                subject_key=self._key,
                recipients=(
                    Recipient(recipient_id=SECRETARIAT),
                    Recipient(
                        recipient_id=f"county-{self._data.county}-secretary",
                        email=self._data.secretary_email,
                    ),
                ),
                context={
                    "county": self._data.county_name,
                    "awaiting": list(self._awaiting()),
                    "deadline": self._data.deadline.isoformat(),
                },
            )
        )

    def _result(self) -> CountyMeetingResult:
        people = self._book.people
        leader = self._book.elected("leader")[0].person_id
        delegates = [p.person_id for p in self._book.elected("delegates") if p.role != "deputy"]
        return CountyMeetingResult(
            county=self._data.county,
            leader=people[leader],
            delegates=tuple(people[pid] for pid in delegates),
            seats=tuple(self._seats),
        )
