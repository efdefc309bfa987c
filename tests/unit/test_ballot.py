"""Ballots of the electing meetings: nominations, what a ballot awaits, keys, seats, outcomes.

The counting itself is in test_ballot_counts.py; here the bookkeeping around it
(`workflows.elections.ballot`), with the posts of a county board.
"""

from __future__ import annotations

import datetime as dt

import pytest

from domain.apportionment import Apportionment, Method, Tie
from domain.bylaws import ElectionMethod
from domain.gender import Gender
from models.election_payloads import (
    ListIn,
    NominationsIn,
    PostNomination,
    PostSpec,
    PostStatusValue,
    VoteIn,
)
from models.payloads import PersonIn
from workflows.elections.ballot import (
    Ballot,
    Count,
    Placement,
    apply_count,
    awaiting,
    ballot_for,
    ballot_state,
    check_nomination,
    check_nominations,
    election_key,
    new_ballots,
    nominate,
    outcome_of,
    restore_ballots,
    seats_of,
)

F, M = Gender.FEMALE, Gender.MALE
BOARD = "county_board:03"
LEADER = PostSpec(
    post="leader", organ=BOARD, method=ElectionMethod.MAJORITY, role="leader", group=f"{BOARD}/"
)
MEMBERS = PostSpec(
    post="members", organ=BOARD, method=ElectionMethod.PROPORTIONAL, seats=3, group=f"{BOARD}/"
)
JOINT = PostSpec(
    post="members", organ="hovedstyret", method=ElectionMethod.AGREED, seats=3, group="hs/"
)
PREFIX = "term-2027/county-03"


def person(pid: str, gender: Gender = F) -> PersonIn:
    return PersonIn(
        person_id=pid, name=f"Person {pid}", gender=gender, email=f"{pid}@example.invalid"
    )


PEOPLE = {p.person_id: p for p in (person("ada"), person("bo", M), person("cy", M))}


def ballot(spec: PostSpec, status: PostStatusValue = "awaiting_nominations") -> Ballot:
    return Ballot(spec=spec, method=spec.method, status=status)


def nom(post: str, *candidates: str, **lists: str) -> PostNomination:
    """A nomination of `candidates`, or of lists given as name="id,id,..."."""
    named = tuple(ListIn(name=n, candidates=tuple(ids.split(","))) for n, ids in lists.items())
    return PostNomination(post=post, candidates=candidates, lists=named)


def test_new_ballots_await_nominations_for_every_post_in_post_order() -> None:
    ballots = new_ballots([LEADER, MEMBERS])
    assert list(ballots) == ["leader", "members"]
    assert [(b.method, b.status, b.round) for b in ballots.values()] == [
        (ElectionMethod.MAJORITY, "awaiting_nominations", 1),
        (ElectionMethod.PROPORTIONAL, "awaiting_nominations", 1),
    ]
    assert ballot_for(ballots, "members") is ballots["members"]


def test_an_unknown_post_is_refused_naming_the_posts() -> None:
    with pytest.raises(ValueError, match="unknown post 'chair': the posts are leader, members"):
        ballot_for(new_ballots([LEADER, MEMBERS]), "chair")


@pytest.mark.parametrize(
    ("status", "round_", "expected"),
    [
        ("awaiting_nominations", 1, "nominations for leader"),
        ("open", 1, "votes for leader (round 1)"),
        ("open", 2, "votes for leader (round 2)"),
        ("decided", 2, ""),
    ],
)
def test_a_ballot_says_what_it_awaits_until_it_is_decided(
    status: PostStatusValue, round_: int, expected: str
) -> None:
    b = ballot(LEADER, status)
    b.round = round_
    assert awaiting(b) == expected


TWICE_A = PostNomination(
    post="members",
    lists=(ListIn(name="A", candidates=("ada",)), ListIn(name="A", candidates=("bo",))),
)


@pytest.mark.parametrize(
    ("spec", "nomination", "message"),
    [
        (LEADER, nom("leader"), "leader is a majority election: nominate candidates, not lists"),
        (LEADER, nom("leader", "ada", A="bo"), "majority election: nominate candidates, not lists"),
        (LEADER, nom("leader", "ada", "zed"), "unknown person 'zed' nominated for leader"),
        (LEADER, nom("leader", "ada", "ada"), "the nominations for leader name the same"),
        (MEMBERS, nom("members", "ada"), "members is a proportional election: nominate lists, not"),
        (MEMBERS, nom("members", A="ada", B="ada,bo"), "name the same person twice"),
        (MEMBERS, TWICE_A, "two lists for members have the same name"),
        (JOINT, nom("members", A="ada", B="bo"), "an agreed election: nominate exactly one"),
        (JOINT, nom("members", Felles="ada,bo"), "the joint list for members needs at least 3"),
    ],
)
def test_a_nomination_that_does_not_fit_the_post_is_refused(
    spec: PostSpec, nomination: PostNomination, message: str
) -> None:
    b = ballot(spec)
    with pytest.raises(ValueError, match=message):
        check_nomination(b, nomination, PEOPLE)
    assert (b.status, b.candidates, b.lists) == ("awaiting_nominations", (), ())


def test_a_decided_election_takes_no_more_nominations() -> None:
    with pytest.raises(ValueError, match="the election of leader is already decided"):
        check_nomination(ballot(LEADER, "decided"), nom("leader", "ada"), PEOPLE)


def test_a_second_round_takes_no_new_nominations() -> None:
    """Kommuneloven § 7-8: the second round is between the first round's leaders, not new names."""
    b = ballot(LEADER)
    nominate(b, nom("leader", "ada", "bo", "cy"))
    b.round = 2
    with pytest.raises(ValueError, match="the election of leader is in round 2: its candidates"):
        check_nomination(b, nom("leader", "ada", "dag"), PEOPLE)


@pytest.mark.parametrize(
    ("spec", "nomination"),
    [
        (LEADER, nom("leader", "ada", "bo")),
        (MEMBERS, nom("members", A="ada", B="bo")),
        (JOINT, nom("members", Felles="ada,bo,cy")),
    ],
)
def test_a_nomination_that_fits_the_post_opens_its_first_round(
    spec: PostSpec, nomination: PostNomination
) -> None:
    b = ballot(spec)
    check_nomination(b, nomination, PEOPLE)
    nominate(b, nomination)
    assert (b.status, b.round, b.candidates, b.lists) == (
        "open",
        1,
        nomination.candidates,
        nomination.lists,
    )


def test_nominations_may_bring_the_people_they_name() -> None:
    ballots = new_ballots([LEADER])
    data = NominationsIn(posts=(nom("leader", "ada", "newcomer"),), people=(person("newcomer"),))
    check_nominations(ballots, data, PEOPLE)
    with pytest.raises(ValueError, match="unknown person 'newcomer'"):
        check_nominations(ballots, data.model_copy(update={"people": ()}), PEOPLE)


@pytest.mark.parametrize(
    ("posts", "message"),
    [
        (("leader", "leader"), "the nominations name the same post twice"),
        (("leader", "chair"), "unknown post 'chair'"),
    ],
)
def test_nominations_naming_a_post_twice_or_an_unknown_post_are_refused(
    posts: tuple[str, ...], message: str
) -> None:
    data = NominationsIn(posts=tuple(nom(p, "ada") for p in posts))
    with pytest.raises(ValueError, match=message):
        check_nominations(new_ballots([LEADER]), data, PEOPLE)


def test_the_status_names_candidates_or_lists_and_the_elected_without_deputies() -> None:
    b = ballot(MEMBERS, "decided")
    b.lists = nom("members", A="ada,bo", B="cy").lists
    b.elected = (Placement("ada", "member"), Placement("bo", "deputy", 1))
    status = b.status_model(drawn=("A",))
    assert (status.post, status.organ, status.method, status.status) == (
        "members",
        BOARD,
        ElectionMethod.PROPORTIONAL,
        "decided",
    )
    assert (status.candidates, status.elected, status.drawn_by_lot) == (
        ("A", "B"),
        ("ada",),
        ("A",),
    )
    majority = ballot(LEADER, "open")
    majority.candidates = ("ada", "bo")
    assert majority.status_model().candidates == ("ada", "bo")
    assert majority.status_model().drawn_by_lot == ()


@pytest.mark.parametrize(
    ("spec", "method", "round_", "expected"),
    [
        (LEADER, ElectionMethod.MAJORITY, 1, f"{PREFIX}/leader/round-1"),
        (LEADER, ElectionMethod.MAJORITY, 2, f"{PREFIX}/leader/round-2"),
        (JOINT, ElectionMethod.AGREED, 1, f"{PREFIX}/members/round-1"),
        # The list election after a rejected joint list must not reuse the agreed vote's key.
        (JOINT, ElectionMethod.PROPORTIONAL, 1, f"{PREFIX}/members/round-1/after-agreed"),
    ],
)
def test_each_vote_has_its_own_election_key(
    spec: PostSpec, method: ElectionMethod, round_: int, expected: str
) -> None:
    b = Ballot(spec=spec, method=method, status="open", round=round_)
    assert election_key(PREFIX, b, VoteIn(post=spec.post, round=round_)) == expected


def test_a_count_without_a_majority_moves_the_ballot_to_the_second_round() -> None:
    b = ballot(LEADER, "open")
    apply_count(b, Count({}, second_round=True))
    assert (b.status, b.round, b.elected) == ("open", 2, ())


def test_a_rejected_joint_list_reopens_the_post_for_a_list_election() -> None:
    b = ballot(JOINT, "open")
    apply_count(b, Count({}, rejected=True))
    assert (b.method, b.status, b.round) == (ElectionMethod.PROPORTIONAL, "awaiting_nominations", 1)
    assert b.spec.method == ElectionMethod.AGREED


def test_a_count_with_placements_decides_the_ballot() -> None:
    b = ballot(LEADER, "open")
    placed = (Placement("ada", "leader", None, f"{BOARD}/"),)
    apply_count(b, Count({}, placements=placed))
    assert (b.status, b.elected) == ("decided", placed)


FROM = dt.date(2027, 11, 20)


def test_an_undecided_ballot_fills_no_seats() -> None:
    b = ballot(LEADER, "open")
    assert seats_of(b, "2028-2032", "k", ElectionMethod.MAJORITY, FROM) == ()


@pytest.mark.parametrize(("round_", "obtained_by"), [(1, "majority"), (2, "majority round 2")])
def test_a_decided_ballot_fills_a_seat_for_each_placement_saying_how(
    round_: int, obtained_by: str
) -> None:
    b = ballot(LEADER, "decided")
    b.round = round_
    b.elected = (Placement("ada", "leader", None, f"{BOARD}/"),)
    key = f"{PREFIX}/leader/round-{round_}"
    (seat,) = seats_of(b, "2028-2032", key, ElectionMethod.MAJORITY, FROM)
    assert (seat.organ, seat.term, seat.person_id, seat.role, seat.group) == (
        BOARD,
        "2028-2032",
        "ada",
        "leader",
        f"{BOARD}/",
    )
    assert (seat.from_date, seat.to_date, seat.election_id, seat.obtained_by) == (
        FROM,
        None,
        key,
        obtained_by,
    )


def test_list_seats_keep_the_deputies_rank_and_list() -> None:
    b = ballot(MEMBERS, "decided")
    b.elected = (Placement("ada", "member", None, f"{BOARD}/A"), Placement("bo", "deputy", 1, "x"))
    seats = seats_of(b, "2028-2032", "k", ElectionMethod.PROPORTIONAL, FROM)
    assert [(s.person_id, s.role, s.rank, s.group) for s in seats] == [
        ("ada", "member", None, f"{BOARD}/A"),
        ("bo", "deputy", 1, "x"),
    ]
    assert {s.obtained_by for s in seats} == {"proportional"}


TIE = Apportionment(Method.DHONDT, 1, {"A": 0, "B": 0}, Tie(("A", "B"), 1))


@pytest.mark.parametrize(
    ("count", "outcome"),
    [
        (
            Count({}, placements=(Placement("ada", "member"), Placement("bo", "deputy", 1))),
            {"elected": ["ada"], "deputies": ["bo"], "lot_needed": [], "rejected": False},
        ),
        (Count({}, second_round=True), {"second_round": True}),
        (Count({}, lot=("ada", "bo")), {"lot_needed": ["ada", "bo"]}),
        (Count({}, list_tie=TIE), {"lot_needed": ["A", "B"]}),
        (Count({}, list_tie=Apportionment(Method.DHONDT, 1, {"A": 1})), {"lot_needed": []}),
        (Count({}, rejected=True), {"elected": [], "rejected": True}),
        (
            Count({}, (Placement("bo", "leader"),), tied=("ada", "bo"), drawn=("bo",)),
            {"elected": ["bo"], "lot_needed": ["ada", "bo"], "drawn_by_lot": ["bo"]},
        ),
    ],
)
def test_the_outcome_kept_for_the_record_says_who_was_elected_and_what_is_pending(
    count: Count, outcome: dict[str, object]
) -> None:
    recorded = outcome_of(count)
    keys = {"elected", "deputies", "second_round", "lot_needed", "drawn_by_lot", "rejected"}
    assert set(recorded) == keys
    assert {k: recorded[k] for k in outcome} == outcome


def test_a_ballot_carried_across_a_continue_as_new_is_the_same_ballot() -> None:
    ballots = new_ballots([LEADER, MEMBERS])
    nominate(ballots["members"], nom("members", A="ada,bo", B="cy"))
    decided = ballots["leader"]
    decided.status, decided.round = "decided", 2
    decided.candidates = ("ada", "bo")
    decided.elected = (Placement("ada", "leader", 1, f"{BOARD}/"),)
    states = [ballot_state(b) for b in ballots.values()]
    restored = restore_ballots([LEADER, MEMBERS], states)
    assert restored == ballots
    assert restored["leader"] is not decided  # rebuilt, not shared
    fresh = restore_ballots([LEADER, MEMBERS], states[:1])  # a post without a state starts anew
    assert fresh["members"] == new_ballots([MEMBERS])["members"]
