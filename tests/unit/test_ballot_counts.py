"""Counting a ballot's vote by its post's method, and the lot that settles a tie.

Worked examples use the posts the shipped KS bylaws give Oslo's county board (leader and
deputy leader by majority, kommuneloven § 7-8; 7 members by d'Hondt list election with two
extra deputies a list, §§ 7-5 to 7-7) and Hovedstyret (11 members on one agreed list, § 7-4).
Gender balance (§ 7-6) is judged on the members and, separately, the deputies: of each list in a
list election, where candidates of a short gender move up the list and nothing is refused; of the
whole body in an agreed election, which is refused if it breaks it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.apportionment import Method, Tie
from domain.bylaws import Bylaws, ElectionMethod
from domain.gender import Gender
from domain.registry import Registry
from models.election_payloads import ListIn, PostNomination, PostSpec, PostStatusValue, VoteIn
from models.payloads import PersonIn
from service.term_inputs import build_term_input
from workflows.elections.ballot import Ballot, Count, Placement, count_vote, draw_lot, nominate

F, M = Gender.FEMALE, Gender.MALE


@pytest.fixture(scope="module")
def board(ks_registry: Registry, ks_bylaws: Bylaws) -> dict[str, PostSpec]:
    """The county-board posts of Oslo (county 03) in 2027."""
    plan = build_term_input(ks_registry, ks_bylaws, 2027)
    oslo = next(c for c in plan.counties if c.county == "03")
    return {p.post: p for p in oslo.posts}


@pytest.fixture(scope="module")
def national(ks_registry: Registry, ks_bylaws: Bylaws) -> dict[str, PostSpec]:
    """The posts the Landsting of 2027 elects."""
    return {p.post: p for p in build_term_input(ks_registry, ks_bylaws, 2027).input.landsting.posts}


def people(prefix: str, genders: str) -> dict[str, PersonIn]:
    """One person a letter of `genders` ("f" or "m"): `a0`, `a1`, ... for prefix "a"."""
    return {
        f"{prefix}{i}": PersonIn(
            person_id=f"{prefix}{i}",
            name=f"Person {prefix}{i}",
            gender=F if g == "f" else M,
            email=f"{prefix}{i}@example.invalid",
        )
        for i, g in enumerate(genders)
    }


def opened(spec: PostSpec, *candidates: str) -> Ballot:
    """A majority ballot nominated with `candidates`."""
    ballot = Ballot(spec=spec, method=spec.method)
    nominate(ballot, PostNomination(post=spec.post, candidates=candidates))
    return ballot


def listed(spec: PostSpec, **groups: dict[str, PersonIn]) -> Ballot:
    """A list ballot nominated with one list a keyword: its name and its people in order."""
    ballot = Ballot(spec=spec, method=spec.method)
    nominated = tuple(ListIn(name=name, candidates=tuple(g)) for name, g in groups.items())
    nominate(ballot, PostNomination(post=spec.post, lists=nominated))
    return ballot


def recording(asked: list[int], index: Callable[[int], int]) -> Callable[[int], int]:
    """A draw that keeps the n of each call (how many it drew from) and answers `index(n)`."""

    def draw(n: int) -> int:
        asked.append(n)
        return index(n)

    return draw


CANDIDATES = people("c", "fmm")


@pytest.mark.parametrize(
    ("status", "vote", "message"),
    [
        ("decided", VoteIn(post="leader"), "the election of leader is closed: its result is"),
        ("awaiting_nominations", VoteIn(post="leader"), "no nominations for leader yet"),
        ("open", VoteIn(post="leader", round=2), "the leader election is in round 1, not round 2"),
        ("open", VoteIn(post="leader", votes={"zed": 3}), "'zed' is not nominated for leader"),
        ("open", VoteIn(post="leader", votes={"c0": 0, "c1": 0}), "no votes were cast"),
    ],
)
def test_a_vote_that_cannot_be_taken_is_refused(
    board: dict[str, PostSpec], status: PostStatusValue, vote: VoteIn, message: str
) -> None:
    ballot = opened(board["leader"], "c0", "c1", "c2")
    ballot.status = status
    with pytest.raises(ValueError, match=message):
        count_vote(ballot, vote, CANDIDATES)


def test_more_than_half_of_the_votes_elects_in_the_first_round(board: dict[str, PostSpec]) -> None:
    ballot = opened(board["deputy_leader"], "c0", "c1")
    count = count_vote(ballot, VoteIn(post="deputy_leader", votes={"c0": 23, "c1": 22}), CANDIDATES)
    assert count.placements == (Placement("c0", "deputy_leader", 1, "county_board:03/"),)
    assert count.inputs == {"votes": {"c0": 23, "c1": 22}, "candidates": ["c0", "c1"]}
    assert (count.second_round, count.lot) == (False, ())


def test_a_majority_vote_without_more_than_half_goes_to_a_second_round(
    board: dict[str, PostSpec],
) -> None:
    # 20 of 45 votes is not more than 22.5: a new vote between all candidates.
    ballot = opened(board["leader"], "c0", "c1", "c2")
    votes = {"c0": 20, "c1": 15, "c2": 10}
    count = count_vote(ballot, VoteIn(post="leader", votes=votes), CANDIDATES)
    assert (count.second_round, count.placements, count.lot) == (True, (), ())


def test_a_tie_in_the_second_round_is_settled_by_the_drawn_lot(board: dict[str, PostSpec]) -> None:
    ballot = opened(board["leader"], "c0", "c1", "c2")
    ballot.round = 2
    votes = {"c0": 20, "c1": 20, "c2": 5}
    count = count_vote(ballot, VoteIn(post="leader", round=2, votes=votes), CANDIDATES)
    assert count.lot == ("c0", "c1")
    asked: list[int] = []
    drawn, winners = draw_lot(ballot, count, recording(asked, lambda n: 1))
    assert (asked, winners) == ([2], ["c1"])
    assert drawn.placements == (Placement("c1", "leader", None, "county_board:03/"),)
    assert drawn.inputs is count.inputs
    assert (drawn.tied, drawn.drawn) == (("c0", "c1"), ("c1",))


JOINT = people("h", "fmfmfmfmfmf" + "mf")  # 11 members, 6 female and 5 male; 2 deputies


def test_a_joint_list_without_votes_against_elects_its_members_and_ranks_its_deputies(
    national: dict[str, PostSpec],
) -> None:
    spec = national["hovedstyret_members"]
    assert (spec.method, spec.seats) == (ElectionMethod.AGREED, 11)
    ballot = listed(spec, Felles=JOINT)
    count = count_vote(ballot, VoteIn(post=spec.post, votes_against=0), JOINT)
    assert count.inputs == {"list": list(JOINT), "votes_against": 0}
    placed = [(p.person_id, p.role, p.rank, p.group) for p in count.placements]
    assert placed == [(f"h{i}", "member", None, "hovedstyret/Felles") for i in range(11)] + [
        ("h11", "deputy", 1, "hovedstyret/Felles"),
        ("h12", "deputy", 2, "hovedstyret/Felles"),
    ]


def test_one_vote_against_a_joint_list_rejects_it(national: dict[str, PostSpec]) -> None:
    spec = national["hovedstyret_members"]
    ballot = listed(spec, Felles=JOINT)
    count = count_vote(ballot, VoteIn(post=spec.post, votes_against=1), JOINT)
    assert (count.rejected, count.placements) == (True, ())


@pytest.mark.parametrize(
    ("vote", "genders", "message"),
    [
        (VoteIn(post="landsstyret_members"), "fm" * 12, "give votes_against"),
        # 24 seats: each gender needs 10 (40 % of 24 is 9.6, rounded up); 15 and 9 break it.
        (
            VoteIn(post="landsstyret_members", votes_against=0),
            "f" * 15 + "m" * 9,
            "with 24 seats each gender needs at least 10\\): 15 female, 9 male",
        ),
    ],
)
def test_a_joint_list_needs_votes_against_and_a_gender_balance(
    national: dict[str, PostSpec], vote: VoteIn, genders: str, message: str
) -> None:
    group = people("l", genders)
    with pytest.raises(ValueError, match=message):
        count_vote(listed(national["landsstyret_members"], Felles=group), vote, group)


def test_hovedstyret_s_joint_list_is_judged_with_the_board_but_its_deputies_on_their_own(
    national: dict[str, PostSpec],
) -> None:
    """Hovedstyret is judged as one body (bylaw `whole_body_balance`): 7 women and 4 men on the
    joint list may balance three male leaders; the two deputies still need both genders."""
    spec = national["hovedstyret_members"]
    assert spec.whole_body
    vote = VoteIn(post=spec.post, votes_against=0)
    group = people("h", "fffmfmfmfmf" + "fm")
    count = count_vote(listed(spec, Felles=group), vote, group)
    assert len([p for p in count.placements if p.role != "deputy"]) == 11
    lopsided = people("h", "fffmfmfmfmf" + "ff")
    with pytest.raises(ValueError, match="the deputies break the gender balance"):
        count_vote(listed(spec, Felles=lopsided), vote, lopsided)


A, B = people("a", "fmfmfmfmfm"), people("b", "mfmfmfmf")


def test_a_list_election_elects_by_dhondt_with_two_extra_deputies_a_list(
    board: dict[str, PostSpec],
) -> None:
    # 7 seats, A 30 votes and B 25: quotients 30, 25, 15, 12.5, 10, 8 1/3, 7.5 give A 4, B 3.
    # Members a0-a3 (2 f, 2 m) and b0-b2 (1 f, 2 m): 3 women of 7, the § 7-6 minimum.
    spec = board["members"]
    assert (spec.seats, spec.list_method, spec.deputies_extra) == (7, Method.DHONDT, 2)
    count = count_vote(
        listed(spec, A=A, B=B), VoteIn(post="members", votes={"A": 30, "B": 25}), A | B
    )
    members = [p.person_id for p in count.placements if p.role == "member"]
    deputies = [(p.person_id, p.rank) for p in count.placements if p.role == "deputy"]
    assert members == ["a0", "a1", "a2", "a3", "b0", "b1", "b2"]
    assert deputies == [(f"a{i}", i - 3) for i in range(4, 10)] + [
        (f"b{i}", i - 2) for i in range(3, 8)
    ]
    assert {p.group for p in count.placements} == {"county_board:03/A", "county_board:03/B"}
    assert count.inputs == {"votes": {"A": 30, "B": 25}, "lists": {"A": tuple(A), "B": tuple(B)}}


@pytest.mark.parametrize(
    ("method", "first_divisor", "seats"),
    [
        # A 70 and B 20 for 3 seats. d'Hondt: 70, 35, 23 1/3 all go to A.
        (Method.DHONDT, "7/5", {"A": 3, "B": 0}),
        # Modified Sainte-Laguë: B's 20 / 1.4 = 14 2/7 beats A's 70 / 5 = 14.
        (Method.MODIFIED_SAINTE_LAGUE, "7/5", {"A": 2, "B": 1}),
        # With a first divisor of 3/2, B's 13 1/3 no longer does.
        (Method.MODIFIED_SAINTE_LAGUE, "3/2", {"A": 3, "B": 0}),
    ],
)
def test_a_list_election_uses_the_posts_method_and_exact_first_divisor(
    board: dict[str, PostSpec], method: Method, first_divisor: str, seats: dict[str, int]
) -> None:
    update = {"seats": 3, "list_method": method, "first_divisor": first_divisor}
    spec = board["members"].model_copy(update=update)
    a, b = people("a", "fmfmfmfm"), people("b", "mfmf")
    count = count_vote(
        listed(spec, A=a, B=b), VoteIn(post="members", votes={"A": 70, "B": 20}), a | b
    )
    won = {
        n: sum(p.role == "member" and p.group.endswith(n) for p in count.placements) for n in "AB"
    }
    assert won == seats


def elected_by(count: Count, role: str, group: str) -> list[str]:
    return [p.person_id for p in count.placements if p.role == role and p.group.endswith(group)]


@pytest.mark.parametrize(
    ("a", "b", "members", "deputies"),
    [
        # 7 seats, A 30 votes and B 25: A 4 and B 3. A has no men, so it elects its first four
        # women; B's first three are women, so b2 gives way to b3, the first man. B's five
        # deputies need 2 women: only b2 is left, so it elects what it has.
        (
            "ffffffffff",
            "fffmmmmm",
            ["a0", "a1", "a2", "a3", "b0", "b1", "b3"],
            ["a4", "a5", "a6", "a7", "a8", "a9", "b2", "b4", "b5", "b6", "b7"],
        ),
        # Balanced members; A's six deputies need 3 women and B's five 2, but both lists have
        # only men left: accepted (pooled, 0 women of 11 deputies was refused before).
        (
            "fmfmmmmmmm",
            "mfmmmmmm",
            ["a0", "a1", "a2", "a3", "b0", "b1", "b2"],
            ["a4", "a5", "a6", "a7", "a8", "a9", "b3", "b4", "b5", "b6", "b7"],
        ),
    ],
)
def test_a_list_election_balances_each_list_and_accepts_a_list_that_runs_out(
    board: dict[str, PostSpec], a: str, b: str, members: list[str], deputies: list[str]
) -> None:
    la, lb = people("a", a), people("b", b)
    count = count_vote(
        listed(board["members"], A=la, B=lb),
        VoteIn(post="members", votes={"A": 30, "B": 25}),
        la | lb,
    )
    assert elected_by(count, "member", "") == members
    assert elected_by(count, "deputy", "") == deputies


def test_three_lists_electing_one_man_each_are_accepted(board: dict[str, PostSpec]) -> None:
    # One seat a list has no requirement; pooled, 3 men of 3 was refused before.
    spec = board["members"].model_copy(update={"seats": 3})
    groups = {n: people(n.lower(), "mff") for n in "ABC"}
    votes = VoteIn(post="members", votes={"A": 30, "B": 29, "C": 28})
    count = count_vote(listed(spec, **groups), votes, groups["A"] | groups["B"] | groups["C"])
    assert elected_by(count, "member", "") == ["a0", "b0", "c0"]
    assert elected_by(count, "deputy", "/A") == ["a1", "a2"]


def test_lists_of_three_men_and_three_women_each_move_the_other_gender_up(
    board: dict[str, PostSpec],
) -> None:
    # Pooled, 3 men and 3 women passed; per list, each group of 3 needs both genders.
    spec = board["members"].model_copy(update={"seats": 6})
    ap, h = people("a", "mmmmf"), people("h", "fffmf")
    count = count_vote(
        listed(spec, Ap=ap, H=h), VoteIn(post="members", votes={"Ap": 60, "H": 59}), ap | h
    )
    assert elected_by(count, "member", "/Ap") == ["a0", "a1", "a4"]
    assert elected_by(count, "member", "/H") == ["h0", "h1", "h3"]
    ranks = [(p.person_id, p.rank) for p in count.placements if p.role == "deputy"]
    assert ranks == [("a2", 1), ("a3", 2), ("h2", 1), ("h4", 2)]


@pytest.mark.parametrize(
    ("a", "b", "votes", "message"),
    [
        ("fm", "mfmf", {"A": 30, "B": 25}, "list 'A' won 4 seat\\(s\\) but has only 2"),
        ("fmfm", "mfmf", {"C": 3}, "list 'C' is not nominated for members"),
        ("fmfm", "mfmf", {"A": 0}, "no votes were cast"),
    ],
)
def test_a_list_election_that_cannot_be_filled_is_refused(
    board: dict[str, PostSpec], a: str, b: str, votes: dict[str, int], message: str
) -> None:
    la, lb = people("a", a), people("b", b)
    with pytest.raises(ValueError, match=message):
        count_vote(
            listed(board["members"], A=la, B=lb), VoteIn(post="members", votes=votes), la | lb
        )


def test_lists_with_equal_votes_for_the_last_seat_are_settled_by_lot(
    board: dict[str, PostSpec],
) -> None:
    spec = board["members"].model_copy(update={"seats": 1})
    a, b = people("a", "fmfm"), people("b", "mfmf")
    count = count_vote(
        listed(spec, A=a, B=b), VoteIn(post="members", votes={"A": 10, "B": 10}), a | b
    )
    assert count.list_tie is not None
    assert count.list_tie.tie == Tie(("A", "B"), 1)
    assert ([cl.name for cl in count.lists], count.placements) == (["A", "B"], ())
    drawn, winners = draw_lot(Ballot(spec=spec, method=spec.method), count, lambda n: n - 1)
    assert (winners, drawn.tied, drawn.drawn) == (["B"], ("A", "B"), ("B",))
    assert [(p.person_id, p.role, p.rank) for p in drawn.placements] == [
        ("b0", "member", None),
        ("b1", "deputy", 1),
        ("b2", "deputy", 2),
        ("b3", "deputy", 3),
    ]


def test_a_lot_for_two_tied_seats_draws_two_different_lists(board: dict[str, PostSpec]) -> None:
    spec = board["members"].model_copy(update={"seats": 2, "deputies_extra": 0})
    groups = {n: people(n.lower(), "fm") for n in "ABC"}
    votes = VoteIn(post="members", votes={"A": 10, "B": 10, "C": 10})
    ballot = listed(spec, **groups)
    count = count_vote(ballot, votes, groups["A"] | groups["B"] | groups["C"])
    asked: list[int] = []
    drawn, winners = draw_lot(ballot, count, recording(asked, lambda n: 0))
    assert (asked, winners) == ([3, 2], ["A", "B"])
    assert [p.person_id for p in drawn.placements] == ["a0", "b0", "a1", "b1"]


def test_a_lot_for_a_tied_seat_fills_the_drawn_list_with_its_genders_balanced(
    board: dict[str, PostSpec],
) -> None:
    # 3 seats, A 10 and B 10: quotients 10, 10, 5, 5 leave the third seat to the lot.
    spec = board["members"].model_copy(update={"seats": 3})
    a, b = people("a", "mmfm"), people("b", "mmmmf")
    ballot = listed(spec, A=a, B=b)
    count = count_vote(ballot, VoteIn(post="members", votes={"A": 10, "B": 10}), a | b)
    assert count.list_tie is not None
    drawn, winners = draw_lot(ballot, count, lambda n: 0)
    assert winners == ["A"]
    # A's 2 seats need both genders: a1 gives way to a2; B's 1 seat has no requirement, but its
    # 3 deputies need a woman: b3 gives way to b4.
    assert elected_by(drawn, "member", "") == ["a0", "a2", "b0"]
    assert elected_by(drawn, "deputy", "/A") == ["a1", "a3"]
    assert elected_by(drawn, "deputy", "/B") == ["b1", "b2", "b4"]
