"""Pure composition of the national organs after the Landsting (no Temporal calls).

Landsstyret is the county-board leaders (ex officio), the whole Hovedstyret (ex officio), the
members the Landsting elects to it, and the member the associates' board appoints (docs/domain.md,
"Organs and who elects whom"; bylaws `organs.landsstyret.ex_officio`). The Landsting-elected
seats are recorded as their elections are decided; this module builds the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.meeting_plan import oslo_time
from models.election_payloads import LandstingInput
from models.payloads import PersonIn, SeatIn
from workflows.elections.ballot import Ballot

HOVEDSTYRET = "hovedstyret"
EX_OFFICIO = "ex_officio/"


def ex_officio_group(organ: str) -> str:
    """The group of an ex officio seat: the organ whose seat it follows (`ex_officio/hovedstyret`,
    `ex_officio/county_board:46`)."""
    return f"{EX_OFFICIO}{organ}"


def compose_seats(
    data: LandstingInput,
    ballots: Mapping[str, Ballot],
    appointed: PersonIn,
    congress: date,
    observer: PersonIn | None = None,
) -> tuple[SeatIn, ...]:
    """The ex officio, appointed and observer seats of Hovedstyret and Landsstyret.

    Rule: Landsstyret is the county-board leaders and the whole Hovedstyret ex officio, the
    members the Landsting elects, and the member the associates' board appoints; one person holds
    one seat however many of these reasons apply (a county-board leader elected to Hovedstyret
    sits once, as county-board leader). Example: 15 leaders, 14 elected to Hovedstyret and the
    appointed member give 30 ex officio and appointed seats, 29 if one leader is on the board.
    """
    council = data.setup.ex_officio_organ

    def seat(organ: str, person_id: str, role: str, how: str, group: str = "") -> SeatIn:
        return SeatIn(
            organ=organ,
            term=data.term,
            person_id=person_id,
            role=role,  # type: ignore[arg-type]
            group=group,
            from_date=congress,
            obtained_by=how,
        )

    board = [
        p
        for ballot in ballots.values()
        if ballot.spec.organ == HOVEDSTYRET
        for p in ballot.elected
        if p.role != "deputy"
    ]
    seats = [
        seat(
            council,
            c.leader.person_id,
            "member",
            "ex officio: county-board leader",
            ex_officio_group(f"county_board:{c.county}"),
        )
        for c in data.counties
    ]
    seated = {s.person_id for s in seats}
    seats += [
        seat(council, p.person_id, p.role, "ex officio: hovedstyret", ex_officio_group(HOVEDSTYRET))
        for p in board
        if p.person_id not in seated
    ]
    how = f"appointment by {data.setup.appointed_by}"
    seats.append(seat(HOVEDSTYRET, appointed.person_id, "member", how, "appointed"))
    if appointed.person_id not in {s.person_id for s in seats if s.organ == council}:
        seats.append(seat(council, appointed.person_id, "member", how, "appointed"))
    if observer is not None and data.setup.observer_organ:
        seats.append(
            seat(
                data.setup.observer_organ,
                observer.person_id,
                "observer",
                "leader of the municipal directors' committee",
                "observer",
            )
        )
    return tuple(seats)


def congress_notice_context(congress: date) -> dict[str, Any]:
    """The notice's template variables: the congress opens at 10:00 Oslo time, place to follow."""
    return {
        "organ_title": "Landstinget",
        "starts_at": oslo_time(congress, 10).isoformat(),
        "place": "meddeles senere",
        "agenda": [
            {"number": 1, "title": "Konstituering"},
            {"number": 2, "title": "Valg av hovedstyre, leder og nestledere"},
            {"number": 3, "title": "Valg av landsstyre"},
        ],
    }
