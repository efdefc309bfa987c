"""TermWorkflow: one four-year term, from the county meetings to the hand-over to the next term.

Workflow id `term-<year>`. Its county meetings (one CountyMeetingWorkflow per county) signal back
when finished. A term started with `county_ids` (every term since scale-100 load tests) has its
county meetings started by the client (service/term_start.py) and keeps of each county only its
leader: delegates and county seats are in the record store, so its payloads stay small however
large the federation. A term started with `counties` (older histories) starts them itself as
children (parent-close ABANDON, so they survive continue-as-new). Then the LandstingWorkflow,
when every county is done or the secretariat forces it (update `force_landsting`). While in
office it handles vacancies (update `vacate`: the first deputy moves up, or update
`supplementary` records Landsstyret's election). It ends on the next term's `handover` signal.
Its state lives in its input, so it continues-as-new whenever Temporal suggests it.

Once the Landsting has composed the national organs, it starts their meeting series (abandoned
children `meetings-<organ>-<term>`). Each county's board and yearly county meetings get theirs
from that county's meeting workflow as it finishes (see workflows/county_meeting.py): it holds
the representatives' and the board's contact details, which the term does not carry, so the
term's history and continue-as-new state do not grow with the counties' rosters.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ApplicationError
from temporalio.workflow import ParentClosePolicy

from models import ids

with workflow.unsafe.imports_passed_through():
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
    from workflows.county_meeting import CountyMeetingWorkflow
    from workflows.landsting import LandstingWorkflow
    from workflows.meeting_steps import start_meeting_series
    from workflows.search_attributes import KS_COUNTY, KS_ORGAN, KS_STAGE, KS_TERM
    from workflows.steps import read_organ_seats
    from workflows.term_meetings import meeting_roster, organ_rules
    from workflows.term_seats import held_seat, open_vacancy
    from workflows.term_steps import (
        record_handover,
        record_supplementary,
        record_vacancy,
        tell_previous_term,
    )


def search_attributes(term: str, organ: str, county: str, stage: str) -> TypedSearchAttributes:
    """The four ksgov keywords, for a workflow start."""
    pairs = ((KS_TERM, term), (KS_ORGAN, organ), (KS_COUNTY, county), (KS_STAGE, stage))
    return TypedSearchAttributes([SearchAttributePair(k, v) for k, v in pairs])


@workflow.defn(name="Term")
class TermWorkflow:
    """The election cycle of one term."""

    @workflow.init
    def __init__(self, data: TermInput) -> None:
        self._data = data
        state = data.state
        self._stage: TermStage = state.stage
        self._lean = data.lean
        self._counties = frozenset(data.county_numbers)
        self._started = state.children_started or self._lean
        self._county_organ_lock = asyncio.Lock()
        self._results = {r.county: r for r in state.county_results}
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
        self._upsert()
        if not self._started:
            await self._start_county_meetings()
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
                await tell_previous_term(data)
                self._previous_told = True
            elif not self._handover_due:
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(data.model_copy(update={"state": self._state()}))
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._set_stage("ended")
        await record_handover(data, self._handover)
        return TermResult(term=data.term, handed_over_to=self._handover, seats=len(self._seats))

    @property
    def _landsting_due(self) -> bool:
        done = len(self._results) == len(self._counties)
        return self._stage == "county_meetings" and (done or bool(self._forced))

    @property
    def _series_due(self) -> bool:
        return self._stage == "in_office" and bool(self._data.meetings) and not self._series_started

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
            children_started=self._started,
            county_results=tuple(self._results.values()),
            landsting_forced=self._forced,
            seats=tuple(self._seats),
            vacancies=tuple(self._vacancies),
            handover_to=self._handover,
            previous_told=self._previous_told,
            series_started=self._series_started,
        )

    async def _start_county_meetings(self) -> None:
        term_id = workflow.info().workflow_id
        await asyncio.gather(
            *(
                workflow.start_child_workflow(
                    CountyMeetingWorkflow.run,
                    county.model_copy(update={"term_workflow_id": term_id}),
                    id=ids.county_meeting_id(self._data.year, county.county),
                    parent_close_policy=ParentClosePolicy.ABANDON,
                    search_attributes=search_attributes(
                        self._data.term, "county_meeting", county.county, "started"
                    ),
                )
                for county in self._data.counties
            )
        )
        self._started = True

    async def _start_landsting(self) -> None:
        data = self._data
        self._set_stage("landsting")
        counties = tuple(self._results[c] for c in data.county_numbers if c in self._results)
        await workflow.start_child_workflow(
            LandstingWorkflow.run,
            LandstingInput(
                term=data.term,
                year=data.year,
                term_workflow_id=workflow.info().workflow_id,
                setup=data.landsting,
                counties=counties,
                seat_to_date=data.seat_to_date,
                delegates_from_records=self._lean,
            ),
            id=ids.landsting_id(data.year),
            parent_close_policy=ParentClosePolicy.ABANDON,
            search_attributes=search_attributes(data.term, "landsting", "all", "started"),
        )

    def _set_stage(self, stage: TermStage) -> None:
        self._stage = stage
        self._upsert()

    def _upsert(self) -> None:
        workflow.upsert_search_attributes(
            [
                KS_TERM.value_set(self._data.term),
                KS_ORGAN.value_set("term"),
                KS_COUNTY.value_set("all"),
                KS_STAGE.value_set(self._stage),
            ]
        )

    # ------------------------------------------------------------------ signals from children

    @workflow.signal
    def county_meeting_finished(self, data: CountyMeetingFinished) -> None:
        result = data.result
        if not self._lean:
            self._results.setdefault(result.county, result)
        elif result.county in self._counties:
            self._results.setdefault(result.county, result.slim())

    @workflow.signal
    def landsting_finished(self, data: LandstingFinished) -> None:
        if self._stage != "landsting":
            return
        county_seats = [s for r in self._results.values() for s in r.seats]
        self._seats = [*county_seats, *data.result.seats]
        self._people = {p.person_id: p for p in data.result.people}
        self._congress = data.result.congress_date
        self._set_stage("in_office")

    @workflow.signal
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
        if not self._results:
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
        await record_vacancy(self._data, seat, data, self._seats, self._vacancies)
        return self.status()

    @vacate.validator
    def _check_vacate(self, data: VacateIn) -> None:
        if self._stage != "in_office":
            raise ValueError("the organs are not composed yet: there is no seat to vacate")
        if not self._in_records(data.organ):  # a county organ's seats are checked in the records
            held_seat(self._seats, data.organ, data.person_id)

    def _in_records(self, organ: str) -> bool:
        """A lean term's county-board seats live in the record store, not in the term."""
        kind, _, county = organ.partition(":")
        return self._lean and kind == "county_board" and county in self._counties

    async def _vacate_county_seat(self, data: VacateIn) -> None:
        """Read the county organ's seats, then as for a national organ (one vacancy at a time)."""
        async with self._county_organ_lock:
            seats = await read_organ_seats(self._data.term, data.organ)
            try:
                seat = held_seat(seats, data.organ, data.person_id)
            except ValueError as exc:
                raise ApplicationError(str(exc), type="BadInput", non_retryable=True) from None
            seats.remove(seat)
            await record_vacancy(self._data, seat, data, seats, self._vacancies)

    @workflow.update
    async def supplementary(self, data: SupplementaryIn) -> TermStatus:
        vacancy = open_vacancy(self._vacancies, data)
        if self._in_records(data.organ):
            seats = await read_organ_seats(self._data.term, data.organ)
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
            await record_supplementary(self._data, vacancy, data)
            return self.status()
        self._vacancies.remove(vacancy)
        self._seats.append(await record_supplementary(self._data, vacancy, data))
        return self.status()

    @supplementary.validator
    def _check_supplementary(self, data: SupplementaryIn) -> None:
        open_vacancy(self._vacancies, data)
        holders = {s.person_id for s in self._seats if s.organ == data.organ}
        if data.person.person_id in holders:
            raise ValueError(f"{data.person.person_id!r} already holds a seat in {data.organ!r}")

    # ------------------------------------------------------------------ status

    @workflow.query
    def status(self) -> TermStatus:
        missing = tuple(c for c in self._data.county_numbers if c not in self._results)
        return TermStatus(
            term=self._data.term,
            stage=self._stage,
            awaiting=self._awaiting(missing),
            counties_finished=tuple(sorted(self._results)),
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
