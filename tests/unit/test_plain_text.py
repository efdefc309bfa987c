"""Names, titles, places and reasons are one line of plain text; a person id is a key, never an
e-mail address or a name (issue 21, findings 4 and 5)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from models.election_payloads import MeetingDateIn, PostSpec
from models.meeting_payloads import AgendaItemIn, CancelIn
from models.payloads import MemberIn, NotifyRequest, PersonIn, Recipient

PERSON = {"person_id": "p-000123", "name": "Kari Nordmann", "gender": "female",
          "email": "kari@example.org"}  # fmt: skip
BAD = [
    "Eve\r\nBcc: victim@example.org",
    "Eve\nBcc",
    "tab\there",
    "escape \x1b[31m red",
    "next line \x85",
    "line\u2028separator",
    "Kari \u202eNORDMANN",  # right-to-left override: shows reversed
    "isolate \u2066x\u2069",
]


def refused(model: type[BaseModel], values: dict[str, Any], field: str) -> str:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(values)
    [error] = raised.value.errors()
    assert error["loc"] == (field,)
    return str(error["msg"])


@pytest.mark.parametrize("text", BAD)
def test_a_name_title_place_or_reason_with_a_control_character_is_refused(text: str) -> None:
    assert "control character (U+" in refused(PersonIn, {**PERSON, "name": text}, "name")
    assert "one line" in refused(PersonIn, {**PERSON, "party": text}, "party")
    member = {"number": "4601", "kind": "municipality", "name": text, "county": "46",
              "population": 1}  # fmt: skip
    refused(MemberIn, member, "name")
    refused(Recipient, {"recipient_id": "p-1", "name": text}, "name")
    refused(AgendaItemIn, {"number": 1, "title": text}, "title")
    refused(CancelIn, {"reason": text}, "reason")
    post = {"post": "leader", "organ": "county_board:46", "method": "majority", "title": text}
    refused(PostSpec, post, "title")


@pytest.mark.parametrize(
    "name", ["Kari Nordmann", "Ánde Máhtte Sárá", "Ørjan Æsøy-Åsen", "O'Neil & Sønn", "Ǩǯ ŋ đ"]
)
def test_names_in_norwegian_and_sami_letters_are_accepted(name: str) -> None:
    assert PersonIn.model_validate({**PERSON, "name": name}).name == name


@pytest.mark.parametrize(
    "person_id", ["kari@example.org", "Kari Nordmann", "", "-p1", "p/1", "p" * 101]
)
def test_a_person_id_that_could_be_an_address_or_a_name_is_refused(person_id: str) -> None:
    refused(PersonIn, {**PERSON, "person_id": person_id}, "person_id")


@pytest.mark.parametrize("person_id", ["p-000123", "46-kari.1", "SB:7", "p_1"])
def test_a_person_id_is_a_key(person_id: str) -> None:
    assert PersonIn.model_validate({**PERSON, "person_id": person_id}).person_id == person_id


@pytest.mark.parametrize("number", [1_700_000_000, 1.7e9, 0])
def test_a_date_or_time_given_as_a_number_is_refused(number: float) -> None:
    # Issue 21, finding 8: a Unix timestamp was read as a date.
    assert "written like 2028-02-13" in refused(MeetingDateIn, {"meeting_date": number},
                                                "meeting_date")  # fmt: skip
    recipient = {"recipient_id": "p-1", "email": "p@example.org", "name": "Kari"}
    notice = {"purpose": "reminder", "subject_key": "m", "recipients": [recipient],
              "deadline": number}  # fmt: skip
    refused(NotifyRequest, notice, "deadline")
    assert MeetingDateIn.model_validate({"meeting_date": "2027-11-15"}).meeting_date.day == 15


def test_a_population_beyond_any_municipality_is_refused() -> None:
    member = {"number": "4601", "kind": "municipality", "name": "Bergen", "county": "46",
              "population": 10**30}  # fmt: skip
    refused(MemberIn, member, "population")
