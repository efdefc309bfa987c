"""Pure seat bookkeeping of a term: who holds what, vacancies and deputies moving up.

Rule: when someone leaves a seat, the first deputy of the same group moves up where the bylaws
allow it (`elections.first_deputy_moves_up`); otherwise Landsstyret holds a supplementary
election for the rest of the term (docs/domain.md, "Vacancies").
"""

from __future__ import annotations

from collections.abc import Sequence

from models.election_payloads import SupplementaryIn, VacateIn
from models.payloads import SeatIn


def held_seat(seats: Sequence[SeatIn], organ: str, person_id: str) -> SeatIn:
    """The seat `person_id` holds in `organ`, or a `ValueError` a secretary understands."""
    for seat in seats:
        if seat.organ == organ and seat.person_id == person_id:
            return seat
    organs = sorted({s.organ for s in seats})
    raise ValueError(
        f"unknown person {person_id!r}: they hold no seat in {organ!r} this term "
        f"(the organs are {', '.join(organs) or 'not composed yet'})"
    )


def first_deputy(seats: Sequence[SeatIn], vacated: SeatIn) -> SeatIn | None:
    """The first-ranked deputy of the vacated seat's group in the same organ, if any."""
    if vacated.role == "deputy" or not vacated.group:
        return None
    deputies = [
        s
        for s in seats
        if s.organ == vacated.organ and s.group == vacated.group and s.role == "deputy"
    ]
    return min(deputies, key=lambda s: s.rank or 0, default=None)


def moved_up(deputy: SeatIn, vacated: SeatIn, data: VacateIn) -> SeatIn:
    """The seat the deputy takes over, from the vacancy to the end of the vacated seat."""
    return vacated.model_copy(
        update={
            "person_id": deputy.person_id,
            "from_date": data.on,
            "election_id": None,
            "obtained_by": "first deputy moved up",
        }
    )


def open_vacancy(vacancies: Sequence[SeatIn], data: SupplementaryIn) -> SeatIn:
    """The open vacancy a supplementary election fills, or a `ValueError`."""
    for seat in vacancies:
        if seat.organ == data.organ and seat.person_id == data.vacated_person_id:
            return seat
    open_ = ", ".join(f"{s.organ}/{s.person_id}" for s in vacancies) or "none"
    raise ValueError(
        f"no open vacancy after {data.vacated_person_id!r} in {data.organ!r} "
        f"(open vacancies: {open_})"
    )


def filled(vacancy: SeatIn, data: SupplementaryIn, election_id: str) -> SeatIn:
    """The seat a supplementary election gives, for the rest of the term."""
    return vacancy.model_copy(
        update={
            "person_id": data.person.person_id,
            "from_date": data.decided_on,
            "election_id": election_id,
            "obtained_by": "supplementary election by landsstyret",
        }
    )
