"""The recorded steps of a term in office: vacancies, supplementary elections, the hand-over.

Each step builds its idempotency key from business keys (term, organ, person), never from
activity ids, which restart after continue-as-new. Callers change their state first and pass
the lists here, so an update arriving during an activity sees the new state.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import contracts
    from domain.bylaws import ElectionMethod
    from domain.gender import Gender
    from models import ids
    from models.election_payloads import HandoverIn, SupplementaryIn, TermInput, VacateIn
    from models.payloads import (
        ElectionRecord,
        EndSeatRequest,
        RecordElectionRequest,
        RecordPeopleRequest,
        RecordSeatsRequest,
        SeatIn,
    )
    from workflows import calls
    from workflows.term.seats import filled, first_deputy, moved_up, supplementary_by


async def record_vacancy(
    data: TermInput,
    seat: SeatIn,
    vacate: VacateIn,
    seats: list[SeatIn],
    vacancies: list[SeatIn],
    genders: Mapping[str, Gender],
) -> SeatIn | None:
    """End `seat`; move a deputy up (bylaws permitting) or open a vacancy. Returns the seat the
    deputy moved up to, if one did."""
    key = f"term-{data.year}/{seat.organ}/{seat.person_id}/vacated-{vacate.on.isoformat()}"
    whole_body = seat.organ in data.landsting.balanced_bodies
    deputy = first_deputy(seats, seat, genders, whole_body) if data.first_deputy_moves_up else None
    new = moved_up(deputy, seat, vacate) if deputy else None
    if deputy and new:
        seats.remove(deputy)
        seats.append(new)
    else:
        vacancies.append(seat)
    await _end(key, seat, vacate.on, vacate.reason)
    if deputy and new:
        await _end(f"{key}/deputy", deputy, vacate.on, "moved up to a vacated seat")
        await calls.record(
            contracts.record_seats,
            RecordSeatsRequest(idempotency_key=f"{key}/moved-up", seats=(new,)),
        )
        return new
    await calls.event(
        f"{key}/vacancy",
        "vacancy_opened",
        key,
        organ=seat.organ,
        role=seat.role,
        awaiting=f"supplementary election by {supplementary_by(seat.organ)}",
    )
    return None


async def end_ex_officio(data: TermInput, seat: SeatIn, on: date) -> None:
    """End an ex officio seat whose holder left the seat it follows."""
    key = f"term-{data.year}/{seat.organ}/{seat.person_id}/ex-officio-ended-{on.isoformat()}"
    await _end(key, seat, on, f"no longer holds the seat it follows ({seat.group})")


async def record_ex_officio(data: TermInput, seat: SeatIn) -> None:
    """Give the new holder of a followed seat their ex officio seat."""
    key = f"term-{data.year}/{seat.organ}/{seat.person_id}/ex-officio-{seat.from_date.isoformat()}"
    await calls.record(
        contracts.record_seats, RecordSeatsRequest(idempotency_key=key, seats=(seat,))
    )


async def _end(key: str, seat: SeatIn, on: date, reason: str) -> None:
    await calls.record(
        contracts.end_seat,
        EndSeatRequest(
            idempotency_key=key,
            organ=seat.organ,
            term=seat.term,
            person_id=seat.person_id,
            role=seat.role,
            ended_on=on,
            reason=reason,
        ),
    )


async def record_supplementary(data: TermInput, vacancy: SeatIn, sup: SupplementaryIn) -> SeatIn:
    """Record Landsstyret's supplementary election and the seat it gives."""
    key = f"term-{data.year}/{vacancy.organ}/{vacancy.person_id}/supplementary"
    seat = filled(vacancy, sup, key)
    await calls.record(
        contracts.record_people,
        RecordPeopleRequest(idempotency_key=f"{key}/people", people=(sup.person,)),
    )
    record = ElectionRecord(
        election_id=key,
        term=data.term,
        organ=vacancy.organ,
        post=vacancy.role,
        method=ElectionMethod.MAJORITY,
        inputs={"vacated": vacancy.person_id, "by": supplementary_by(vacancy.organ)},
        outcome={"elected": [sup.person.person_id]},
        decided_at=workflow.now(),
    )
    await calls.record(
        contracts.record_election, RecordElectionRequest(idempotency_key=key, election=record)
    )
    await calls.record(
        contracts.record_seats, RecordSeatsRequest(idempotency_key=f"{key}/seats", seats=(seat,))
    )
    return seat


async def tell_previous_term(data: TermInput) -> None:
    """Signal the previous term that this term's organs are composed (its hand-over)."""
    if not data.previous_term_workflow_id:
        return
    previous = workflow.get_external_workflow_handle(data.previous_term_workflow_id)
    await previous.signal(
        ids.HANDOVER, HandoverIn(next_term=data.term, composed_on=workflow.now().date())
    )


async def record_handover(data: TermInput, next_term: str) -> None:
    term = ids.term_id(data.year)
    await calls.event(f"{term}/handover", "term_handed_over", term, next_term=next_term)
