"""The letter announcing a decided election names the post and organ in Norwegian, the period
with an en dash, the elected and the deputies, and no internal key."""

from __future__ import annotations

import datetime as dt

from domain.bylaws import ElectionMethod
from domain.gender import Gender
from models.election_payloads import PostSpec
from models.payloads import PersonIn, SeatIn
from workflows.elections.ballot import new_ballots
from workflows.elections.results import result_context, result_request


def person(pid: str, name: str) -> PersonIn:
    return PersonIn(person_id=pid, name=name, gender=Gender.FEMALE, email=f"{pid}@x.invalid")


def seat(pid: str, role: str) -> SeatIn:
    return SeatIn.model_validate(
        {"organ": "county_board:46", "term": "2028-2032", "person_id": pid, "role": role,
         "from_date": dt.date(2027, 11, 20), "obtained_by": "proportional"}
    )  # fmt: skip


def test_the_result_letter_says_who_was_elected_and_who_are_deputies_in_norwegian() -> None:
    spec = PostSpec(
        post="members", organ="county_board:46", method=ElectionMethod.PROPORTIONAL, seats=1,
        title="medlemmer", organ_title="Fylkesstyret i KS Vestland",
    )  # fmt: skip
    ballot = new_ballots([spec])["members"]
    people = {"a": person("a", "Kari Nordmann"), "b": person("b", "Ola Nordmann")}
    context = result_context(
        ballot, [seat("a", "member"), seat("b", "deputy")], people, "2028-2032"
    )
    assert context == {
        "post": "medlemmer",
        "organ_title": "Fylkesstyret i KS Vestland",
        "term": "2028–2032",
        "elected": ["Kari Nordmann"],
        "deputies": ["Ola Nordmann"],
        "recipient_role": "elected",
    }
    request = result_request("term-2027/county-46/members/round-1/result", list(people.values()),
                             context)  # fmt: skip
    assert [r.recipient_id for r in request.recipients] == ["a", "b"]
    assert request.purpose == "result_announced"
