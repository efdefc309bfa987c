"""The national organs after the Landsting: ex officio and appointed seats, and the notice.

Worked example with the shipped KS bylaws and 15 counties: Hovedstyret is 15 (leader, two
deputy leaders and 11 members elected by the Landsting, and 1 appointed by Samfunnsbedriftene);
Landsstyret is 54 (15 county-board leaders, the 15 of Hovedstyret and 24 elected members).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from domain.bylaws import Bylaws
from domain.gender import Gender
from domain.registry import Registry
from models.election_payloads import CountyMeetingFinished, LandstingInput
from models.payloads import PersonIn, SeatRole
from service.term_inputs import build_term_input
from workflows.elections.ballot import Ballot, Count, Placement, apply_count, new_ballots
from workflows.elections.composition import compose_seats, congress_notice_context

CONGRESS = dt.date(2028, 2, 14)


def person(pid: str) -> PersonIn:
    return PersonIn(
        person_id=pid, name=f"Person {pid}", gender=Gender.FEMALE, email=f"{pid}@example.invalid"
    )


APPOINTED = person("sb-appointed")


@pytest.fixture(scope="module")
def landsting(ks_registry: Registry, ks_bylaws: Bylaws) -> LandstingInput:
    """The Landsting of 2027 with every county finished, each with its board leader."""
    plan = build_term_input(ks_registry, ks_bylaws, 2027)
    return LandstingInput(
        term=plan.term,
        year=plan.year,
        term_workflow_id="term-2027",
        setup=plan.input.landsting,
        counties=tuple(
            CountyMeetingFinished(county=c, leader=person(f"leader-{c}"))
            for c in plan.input.county_ids
        ),
    )


def elected(
    prefix: str, role: SeatRole, seats: int, deputies: int, rank: int | None = None
) -> Count:
    members = [Placement(f"{prefix}{i}", role, rank, "joint") for i in range(seats)]
    ranked = [Placement(f"{prefix}-d{i}", "deputy", i, "joint") for i in range(1, deputies + 1)]
    return Count({}, placements=(*members, *ranked))


def decided(data: LandstingInput) -> dict[str, Ballot]:
    """Every post of the Landsting decided: who each one elected."""
    ballots = new_ballots(data.setup.posts)
    apply_count(ballots["leader"], elected("hs-leader", "leader", 1, 0))
    apply_count(ballots["first_deputy_leader"], elected("hs-first", "deputy_leader", 1, 0, 1))
    apply_count(ballots["second_deputy_leader"], elected("hs-second", "deputy_leader", 1, 0, 2))
    apply_count(ballots["hovedstyret_members"], elected("hs", "member", 11, 2))
    apply_count(ballots["landsstyret_members"], elected("ls", "member", 24, 24))
    return ballots


def test_with_15_counties_hovedstyret_is_15_and_landsstyret_54(
    landsting: LandstingInput, ks_bylaws: Bylaws
) -> None:
    ballots = decided(landsting)
    composed = compose_seats(landsting, ballots, APPOINTED, CONGRESS)
    elected_seats = [
        (b.spec.organ, p.person_id)
        for b in ballots.values()
        for p in b.elected
        if p.role != "deputy"
    ]
    organs = Counter(organ for organ, _ in elected_seats) + Counter(s.organ for s in composed)
    assert organs == {
        "hovedstyret": ks_bylaws.organ("hovedstyret").members,
        "landsstyret": ks_bylaws.organ("landsstyret").members,
    }
    assert organs == {"hovedstyret": 15, "landsstyret": 54}
    assert len({(s.organ, s.person_id) for s in composed}) == len(composed) == 15 + 14 + 2


def test_every_county_board_leader_sits_in_landsstyret_ex_officio(
    landsting: LandstingInput,
) -> None:
    composed = compose_seats(landsting, decided(landsting), APPOINTED, CONGRESS)
    leaders = [s for s in composed if s.obtained_by == "ex officio: county-board leader"]
    assert [(s.person_id, s.group) for s in leaders] == [
        (f"leader-{c.county}", f"ex_officio/county_board:{c.county}") for c in landsting.counties
    ]
    assert len(leaders) == 15
    assert {(s.organ, s.role, s.term) for s in leaders} == {("landsstyret", "member", "2028-2032")}
    assert {(s.from_date, s.to_date, s.election_id) for s in leaders} == {(CONGRESS, None, None)}


def test_hovedstyret_sits_in_landsstyret_with_its_roles_but_not_its_deputies(
    landsting: LandstingInput,
) -> None:
    composed = compose_seats(landsting, decided(landsting), APPOINTED, CONGRESS)
    board = [s for s in composed if s.obtained_by == "ex officio: hovedstyret"]
    assert [(s.person_id, s.role) for s in board[:3]] == [
        ("hs-leader0", "leader"),
        ("hs-first0", "deputy_leader"),
        ("hs-second0", "deputy_leader"),
    ]
    assert [s.person_id for s in board[3:]] == [f"hs{i}" for i in range(11)]
    assert {(s.organ, s.group, s.rank) for s in board} == {
        ("landsstyret", "ex_officio/hovedstyret", None)
    }


def test_the_appointed_member_sits_in_hovedstyret_and_in_landsstyret(
    landsting: LandstingInput,
) -> None:
    composed = compose_seats(landsting, decided(landsting), APPOINTED, CONGRESS)
    appointed = [s for s in composed if s.person_id == APPOINTED.person_id]
    assert [(s.organ, s.role, s.group, s.obtained_by) for s in appointed] == [
        ("hovedstyret", "member", "appointed", "appointment by Samfunnsbedriftene"),
        ("landsstyret", "member", "appointed", "appointment by Samfunnsbedriftene"),
    ]


def test_undecided_hovedstyret_posts_add_no_ex_officio_seats(landsting: LandstingInput) -> None:
    composed = compose_seats(landsting, new_ballots(landsting.setup.posts), APPOINTED, CONGRESS)
    assert Counter(s.obtained_by for s in composed) == {
        "ex officio: county-board leader": 15,
        "appointment by Samfunnsbedriftene": 2,
    }


def test_the_congress_notice_opens_at_ten_oslo_time_with_the_three_elections() -> None:
    assert congress_notice_context(CONGRESS) == {
        "organ_title": "Landstinget",
        "starts_at": "2028-02-14T10:00:00+01:00",
        "place": "meddeles senere",
        "agenda": [
            {"number": 1, "title": "Konstituering"},
            {"number": 2, "title": "Valg av hovedstyre, leder og nestledere"},
            {"number": 3, "title": "Valg av landsstyre"},
        ],
    }
    assert congress_notice_context(dt.date(2028, 6, 14))["starts_at"] == "2028-06-14T10:00:00+02:00"


def test_a_county_board_leader_elected_to_hovedstyret_sits_once_in_landsstyret(
    landsting: LandstingInput,
) -> None:
    """One person, one seat: the leader of county 46 elected to Hovedstyret keeps the seat of
    a county-board leader, and Hovedstyret's other members sit beside them."""
    ballots = decided(landsting)
    ballots["leader"] = new_ballots(landsting.setup.posts)["leader"]
    apply_count(ballots["leader"], Count({}, placements=(Placement("leader-46", "leader"),)))
    composed = compose_seats(landsting, ballots, APPOINTED, CONGRESS)
    council = [s for s in composed if s.organ == "landsstyret" and s.person_id == "leader-46"]
    assert [(s.group, s.obtained_by) for s in council] == [
        ("ex_officio/county_board:46", "ex officio: county-board leader")
    ]
    assert len([s for s in composed if s.organ == "landsstyret"]) == 15 + 13 + 1


def test_the_municipal_directors_leader_observes_hovedstyret(landsting: LandstingInput) -> None:
    observer = person("kdu-leader")
    composed = compose_seats(landsting, decided(landsting), APPOINTED, CONGRESS, observer)
    observed = [s for s in composed if s.role == "observer"]
    assert [(s.organ, s.person_id, s.group) for s in observed] == [
        ("hovedstyret", "kdu-leader", "observer")
    ]
    none = landsting.model_copy(
        update={"setup": landsting.setup.model_copy(update={"observer_organ": ""})}
    )
    assert not [s for s in compose_seats(none, decided(none), APPOINTED, CONGRESS, observer)
                if s.role == "observer"]  # fmt: skip


def test_an_appointed_member_already_in_landsstyret_gets_no_second_seat(
    landsting: LandstingInput,
) -> None:
    leader = person("leader-46")
    composed = compose_seats(landsting, decided(landsting), leader, CONGRESS)
    council = [s for s in composed if s.organ == "landsstyret" and s.person_id == "leader-46"]
    assert [s.group for s in council] == ["ex_officio/county_board:46"]
    assert [s.organ for s in composed if s.person_id == "leader-46"] == [
        "landsstyret",
        "hovedstyret",
    ]
