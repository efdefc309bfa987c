"""TermWorkflow: one four-year term, from the county meetings to the hand-over to the next term.

Workflow id `term-<year>`. The client starts it beside one CountyMeetingWorkflow per county
(`county_ids`); each county meeting signals back its county-board leader when it has finished.
When every county is done, or the secretariat forces it (update `force_landsting`), the term
starts the LandstingWorkflow. Once the Landsting has composed the national organs, the term
starts their meeting series (abandoned children `meetings-<organ>-<term>`), then holds office:
a vacancy (update `vacate`) moves the first deputy up or opens a vacancy that Landsstyret fills
(update `supplementary`). It ends on the next term's `handover` signal. Its state lives in its
input, so it continues as new whenever Temporal suggests it.

Delegates and county seats stay in the record store, read where needed: the term's history and
continue-as-new state do not grow with the counties' rosters.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from domain.gender import Gender, check_gender_balance
    from models import ids
    from models.election_payloads import (
        CountyMeetingFinished,
        ForceLandstingIn,
        HandoverIn,
        LandstingFinished,
        LandstingInput,
        SupplementaryIn,
        TermInput,
        TermResult,
        TermStage,
        TermState,
        TermStatus,
        VacateIn,
    )
    from models.payloads import PersonIn, SeatIn
    from workflows import calls
    from workflows import search_attributes as search
    from workflows.elections.composition import EX_OFFICIO
    from workflows.elections.landsting import LandstingWorkflow
    from workflows.meetings.roster import meeting_roster, organ_rules
    from workflows.meetings.start import start_meeting_series
    from workflows.term import steps
    from workflows.term.seats import (
        ex_officio_of,
        ex_officio_seat,
        follows,
        held_seat,
        open_vacancy,
    )


@workflow.defn(name=ids.TERM)
class TermWorkflow:
    """The election cycle of one term."""

    @workflow.init
    def __init__(self, data: TermInput) -> None:
        self._data = data
        state = data.state
        self._stage: TermStage = state.stage
        self._counties = frozenset(data.county_ids)
        self._county_organ_lock = asyncio.Lock()
        self._finished = {c.county: c for c in state.counties_finished}
        self._forced = state.landsting_forced
        self._seats: list[SeatIn] = list(state.seats)
        self._vacancies: list[SeatIn] = list(state.vacancies)
        self._handover = state.handover_to
        self._previous_told = state.previous_told
        self._series_started = state.series_started
        self._people: dict[str, PersonIn] = {}
        self._congress: date | None = None

    @workflow.run
    async def run(self, data: TermInput) -> TermResult:
        self._show()
        if data.state.stage == "county_meetings" and not data.state.counties_finished:
            # the record store knows the term from its start: every audit query answers
            # The registry only when named: a start recorded before it was keeps its content.
            registry = {"registry": data.registry} if data.registry else {}
            await calls.event(
                f"term-{data.year}/started", "term_started", f"term-{data.year}", term=data.term,
                bylaws=data.bylaws, counties=len(data.county_ids), **registry,
            )  # fmt: skip
        while not (self._stage == "in_office" and self._handover and self._previous_told):
            await workflow.wait_condition(
                lambda: (
                    self._landsting_due
                    or self._series_due
                    or self._previous_due
                    or self._handover_due
                    or self._continue_suggested()
                )
            )
            if self._landsting_due:
                await self._start_landsting()
            elif self._series_due:
                await self._start_meeting_series()
            elif self._previous_due:
                await steps.tell_previous_term(data)
                self._previous_told = True
            elif not self._handover_due:
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(data.model_copy(update={"state": self._state()}))
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._set_stage("ended")
        await steps.record_handover(data, self._handover)
        return TermResult(term=data.term, handed_over_to=self._handover, seats=len(self._seats))

    @property
    def _landsting_due(self) -> bool:
        done = len(self._finished) == len(self._counties)
        return self._stage == "county_meetings" and (done or bool(self._forced))

    @property
    def _series_due(self) -> bool:
        return self._stage == "in_office" and bool(self._data.meetings) and not self._series_started

    @property
    def _previous_due(self) -> bool:
        return self._stage == "in_office" and not self._previous_told

    @property
    def _handover_due(self) -> bool:
        return self._stage == "in_office" and bool(self._handover) and self._previous_told

    def _continue_suggested(self) -> bool:
        if not self._data.continue_as_new:
            return False
        info = workflow.info()
        limit = self._data.max_history_length
        if limit is not None and info.get_current_history_length() > limit:
            return True
        return info.is_continue_as_new_suggested()

    def _state(self) -> TermState:
        return TermState(
            stage=self._stage,
            counties_finished=tuple(self._finished.values()),
            landsting_forced=self._forced,
            seats=tuple(self._seats),
            vacancies=tuple(self._vacancies),
            handover_to=self._handover,
            previous_told=self._previous_told,
            series_started=self._series_started,
        )

    async def _start_landsting(self) -> None:
        data = self._data
        self._set_stage("landsting")
        counties = tuple(self._finished[c] for c in data.county_ids if c in self._finished)
        await workflow.start_child_workflow(
            LandstingWorkflow.run,
            LandstingInput(
                term=data.term,
                year=data.year,
                term_workflow_id=workflow.info().workflow_id,
                setup=data.landsting,
                counties=counties,
            ),
            id=ids.landsting_id(data.year),
            parent_close_policy=ParentClosePolicy.ABANDON,
            search_attributes=search.at_start(data.term, "landsting", "all", "started"),
        )

    async def _start_meeting_series(self) -> None:
        """Each composed organ's meetings for the rest of the term (series outlive the term)."""
        data = self._data
        first = (self._congress or workflow.now().date()) + timedelta(days=14)
        last = date(data.year + 5, 1, 31)  # the next term's Landsting composes the next organs
        for plan in data.meetings:
            roster = meeting_roster(self._seats, self._people, plan.organ)
            if roster:
                rules = organ_rules(plan, data.term, roster)
                await start_meeting_series(
                    rules,
                    plan.meetings_per_year,
                    first,
                    plan.ends_on or last,
                    plan.meetings_per_run,
                )
        self._series_started = True

    def _set_stage(self, stage: TermStage) -> None:
        self._stage = stage
        self._show()

    def _show(self) -> None:
        search.show(self._data.term, "term", "all", self._stage)

    # ------------------------------------------------------------------ signals from children

    @workflow.signal(name=ids.COUNTY_MEETING_FINISHED)
    def county_meeting_finished(self, data: CountyMeetingFinished) -> None:
        if data.county in self._counties:
            self._finished.setdefault(data.county, data)

    @workflow.signal(name=ids.LANDSTING_FINISHED)
    def landsting_finished(self, data: LandstingFinished) -> None:
        if self._stage != "landsting":
            return
        self._seats = list(data.result.seats)
        self._people = {p.person_id: p for p in data.result.people}
        self._congress = data.result.congress_date
        self._set_stage("in_office")

    @workflow.signal(name=ids.HANDOVER)
    def handover(self, data: HandoverIn) -> None:
        self._handover = self._handover or data.next_term

    # ------------------------------------------------------------------ updates

    @workflow.update
    async def force_landsting(self, data: ForceLandstingIn) -> TermStatus:
        self._forced = data.reason
        return self.status()

    @force_landsting.validator
    def _check_force(self, data: ForceLandstingIn) -> None:
        if self._stage != "county_meetings":
            raise ValueError("the Landsting has already been started")
        if not self._finished:
            raise ValueError(
                "no county meeting has finished: the Landsting would have no delegates"
            )

    @workflow.update
    async def vacate(self, data: VacateIn) -> TermStatus:
        if self._in_records(data.organ):
            await self._vacate_county_seat(data)
            return self.status()
        seat = held_seat(self._seats, data.organ, data.person_id)
        self._seats.remove(seat)
        genders = {pid: Gender(p.gender) for pid, p in self._people.items()}
        new = await steps.record_vacancy(
            self._data, seat, data, self._seats, self._vacancies, genders
        )
        await self._follow(seat, new, data.on)
        return self.status()

    @vacate.validator
    def _check_vacate(self, data: VacateIn) -> None:
        if self._stage != "in_office":
            raise ValueError("the organs are not composed yet: there is no seat to vacate")
        if not self._in_records(data.organ):  # a county organ's seats are checked in the records
            seat = held_seat(self._seats, data.organ, data.person_id)
            if seat.group.startswith(EX_OFFICIO):
                followed = seat.group.removeprefix(EX_OFFICIO)
                raise ValueError(
                    f"{data.person_id!r} sits in {data.organ} ex officio: vacate their seat in "
                    f"{followed}, which the seat follows"
                )

    async def _follow(self, left: SeatIn, new: SeatIn | None, on: date) -> None:
        """Landsstyret's ex officio seats follow `left`: the leaver's ends, the new holder's
        (a deputy moved up, or a supplementary election's) begins."""
        organ = follows(left)
        if organ is None:
            return
        council = self._data.landsting.ex_officio_organ
        old = ex_officio_of(self._seats, council, left.person_id, organ)
        if old is not None:
            self._seats.remove(old)
            await steps.end_ex_officio(self._data, old, on)
        if new is not None:
            seat = ex_officio_seat(council, organ, new, on, self._seats)
            if seat is not None:
                self._seats.append(seat)
                await steps.record_ex_officio(self._data, seat)

    def _in_records(self, organ: str) -> bool:
        """A county board's seats live in the record store, not in the term."""
        kind, _, county = organ.partition(":")
        return kind == "county_board" and county in self._counties

    async def _vacate_county_seat(self, data: VacateIn) -> None:
        """Read the county organ's seats, then as for a national organ (one vacancy at a time)."""
        async with self._county_organ_lock:
            seats, people = await calls.read_organ_seats(self._data.term, data.organ)
            try:
                seat = held_seat(seats, data.organ, data.person_id)
            except ValueError as exc:
                raise ApplicationError(str(exc), type="BadInput", non_retryable=True) from None
            seats.remove(seat)
            genders = {p.person_id: Gender(p.gender) for p in people}
            new = await steps.record_vacancy(
                self._data, seat, data, seats, self._vacancies, genders
            )
            await self._follow(seat, new, data.on)

    @workflow.update
    async def supplementary(self, data: SupplementaryIn) -> TermStatus:
        vacancy = open_vacancy(self._vacancies, data)
        if self._in_records(data.organ):
            seats, _ = await calls.read_organ_seats(self._data.term, data.organ)
            if data.person.person_id in {s.person_id for s in seats}:
                raise ApplicationError(
                    f"{data.person.person_id!r} already holds a seat in {data.organ!r}",
                    type="BadInput",
                    non_retryable=True,
                )
            if vacancy not in self._vacancies:
                raise ApplicationError(
                    "this vacancy was filled meanwhile", type="BadInput", non_retryable=True
                )
            self._vacancies.remove(vacancy)
            seat = await steps.record_supplementary(self._data, vacancy, data)
            await self._follow(vacancy, seat, data.decided_on)
            return self.status()
        self._vacancies.remove(vacancy)
        seat = await steps.record_supplementary(self._data, vacancy, data)
        self._seats.append(seat)
        self._people[data.person.person_id] = data.person
        await self._follow(vacancy, seat, data.decided_on)
        return self.status()

    @supplementary.validator
    def _check_supplementary(self, data: SupplementaryIn) -> None:
        open_vacancy(self._vacancies, data)
        holders = {s.person_id for s in self._seats if s.organ == data.organ}
        if data.person.person_id in holders:
            raise ValueError(f"{data.person.person_id!r} already holds a seat in {data.organ!r}")
        if data.organ in self._data.landsting.balanced_bodies:
            body = [
                self._people[s.person_id]
                for s in self._seats
                if s.organ == data.organ
                and s.role not in ("deputy", "observer")
                and s.person_id in self._people
            ]
            genders = [Gender(p.gender) for p in (*body, data.person)]
            check_gender_balance(data.organ, genders, "members of the body")

    # ------------------------------------------------------------------ status

    @workflow.query
    def status(self) -> TermStatus:
        missing = tuple(c for c in self._data.county_ids if c not in self._finished)
        return TermStatus(
            term=self._data.term,
            stage=self._stage,
            awaiting=self._awaiting(missing),
            counties_finished=tuple(sorted(self._finished)),
            counties_missing=missing,
            vacancies=tuple(f"{s.organ}/{s.person_id}" for s in self._vacancies),
            seats=len(self._seats),
        )

    def _awaiting(self, missing: tuple[str, ...]) -> tuple[str, ...]:
        if self._stage == "county_meetings":
            return tuple(f"county meeting {c}" for c in missing)
        if self._stage == "landsting":
            return ("the Landsting",)
        waiting = [f"supplementary election for {s.organ}/{s.person_id}" for s in self._vacancies]
        return (*waiting, "the next term's hand-over")
