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

from models.election_payloads import LandstingInput
from models.payloads import PersonIn, SeatIn
from workflows.elections.ballot import Ballot

HOVEDSTYRET = "hovedstyret"


def compose_seats(
    data: LandstingInput, ballots: Mapping[str, Ballot], appointed: PersonIn, congress: date
) -> tuple[SeatIn, ...]:
    """The ex officio and appointed seats of Hovedstyret and Landsstyret."""
    council = data.setup.ex_officio_organ

    def seat(organ: str, person_id: str, role: str, how: str, group: str = "") -> SeatIn:
        return SeatIn(
            organ=organ,
            term=data.term,
            person_id=person_id,
            role=role,  # type: ignore[arg-type]
            group=group,
            from_date=congress,
            to_date=data.seat_to_date,
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
            f"county_board_leaders/{c.county}",
        )
        for c in data.counties
    ]
    seats += [
        seat(council, p.person_id, p.role, "ex officio: hovedstyret", HOVEDSTYRET) for p in board
    ]
    how = f"appointment by {data.setup.appointed_by}"
    seats.append(seat(HOVEDSTYRET, appointed.person_id, "member", how, "appointed"))
    seats.append(seat(council, appointed.person_id, "member", how, "appointed"))
    return tuple(seats)


def congress_notice_context(congress: date) -> dict[str, Any]:
    """The notice's template variables: the congress opens at 10:00 Oslo time, place to follow."""
    return {
        "organ_title": "Landstinget",
        "starts_at": f"{congress.isoformat()}T10:00:00+01:00",
        "place": "meddeles senere",
        "agenda": [
            {"number": 1, "title": "Konstituering"},
            {"number": 2, "title": "Valg av hovedstyre, leder og nestledere"},
            {"number": 3, "title": "Valg av landsstyre"},
        ],
    }
