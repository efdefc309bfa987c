"""CountyMeetingWorkflow: one county's meeting elects its county board and Landsting delegates.

Workflow id `county-meeting-<year>-<county>`, started by the client beside its term. It asks each
member's council for its representatives in one notice, then takes the secretariat's input as
updates with validators (a sheet of representatives, the meeting date, and the nominations and
votes it shares with the Landsting, see `workflows.elections.ballots`), counts each election by
the bylaw method and records every result. When every post is decided it tells its term the
county-board leader (a signal) and returns the county's delegates and seats. If the bylaw
deadline passes first, it reminds the secretariat and the county secretary and goes on waiting.

The county board is elected from among the county's Landsting delegates and their deputies, so
the delegates are elected first; Samfunnsbedriftene appoints one more member of the board
(update `associate_member`). Every vote is checked against the representatives registered and
the quorum; each decided election is announced to the elected and to their councils.

When it finishes it also starts the meeting series its input lists (`meetings`): the county
board's, whose roster is the board it elected, and the yearly county meetings', whose roster is
its representatives. It holds those people's contact details, which the term does not carry.
The series are not its children: it finishes at once and they run for the rest of the term,
so the `start_series` activity starts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from fractions import Fraction

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import contracts
    from models import ids
    from models.election_payloads import (
        AssociateMemberIn,
        CountyMeetingFinished,
        CountyMeetingInput,
        CountyMeetingResult,
        CountyMeetingState,
        MeetingDateIn,
        ProcessStatus,
        RepresentativesIn,
        RepresentativesSheetIn,
    )
    from models.payloads import (
        NOTIFY_MANY_MAX,
        SECRETARIAT,
        NotifyRequest,
        PersonIn,
        Recipient,
        RecordSeatsRequest,
        SeatIn,
    )
    from workflows import calls
    from workflows import search_attributes as search
    from workflows.elections.ballot import Ballot
    from workflows.elections.ballots import ElectionMeeting
    from workflows.elections.letters import county_meeting_notices, county_sender, reply_to
    from workflows.elections.representatives import check_sheet, missing_members
    from workflows.elections.results import result_context, result_request
    from workflows.meetings.roster import (
        first_meeting_day,
        meeting_roster,
        organ_rules,
        representatives_roster,
    )
    from workflows.meetings.start import start_meeting_series


@workflow.defn(name=ids.COUNTY_MEETING)
class CountyMeetingWorkflow(ElectionMeeting):
    """The county meeting of one county in one election year."""

    @workflow.init
    def __init__(self, data: CountyMeetingInput) -> None:
        key = f"term-{data.year}/county-{data.county}"
        super().__init__(data.posts, data.term, key)
        self._data = data
        self.people_scope = f"county:{data.county}"
        self._representatives: dict[str, RepresentativesIn] = {}
        self._meeting_date: date | None = None
        self._associate: PersonIn | None = None
        self._stage = ""
        self._requested = self._reminded = False
        if data.state is not None:
            self._restore(data.state)

    @workflow.run
    async def run(self, data: CountyMeetingInput) -> CountyMeetingResult:
        self._changed()
        if not self._requested:
            await self._request_representatives()
            self._requested = True
        if not self._reminded:
            remaining = data.deadline - workflow.now()
            try:
                if remaining <= timedelta(0):
                    raise TimeoutError
                await workflow.wait_condition(lambda: self._done_or_due, timeout=remaining)
            except TimeoutError:
                await self._remind()
                self._reminded = True
        await workflow.wait_condition(lambda: self._done_or_due)
        await workflow.wait_condition(workflow.all_handlers_finished)
        if not self._complete:  # a new run takes the inputs from here
            workflow.continue_as_new(data.model_copy(update={"state": self._state()}))
        result = self._result()
        await calls.event(
            f"{self.prefix}/finished",
            "county_meeting_finished",
            self.prefix,
            delegates=len(result.delegates),
        )
        if data.term_workflow_id:  # empty only when a test runs a county meeting alone
            term = workflow.get_external_workflow_handle(data.term_workflow_id)
            finished = CountyMeetingFinished(county=data.county, leader=result.leader)
            await term.signal(ids.COUNTY_MEETING_FINISHED, finished)
        await self._start_meeting_series()
        return result

    async def _start_meeting_series(self) -> None:
        """The county board's and the yearly county meetings' series, for the rest of the term."""
        data = self._data
        today = workflow.now().date()
        representatives = [
            self._representatives[m.member_number]
            for m in data.members
            if m.member_number in self._representatives
        ]
        for plan in data.meetings:
            if plan.organ.split(":")[0] == "county_meeting":
                roster = representatives_roster(representatives)
            else:
                roster = meeting_roster(self.seats, self.people, plan.organ)
            if roster:
                await start_meeting_series(
                    organ_rules(plan, data.term, roster, data.county),
                    plan.meetings_per_year,
                    first_meeting_day(today, plan.notice_days),
                    plan.ends_on or data.series_until,
                    plan.meetings_per_run,
                    as_child=False,
                )

    # ------------------------------------------------------------------ runs

    @property
    def _done_or_due(self) -> bool:
        """Finished, or time for a new run: Temporal caps the updates and the history of one."""
        if self._complete:
            return True
        due = self.accepted_this_run >= self._data.updates_per_run
        return due or workflow.info().is_continue_as_new_suggested()

    def _state(self) -> CountyMeetingState:
        return CountyMeetingState(
            meeting=self.meeting_state(),
            representatives=tuple(self._representatives.values()),
            meeting_date=self._meeting_date,
            associate=self._associate,
            requested=self._requested,
            reminded=self._reminded,
        )

    def _restore(self, state: CountyMeetingState) -> None:
        self.restore_meeting(self._data.posts, state.meeting)
        self._representatives = {r.member_number: r for r in state.representatives}
        self._meeting_date = state.meeting_date
        self._associate = state.associate
        self._requested, self._reminded = state.requested, state.reminded

    # ------------------------------------------------------------------ updates

    @property
    def _complete(self) -> bool:
        return self.decided and (self._associate is not None or not self._data.associate_members)

    @workflow.update
    async def representatives_sheet(self, data: RepresentativesSheetIn) -> ProcessStatus:
        """Every member on the sheet at once: one workflow step and one record write."""
        self.accept()
        people = [p for entry in data.entries for p in (*entry.people, *entry.deputies)]
        await self.add_people(people, "members")
        for entry in data.entries:
            self._representatives[entry.member_number] = entry
        self._changed()
        await self._summon(data.entries)
        return self.status()

    @representatives_sheet.validator
    def _check_representatives_sheet(self, data: RepresentativesSheetIn) -> None:
        self.check_room()
        check_sheet(self._data.members, data)
        if self._stage in ("voting", "done"):
            raise ValueError("voting has begun: the representatives can no longer change")

    @workflow.update
    async def meeting_date(self, data: MeetingDateIn) -> ProcessStatus:
        self.accept()
        self._meeting_date = data.meeting_date
        self._changed()
        await self._summon(tuple(self._representatives.values()))
        return self.status()

    @meeting_date.validator
    def _check_meeting_date(self, data: MeetingDateIn) -> None:
        self.check_room()
        if self.seats:
            raise ValueError("results are recorded: the meeting date can no longer change")
        if data.meeting_date.year != self._data.year:
            raise ValueError(f"the county meeting must be held in {self._data.year}")
        deadline = self._data.deadline.date()
        if data.meeting_date > deadline:
            raise ValueError(
                f"the county meeting must be held by its deadline, {deadline.isoformat()}, "
                f"not on {data.meeting_date.isoformat()}"
            )

    @workflow.update
    async def associate_member(self, data: AssociateMemberIn) -> ProcessStatus:
        """The county-board member Samfunnsbedriftene appoints, seated from the meeting day."""
        self.accept()
        assert self._meeting_date is not None  # the validator made sure
        await self.add_people([data.person], "associate")
        self._associate = data.person
        seat = SeatIn(
            organ=f"county_board:{self._data.county}",
            term=self._data.term,
            person_id=data.person.person_id,
            role="member",
            group=f"county_board:{self._data.county}/samfunnsbedriftene",
            from_date=self._meeting_date,
            obtained_by="appointment by Samfunnsbedriftene",
        )
        self.seats.append(seat)
        self._changed()
        await calls.record(
            contracts.record_seats,
            RecordSeatsRequest(idempotency_key=f"{self.prefix}/associate", seats=(seat,)),
        )
        return self.status()

    @associate_member.validator
    def _check_associate_member(self, data: AssociateMemberIn) -> None:
        self.check_room()
        if not self._data.associate_members:
            raise ValueError("the bylaws give this county board no appointed member")
        if self._associate is not None:
            raise ValueError(f"the appointed member is already {self._associate.person_id}")
        if self._meeting_date is None:
            raise ValueError("set the meeting date first: the appointed member sits from it")
        board = f"county_board:{self._data.county}"
        if data.person.person_id in {s.person_id for s in self.seats if s.organ == board}:
            raise ValueError(f"{data.person.person_id!r} already holds a seat on the county board")

    def _check_voting(self) -> None:
        if self._meeting_date is None:
            raise ValueError("set the meeting date before entering votes")

    def _turnout_limits(self) -> tuple[int, int, Fraction]:
        registered = sum(len(e.people) for e in self._representatives.values())
        members = sum(m.representatives for m in self._data.members)
        return registered, members, Fraction(self._data.quorum)

    def _check_candidates(self, ballot: Ballot, person_ids: Sequence[str]) -> None:
        """County-board candidates come from the county's delegates and their deputies."""
        if not ballot.spec.organ.startswith("county_board:"):
            return
        delegates = next((b for b in self.ballots.values() if b.spec.organ == "landsting"), None)
        if delegates is None:
            return
        if delegates.status != "decided":
            raise ValueError(
                "elect the Landsting delegates first: the county board is elected from among "
                "them and their deputies"
            )
        eligible = {p.person_id for p in delegates.elected}
        if strangers := [pid for pid in person_ids if pid not in eligible]:
            raise ValueError(
                f"{', '.join(strangers)} nominated for {ballot.spec.post} of the county board "
                "but not a Landsting delegate or deputy of this county"
            )

    async def _announce(self, ballot: Ballot, seats: tuple[SeatIn, ...]) -> None:
        """The result to the elected and to the councils that elected them."""
        councils = {m.member_number: m for m in self._data.members}
        elected = [self.people[s.person_id] for s in seats]
        by_council = {p.member_number for p in elected if p.member_number in councils}
        context = {
            **result_context(ballot, seats, self.people, self._data.term),
            **county_sender(self._data),
        }
        answer_to = reply_to(self._data)
        requests = [
            result_request(f"{self.prefix}/{ballot.spec.post}/result", elected, context)
            .model_copy(update={"reply_to": answer_to})
        ]  # fmt: skip
        if by_council:
            to = tuple(
                Recipient(recipient_id=n, email=councils[n].email, name=councils[n].name)
                for n in sorted(by_council)
            )
            council_context = {**context, "recipient_role": "council"}
            requests.append(
                NotifyRequest(
                    purpose="result_announced",
                    subject_key=f"{self.prefix}/{ballot.spec.post}/result/councils",
                    recipients=to,
                    context=council_context,
                    reply_to=answer_to,
                )
            )
        await calls.notify_many(requests)

    def _seats_from(self) -> date:
        assert self._meeting_date is not None  # the vote's validator made sure
        return self._meeting_date

    # ------------------------------------------------------------------ status

    def _status(self) -> ProcessStatus:
        return ProcessStatus(
            workflow_id=workflow.info().workflow_id,
            stage=self._stage,
            awaiting=self._awaiting(),
            deadline=self._data.deadline,
            meeting_date=self._meeting_date,
            posts=self.post_statuses(),
            version=self.accepted,
        )

    def _awaiting(self) -> tuple[str, ...]:
        missing = missing_members(self._data.members, self._representatives)
        waiting = [f"representatives of {name}" for name in missing]
        if self._meeting_date is None:
            waiting.append("the meeting date")
        waiting += self.ballots_awaiting()
        if self._data.associate_members and self._associate is None:
            waiting.append("the county-board member appointed by Samfunnsbedriftene")
        return tuple(waiting)

    def _changed(self) -> None:
        """Keep the stage, and the search attribute that shows it, in step."""
        if self._complete:
            stage = "done"
        elif self.any_ballot_opened():
            stage = "voting"
        elif missing_members(self._data.members, self._representatives):
            stage = "awaiting_representatives"
        else:
            stage = "awaiting_nominations"
        if stage != self._stage:
            self._stage = stage
            search.show(self._data.term, "county_meeting", self._data.county, stage)

    # ------------------------------------------------------------------ steps

    async def _summon(self, entries: Sequence[RepresentativesIn]) -> None:
        """The notice of the meeting to these members' representatives and deputies, once the
        date is known: all at the date, and those registered later as they come."""
        if self._meeting_date is None or not entries:
            return
        notices = county_meeting_notices(self._data, self._meeting_date, entries, self.prefix)
        for start in range(0, len(notices), NOTIFY_MANY_MAX):
            await calls.notify_many(notices[start : start + NOTIFY_MANY_MAX])

    async def _request_representatives(self) -> None:
        answer_to = reply_to(self._data)
        await calls.notify_many(
            [
                NotifyRequest(
                    purpose="representatives_requested",
                    subject_key=f"{self.prefix}/member-{m.member_number}",
                    recipients=(
                        Recipient(recipient_id=m.member_number, email=m.email, name=m.name),
                    ),
                    context={
                        "county": self._data.county_name,
                        "term": self._data.term,
                        "representatives": m.representatives,
                        "member": m.name,
                        **county_sender(self._data),
                    },
                    deadline=self._data.deadline,
                    reply_to=answer_to,
                )
                for m in self._data.members
            ]
        )

    async def _remind(self) -> None:
        await calls.notify(
            NotifyRequest(
                purpose="deadline_passed",
                subject_key=self.prefix,
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
        people = self.people
        leader = self.elected("leader")[0].person_id
        delegates = [p.person_id for p in self.elected("delegates") if p.role != "deputy"]
        return CountyMeetingResult(
            county=self._data.county,
            leader=people[leader],
            delegates=tuple(people[pid] for pid in delegates),
            seats=tuple(self.seats),
        )
