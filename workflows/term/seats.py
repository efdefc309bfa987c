"""Pure seat bookkeeping of a term: who holds what, vacancies, deputies moving up, and the
ex officio seats that follow the seats they derive from.

Rule: when someone leaves a seat, the first deputy of the same group moves up where the bylaws
allow it (`elections.first_deputy_moves_up`), passing over deputies of the other gender when the
group would otherwise fall short of § 7-6 (the whole body, for an organ judged as one); without a
deputy, the organ that elected the seat fills it by a supplementary election for the rest of the
term: Landsstyret for the Landsting's posts, the county meeting for its county board. Landsstyret's
ex officio seats follow Hovedstyret's members and the county-board leaders: they end with the
seat they follow and go to its next holder (docs/domain.md, "Vacancies").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from domain.gender import Gender, minimum_per_gender
from models.election_payloads import SupplementaryIn, VacateIn
from models.payloads import SeatIn
from workflows.elections.composition import ex_officio_group


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


def first_deputy(
    seats: Sequence[SeatIn],
    vacated: SeatIn,
    genders: Mapping[str, Gender] | None = None,
    whole_body: bool = False,
) -> SeatIn | None:
    """The deputy of the vacated seat's group who moves up, if any: the first-ranked, unless
    the members left (of the group, or of the whole organ with `whole_body`) plus that deputy
    would fall short of § 7-6 where a deputy of the short gender would not.

    Example: a group of 3 with members A (man), B (woman) and C (man); B leaves; deputies D
    (man, rank 1) and E (woman, rank 2): E moves up (3 members need both genders).
    """
    if vacated.role == "deputy" or not vacated.group:
        return None
    deputies = sorted(
        (
            s
            for s in seats
            if s.organ == vacated.organ and s.group == vacated.group and s.role == "deputy"
        ),
        key=lambda s: s.rank or 0,
    )
    if not deputies or genders is None:
        return deputies[0] if deputies else None
    staying = [
        s
        for s in seats
        if s.organ == vacated.organ
        and s.role not in ("deputy", "observer")
        and (whole_body or s.group == vacated.group)
        and s.person_id != vacated.person_id
    ]
    need = minimum_per_gender(len(staying) + 1)
    for gender in Gender:
        if sum(1 for s in staying if genders.get(s.person_id) == gender) < need:
            short = [d for d in deputies if genders.get(d.person_id) == gender]
            if short:
                return short[0]
    return deputies[0]


def supplementary_by(organ: str) -> str:
    """Who fills a vacancy no deputy fills: the county meeting for its county's board, else
    Landsstyret (the Landsting's posts between congresses)."""
    kind, _, county = organ.partition(":")
    return f"county_meeting:{county}" if kind == "county_board" else "landsstyret"


def follows(seat: SeatIn) -> str | None:
    """The organ whose seat an ex officio seat of Landsstyret follows, or None: Hovedstyret
    for its members (not deputies), `county_board:NN` for a county-board leader."""
    if seat.role in ("deputy", "observer"):
        return None
    if seat.organ == "hovedstyret":
        return "hovedstyret"
    if seat.organ.startswith("county_board:") and seat.role == "leader":
        return seat.organ
    return None


def ex_officio_of(
    seats: Sequence[SeatIn], council: str, person_id: str, organ: str
) -> SeatIn | None:
    """The seat in `council` that `person_id` holds ex officio because of their seat in
    `organ`, if any."""
    group = ex_officio_group(organ)
    return next(
        (s for s in seats if s.organ == council and s.person_id == person_id and s.group == group),
        None,
    )


def ex_officio_seat(
    council: str, organ: str, holder: SeatIn, on: date, seats: Sequence[SeatIn]
) -> SeatIn | None:
    """The ex officio seat in `council` for the new holder of a seat in `organ`, from `on`; None
    if they already sit in `council` (one person, one seat)."""
    if any(s.organ == council and s.person_id == holder.person_id for s in seats):
        return None
    how = "ex officio: county-board leader" if organ != "hovedstyret" else "ex officio: hovedstyret"
    role = holder.role if organ == "hovedstyret" else "member"
    return SeatIn(
        organ=council,
        term=holder.term,
        person_id=holder.person_id,
        role=role,
        group=ex_officio_group(organ),
        from_date=on,
        obtained_by=how,
    )


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
            "obtained_by": f"supplementary election by {supplementary_by(vacancy.organ)}",
        }
    )
